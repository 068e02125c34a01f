"""The predicate graph of an ASP program, read from clingo's AST: recursion through a negation or an
aggregate (stratification), and recursions that build new terms (grounding that may never end).

Plumbing of the checks of an amendment (:mod:`usecases.verification`): each function compares the amended
program with the base before it, so that what the base already does (its calendar, its guarded recursions)
is not held against an amendment.
"""

from __future__ import annotations

import functools

import clingo
from clingo import ast


def _literal_atoms(node: ast.AST, negative: bool, out: list[tuple[str, bool]]) -> None:
    """(predicate, under negation) for every atom below ``node``."""
    kind = node.ast_type
    if kind == ast.ASTType.Literal:
        neg = negative or node.sign != ast.Sign.NoSign
        _literal_atoms(node.atom, neg, out)
        return
    if kind == ast.ASTType.SymbolicAtom:
        term = node.symbol
        if term.ast_type == ast.ASTType.Function:
            out.append((term.name, negative))
        elif term.ast_type == ast.ASTType.SymbolicTerm and term.symbol.type == clingo.SymbolType.Function:
            out.append((term.symbol.name, negative))
        return
    if kind in (ast.ASTType.BodyAggregate, ast.ASTType.Aggregate, ast.ASTType.HeadAggregate):
        # An aggregate is not monotone in general: recursion through it is treated as negation.
        elements = node.elements
        for element in elements:
            for part in getattr(element, "condition", []) or []:
                _literal_atoms(part, True, out)
            literal = getattr(element, "literal", None)
            if literal is not None:
                _literal_atoms(literal, True, out)
        return
    if kind == ast.ASTType.ConditionalLiteral:
        _literal_atoms(node.literal, negative, out)
        for part in node.condition:
            _literal_atoms(part, negative, out)
        return


def _head_names(head: ast.AST) -> set[str]:
    found: list[tuple[str, bool]] = []
    _literal_atoms(head, False, found)
    return {name for name, _ in found}


def negative_cycles(program_text: str) -> set[tuple[str, str]]:
    """Edges (head, body predicate) through a negation or an aggregate inside a recursion.

    The predicate graph of the program is built from its AST. The check is by predicate, coarser
    than clingo's by atom: the base's calendar has such edges (February has 28 days when it has
    not 29), which are stratified atom by atom. :func:`unstratified` therefore compares with the
    program before the amendment.
    """
    edges: dict[str, set[tuple[str, bool]]] = {}
    statements: list[ast.AST] = []
    ast.parse_string(program_text, statements.append)
    for statement in statements:
        if statement.ast_type != ast.ASTType.Rule:
            continue
        body: list[tuple[str, bool]] = []
        for literal in statement.body:
            _literal_atoms(literal, False, body)
        for head in _head_names(statement.head):
            edges.setdefault(head, set()).update(body)
    found = set()
    for component in _components({k: {n for n, _ in v} for k, v in edges.items()}):
        for source in component:
            found |= {(source, target) for target, neg in edges.get(source, ()) if neg and target in component}
    return found


def _variables(node: ast.AST, out: set[str]) -> set[str]:
    """The names of the variables below ``node``."""
    if node.ast_type == ast.ASTType.Variable:
        out.add(node.name)
        return out
    for key in node.child_keys:
        child = getattr(node, key)
        for part in child if isinstance(child, (ast.ASTSequence, list)) else [child]:
            if isinstance(part, ast.AST):
                _variables(part, out)
    return out


def _positive_atoms(body) -> list[ast.AST]:
    """The symbolic atoms of the positive literals of a rule's body (not under a negation, an aggregate
    or a condition): the only ones that bind a head variable to a term that already exists."""
    return [literal.atom for literal in body if literal.ast_type == ast.ASTType.Literal
            and literal.sign == ast.Sign.NoSign and literal.atom.ast_type == ast.ASTType.SymbolicAtom]


def _builds_terms(rule: ast.AST) -> bool:
    """Whether the head of ``rule`` can hold a term its positive body atoms do not already hold: an operation,
    an interval, a function of variables, or a variable bound only by an assignment (``X = Y + 1``)."""
    bound: set[str] = set()
    for atom in _positive_atoms(rule.body):
        _variables(atom, bound)
    symbol = rule.head.atom.symbol if rule.head.ast_type == ast.ASTType.Literal else None
    if symbol is None or symbol.ast_type != ast.ASTType.Function:
        return False
    for argument in symbol.arguments:
        if argument.ast_type == ast.ASTType.Variable:
            if argument.name not in bound:
                return True
        elif argument.ast_type != ast.ASTType.SymbolicTerm and _variables(argument, set()):
            return True
    return False


@functools.lru_cache(maxsize=8)  # the base's program is analysed once per process, whatever the amendment
def growing_recursions(program_text: str) -> frozenset[str]:
    """The rules through which a recursion builds new terms (``p(X+1) :- p(X).``), whose grounding may never end.

    A rule is recursive when a positive body atom's predicate is in the head's strongly connected component of
    the predicate graph. A recursion whose heads only copy terms of their bodies grounds finitely; one that
    computes new ones (arithmetic, an interval, a function of variables) may not.
    """
    statements: list[ast.AST] = []
    ast.parse_string(program_text, statements.append)
    rules = [s for s in statements if s.ast_type == ast.ASTType.Rule]
    graph: dict[str, set[str]] = {}
    for rule in rules:
        body: list[tuple[str, bool]] = []
        for literal in rule.body:
            _literal_atoms(literal, False, body)
        for head in _head_names(rule.head):
            graph.setdefault(head, set()).update(name for name, _ in body)
    component_of = {}
    for component in _components(graph):
        for name in component:
            component_of[name] = id(component)
    found = set()
    for rule in rules:
        heads = _head_names(rule.head)
        body: list[tuple[str, bool]] = []
        for atom in _positive_atoms(rule.body):
            _literal_atoms(atom, False, body)
        recursive = any(component_of[h] == component_of[b] for h in heads for b, _ in body)
        if recursive and _builds_terms(rule):
            found.add(str(rule))
    return frozenset(found)


def unbounded_recursions(before: str, after: str) -> list[str]:
    """The rules of the program ``after`` whose recursion builds new terms, that ``before`` had not."""
    return sorted(growing_recursions(after) - growing_recursions(before))


def unstratified(before: str, after: str) -> list[str]:
    """``head -> not body`` edges inside a recursion that the program ``after`` has and ``before`` had not."""
    return [f"{head} → not {body}" for head, body in sorted(negative_cycles(after) - negative_cycles(before))]


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components (Tarjan, iterative: the base has thousands of predicates)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[set[str]] = []
    counter = 0
    nodes = set(graph) | {t for targets in graph.values() for t in targets}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                out.append(component)
    return out

"""Amendments are data, checked like code before any dossier is decided under them.

An amendment's rules are pasted into the program of a regime. Before that, each
text it brings is checked here, and every refusal names the amendment key and
the line:

- text pasted into a comment (title, source) holds no line break nor any
  invisible character: a newline in a title would end the comment and start a
  rule;
- rules use no directive outside :data:`ALLOWED_DIRECTIVES`: ``#include`` would
  read any file (and leave it out of ``version_base``), ``#script`` would run
  code, ``#external`` and ``#const`` would let the program be changed from
  outside;
- only normal rules and integrity constraints: a choice or a disjunction in a
  head gives a program several answer sets;
- clingo accepts each rule alone (syntax, safety of variables);
- the amended program stays stratified: no predicate defined by the amendment
  depends on itself through a negation.

At evaluation, the solver asks clingo for two models and fails on a second
(:func:`engine.solver.solve_program`): what escapes the static checks is still
caught.
"""

from __future__ import annotations

import functools
import multiprocessing
import re
import unicodedata
from collections.abc import Iterable

import clingo
from clingo import ast

# Aggregate names and the two truth constants: the only words after # a rule of the base needs.
ALLOWED_DIRECTIVES = frozenset({"count", "sum", "sum+", "min", "max", "inf", "sup", "true", "false"})
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class CheckError(Exception):
    """A text of an amendment that cannot enter a program; the message names its key and line."""


def check_comment_text(text: str, key: str) -> str:
    """``text`` as it will be pasted into a comment line; CheckError for a line break or invisible character."""
    for position, char in enumerate(text):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise CheckError(f"« {key} » : caractère de contrôle ou invisible U+{ord(char):04X} en position "
                             f"{position + 1} (un saut de ligne ferait de la suite une règle) : une seule ligne")
    return text


def check_identifier(name: str, key: str) -> None:
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise CheckError(f"« {key} » : identifiant {name!r} refusé (minuscules, chiffres et _, une lettre d'abord)")


def _code_only(text: str) -> Iterable[tuple[int, str]]:
    """(line number, code) with comments and strings blanked, so that a # in them is not a directive."""
    in_block = False
    for number, line in enumerate(text.splitlines(), start=1):
        out, i = [], 0
        while i < len(line):
            if in_block:
                end = line.find("*%", i)
                if end < 0:
                    i = len(line)
                    continue
                in_block, i = False, end + 2
                continue
            char = line[i]
            if line.startswith("%*", i):
                in_block, i = True, i + 2
            elif char == "%":
                break
            elif char == '"':
                j = i + 1
                while j < len(line) and line[j] != '"':
                    j += 2 if line[j] == "\\" else 1
                out.append('""')
                i = j + 1
            else:
                out.append(char)
                i += 1
        yield number, "".join(out)


def check_rules(text: str, key: str, recursion: bool = True) -> None:
    """Directives, statement kinds, syntax and safety of one amendment text (a block of rules); with
    ``recursion``, no recursion that builds new terms (a block that replaces one of the base may copy the
    base's guarded ones: :func:`unbounded_recursions` compares the amended program with the base)."""
    for number, code in _code_only(text):
        for match in re.finditer(r"#\s*([A-Za-z_]+\+?)", code):
            if match.group(1) not in ALLOWED_DIRECTIVES:
                raise CheckError(f"« {key} », ligne {number} : directive « #{match.group(1)} » refusée "
                                 f"(admises : {', '.join('#' + d for d in sorted(ALLOWED_DIRECTIVES))})")
    messages: list[str] = []
    statements: list[ast.AST] = []
    try:
        ast.parse_string(text, statements.append, logger=lambda _c, m: messages.append(m))
    except RuntimeError as exc:
        raise CheckError(f"« {key} » : {_clingo_messages(messages, key) or exc}") from exc
    for statement in statements:
        kind = statement.ast_type
        line = statement.location.begin.line
        if kind == ast.ASTType.Program:
            if statement.name != "base" or line != 1 or statement.location.begin.column != 1:
                raise CheckError(f"« {key} », ligne {line} : directive « #program » refusée")
            continue
        if kind == getattr(ast.ASTType, "Comment", None):
            continue
        if kind != ast.ASTType.Rule:
            raise CheckError(f"« {key} », ligne {line} : instruction refusée « {statement} » "
                             "(seulement des règles et des contraintes)")
        if statement.head.ast_type != ast.ASTType.Literal:
            raise CheckError(f"« {key} », ligne {line} : tête de choix ou de disjonction refusée « {statement} » : "
                             "la base n'a qu'une réponse par dossier")
    growing = sorted(growing_recursions(text)) if recursion else []
    if growing:
        raise CheckError(f"« {key} » : récursion qui calcule de nouveaux termes ({' ; '.join(growing)}) : son "
                         "instanciation pourrait ne jamais finir. Dans un amendement, une règle récursive ne "
                         "recopie que des termes de son corps")
    # Safety and everything else clingo checks when it grounds: the rules alone, on no facts, in a child
    # process bounded in time and memory (« p(0). p(X+1) :- p(X). » grounds forever).
    problem = ground_bounded(text)
    if problem:
        raise CheckError(f"« {key} » : {problem}")


# The limits of the grounding of one amendment block, alone, during its verification.
GROUNDING_SECONDS = 10
GROUNDING_BYTES = 512 << 20  # on top of what the process already maps


def _ground_child(text: str, connection) -> None:
    """In the child: ground ``text`` under the memory limit; send None, or the French reason it failed."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (mapped + GROUNDING_BYTES, mapped + GROUNDING_BYTES))
    except (ImportError, OSError, ValueError):  # not Linux: the time limit still holds
        pass
    messages: list[str] = []
    try:
        control = clingo.Control(["--warn=none"], logger=lambda _c, m: messages.append(m))
        control.add("base", [], text)
        control.ground([("base", [])])
        connection.send(None)
    except MemoryError:
        connection.send("memoire")
    except RuntimeError as exc:
        reason = _clingo_messages(messages, "") or str(exc)
        connection.send("memoire" if "bad_alloc" in reason or "memory" in reason.lower() else reason)
    finally:
        connection.close()


def ground_bounded(text: str, seconds: float | None = None) -> str | None:
    """Ground the rules of ``text`` alone in a child process, killed after ``seconds`` (default
    :data:`GROUNDING_SECONDS`) or past :data:`GROUNDING_BYTES` of memory: None when clingo grounds them,
    else the French reason."""
    seconds = GROUNDING_SECONDS if seconds is None else seconds
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_ground_child, args=(text, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            return (f"l'instanciation (grounding) de ces règles dépasse {seconds:g} secondes "
                    "(une jointure trop grande, une récursion sans fin ?) : bloc refusé")
        try:
            result = receiver.recv()
        except EOFError:  # the child died without a word: killed by the memory limit
            result = "memoire"
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if result == "memoire":
        return (f"l'instanciation (grounding) de ces règles dépasse la mémoire permise ({GROUNDING_BYTES >> 20} Mio) "
                "(une jointure trop grande, une récursion sans fin ?) : bloc refusé")
    return result


def _clingo_messages(messages: list[str], key: str) -> str:
    """clingo's messages in French terms: ``<string>:3:1-20: error: unsafe variables in: …`` → ligne 3."""
    out = []
    for message in messages:
        first, _, rest = message.strip().partition("\n")
        found = re.match(r"^<[^>]*>:(\d+):(\d+)(?:-[\d:]+)?: (?:error|info|warning): (.*)$", first)
        detail = re.sub(r"<[^>]*>:(\d+):\d+(?:-[\d:]+)?: note: '(\w+)' is unsafe", r"« \2 » non sûre (ligne \1)",
                        " ".join(rest.split()))
        detail = detail.replace("[#inc_base];", "").replace("[#inc_base]", "")
        if found:
            line, column, what = found.groups()
            what = {"syntax error, unexpected": "erreur de syntaxe, inattendu"}.get(what, what)
            what = what.replace("unsafe variables in", "variables non sûres (absentes de tout littéral positif) dans")
            what = what.replace("syntax error", "erreur de syntaxe").replace("unexpected", "inattendu")
            out.append(f"ligne {line}, colonne {column} : {what} {detail}".strip())
        else:
            out.append(" ".join(message.split()))
    return " ; ".join(out)


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

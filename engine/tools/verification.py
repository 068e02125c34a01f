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


def check_rules(text: str, key: str) -> None:
    """Directives, statement kinds, syntax and safety of one amendment text (a block of rules)."""
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
    # Safety and everything else clingo checks when it grounds: the rules alone, on no facts.
    messages.clear()
    control = clingo.Control(["--warn=none"], logger=lambda _c, m: messages.append(m))
    try:
        control.add("base", [], text)
        control.ground([("base", [])])
    except RuntimeError as exc:
        raise CheckError(f"« {key} » : {_clingo_messages(messages, key) or exc}") from exc


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

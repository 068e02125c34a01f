"""Static analysis of clingo's AST: which atoms and predicates a piece of program names.

Shared by the program builder (dependencies of a file, :mod:`engine.speedups.slices`),
the summary cut (:mod:`engine.speedups.summary_cut`), the warm path (:mod:`engine.speedups.warm`)
and the impact of an amendment (:mod:`usecases.impact`).
"""

from __future__ import annotations

from clingo import ast

Pattern = tuple[str, tuple[str | None, ...]]


class _AtomPatterns(ast.Transformer):
    """Collects every atom of a piece of AST as (name, arguments): a constant argument as its text,
    any other (variable, pool, function of variables, arithmetic) as None, which matches anything."""

    def __init__(self):
        self.patterns: set[Pattern] = set()

    def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:
        if node.symbol.ast_type == ast.ASTType.Function:
            self.patterns.add((node.symbol.name, tuple(
                str(a.symbol) if a.ast_type == ast.ASTType.SymbolicTerm else None for a in node.symbol.arguments)))
        return node


def patterns(*pieces: ast.AST) -> set[Pattern]:
    """The atoms of some AST as (name, arguments), a non-constant argument as None (it matches anything)."""
    collector = _AtomPatterns()
    for piece in pieces:
        collector(piece)
    return collector.patterns


def names(*pieces: ast.AST) -> set[str]:
    """The predicate names of every atom in some AST (aggregates and conditions included)."""
    return {name for name, _ in patterns(*pieces)}


def may_match(a: tuple[str | None, ...], b: tuple[str | None, ...]) -> bool:
    """Whether two atom patterns of the same name may denote the same atom."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def dependencies(statement: ast.AST, deps: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    """Record which predicates the head of a rule depends on; return (head predicates, body predicates)."""
    if statement.ast_type != ast.ASTType.Rule:
        return set(), set()
    heads, body = names(statement.head), names(*statement.body)
    for head in heads:
        deps.setdefault(head, set()).update(body)
    return heads, body

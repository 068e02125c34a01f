"""Prestation slices: a batch that demands some prestations only is grounded with their files alone.

The program is kept as one :class:`Part` per file, with the prestations the file
declares (``prestation(P).``) and the predicates it defines and reads.
:func:`select` keeps the shared files, the files of the demanded prestations and,
transitively, the prestation files they build on. It serves only regimes that
declare their prestations independent (``prestations_independantes``); a property
test (tests/test_tranches.py) checks that the slice decides every dossier as
the whole program does.

What it saves: the grounder's cost per call grows with the number of rules,
whether they fire or not, and most dossiers demand one prestation of six. Measured
in docs/performances.md (« tranche du programme par prestations demandées »):
a single dossier 30 → 16 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clingo import ast

from engine.analysis import dependencies


@dataclass
class Part:
    """The statements of one file of the program, and what slicing needs to know of them."""

    text: str
    prestations: frozenset[str]  # the prestations the file declares (prestation(P).); empty: a shared file
    heads: frozenset[str]  # predicates its rules define
    reads: frozenset[str]  # predicates its rules read

    def to_dict(self) -> dict[str, Any]:
        """The part as JSON data (sets as sorted lists)."""
        return {"text": self.text, "prestations": sorted(self.prestations), "heads": sorted(self.heads),
                "reads": sorted(self.reads)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Part:
        """The part :meth:`to_dict` gave."""
        return cls(data["text"], frozenset(data["prestations"]), frozenset(data["heads"]), frozenset(data["reads"]))


def make_part(statements: list[ast.AST], deps: dict[str, set[str]]) -> Part:
    """One file's statements as text, with the prestations it declares and the predicates it defines and
    reads; records the dependencies of its rules in ``deps`` on the way."""
    heads: set[str] = set()
    reads: set[str] = set()
    prestations = set()
    for statement in statements:
        defined, read = dependencies(statement, deps)
        heads |= defined
        reads |= read
        if statement.ast_type != ast.ASTType.Rule:
            continue
        for rule in statement.unpool():
            atom = rule.head.atom if rule.head.ast_type == ast.ASTType.Literal else None
            if (not rule.body and atom is not None and atom.ast_type == ast.ASTType.SymbolicAtom
                    and atom.symbol.ast_type == ast.ASTType.Function and atom.symbol.name == "prestation"
                    and len(atom.symbol.arguments) == 1):
                prestations.add(str(atom.symbol.arguments[0]))
    return Part("\n".join(str(statement) for statement in statements), frozenset(prestations),
                frozenset(heads), frozenset(reads))


def is_whole(parts: list[Part], prestations: frozenset[str] | None) -> bool:
    """Whether the slice for ``prestations`` (None: every prestation) would be the whole program."""
    return prestations is None or not any(part.prestations - prestations for part in parts)


def select(parts: list[Part], prestations: frozenset[str]) -> list[Part]:
    """The parts that decide dossiers demanding ``prestations`` only: shared files, those prestations' files,
    and the prestation files these build on (:func:`_closure`)."""
    kept = [part for part in parts if not part.prestations or part.prestations & prestations]
    return _closure(kept, parts)


def _closure(kept: list[Part], parts: list[Part]) -> list[Part]:
    """``kept``, with every prestation file defining a predicate that a kept prestation file reads and that no
    shared file defines (one prestation built on another's rules).

    What the shared files read from prestation files (``mois_utile``, ``plus_mois_demande``,
    ``prestation``) are hooks each prestation fills for its own dossiers only: they pull nothing in.
    """
    shared = frozenset().union(*(part.heads for part in parts if not part.prestations))
    chosen = {id(part) for part in kept}
    changed = True
    while changed:
        changed = False
        wanted = frozenset().union(*(part.reads for part in parts if id(part) in chosen and part.prestations))
        wanted -= shared
        for part in parts:
            if id(part) not in chosen and part.heads & wanted:
                chosen.add(id(part))
                changed = True
    return [part for part in parts if id(part) in chosen]

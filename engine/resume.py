"""Decisions in summary, for caseloads: status, amounts and the state of each benefit's conditions.

The same knowledge base as :mod:`engine.solver`, with a lighter output: no
condition tree, no rule firings. A caseload of many thousand dossiers is decided
in batches of this form; a dossier worth explaining is then evaluated again in
full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.dossier import Dossier
from engine.facts import to_python
from engine.program import build_program
from engine.solver import solve_program


@dataclass
class Summary:
    """One benefit, in summary."""

    statut: str
    montants: dict[str, Any] = field(default_factory=dict)
    etats: dict[str, str] = field(default_factory=dict)  # condition node -> etat

    @property
    def montant(self) -> int:
        """The amount that measures the benefit: monthly for the allowances, total otherwise."""
        return int(self.montants.get("mensuel", self.montants.get("total", 0)) or 0)

    def failed(self) -> list[str]:
        return [node for node, etat in self.etats.items() if etat == "non_rempli"]


def summarize_many(dossiers: Sequence[Dossier], sources: dict[str, tuple[str, str]] | None = None,
                   prestations: frozenset[str] | None = None) -> list[dict[str, Summary]]:
    """For each dossier, its benefits in summary; one grounding per regime object.

    ``sources``, when given, receives the source (section, article) of every condition node.
    ``prestations``: decide only these benefits (for a regime whose benefits are independent).
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for position, dossier in enumerate(dossiers):
        groups[id(dossier.regime)].append(position)
    out: list[dict[str, Summary]] = [{} for _ in dossiers]
    for positions in groups.values():
        batch = [dossiers[p] for p in positions]
        symbols = solve_program(build_program(batch[0].regime, explain=False, summary=True), batch,
                                prestations=prestations)
        rows: dict[int, dict[str, Summary]] = defaultdict(dict)
        pending = []
        for symbol in symbols:
            name, args = symbol.name, symbol.arguments  # each property is a call into clingo: read once
            if name == "source":
                if sources is not None:
                    sources[str(args[0])] = (args[1].string, args[2].string)
            elif name == "decision":
                rows[args[0].number][args[1].name] = Summary(args[2].name)
            else:
                pending.append((name, args))
        for name, args in pending:
            summary = rows[args[0].number].get(args[1].name)
            if summary is None:
                continue
            if name == "montant":
                summary.montants[args[2].name] = to_python(args[3])
            elif name == "etat_resume":
                summary.etats[str(args[2])] = args[3].name
        for index, position in enumerate(positions):
            out[position] = dict(rows.get(index, {}))
    return out

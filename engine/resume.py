"""Decisions in summary, for caseloads: status, amounts and the state of each prestation's conditions.

The same knowledge base as :mod:`engine.solver`, built in :attr:`engine.program.Mode.SUMMARY`
(:mod:`engine.speedups.summary_cut`): no condition tree, no rule firings. Its symbols are
read with the same records as a full decision (:mod:`engine.atomes`). A caseload
of many thousand dossiers is decided in batches of this form; a dossier worth
explaining is then evaluated again in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.atomes import AtomeDecision, AtomeEtatResume, AtomeMontant, AtomeSource
from engine.dossier import Dossier
from engine.model import Etat, Statut
from engine.program import Mode, build_program
from engine.solver import solve_program


@dataclass
class Summary:
    """One prestation, in summary."""

    statut: Statut
    montants: dict[str, Any] = field(default_factory=dict)
    etats: dict[str, Etat] = field(default_factory=dict)  # condition node -> etat

    @property
    def montant(self) -> int:
        """The amount that measures the prestation: monthly for the allowances, total otherwise."""
        return int(self.montants.get("mensuel", self.montants.get("total", 0)) or 0)

    def failed(self) -> list[str]:
        return [node for node, etat in self.etats.items() if etat == Etat.non_rempli]


def summarize_many(dossiers: Sequence[Dossier], sources: dict[str, tuple[str, str]] | None = None,
                   prestations: frozenset[str] | None = None) -> list[dict[str, Summary]]:
    """For each dossier, its prestations in summary; one grounding per regime object.

    ``sources``, when given, receives the source (section, article) of every condition node.
    ``prestations``: decide only these prestations (for a regime whose prestations are independent).
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for position, dossier in enumerate(dossiers):
        groups[id(dossier.regime)].append(position)
    out: list[dict[str, Summary]] = [{} for _ in dossiers]
    for positions in groups.values():
        batch = [dossiers[p] for p in positions]
        symbols = solve_program(build_program(batch[0].regime, Mode.SUMMARY), batch, prestations=prestations)
        rows: dict[int, dict[str, Summary]] = defaultdict(dict)
        pending: list[AtomeMontant | AtomeEtatResume] = []
        for symbol in symbols:
            name, args = symbol.name, symbol.arguments  # each property is a call into clingo: read once
            if name == "source":
                if sources is not None:
                    source = AtomeSource.read(args)
                    sources[source.noeud] = (source.section, source.article)
            elif name == "decision":
                decision = AtomeDecision.read(args)
                rows[decision.dossier][decision.prestation] = Summary(decision.statut)
            elif name == "montant":
                pending.append(AtomeMontant.read(args))
            elif name == "etat_resume":
                pending.append(AtomeEtatResume.read(args))
        for atom in pending:  # a prestation's amounts and states, once its decision is known
            summary = rows[atom.dossier].get(atom.prestation)
            if summary is None:
                continue
            if isinstance(atom, AtomeMontant):
                summary.montants[atom.nature] = atom.valeur
            else:
                summary.etats[str(atom.condition)] = atom.etat
        for index, position in enumerate(positions):
            out[position] = dict(rows.get(index, {}))
    return out

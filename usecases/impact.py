"""The impact of an amendment on a caseload (``prevoyance diff``).

Every dossier is decided in summary under the base and under the amended base
(in batches, across processes); each prestation falls in one category: newly
granted, newly refused, become incomplete, amount up, amount down, unchanged.
Costs are summed: the monthly allowances, and the one-off or instalment
prestations counted once a year (docs/impact.md). For the changed dossiers, the
conditions whose state changed are listed; the first ones are explained under
both bases, side by side.

What cannot change is not decided twice (:func:`affected_prestations`): a prestation
whose summary program is the same text under both bases and names none of the
parameters the amendment changes keeps its decision; a dossier that demands
none of the prestations the amendment can affect is carried over from its
decision under the base (``Impact.reprises`` counts them), and the others are
decided under the amended base for the affected prestations only.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clingo import ast

from engine.analysis import names, patterns
from engine.dossier import Dossier
from engine.files import atomic_writer
from engine.model import Decision, Statut
from engine.program import Mode, build_program
from engine.regime import Regime, load_regime
from engine.resume import Summary, summarize_many
from engine.solver import demanded, evaluate_many
from usecases.amendement import Amendment, amend, load_amendment
from usecases.caseload import Entry, chunks, each_alone_on_failure, in_order, read_caseload, worker_pool

# The order in which changes are looked at (the report's table, the first changes explained): what a policy
# team looks at first.
ORDRE = {"nouvellement_refuse": 0, "devenu_incomplet": 1, "baisse": 2, "nouvellement_accorde": 3, "hausse": 4,
         "inchange": 5}
CATEGORIES = ("nouvellement_accorde", "nouvellement_refuse", "devenu_incomplet", "hausse", "baisse", "inchange")


@dataclass
class DecisionChange:
    """One prestation of one dossier whose decision or amount changed."""

    dossier: str
    origine: str
    prestation: str
    categorie: str
    avant: Summary
    apres: Summary

    @property
    def ecart(self) -> int:
        return self.apres.montant - self.avant.montant

    @property
    def montants(self) -> list[tuple[str, int | None, int | None]]:
        """(nature, before, after) for every amount of the decision that changed (arrears, schedule, total…)."""
        return changed_amounts(self.avant, self.apres)

    @property
    def conditions(self) -> list[tuple[str, str, str]]:
        """(condition, state before, state after) for every condition whose state changed."""
        nodes = sorted(set(self.avant.etats) | set(self.apres.etats))
        return [(n, self.avant.etats.get(n, "absente"), self.apres.etats.get(n, "absente")) for n in nodes
                if self.avant.etats.get(n) != self.apres.etats.get(n)]


@dataclass
class Impact:
    """What an amendment changes in a caseload."""

    version_base: str
    version_amendee: str
    amendement: Amendment
    dossiers: int = 0
    erreurs: list[tuple[str, str]] = field(default_factory=list)
    categories: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    cout_mensuel: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    cout_ponctuel: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # Every amount of the granted decisions (monthly, arrears, schedule, total, lost…), by prestation and nature:
    # [under the base, under the amended base]. An amendment of the arrears alone shows here.
    montants: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: [0, 0])))
    changements: list[DecisionChange] = field(default_factory=list)
    affectees: frozenset[str] | None = None  # prestations the amendment can affect (None: all of them)
    reprises: int = 0  # dossiers carried over from the base: they demand no affected prestation
    base: str | None = None  # the regime the caseload was decided under (None: the default regime)

    def ordonnes(self) -> list[DecisionChange]:
        """The changes newly refused first, then incomplete, lower amounts, newly granted, higher amounts;
        larger changes first."""
        return ordered(self.changements)

    def regime_amende(self) -> Regime:
        """The amended base the impact was computed under."""
        return amend(load_regime(self.base), self.amendement)

    def cout_annuel(self, index: int) -> int:
        """Yearly cost under the base (0) or the amended base (1)."""
        monthly = sum(12 * v[index] for v in self.cout_mensuel.values())
        return monthly + sum(v[index] for v in self.cout_ponctuel.values())


def ordered(changes: list[DecisionChange]) -> list[DecisionChange]:
    """Newly refused first, then incomplete, lower amounts, newly granted, higher amounts; larger changes first."""
    return sorted(changes, key=lambda c: (ORDRE[c.categorie], -abs(c.ecart), c.dossier, c.prestation))


# The order in which the amounts of a decision decide between a rise and a fall when the one that measures the
# prestation (Summary.montant: monthly, else total) is unchanged; an amount lost is a fall when it grows.
_ORDRE_MONTANTS = ("mensuel", "total", "rappel", "echeancier", "perdu")
_MONTANTS_PERDUS = frozenset({"perdu"})


def changed_amounts(before: Summary, after: Summary) -> list[tuple[str, int | None, int | None]]:
    """(nature, before, after) for every amount of the two summaries that differs (None: absent on that side)."""
    natures = sorted(set(before.montants) | set(after.montants),
                     key=lambda n: (_ORDRE_MONTANTS.index(n) if n in _ORDRE_MONTANTS else len(_ORDRE_MONTANTS), n))
    return [(n, before.montants.get(n), after.montants.get(n)) for n in natures
            if before.montants.get(n) != after.montants.get(n)]


def categorize(before: Summary | None, after: Summary | None) -> str:
    before_status = before.statut if before else "absent"
    after_status = after.statut if after else "absent"
    if before_status != after_status:
        if after_status == Statut.accorde:
            return "nouvellement_accorde"
        return "nouvellement_refuse" if after_status == Statut.refuse else "devenu_incomplet"
    if before and after and before.montant != after.montant:
        return "hausse" if after.montant > before.montant else "baisse"
    if before and after:  # the measuring amount is the same: the arrears, the schedule, a lost amount may not be
        for nature, avant, apres in changed_amounts(before, after):
            if not isinstance(avant or 0, int) or not isinstance(apres or 0, int):
                continue
            up = (apres or 0) > (avant or 0)
            return "hausse" if up != (nature in _MONTANTS_PERDUS) else "baisse"
    return "inchange"


# Body atoms through which a rule reads parameters, and the position of the parameter's name.
_PARAMETER_NAME = {"parametre": 0, "parametre_abroge": 0, "effet": 0, "depasse": 0, "parametre_le": 0,
                   "en_vigueur": 1, "depasse_au_mois": 0, "parametre_du_mois": 0}


def _changed_parameters(base: Regime, amended: Regime) -> set[str]:
    names = set(base.parameters) | set(amended.parameters)
    return {n for n in names if base.parameters.get(n) != amended.parameters.get(n)}


def _reads_any_parameter(text: str, library: set[str]) -> bool:
    """Whether a rule outside the calendar and parameter helpers reads a parameter whose name is not
    written in it (a variable): such a slice may read any parameter."""
    statements: list[ast.AST] = []
    ast.parse_string(text, statements.append)
    for statement in statements:
        if statement.ast_type != ast.ASTType.Rule:
            continue
        heads = names(statement.head)
        if heads and heads <= library:  # the helpers pass any parameter on: their readers name it
            continue
        for name, args in patterns(*statement.body):
            position = _PARAMETER_NAME.get(name)
            if position is not None and len(args) > position and args[position] is None:
                return True
    return False


def affected_prestations(base: Regime, amended: Regime) -> frozenset[str] | None:
    """The prestations whose summary the amendment can change; None when the program cannot tell (every one).

    The summary program of a prestation (the slice a dossier demanding it alone is decided with: shared files,
    its own, and those it builds on, reduced to what the summary shows) is compared under both bases: a
    rule block replaced changes its text. With the same text, it can only change through a parameter the
    amendment changes, and it reads a parameter by writing its name, unless one of its rules reads
    parameters through a variable.
    """
    if not base.prestations_independantes or not amended.prestations_independantes:
        return None
    before = build_program(base, Mode.SUMMARY)
    after = build_program(amended, Mode.SUMMARY)
    changed = _changed_parameters(base, amended)
    prestations = frozenset().union(*(part.prestations for part in before.parts))
    affected = set()
    for prestation in prestations:
        text = before.text_for(frozenset({prestation}))
        rules_changed = text != after.text_for(frozenset({prestation}))
        names_read = changed and (any(re.search(rf"\b{re.escape(n)}\b", text) for n in changed)
                                  or _reads_any_parameter(text, before.library))
        if rules_changed or names_read:
            affected.add(prestation)
    return frozenset(affected)


# -- worker processes: each builds the two regimes once ------------------------------------------------
_REGIMES: tuple[Regime, Regime] | None = None
_AFFECTED: frozenset[str] | None = None
_SKIP = True


def _init_worker(base_id: str | None, amendment_path: str, date_effet, skip: bool = True) -> None:
    global _REGIMES, _AFFECTED, _SKIP
    base = load_regime(base_id)
    _REGIMES = (base, amend(base, load_amendment(amendment_path, date_effet)))
    _SKIP = skip
    _AFFECTED = affected_prestations(*_REGIMES) if skip else None


def _summaries(batch: list[tuple[str, dict[str, Any]]]
               ) -> tuple[list[tuple[dict[str, Summary], dict[str, Summary]] | str], int]:
    """Each dossier's summaries under the base and the amended base (a dossier that fails gives its message
    instead), and how many were carried over without a second decision."""
    out = each_alone_on_failure(_both, batch)
    pairs = [f"{origine}: erreur interne en décidant ce dossier ({type(r).__name__} : {r})"
             if isinstance(r, Exception) else r for (origine, _), r in zip(batch, out, strict=True)]
    assert _REGIMES is not None
    carried = 0 if _AFFECTED is None else sum(
        1 for (origine, data), pair in zip(batch, pairs, strict=True)
        if not isinstance(pair, str) and not _decided_again(Dossier(data, _REGIMES[0], origine)))
    return pairs, carried


def _decided_again(dossier: Dossier) -> bool:
    """Whether the amendment can change the dossier: it demands an affected prestation (or every prestation)."""
    demands = demanded([dossier])
    return demands is None or bool(demands & _AFFECTED)


def _both(batch: list[tuple[str, dict[str, Any]]]) -> list[tuple[dict[str, Summary], dict[str, Summary]]]:
    """Each dossier under both bases; what the amendment cannot change is carried over, not decided twice."""
    assert _REGIMES is not None
    base, amended = _REGIMES
    under_base = [Dossier(data, base, origine) for origine, data in batch]
    if _AFFECTED is None:
        under_amended = [Dossier(data, amended, origine) for origine, data in batch]
        both = summarize_many(under_base + under_amended)
        return list(zip(both[: len(batch)], both[len(batch):], strict=True))
    before = summarize_many(under_base)
    again = [i for i, d in enumerate(under_base) if _decided_again(d)]
    after = [dict(b) for b in before]  # what the amendment cannot change is carried over
    if again:
        decided = summarize_many([Dossier(batch[i][1], amended, batch[i][0]) for i in again],
                                 prestations=_AFFECTED)
        for i, summaries in zip(again, decided, strict=True):
            for prestation in _AFFECTED:
                after[i].pop(prestation, None)
            after[i].update(summaries)
    return list(zip(before, after, strict=True))


def _batches(entries: Iterator[Entry], size: int, impact: Impact) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    for chunk in chunks(entries, size):
        batch = []
        for entry in chunk:
            if entry.dossier is None:
                impact.erreurs.append((entry.origine, entry.erreur or ""))
            else:
                batch.append((entry.origine, entry.dossier.data))
        if batch:
            yield batch


def compute_impact(caseload: str | Path, amendment_path: str | Path, date_effet=None, base_id: str | None = None,
                   workers: int | None = None, chunk_size: int = 250, progress=None, skip: bool = True) -> Impact:
    """Decide the caseload under the base and the amended base; classify every prestation of every dossier.

    ``skip``: what the amendment cannot change is carried over rather than decided twice
    (:func:`affected_prestations`); False decides every dossier under both bases.
    """
    base = load_regime(base_id)
    amendment = load_amendment(amendment_path, date_effet)
    amended = amend(base, amendment)
    impact = Impact(base.version, amended.version, amendment, base=base.id)
    impact.affectees = affected_prestations(base, amended) if skip else None
    workers = workers or os.cpu_count() or 1
    batches = _batches(read_caseload(caseload, base), chunk_size, impact)
    args = (base_id, str(amendment_path), date_effet, skip)
    if workers == 1:
        _init_worker(*args)
        results: Iterable = ((batch, _summaries(batch)) for batch in batches)
    else:
        pool = worker_pool(workers, _init_worker, args)
        results = _pooled(pool, batches, workers)
    for batch, (pairs, carried) in results:
        impact.reprises += carried
        for (origine, data), pair in zip(batch, pairs, strict=True):
            if isinstance(pair, str):
                impact.erreurs.append((origine, pair))
                continue
            impact.dossiers += 1
            _classify(impact, origine, data["id"], *pair)
        if progress is not None:
            progress(len(batch))
    return impact


def _pooled(pool: ProcessPoolExecutor, batches, workers: int):
    with pool:
        yield from in_order(lambda batch: pool.submit(_summaries, batch), batches, 2 * workers)


def _classify(impact: Impact, origine: str, ident: str, before: dict[str, Summary], after: dict[str, Summary]) -> None:
    for prestation in sorted(set(before) | set(after)):
        b, a = before.get(prestation), after.get(prestation)
        category = categorize(b, a)
        impact.categories[prestation][category] += 1
        for index, summary in ((0, b), (1, a)):
            if summary is None or summary.statut != Statut.accorde:
                continue
            if "mensuel" in summary.montants:
                impact.cout_mensuel[prestation][index] += summary.montants["mensuel"]
            elif "total" in summary.montants:
                impact.cout_ponctuel[prestation][index] += summary.montants["total"]
            for nature, value in summary.montants.items():
                if isinstance(value, int):
                    impact.montants[prestation][nature][index] += value
        if category != "inchange" and b is not None and a is not None:
            impact.changements.append(DecisionChange(ident, origine, prestation, category, b, a))


def avant_apres(impact: Impact, caseload: str | Path, limit: int
                ) -> list[tuple[DecisionChange, Decision | Exception, Decision | Exception]]:
    """The first ``limit`` changes (:meth:`Impact.ordonnes`), each decided again in full under the base and the
    amended base, for their explanations side by side; a decision that fails is its exception."""
    chosen = impact.ordonnes()[:limit]
    if not chosen:
        return []
    wanted = {c.origine for c in chosen}
    base = load_regime(impact.base)
    amended = amend(base, impact.amendement)
    dossiers = {e.origine: e.dossier for e in read_caseload(caseload, base) if e.origine in wanted and e.dossier}
    order = [c for c in chosen if c.origine in dossiers]
    before = each_alone_on_failure(evaluate_many, [dossiers[c.origine] for c in order])
    after = each_alone_on_failure(evaluate_many,
                                  [Dossier(dossiers[c.origine].data, amended, c.origine) for c in order])
    return list(zip(order, before, after, strict=True))


def write_report(text: str, target: str | Path, beside: dict[str, str] | None = None) -> list[Path]:
    """Write the report to ``target`` and each text of ``beside`` next to it under its suffix (the CSV of the
    changed dossiers beside an HTML page, for a spreadsheet); each file whole or not at all. The files written."""
    target = Path(target)
    written = [target]
    with atomic_writer(target) as out:
        out.write(text)
    for suffix, content in (beside or {}).items():
        written.append(target.with_suffix(suffix))
        with atomic_writer(written[-1]) as out:
            out.write(content)
    return written

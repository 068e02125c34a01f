"""The impact of an amendment on a caseload (``prevoyance diff``).

Every dossier is decided in summary under the base and under the amended base
(in batches, across processes); each benefit falls in one category: newly
granted, newly refused, become incomplete, amount up, amount down, unchanged.
Costs are summed: the monthly allowances, and the one-off or instalment
benefits counted once a year (docs/impact.md). For the changed dossiers, the
conditions whose state changed are listed; the first ones are explained under
both bases, side by side.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.amendement import Amendment, amend, load_amendment
from engine.caseload import Entry, chunks, each_alone_on_failure, in_order, read_caseload, worker_pool
from engine.dossier import Dossier
from engine.regime import Regime, load_regime
from engine.resume import Summary, summarize_many

CATEGORIES = ("nouvellement_accorde", "nouvellement_refuse", "devenu_incomplet", "hausse", "baisse", "inchange")


@dataclass
class Change:
    """One benefit of one dossier whose decision or amount changed."""

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
    changements: list[Change] = field(default_factory=list)

    def cout_annuel(self, index: int) -> int:
        """Yearly cost under the base (0) or the amended base (1)."""
        monthly = sum(12 * v[index] for v in self.cout_mensuel.values())
        return monthly + sum(v[index] for v in self.cout_ponctuel.values())


def categorize(before: Summary | None, after: Summary | None) -> str:
    before_status = before.statut if before else "absent"
    after_status = after.statut if after else "absent"
    if before_status != after_status:
        if after_status == "accorde":
            return "nouvellement_accorde"
        return "nouvellement_refuse" if after_status == "refuse" else "devenu_incomplet"
    if before and after and before.montant != after.montant:
        return "hausse" if after.montant > before.montant else "baisse"
    return "inchange"


# -- worker processes: each builds the two regimes once ------------------------------------------------
_REGIMES: tuple[Regime, Regime] | None = None


def _init_worker(base_id: str | None, amendment_path: str, date_effet) -> None:
    global _REGIMES
    base = load_regime(base_id)
    _REGIMES = (base, amend(base, load_amendment(amendment_path, date_effet)))


def _summaries(batch: list[tuple[str, dict[str, Any]]]) -> list[tuple[dict[str, Summary], dict[str, Summary]] | str]:
    """Each dossier under the base and the amended base; a dossier that fails gives its message instead."""
    out = each_alone_on_failure(_both, batch)
    return [f"{origine}: erreur interne en décidant ce dossier ({type(r).__name__} : {r})"
            if isinstance(r, Exception) else r for (origine, _), r in zip(batch, out, strict=True)]


def _both(batch: list[tuple[str, dict[str, Any]]]) -> list[tuple[dict[str, Summary], dict[str, Summary]]]:
    assert _REGIMES is not None
    base, amended = _REGIMES
    under_base = [Dossier(data, base, origine) for origine, data in batch]
    under_amended = [Dossier(data, amended, origine) for origine, data in batch]
    both = summarize_many(under_base + under_amended)
    return list(zip(both[: len(batch)], both[len(batch):], strict=True))


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
                   workers: int | None = None, chunk_size: int = 250, progress=None) -> Impact:
    """Decide the caseload under the base and the amended base; classify every benefit of every dossier."""
    base = load_regime(base_id)
    amendment = load_amendment(amendment_path, date_effet)
    amended = amend(base, amendment)
    impact = Impact(base.version, amended.version, amendment)
    workers = workers or os.cpu_count() or 1
    batches = _batches(read_caseload(caseload, base), chunk_size, impact)
    args = (base_id, str(amendment_path), date_effet)
    if workers == 1:
        _init_worker(*args)
        results: Iterable = ((batch, _summaries(batch)) for batch in batches)
    else:
        pool = worker_pool(workers, _init_worker, args)
        results = _pooled(pool, batches, workers)
    for batch, pairs in results:
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
    for benefit in sorted(set(before) | set(after)):
        b, a = before.get(benefit), after.get(benefit)
        category = categorize(b, a)
        impact.categories[benefit][category] += 1
        for index, summary in ((0, b), (1, a)):
            if summary is None or summary.statut != "accorde":
                continue
            if "mensuel" in summary.montants:
                impact.cout_mensuel[benefit][index] += summary.montants["mensuel"]
            elif "total" in summary.montants:
                impact.cout_ponctuel[benefit][index] += summary.montants["total"]
        if category != "inchange" and b is not None and a is not None:
            impact.changements.append(Change(ident, origine, benefit, category, b, a))

"""The diff carries over what an amendment cannot change, and what it carries over is what a full evaluation says.

``usecases.impact.affected_prestations`` reads, from the summary programs of both
bases, which prestations an amendment can affect; a dossier that demands none of
them is decided once, under the base, and its decision carried over. Here a
generated caseload, where some dossiers demand other prestations than the family
allowances, is diffed against the 3 500 FCFA amendment both ways, dossier by
dossier: with the carry-over and with every dossier decided under both bases.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from engine.regime import load_regime
from usecases import impact as impact_module
from usecases.amendement import amend, load_amendment
from usecases.generation import generate
from usecases.impact import affected_prestations, compute_impact

ROOT = Path(__file__).resolve().parent.parent
AF_3500 = ROOT / "kb" / "mali" / "inps" / "amendements" / "af_3500.yaml"
EFFET = dt.date(2026, 1, 1)


def _caseload() -> list[tuple[str, dict]]:
    """Generated dossiers; one in three demands its other prestations only (the family allowances dropped)."""
    out = []
    for i, data in enumerate(generate(240, seed=7)):
        others = [d for d in data.get("demandes", []) if d["prestation"] != "allocations_familiales"]
        if i % 3 == 0 and others:
            data = {**data, "demandes": others}
        out.append((f"cas-{i}", data))
    return out


def test_the_amount_amendment_affects_the_family_allowances_only() -> None:
    base = load_regime("mali-inps")
    assert affected_prestations(base, amend(base, load_amendment(AF_3500, EFFET))) == {"allocations_familiales"}


def test_a_carried_over_dossier_is_decided_as_by_a_full_evaluation() -> None:
    batch = _caseload()
    impact_module._init_worker("mali-inps", str(AF_3500), EFFET, True)
    skipped, carried = impact_module._summaries(batch)
    impact_module._init_worker("mali-inps", str(AF_3500), EFFET, False)
    full, none = impact_module._summaries(batch)
    assert none == 0
    assert carried == sum(1 for _, d in batch
                          if all(x["prestation"] != "allocations_familiales" for x in d.get("demandes", [{}]))
                          and d.get("demandes"))
    assert carried > 20
    assert skipped == full
    assert any(before != after for before, after in full)  # the amendment changes something here


def test_the_report_counts_the_dossiers_carried_over(tmp_path: Path) -> None:
    path = tmp_path / "charge.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for _, d in _caseload()), encoding="utf-8")
    with_skip = compute_impact(path, AF_3500, EFFET, workers=1)
    without = compute_impact(path, AF_3500, EFFET, workers=1, skip=False)
    assert with_skip.reprises > 20 and without.reprises == 0
    assert with_skip.categories == without.categories
    assert with_skip.cout_mensuel == without.cout_mensuel and with_skip.cout_ponctuel == without.cout_ponctuel
    assert [(c.origine, c.prestation, c.categorie) for c in with_skip.changements] == \
        [(c.origine, c.prestation, c.categorie) for c in without.changements]

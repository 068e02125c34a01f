"""Properties of the rules themselves, over generated dossiers of every prestation.

- one decision per examined prestation, never both granted and refused, no condition
  both met and failed;
- an amendment that only raises amounts (the base of the family prestations, the
  allowance per child) never changes a status and never lowers an amount.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.program import Mode
from engine.regime import load_regime
from engine.resume import summarize_many
from engine.solver import solve_symbols
from engine.validation import validate
from usecases.amendement import amend, load_amendment
from usecases.generation import generate

BASE = load_regime("mali-inps")
seeds = st.integers(min_value=0, max_value=10**6)


def _caseload(seed: int, size: int = 12):
    return [validate(data, regime=BASE) for data in generate(size, seed)]


@settings(max_examples=25)
@given(seeds)
def test_exactly_one_decision_per_examined_prestation(seed):
    dossiers = _caseload(seed)
    symbols = solve_symbols(BASE, dossiers, Mode.DECISION)
    decisions = Counter((s.arguments[0].number, s.arguments[1].name) for s in symbols if s.name == "decision")
    assert all(count == 1 for count in decisions.values())
    assert not [s for s in symbols if s.name == "incoherence"]
    for index, dossier in enumerate(dossiers):
        asked = {d["prestation"] for d in dossier.data.get("demandes", [])}
        assert {p for (i, p) in decisions if i == index} == asked


def _raise_amounts(tmp_path) -> object:
    path = tmp_path / "hausse.yaml"
    path.write_text(yaml.safe_dump({
        "titre": "Hausse des montants (propriété)", "source": "test", "date_effet": "1999-08-12",
        "parametres": {"salaire_mensuel_forfaitaire": 20000, "af_montant_par_enfant": {"1999-08-12": 1700,
                                                                                        "2008-09-10": 2100}},
    }), encoding="utf-8")
    return amend(BASE, load_amendment(path))


@settings(max_examples=20)
@given(seeds)
def test_raising_amounts_changes_no_status_and_lowers_no_amount(tmp_path_factory, seed):
    raised = _raise_amounts(tmp_path_factory.mktemp("amendement"))
    datas = list(generate(10, seed))
    before = summarize_many([validate(d, regime=BASE) for d in datas])
    after = summarize_many([validate(d, regime=raised) for d in datas])
    for b, a in zip(before, after, strict=True):
        assert set(b) == set(a)
        for prestation in b:
            assert b[prestation].statut == a[prestation].statut, prestation
            assert b[prestation].etats == a[prestation].etats, prestation
            for kind, amount in b[prestation].montants.items():
                assert a[prestation].montants.get(kind, 0) >= amount, (prestation, kind)


def test_the_raising_amendment_does_raise(tmp_path):
    raised = _raise_amounts(tmp_path)
    data = next(d for d in generate(200, 3) if d["demandes"][0]["prestation"] == "allocations_familiales")
    data = dict(data, date_reference=dt.date(2026, 3, 15).isoformat())
    b, a = (summarize_many([validate(data, regime=r)])[0] for r in (BASE, raised))
    if b["allocations_familiales"].montants.get("mensuel"):
        assert a["allocations_familiales"].montants["mensuel"] > b["allocations_familiales"].montants["mensuel"]

"""A dossier is decided by the slice of the program its demands need exactly as by the whole program.

``Program.text_for`` (``engine.speedups.slices``) grounds, for a batch whose dossiers all name their
demands, only the shared files and the files of the prestations demanded (and the
prestation files they build on). That is only an optimisation if nothing else
changes: for INPS dossiers demanding any subset of the prestations, the decision,
the amounts, the trees of conditions with their sources, the rules applied and
the documents are the same, as the contract's JSON says them. The orientation
regime, whose prestations read each other, must not declare itself sliceable.

The summary program of caseloads (``batch``, ``diff``) is a slice too: it keeps
only the rules that what it shows depends on (``engine.speedups.summary_cut``). Its
statuses, amounts and condition states must be those of the full decision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st
from test_proprietes_regimes import dossiers_pmi, menages

from engine.dossier import Dossier
from engine.program import Mode, build_program
from engine.read import AnswerReader
from engine.regime import Regime, load_regime
from engine.resume import summarize_many
from engine.solver import demanded, evaluate_many, solve_program
from engine.validation import validate
from explain.render import decision_json
from usecases.generation import generate

INPS = load_regime("mali-inps")
PRESTATIONS = ("allocations_familiales", "allocations_prenatales", "allocations_maternite", "conge_naissance",
               "indemnites_journalieres_maternite", "prime_premier_etablissement")


@st.composite
def dossiers_inps(draw) -> dict:
    """A generated dossier (every prestation's facts may be there) whose demands are a drawn subset, or none."""
    data = next(iter(generate(1, seed=draw(st.integers(0, 10**6)))))
    noms = draw(st.lists(st.sampled_from(PRESTATIONS), unique=True, max_size=3))
    if noms:
        avant = {d["prestation"]: d for d in data.get("demandes", [])}
        data["demandes"] = [avant.get(nom, {"prestation": nom}) for nom in noms]
    else:
        data.pop("demandes", None)
    return data


def _both(datas: list[dict], regime: Regime | None = None) -> tuple[list[dict], list[dict]]:
    """The contract JSON of each dossier, decided by the slice and by the whole program."""
    dossiers: list[Dossier] = [validate({**d, "id": f"d{i}"}, regime=regime) for i, d in enumerate(datas)]
    program = build_program(dossiers[0].regime, Mode.EXPLANATION)
    out = []
    for sliced in (True, False):
        reader = AnswerReader(program, solve_program(program, dossiers, sliced=sliced))
        out.append([decision_json(reader.decision(i, d)) for i, d in enumerate(dossiers)])
    return out[0], out[1]


@given(st.lists(dossiers_inps(), min_size=1, max_size=4))
@example([{"id": "x", "date_reference": dt.date(2026, 3, 15).isoformat(),
           "demandes": [{"prestation": "conge_naissance"}]}])
def test_the_slice_decides_inps_dossiers_as_the_whole_program(datas):
    sliced, whole = _both(datas)
    assert sliced == whole


def _summary_of_decision(decision) -> dict[str, tuple]:
    return {pid: (p.statut, p.montants, {c.noeud: c.etat for c in p.conditions})
            for pid, p in decision.prestations.items()}


@given(st.one_of(st.lists(dossiers_inps(), min_size=1, max_size=4), st.lists(dossiers_pmi(), min_size=1, max_size=3),
                 st.lists(menages(), min_size=1, max_size=3)))
def test_the_summary_says_what_the_full_decision_says(datas):
    dossiers = [validate({**d, "id": f"d{i}"}) for i, d in enumerate(datas)]
    summaries = summarize_many(dossiers)
    for dossier, summary, decision in zip(dossiers, summaries, evaluate_many(dossiers, Mode.DECISION), strict=True):
        assert {pid: (s.statut, s.montants, s.etats) for pid, s in summary.items()} == \
            _summary_of_decision(decision), dossier.id


def test_the_summary_leaves_out_what_it_does_not_show():
    """The family allowances' payment schedule is no part of a summary; the maternity instalments, which
    its amount sums, are."""
    text = build_program(INPS, Mode.SUMMARY).text
    assert "echeance(D,allocations_familiales" not in text.replace(" ", "")
    assert "echeance(D,allocations_maternite" in text.replace(" ", "")


def test_the_orientation_regime_must_not_be_sliced():
    """Its priority order makes RAMED read AMO's state: were it to declare its prestations independent,
    a household demanding RAMED alone would be decided otherwise (found by Hypothesis)."""
    orientation = load_regime("mali-couverture-maladie")
    assert not orientation.prestations_independantes
    forced = dataclasses.replace(orientation, meta={**orientation.meta, "prestations_independantes": True})
    data = {"id": "menage", "base": "mali-couverture-maladie", "date_reference": "1960-09-22",
            "membres": [{"prenom": "Awa"}], "demandes": [{"prestation": "ramed"}]}
    sliced, whole = _both([data], forced)
    assert sliced != whole


def test_a_dossier_demanding_one_prestation_grounds_a_smaller_program():
    program = build_program(INPS, Mode.DECISION)
    dossier = validate({"id": "x", "demandes": [{"prestation": "allocations_familiales"}]})
    wanted = demanded([dossier])
    assert wanted == frozenset({"allocations_familiales"})
    text = program.text_for(wanted)
    # The family allowances (the longest file, with the children's rules and the common mechanics) are about
    # half of the base: the slice leaves out every other prestation's rules.
    assert len(text) < len(program.text) * 2 / 3
    autres = [f.stem for f in INPS.program_files if f.parent == INPS.folder and f"prestation({f.stem})." in program.text
              and f.stem != "allocations_familiales"]
    assert autres and all(f"prestation({p})." not in text for p in autres)
    assert "prestation(allocations_familiales)." in text
    # A batch where one dossier names no demand examines every prestation: the whole program.
    assert demanded([dossier, validate({"id": "y"})]) is None

"""The warm single-dossier path (engine/speedups/warm.py) decides as the cold path, and never across base versions.

Every golden case (amended ones under their amended base) and a sample of
generated dossiers are decided by both paths, in decision and in explanation
mode; the decisions must be equal field by field (condition trees and rules applied
included), and so their contract's JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from engine.dossier import DossierError
from engine.program import Mode, build_program
from engine.regime import load_regime
from engine.solver import COLD, EvaluationError, evaluate, evaluate_many
from engine.speedups.warm import WarmSolver
from engine.validation import validate
from explain.render import decision_json
from usecases.amendement import AmendmentError, amend, load_amendment
from usecases.cases import case_regime, load_cases
from usecases.generation import generate

CAS = Path(__file__).parent / "cas"
TODAY = dt.date(2026, 6, 15)


@cache
def _dossiers() -> tuple:
    """Built on first use, not at import: every xdist worker imports this file, one runs its tests."""
    amended = {}
    out = []
    for case in load_cases(CAS):
        try:
            regime = case_regime(case, amended)
        except AmendmentError:  # a case of an inapplicable amendment: nothing to decide
            continue
        try:
            out.append(validate(case.dossier, case.nom, today=TODAY, regime=regime))
        except DossierError:
            continue
    out += [validate(data, f"generated-{i}") for i, data in enumerate(generate(60, seed=5))]
    return tuple(out)


@pytest.mark.parametrize("mode", [Mode.DECISION, Mode.EXPLANATION])
def test_warm_decides_as_cold(mode: Mode) -> None:
    dossiers = _dossiers()
    assert len(dossiers) > 100
    # The cold path in one batch (one grounding per base version, not one per dossier: 9 s instead of 39 s
    # in decision mode), as the batch command decides.
    cold = evaluate_many(dossiers, mode)
    chaud = WarmSolver()
    for dossier, expected in zip(dossiers, cold, strict=True):
        got = evaluate(dossier, mode, solver=chaud)
        assert got == expected, dossier.origine  # the whole decision: trees, rules applied, data, amounts
        if mode is Mode.EXPLANATION:
            assert decision_json(got) == decision_json(expected), dossier.origine


def test_the_injected_warm_solver_is_the_one_that_decides(monkeypatch) -> None:
    dossier = _dossiers()[0]
    calls = []
    chaud = WarmSolver()
    original = chaud.solve_one
    monkeypatch.setattr(chaud, "solve_one", lambda *a: calls.append(1) or original(*a))
    decision = evaluate(dossier, solver=chaud)
    assert calls and decision_json(decision) == decision_json(evaluate(dossier))
    calls.clear()
    evaluate(dossier)  # no global switch: a call that passes no solver takes the cold path
    assert not calls


def test_both_solvers_say_clingo_s_own_message_when_it_refuses_a_program() -> None:
    base = load_regime("mali-inps")
    program = build_program(base, Mode.DECISION)
    # An unsafe rule in every file, so that whichever slice a solver grounds holds it; its body reads a
    # parameter, so that the warm solver cannot leave it out as a rule that never fires.
    unsafe = f"\ncasse(X) :- {program.parameter_symbols[0].name}(Y).\n"
    broken = dataclasses.replace(program, parts=[
        dataclasses.replace(part, text=part.text + unsafe) for part in program.parts])
    for solver in (COLD, WarmSolver()):
        with pytest.raises(EvaluationError, match="unsafe"):
            solver.solve(broken, [_dossiers()[0]])


def test_an_amended_base_is_never_served_the_slice_of_another_version() -> None:
    amendment = load_amendment(Path("kb/mali/inps/amendements/af_3500.yaml"), dt.date(2026, 1, 1))
    base = load_regime("mali-inps")
    amended = amend(base, amendment)
    assert amended.version != base.version
    data = next(d for d in generate(200, seed=2)
                if evaluate(validate(d, "x")).prestations["allocations_familiales"].statut == "accorde")
    chaud = WarmSolver()
    under_base = evaluate(validate(data, "x"), solver=chaud)
    under_amended = evaluate(validate(data, "x", regime=amended), solver=chaud)
    assert under_amended.version_base == amended.version != under_base.version_base
    assert decision_json(under_amended) == decision_json(evaluate_many([validate(data, "x", regime=amended)])[0])
    assert decision_json(under_amended)["prestations"] != decision_json(under_base)["prestations"]
    with pytest.raises(ValueError):
        chaud.solve_one(build_program(base, Mode.EXPLANATION), validate(data, "x", regime=amended))

"""Amendments are bounded (issue 23, points 6, 7, 10, 13): parameters within bounds that keep every amount
inside clingo's 32-bit integers, rule blocks grounded under a time and memory limit, ``diff`` comparing every
amount of a decision, and a rule that decides a condition without its sentence never a traceback.
"""

from __future__ import annotations

import copy
from pathlib import Path

import clingo
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from engine.facts import ImpossibleDate, to_python
from engine.regime import load_regime, regimes
from engine.resume import summarize_many
from engine.validation import validate
from explain.rapport_impact import impact_csv, impact_json, impact_text
from usecases import verification
from usecases.amendement import AmendmentError, amend, load_amendment
from usecases.impact import compute_impact

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "famille-diarra.yaml"
IJ_MODELE = ROOT / "tests" / "cas" / "modeles" / "indemnites_journalieres_maternite.yaml"


def _amendment(tmp_path: Path, parametres: str, date_effet: str = "2020-01-01") -> Path:
    path = tmp_path / "amendement.yaml"
    path.write_text(f"titre: essai\nsource: test\ndate_effet: {date_effet}\nparametres: {parametres}\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("parametres", "attendu"), [
    # inside the old bound (10**9): the monthly amount wrapped to -1 294 967 296 FCFA
    ("{af_montant_par_enfant: 1000000000}", "entre 0 et 200\u00a0000"),
    ("{af_montant_par_enfant: -3000}", "-3\u00a0000 hors des bornes"),
    # a minute for 40 dossiers, then « year -81306 is out of range »
    ("{af_rappel_mois: 1000000}", "entre 0 et 120"),
    ("{ij_taux: '250%'}", "5/2 hors des bornes : entre 0 et 1"),
    ("{af_taux_par_enfant: '1/1000'}", "dénominateur 1000 trop grand"),
    ("{stage_duree_mois: '9/2'}", "n'est pas un nombre entier"),
])
def test_a_parameter_outside_its_bounds_is_refused_with_its_name_and_bound(tmp_path, parametres, attendu):
    with pytest.raises(AmendmentError) as refused:
        amend(load_regime(), load_amendment(_amendment(tmp_path, parametres)))
    message = str(refused.value)
    assert attendu in message
    assert "parametres." in message and "bornes du paramètre" in message


def test_every_parameter_of_the_base_is_bounded_and_within_its_bounds():
    for regime in regimes().values():
        for name, parameter in regime.parameters.items():
            assert parameter.bornes is not None, f"{regime.id}: {name} sans bornes"
            for value in parameter.values:
                assert value.value is None or parameter.bornes.problem(value.value) is None, (name, value)


def test_a_new_parameter_of_an_amendment_is_bounded_by_its_unit(tmp_path):
    path = tmp_path / "nouveau.yaml"
    entete = "titre: t\nsource: s\ndate_effet: 2026-01-01\nnouveaux_parametres:\n  rentree_montant: "
    path.write_text(entete + "{description: d, reference: r, unit: FCFA, values: {2026-01-01: {value: -5}}}\n",
                    encoding="utf-8")
    with pytest.raises(AmendmentError, match=r"rentree_montant.*hors des bornes"):
        amend(load_regime(), load_amendment(path))
    path.write_text(entete + "{description: d, reference: r, unit: lunes, values: {2026-01-01: {value: 5}}}\n",
                    encoding="utf-8")
    with pytest.raises(AmendmentError, match="n'a pas de bornes"):
        amend(load_regime(), load_amendment(path))


def test_the_family_allowances_at_the_upper_bounds_do_not_overflow(tmp_path):
    """30 children over the longest period the dossier's window allows (ten years before the reference, the
    longest arrears, the last quarter), every amount at its upper bound: the schedule is exactly the product."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["date_reference"] = "2026-12-31"
    data["enfants"] = [dict(data["enfants"][0], prenom=f"Enfant{i}", date_naissance="2000-01-01") for i in range(30)]
    data["demandes"] = [{"prestation": "allocations_familiales", "date": "2016-12-31"}]
    path = _amendment(tmp_path, "{af_montant_par_enfant: {1999-08-12: 200000, 2008-09-10: 200000}, "
                                "af_rappel_mois: 120, af_age_limite: 100, af_age_minimum: 0}", "1999-08-12")
    amended = amend(load_regime(), load_amendment(path))
    highest = int(amended.parameters["af_montant_par_enfant"].bornes.maximum)
    assert highest == 200_000 and amended.parameters["af_rappel_mois"].bornes.maximum == 120
    summary = summarize_many([validate(data, "pire", regime=amended)])[0]["allocations_familiales"]
    # from 120 months before the claim (December 2006) to the end of the reference's quarter: 241 months
    assert summary.montants["mensuel"] == 30 * highest
    assert summary.montants["echeancier"] == 30 * highest * 241 < 2**31
    assert summary.montants["rappel"] == 30 * highest * 120


def test_a_daily_allowance_at_an_amended_rate_on_the_largest_salary_does_not_overflow(tmp_path):
    """99/100 of 5 000 000 FCFA a day: 2 × salary × days × 99 left 2^31 in the old rule."""
    cases = yaml.safe_load(IJ_MODELE.read_text(encoding="utf-8"))
    data = copy.deepcopy(cases if isinstance(cases, dict) else cases[0])
    data = data.get("dossier", data)
    data["conge_maternite"]["salaire_journalier"] = 5_000_000
    path = _amendment(tmp_path, "{ij_taux: '99%'}", "1999-08-12")
    amended = amend(load_regime(), load_amendment(path))
    summary = summarize_many([validate(data, "ij", regime=amended)])[0]["indemnites_journalieres_maternite"]
    assert summary.montants["total"] == 98 * 5_000_000 * 99 // 100


def test_a_condition_decided_by_an_amendment_without_its_values_is_explained_not_a_traceback(tmp_path):
    """Point 13: « rempli(D, stage) :- dossier(D). » left the phrase of the stage without the months it cites;
    ``diff`` crashed with a PhraseError traceback."""
    path = tmp_path / "stage.yaml"
    path.write_text("titre: stage\nsource: test\ndate_effet: 2020-01-01\nregles:\n  ajoute:\n    stage_auto: |\n"
                    "      rempli(D, stage) :- dossier(D).\n", encoding="utf-8")
    caseload = tmp_path / "charge"
    caseload.mkdir()
    (caseload / "refus.yaml").write_text((ROOT / "examples" / "refus-stage.yaml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "--amendment", str(path), str(caseload), "--processus", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert "selon une règle de l'amendement, qui ne donne pas les valeurs" in result.output


def test_diff_sees_an_amendment_of_the_arrears_alone(tmp_path):
    """Point 7: « af_rappel_mois: 0 » changes the arrears (27 000 → 0 FCFA for the example), not the monthly
    amount; ``diff`` reported no change while ``test`` showed it."""
    path = _amendment(tmp_path, "{af_rappel_mois: 0}", "2000-01-01")
    caseload = tmp_path / "charge"
    caseload.mkdir()
    (caseload / "diarra.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    impact = compute_impact(caseload, path, workers=1)
    assert impact.categories["allocations_familiales"]["baisse"] == 1
    (change,) = impact.changements
    assert ("rappel", 27_000, 0) in change.montants
    assert impact.montants["allocations_familiales"]["rappel"] == [27_000, 0]
    report = impact_json(impact, [])
    assert report["montants"]["allocations_familiales"]["rappel"] == {"avant": 27_000, "apres": 0, "ecart": -27_000}
    assert {"nature": "rappel", "avant": 27_000, "apres": 0} in report["changements"][0]["montants"]
    text = impact_text(impact, [])
    assert "Rappel (mois antérieurs à la demande) : 27\u00a0000\u00a0FCFA → 0\u00a0FCFA" in text
    assert "Rappel (mois antérieurs à la demande) : 27\u00a0000\u00a0FCFA → 0\u00a0FCFA" in impact_csv(impact)
    page = impact_text(impact, [], "html")
    assert "Tous les montants accordés" in page and "Aucun montant ne change" not in page


def _rules_amendment(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "regles.yaml"
    body = "".join(f"      {line}\n" for line in rules.splitlines())
    path.write_text(f"titre: t\nsource: s\ndate_effet: 2026-01-01\nregles:\n  ajoute:\n    boucle: |\n{body}",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("rules", [
    "p(0). p(X+1) :- p(X).",  # hung the check, memory growing ~70 MB/s
    # passed the checks (no dossier, nothing to ground), then hung diff
    "compte(D, 0) :- dossier(D).\ncompte(D, X+1) :- compte(D, X), dossier(D).",
    "compte(D, 0) :- dossier(D).\ncompte(D, Y) :- compte(D, X), Y = X + 1.",
    "suivant(d(D)) :- dossier(D).\nsuivant(d(X)) :- suivant(X).",
])
def test_a_recursion_that_builds_terms_is_refused_with_its_block(tmp_path, rules):
    with pytest.raises(AmendmentError) as refused:
        amend(load_regime(), load_amendment(_rules_amendment(tmp_path, rules)))
    assert "regles.ajoute.boucle" in str(refused.value) and "récursion" in str(refused.value)


def test_a_recursion_that_copies_terms_is_accepted(tmp_path):
    path = _rules_amendment(tmp_path, "lien(D, D) :- dossier(D).\nlien(D, E) :- lien(D, F), lien(F, E).")
    amend(load_regime(), load_amendment(path))


def test_a_block_too_large_to_ground_is_refused_within_the_limits(tmp_path, monkeypatch):
    """No recursion, but 8·10⁹ atoms: the child process grounding the block alone is killed at the limit."""
    monkeypatch.setattr(verification, "GROUNDING_SECONDS", 2)
    path = _rules_amendment(tmp_path, "grand(X, Y, Z) :- X = 1..2000, Y = 1..2000, Z = 1..2000.")
    with pytest.raises(AmendmentError) as refused:
        load_amendment(path)
    assert "regles.ajoute.boucle" in str(refused.value) and "dépasse" in str(refused.value)


def test_a_date_off_the_calendar_is_a_french_error_not_a_traceback():
    """« year -81306 is out of range »: a date an amendment pushed off the calendar, read back from clingo."""
    with pytest.raises(ImpossibleDate, match="date impossible calculée par la base : d\\(-81306,1,1\\)"):
        to_python(clingo.Function("d", [clingo.Number(-81306), clingo.Number(1), clingo.Number(1)]))


def test_diff_refuses_an_amendment_outside_the_bounds_in_french(tmp_path):
    path = _amendment(tmp_path, "{af_montant_par_enfant: 1000000000}")
    caseload = tmp_path / "charge"
    caseload.mkdir()
    (caseload / "diarra.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "--amendment", str(path), str(caseload), "--processus", "1"])
    assert result.exit_code == 1
    assert "parametres.af_montant_par_enfant : valeur 1\u00a0000\u00a0000\u00a0000 hors des bornes" in result.output
    assert "-1\u00a0294\u00a0967\u00a0296" not in result.output and "Traceback" not in result.output

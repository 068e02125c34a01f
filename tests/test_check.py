"""``prevoyance check``: defects of the base fail it, the guide's inconsistencies are reported."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from fractions import Fraction

from click.testing import CliRunner

from cli import main
from engine.regime import load_regime
from usecases.check import _exception_names, check_regime

REGIME = load_regime("mali-inps")


def test_the_shipped_base_has_no_defect():
    report = check_regime(REGIME, dt.date(2026, 1, 1))
    assert report.defauts == []
    assert report.conditions >= 16 and report.regles >= 30


def test_family_allowance_inconsistency_is_reported_with_its_reading():
    report = check_regime(REGIME, dt.date(2026, 1, 1))
    af = next(v for v in report.verifications if v.id == "af_montant_par_enfant")
    assert not af.coherent
    assert (af.publie, af.selon_taux, af.en_lettres, af.retenu) == (1500, Fraction(3003, 2), 1000, 1500)
    assert "fait foi" in af.lecture


def defects_without_phrase(condition: str, state: str) -> list[str]:
    """The defects ``check`` reports on the regime whose catalogue lacks one phrase."""
    phrases = copy.deepcopy(REGIME.phrases)
    del phrases["conditions"][condition][state]
    return check_regime(dataclasses.replace(REGIME, phrases=phrases), dt.date(2026, 1, 1)).defauts


def test_a_missing_phrase_is_a_defect():
    assert "condition « stage » : phrase « inconnu » manquante" in defects_without_phrase("stage", "inconnu")


def test_an_exception_without_its_silence_worded_is_a_defect():
    assert ("exception « residence_pendant_suspension » : phrase « non_invoquee » manquante"
            in defects_without_phrase("residence_pendant_suspension", "non_invoquee"))
    assert not [d for d in check_regime(REGIME, dt.date(2026, 1, 1)).defauts if d.startswith("exception")]


def test_exception_names_are_read_from_the_rules():
    program = "exception(smig, apprenti).\nexception(D, age(enfant(E)), age_prolonge(enfant(E))) :- enfants(D, E).\n"
    assert _exception_names(program) == {"apprenti", "age_prolonge"}
    assert _exception_names("exception(D, C, X) :- exception(C, X), evalue(D, C).\n") == set()


def test_check_command():
    result = CliRunner().invoke(main, ["check", "--date", "2026-01-01"])
    assert result.exit_code == 0, result.output
    # Figures and amounts are written with non-breaking spaces (explain/format.py).
    expected = "publié 1 500 FCFA ; par le taux : 1 501,5 FCFA ; en lettres : 1 000 FCFA."
    assert expected.replace(" FCFA", "\u00a0FCFA").replace("1 ", "1\u00a0") in result.output
    assert "Lecture retenue" in result.output
    assert "Exemple :" in CliRunner().invoke(main, ["check", "--help"]).output


def test_check_unknown_base_is_a_user_error():
    result = CliRunner().invoke(main, ["check", "--base", "nulle-part"])
    assert result.exit_code == 1
    assert "base inconnue" in result.output


def test_maternity_inconsistency_and_consistent_amounts():
    report = check_regime(REGIME, dt.date(2026, 1, 1))
    by_id = {v.id: v for v in report.verifications}
    maternity = by_id["maternite_mensuel"]
    assert (maternity.publie, maternity.selon_taux, maternity.retenu) == (2060, 1365, 1365)
    assert "erreur du guide" in maternity.lecture
    incoherent = sorted(v.id for v in report.verifications if not v.coherent)
    assert incoherent == ["af_montant_par_enfant", "maternite_mensuel"]
    for ident in ("ppe_montant", "prenatales_total", "prenatales_tranche_3", "maternite_total", "maternite_naissance"):
        assert by_id[ident].coherent, ident

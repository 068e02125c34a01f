"""The guide's provisions on how a prestation is paid, as people read them (issue 22, point 5).

The decisions themselves are golden cases (``tests/cas/*/rappel_sans_limite.yaml``,
``allocations_non_utilisees.yaml``, ``personne_designee.yaml``, ``soins_non_dispenses.yaml``,
``versement_unique.yaml``); here, what ``evaluate --format json``, ``why`` and the letters say of them:
who receives the money, what is suspended since when, the recall period, each with its source in the
guide; and ``check`` listing the prestation type the guide names without rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from engine.regime import load_regime
from engine.solver import evaluate
from engine.validation import load_dossier
from explain.lettres import Redacteur
from explain.render import check_text, decision_json
from explain.why import why, why_json
from usecases.check import check_regime
from usecases.courrier import lettres, load_entete

DOSSIERS = Path(__file__).parent / "lettres" / "dossiers"
NB_AF = "Guide INPS, Les allocations familiales, N.B."
NBSP = "\u00a0"


def _decided(name: str):
    dossier = load_dossier(DOSSIERS / f"{name}.yaml")
    return dossier, evaluate(dossier)


def _letter_text(name: str, prestation: str) -> str:
    dossier, decision = _decided(name)
    lettre = next(x for x in lettres(dossier, decision, Redacteur(load_entete())) if x.prestation == prestation)
    return " ".join(lettre.markdown.replace(NBSP, " ").split())


@pytest.fixture(scope="module")
def tuteur():
    return _decided("af-tuteur")


def test_json_names_who_receives_each_childs_allowance(tuteur):
    _, decision = tuteur
    af = decision_json(decision)["prestations"]["allocations_familiales"]
    assert af["verse_a"] == [
        {"enfant": "Awa", "nom": "Coulibaly", "prenoms": "Fanta", "qualite": "tuteur", "depuis": "2026-03-01"},
        {"enfant": "Ali", "nom": "Traore", "prenoms": "Sira", "qualite": "personne_designee"},
    ]
    # Only the instalment due on or after the designation goes to the guardian.
    assert [e.get("verse_a") for e in af["echeancier"]][-2:] == [None, "Fanta Coulibaly"]
    assert af["rappel_depuis"] == "2024-04-01"
    sources = {d["id"]: d["source"] for d in af["dispositions"]}
    assert sources["tuteur_allocations"].startswith(NB_AF)
    assert sources["rappel_sans_limite"] == "Guide INPS, Les allocations familiales, Rappel"
    assert "résidence, Exceptions" in sources["personne_designee"]
    # A dossier without these provisions says none of them: its instalments carry no mark.
    plain = decision_json(evaluate(load_dossier(DOSSIERS / "af-attribution.yaml")))["prestations"]
    plain = plain["allocations_familiales"]
    assert "verse_a" not in plain and "dispositions" not in plain and "versement_suspendu_depuis" not in plain
    assert all(set(e) == {"date", "evenement", "montant"} for e in plain["echeancier"])


def test_why_says_to_whom_and_since_when_with_the_source(tuteur):
    _, decision = tuteur
    text = why(decision, "allocations_familiales").replace(NBSP, " ")
    assert "versées à partir du 1er mars 2026 à Fanta Coulibaly, tuteur aux allocations désigné par le tribunal" in text
    assert "la prestation est versée à Sira Traore" in text
    assert "il court à partir d'avril 2024 et s'élève à 34 500 FCFA" in text
    assert f"Source : {NB_AF}" in text
    versement = why_json(decision, "allocations_familiales")["versement"]
    assert {v["id"] for v in versement} == {"rappel_sans_limite", "tuteur_allocations", "personne_designee"}
    for fmt in ("markdown", "html"):
        assert "Fanta Coulibaly" in why(decision, "allocations_familiales", fmt)


def test_guardian_letter_names_the_guardian_the_date_and_the_nb():
    text = _letter_text("af-tuteur", "allocations_familiales")
    assert "## Versement" in text
    assert "versées à partir du 1er mars 2026 à Fanta Coulibaly" in text
    assert f"*Source : {NB_AF}" in text
    assert "— versée à Fanta Coulibaly |" in text
    assert "le rappel n'est pas limité : il court à partir d'avril 2024" in text


def test_suspension_letter_says_what_is_suspended_since_when():
    text = _letter_text("af-suspension", "allocations_familiales")
    assert "(constat du 10 février 2026), leur versement est suspendu" in text
    assert "les échéances dues à partir de cette date ne sont pas versées (4 500 FCFA)" in text
    assert f"*Source : {NB_AF}" in text
    # The suspended instalment is not told to the reader as money still owed (« Rappel »).
    assert "| Allocations de janvier 2026 à mars 2026, payées à terme échu — versement suspendu |" in text
    assert "Total de l'échéancier : dix mille cinq cents (10 500) francs CFA" in text


def test_maternity_letter_says_the_fractions_to_come_are_suspended():
    text = _letter_text("maternite-suspension", "allocations_maternite")
    assert "le versement des fractions dues à partir du 15 septembre 2026 est suspendu (8 190 FCFA)" in text
    assert "*Source : Guide INPS, Les allocations de maternité, N.B." in text
    assert "Montant total : huit mille cent quatre-vingt-dix (8 190) francs CFA" in text


def test_provisions_follow_the_parameter_in_force(tuteur):
    """No literal amount in the provisions' sentences: the recall's sum follows the amount per child."""
    _, decision = tuteur
    phrase = next(d for d in decision_json(decision)["prestations"]["allocations_familiales"]["dispositions"]
                  if d["id"] == "rappel_sans_limite")["explication"]
    montant = decision.prestations["allocations_familiales"].montants["rappel"]
    assert f"{montant:,}".replace(",", NBSP) in phrase


def test_check_lists_the_in_kind_prestations_as_a_type_without_rules():
    report = check_regime(load_regime("mali-inps"), dt.date(2026, 1, 1))
    assert [p["id"] for p in report.sans_regle] == ["prestations_en_nature"]
    assert report.defauts == []
    text = check_text(report)
    assert "Prestations du régime sans règle" in text
    assert "Prestations en nature de l'action sanitaire et sociale" in text


def test_check_refuses_a_prestation_declared_without_rules_that_rules_decide():
    regime = load_regime("mali-inps")
    meta = {**regime.meta, "prestations_sans_regle": [
        {"id": "allocations_familiales", "libelle": "x", "source": "y", "raison": "z"}, {"id": "incomplete"}]}
    defauts = check_regime(dataclasses.replace(regime, meta=meta), dt.date(2026, 1, 1)).defauts
    assert any("« allocations_familiales » déclarée sans règle, mais la base la décide" in d for d in defauts)
    assert any("« incomplete » : libelle, source, raison manquant" in d for d in defauts)

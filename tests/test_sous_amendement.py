"""A dossier decided under an amendment, everywhere an analyst asks for it; numbers of the law never by hand.

``evaluate``, ``why``, ``letter`` take ``--amendment``/``--date-effet`` as ``diff`` does; the API's evaluate,
why and letter take a shipped amendment; the console's decision page shows a dossier under one. Each output
says the amendment it was decided under, and its sentences state the amended law (« six (06) mois »), the
guide's quotation marked as amended. ``check`` refuses a number of the law written by hand, naming the file
and the key.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cli import main
from console.app import create_app
from console.reglages import Reglages
from engine.regime import load_regime, regimes
from engine.validation import parse_text
from explain import format as fmt
from usecases.check import hand_written_numbers

ROOT = Path(__file__).resolve().parent.parent
REFUS_STAGE = str(ROOT / "examples" / "refus-stage.yaml")  # 7 consecutive months, a first claim: refused


@pytest.fixture
def stage_huit(tmp_path) -> Path:
    path = tmp_path / "stage_huit.yaml"
    path.write_text("titre: Stage porté à huit mois\nsource: Essai\ndate_effet: 2025-01-01\n"
                    "parametres:\n  stage_duree_mois: 8\n", encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_filters_write_the_numbers_of_the_law_in_words():
    assert fmt.lettres_chiffres(6) == "six (06)"
    assert fmt.lettres_chiffres(24) == "vingt-quatre (24)"
    assert fmt.lettres(1, "f") == "une"
    assert fmt.ordinal(6) == "sixième"
    assert fmt.ordinal(1, "f") == "première"


def test_why_under_an_amendment_states_the_amended_law_and_marks_the_quotation(stage_huit):
    result = invoke("why", REFUS_STAGE, "allocations_familiales", "--amendment", str(stage_huit))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Décidé sous l'amendement : Stage porté à huit mois (en vigueur le 1er janvier 2025)." in out
    assert "Stage de huit mois pour une première demande" in out
    assert "la première demande exige huit (08) mois." in out
    # The guide's sentence stays the guide's, marked as superseded.
    assert "neuf (09) mois consécutifs" in out
    assert "[modifié : huit (08) mois depuis le 1er janvier 2025]" in out
    assert "Stage de neuf mois" not in out and "exige neuf" not in out


def test_why_without_amendment_quotes_the_guide_unmarked():
    out = invoke("why", REFUS_STAGE, "allocations_familiales").stdout
    assert "exige neuf (09) mois." in out and "[modifié" not in out and "Décidé sous" not in out


@pytest.mark.parametrize("fmt_", ["json", "markdown", "html"])
def test_why_formats_say_the_amendment(stage_huit, fmt_):
    result = invoke("why", REFUS_STAGE, "allocations_familiales", "--format", fmt_, "--amendment", str(stage_huit))
    assert result.exit_code == 0, result.output
    if fmt_ == "json":
        data = json.loads(result.stdout)
        assert data["amendements"] == ["Stage porté à huit mois (en vigueur le 1er janvier 2025)"]
        stage = next(n for n in data["arbre"]["enfants"] if n["id"] == "stage")
        assert stage["libelle"] == "Stage de huit mois pour une première demande"
        assert stage["regles"][0]["texte"].endswith("[modifié : huit (08) mois depuis le 1er janvier 2025]")
    else:
        assert "Stage porté à huit mois" in result.stdout and "huit (08) mois" in result.stdout


def test_evaluate_and_letter_under_an_amendment(stage_huit):
    text = invoke("evaluate", REFUS_STAGE, "--amendment", str(stage_huit)).stdout
    assert "Décidé sous l'amendement : Stage porté à huit mois" in text
    data = json.loads(invoke("evaluate", REFUS_STAGE, "--format", "json", "--amendment", str(stage_huit)).stdout)
    assert data["amendements"] and "+stage_huit@" in data["version_base"]
    letter = invoke("letter", REFUS_STAGE, "--no-what-if", "--amendment", str(stage_huit)).stdout
    assert "la première demande exige huit (08) mois" in letter
    assert "amendement : Stage porté à huit mois" in letter
    assert "neuf" not in letter


def test_an_amendment_that_changes_the_decision(tmp_path):
    path = tmp_path / "stage_six.yaml"
    path.write_text("titre: Stage ramené à six mois\nsource: Essai\nparametres:\n  stage_duree_mois: 6\n",
                    encoding="utf-8")
    data = json.loads(invoke("evaluate", REFUS_STAGE, "--format", "json", "--amendment", str(path),
                             "--date-effet", "2025-01-01").stdout)
    assert data["prestations"]["allocations_familiales"]["statut"] == "accorde"


def test_date_effet_alone_and_a_bad_amendment_are_refused_in_french(tmp_path):
    result = invoke("why", REFUS_STAGE, "allocations_familiales", "--date-effet", "2025-01-01")
    assert result.exit_code != 0 and "--date-effet n'a de sens qu'avec --amendement" in result.output
    bad = tmp_path / "mauvais.yaml"
    bad.write_text("titre: x\nsource: y\ndate_effet: 2025-01-01\nparametres:\n  nulle_part: 3\n", encoding="utf-8")
    result = invoke("evaluate", REFUS_STAGE, "--amendment", str(bad))
    assert result.exit_code != 0 and "parametres.nulle_part n'existe pas" in result.output
    assert "Traceback" not in result.output


# -- check ------------------------------------------------------------------------------------------------------
def test_the_shipped_catalogues_and_templates_write_no_number_of_the_law_by_hand():
    for regime in regimes().values():
        assert hand_written_numbers(regime) == [], regime.id


@pytest.mark.parametrize(("text", "written"), [
    ("Stage de neuf mois pour une première demande", "neuf mois"),
    ("la première demande exige neuf (09) mois", "neuf (09)"),
    ("Activité dans le mois (18 jours ou 120 heures)", "18 jours"),
    ("{{ activite_jours_minimum | default(18) }} jours", "default(18)"),
    ("Demande dans les trois premiers mois", "trois premiers mois"),
    ("{{ {'six_mois': 'fraction du sixième mois'}[moment] }}", "sixième mois"),
    ("Salaire retenu (taux de 100 %)", "100 %"),
])
def test_check_refuses_a_number_of_the_law_written_by_hand(tmp_path, text, written):
    inps = load_regime("mali-inps")
    folder = tmp_path / "inps"
    (folder / "explications").mkdir(parents=True)
    (folder / "explications" / "nouvelles.yaml").write_text(
        "conditions:\n  nouvelle:\n    libelle: " + json.dumps(text, ensure_ascii=False) + "\n", encoding="utf-8")
    found = hand_written_numbers(dataclasses.replace(inps, folder=folder))
    assert any("nouvelles.yaml" in f and "conditions.nouvelle.libelle" in f and f"« {written} »" in f
               for f in found), found


def test_check_reads_the_names_the_rules_give_unless_the_catalogue_words_them():
    inps = load_regime("mali-inps")
    assert hand_written_numbers(inps) == []
    sans_objets = dataclasses.replace(inps, phrases={**inps.phrases, "objets": {}})
    found = hand_written_numbers(sans_objets)
    assert any("allocations_maternite.lp" in f and "libelle/3" in f and "« sixième mois »" in f
               and "section « objets »" in f for f in found), found


def test_check_lets_numbers_that_are_not_the_laws_pass(tmp_path):
    inps = load_regime("mali-inps")
    folder = tmp_path / "inps"
    (folder / "explications").mkdir(parents=True)
    (folder / "explications" / "nouvelles.yaml").write_text(
        "conditions:\n  x:\n    libelle: \"Au moins une des cinq catégories ; {% if n > 1 %}s{% endif %}, "
        "{{ stage_duree_mois | lettres_chiffres }} mois, cent trente-neuf personnes\"\n", encoding="utf-8")
    assert hand_written_numbers(dataclasses.replace(inps, folder=folder)) == []


def test_prevoyance_check_fails_on_a_literal(tmp_path, monkeypatch):
    import usecases.check as check

    folder = tmp_path / "inps"
    (folder / "explications").mkdir(parents=True)
    (folder / "explications" / "x.yaml").write_text("pieces:\n  bulletin: Bulletin de présence de 09 mois\n",
                                                    encoding="utf-8")
    monkeypatch.setattr(check, "reader_texts", lambda regime, real=check.reader_texts:
                        real(dataclasses.replace(regime, folder=folder)))
    result = invoke("check", "--echantillon", "0")
    assert result.exit_code == 1
    assert "x.yaml : « pieces.bulletin » écrit « 09 mois » à la main" in result.output


# -- API and console ---------------------------------------------------------------------------------------------
@pytest.fixture
def client(tmp_path):
    app = create_app(Reglages(journal=str(tmp_path / "journal.sqlite"), travail=str(tmp_path / "travail")))
    with TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def _famille():
    path = ROOT / "examples" / "famille-diarra.yaml"
    return parse_text(path.read_text(encoding="utf-8"), path.name)


def test_api_decides_under_a_shipped_amendment(client):
    data = _famille()
    answer = client.post("/api/v1/why/allocations_familiales?amendement=af_3500&date_effet=2020-01-01", json=data)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["amendements"][0].startswith("Allocations familiales portées à 3 500 FCFA")
    assert body["montants"]["montant_mensuel"] % 3500 == 0
    evaluated = client.post("/api/v1/evaluate?amendement=af_3500&date_effet=2020-01-01", json=data).json()
    assert "+af_3500@" in evaluated["version_base"]
    letter = client.post("/api/v1/letter/allocations_familiales?format=html&amendement=af_3500"
                         "&date_effet=2020-01-01", json=data)
    assert letter.status_code == 200 and "3 500" in letter.text.replace("\u00a0", " ")
    # A simulation is not a decision: the journal keeps none.
    assert client.get("/api/v1/journal").json().get("total", 0) == 0


def test_api_refuses_an_unknown_amendment_naming_the_field(client):
    answer = client.post("/api/v1/evaluate?amendement=inexistant", json=_famille())
    assert answer.status_code == 422
    erreur = answer.json()["erreurs"][0]
    assert erreur["champ"] == "amendement" and "amendement inconnu « inexistant »" in erreur["message"]


def test_console_decision_page_under_a_shipped_amendment(client):
    ident = client.post("/api/v1/evaluate", json=_famille())
    assert ident.status_code == 200
    page = client.get("/decisions/1")
    assert page.status_code == 200 and 'name="amendement"' in page.text and "af_3500" in page.text
    page = client.get("/decisions/1?amendement=af_3500&date_effet=2020-01-01")
    assert page.status_code == 200
    assert "Décidé sous l'amendement" in page.text and "3 500" in page.text.replace("\u00a0", " ")
    lettre = client.get("/decisions/1/lettre/allocations_familiales/lettre.html?amendement=af_3500"
                        "&date_effet=2020-01-01")
    assert lettre.status_code == 200 and "3 500" in lettre.text.replace("\u00a0", " ")
    wrong = client.get("/decisions/1?amendement=inexistant")
    assert wrong.status_code == 200 and "Amendement non appliqué : amendement inconnu" in wrong.text


def test_a_parameters_reference_quoting_a_superseded_number_is_marked(tmp_path):
    # Only the hours are amended: the days' reference still quotes « cent vingt (120) heures » from the guide.
    path = tmp_path / "heures.yaml"
    path.write_text("titre: Cent trente heures\nsource: Essai\ndate_effet: 2025-01-01\n"
                    "parametres:\n  activite_heures_minimum: 130\n", encoding="utf-8")
    out = invoke("why", REFUS_STAGE, "allocations_familiales", "--amendment", str(path)).stdout
    assert "Activité dans le mois (18 jours ou 130 heures)" in out
    assert ("activite_jours_minimum = 18, en vigueur depuis le 12 août 1999 (« au moins dix-huit (18) jours ou "
            "cent vingt (120) heures ») [modifié : cent trente (130) heures depuis le 1er janvier 2025]") in out
    data = json.loads(invoke("why", REFUS_STAGE, "allocations_familiales", "--format", "json",
                             "--amendment", str(path)).stdout)
    activite = next(n for n in data["arbre"]["enfants"] if n["id"] == "activite_mensuelle")
    jours = next(p for p in activite["parametres"] if p["nom"] == "activite_jours_minimum")
    assert jours["reference"].endswith("[modifié : cent trente (130) heures depuis le 1er janvier 2025]")


def test_a_dossier_dated_before_the_law_is_still_explained(tmp_path):
    # No parameter is in force in 1995 (the law dates from 1999): labels and sentences name the value the law
    # first gave rather than failing on a parameter that has no value yet.
    path = tmp_path / "vieux.yaml"
    path.write_text("id: vieux\ndate_reference: 1995-03-01\ndemandeur: {statut: salarie, premiere_demande: true}\n"
                    "demandes: [{prestation: allocations_familiales, date: 1995-03-01}]\n", encoding="utf-8")
    result = invoke("why", str(path), "allocations_familiales")
    assert result.exit_code == 0, result.output
    assert "Stage de neuf mois pour une première demande" in result.stdout
    assert invoke("letter", str(path), "--no-what-if").exit_code == 0

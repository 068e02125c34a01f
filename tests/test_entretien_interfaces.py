"""The counter interview through its three doors: ``POST /api/v1/entretien``, the console's screens and
``prevoyance entretien`` at the prompt. Each drives the same engine (usecases/entretien/)."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cli.main import main
from console.app import create_app
from console.reglages import Reglages

AF = [{"prestation": "allocations_familiales", "date": "2026-03-15"}]
SALARIE = {"sexe": "F", "residence": "Mali", "statut": "salarie", "premiere_demande": False, "jours_mois": 22,
           "heures_mois": 176, "salaire_mensuel": 85000}
ENFANT = {"date_naissance": "2019-11-20", "categorie": "mariage", "declare_etat_civil": True, "a_charge": True,
          "residence": "Mali", "situation": "aucune", "visite_medicale": True}


@pytest.fixture
def client(tmp_path):
    app = create_app(Reglages(journal=str(tmp_path / "journal.sqlite"), travail=str(tmp_path / "travail")))
    with TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


# -- the API ---------------------------------------------------------------------------------------------
def test_the_api_asks_the_next_question(client):
    body = {"dossier": {"date_reference": "2026-03-15", "demandes": AF, "demandeur": {"sexe": "F"},
                        "enfants": [{"prenom": "Aminata"}]}}
    answer = client.post("/api/v1/entretien", json=body)
    assert answer.status_code == 200, answer.text
    question = answer.json()["question"]
    assert question["champ"].startswith("demandeur.")
    assert set(question) == {"champ", "libelle", "type", "choix"}
    assert "demandeuse" in question["libelle"] or question["champ"] == "demandeur.sexe"
    assert answer.json()["prestations_ouvertes"] == ["allocations_familiales"]


def test_the_api_ends_on_exactly_the_json_of_evaluate(client):
    dossier = {"id": "fini", "date_reference": "2026-03-15", "demandes": AF, "demandeur": SALARIE,
               "mariage": {"etat_civil": True}, "enfants": [{"prenom": "Awa", **ENFANT}]}
    answer = client.post("/api/v1/entretien", json={"dossier": dossier, "inconnus": []})
    assert answer.status_code == 200, answer.text
    evaluated = client.post("/api/v1/evaluate", json=dossier)
    assert answer.json() == {"decision": evaluated.json()}


def test_the_api_never_asks_a_path_declared_unknown(client):
    dossier = {"date_reference": "2026-03-15", "demandes": AF, "enfants": [{"prenom": "Awa"}]}
    inconnus: list[str] = []
    for _ in range(40):
        answer = client.post("/api/v1/entretien", json={"dossier": dossier, "inconnus": inconnus}).json()
        if "decision" in answer:
            break
        assert answer["question"]["champ"] not in inconnus
        inconnus.append(answer["question"]["champ"])
    assert "decision" in answer
    assert answer["decision"]["prestations"]["allocations_familiales"]["statut"] == "incomplet"


@pytest.mark.parametrize(("body", "champ", "mot"), [
    ({"dossier": {"demandeur": {"sexe": "X"}}}, "demandeur.sexe", "valeurs admises"),
    ({"dossier": {}, "inconnus": "demandeur.sexe"}, "inconnus", "liste"),
    ({"dossier": {}, "inconnus": ["enfants[x"]}, "inconnus", "illisible"),
    ({"dossier": {}, "autre": 1}, "(racine)", "champ inconnu"),
    ({"dossier": []}, "dossier", "objet"),
])
def test_the_api_refuses_bad_input_in_french(client, body, champ, mot):
    answer = client.post("/api/v1/entretien", json=body)
    assert answer.status_code == 422
    (erreur,) = answer.json()["erreurs"]
    assert erreur["champ"] == champ and mot in erreur["message"]


def test_the_openapi_page_documents_the_interview(client):
    document = client.get("/api/v1/openapi.json").json()
    post = document["paths"]["/api/v1/entretien"]["post"]
    assert "inconnus" in json.dumps(post["requestBody"])
    schemas = document["components"]["schemas"]
    assert "question à poser" in schemas["ReponseQuestion"]["description"]
    assert "chemin du dossier" in schemas["QuestionModele"]["properties"]["champ"]["description"]


# -- the console -------------------------------------------------------------------------------------------
def _screen(text: str) -> dict[str, str]:
    out = {"question": html.unescape(re.search(r'<h1 class="question"[^>]*>(.*?)</h1>', text, re.S).group(1)),
           "etat": re.search(r'name="etat" value="([^"]+)"', text).group(1),
           "champ": re.search(r'name="champ" value="([^"]+)"', text).group(1)}
    return out


def test_the_console_interview_goes_question_by_question_back_and_to_the_decision(client):
    start = client.get("/entretien")
    assert start.status_code == 200 and "Nouvel entretien" in start.text
    page = client.post("/entretien", data={"regime": "mali-inps", "prestations": ["allocations_familiales"],
                                            "date_demande": "2026-03-15", "date_reference": "2026-03-15",
                                            "liste_enfants": "<b>Awa</b>\nIssa"})
    assert page.status_code == 200
    assert "<b>Awa</b>" not in page.text  # a name typed by the clerk is text, never markup
    first = _screen(page.text)
    assert "Je ne sais pas" in page.text and "encore ouverte" in page.text
    wrong = client.post("/entretien/reponse", data={"etat": first["etat"], "champ": first["champ"],
                                                    "reponse": "n'importe quoi"})
    assert wrong.status_code == 422 and "erreur-champ" in wrong.text
    second = client.post("/entretien/reponse", data={"etat": first["etat"], "champ": first["champ"],
                                                     "_action": "inconnu"})
    assert _screen(second.text)["champ"] != first["champ"]
    back = client.post("/entretien/reponse", data={"etat": _screen(second.text)["etat"],
                                                   "champ": _screen(second.text)["champ"], "_action": "precedent"})
    assert _screen(back.text)["champ"] == first["champ"]
    screen = _screen(back.text)
    for _ in range(60):  # « je ne sais pas » to everything: the decision lists what waits
        answer = client.post("/entretien/reponse", data={"etat": screen["etat"], "champ": screen["champ"],
                                                         "_action": "inconnu"}, follow_redirects=False)
        if answer.status_code == 303:
            break
        screen = _screen(answer.text)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/decisions/")
    decision = client.get(answer.headers["location"])
    assert decision.status_code == 200 and "Lettre" in decision.text
    downloaded = client.get(answer.headers["location"] + "/dossier.yaml")
    assert downloaded.status_code == 200
    data = yaml.safe_load(downloaded.text)
    assert [e["prenom"] for e in data["enfants"]] == ["<b>Awa</b>", "Issa"]


def test_a_tampered_state_is_refused(client):
    answer = client.post("/entretien/reponse", data={"etat": "pas du base64 !", "champ": "x"})
    assert answer.status_code == 422 and "illisible" in answer.text


# -- the terminal ---------------------------------------------------------------------------------------------
def test_the_terminal_interview_asks_checks_and_writes_the_dossier(tmp_path):
    output = tmp_path / "dossier.yaml"
    answers = ["Awa"] + ["abc", "?"] + ["?"] * 60
    result = CliRunner().invoke(main, ["entretien", "--prestation", "allocations_familiales", "--date", "2026-03-15",
                                       "--date-reference", "2026-03-15", "-o", str(output)],
                                input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Réponse invalide" in result.output  # « abc » is not one of the choices: asked again
    assert "Allocations familiales" in result.output
    data = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert data["enfants"] == [{"prenom": "Awa"}] and data["demandes"][0]["prestation"] == "allocations_familiales"


def test_the_terminal_refuses_an_unknown_prestation_in_french():
    result = CliRunner().invoke(main, ["entretien", "--prestation", "pension"])
    assert result.exit_code != 0 and "prestation inconnue « pension »" in result.output

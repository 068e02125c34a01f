"""The ``prevoyance`` CLI, driven through click's CliRunner: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GRANT = str(EXAMPLES / "famille-diarra.yaml")
REFUSAL = str(EXAMPLES / "refus-stage.yaml")


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_evaluate_text_states_the_decision_and_amount(run):
    result = run("evaluate", GRANT)
    assert result.exit_code == 0
    assert "Allocations familiales : ACCORDÉES" in result.output
    assert "Montant mensuel : 3\u00a0000\u00a0FCFA" in result.output  # non-breaking spaces
    assert "Awa, Moussa" in result.output


def test_evaluate_json_follows_the_contract(run):
    result = run("evaluate", GRANT, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["dossier"] == "exemple-diarra"
    assert data["date_reference"] == "2026-03-15"
    assert data["base"] == "mali-inps"
    assert data["version_base"].startswith("mali-inps@")
    af = data["prestations"]["allocations_familiales"]
    assert af["statut"] == "accorde"
    assert af["montant_mensuel"] == 3000
    assert af["enfants_ouvrant_droit"] == ["Awa", "Moussa"]
    assert af["pieces_manquantes"] == []
    ids = [c["id"] for c in af["conditions"]]
    assert ids == ["salarie", "stage", "activite_mensuelle", "smig", "residence", "enfant_ouvrant_droit"]
    for condition in af["conditions"]:
        assert condition["etat"] == "rempli"
        assert condition["source"].startswith("Guide INPS")
        assert condition["explication"]


def test_evaluate_exit_code_is_zero_for_a_refusal(run):
    result = run("evaluate", REFUSAL, "--format", "json")
    assert result.exit_code == 0
    af = json.loads(result.output)["prestations"]["allocations_familiales"]
    assert af["statut"] == "refuse"
    stage = next(c for c in af["conditions"] if c["id"] == "stage")
    assert stage["etat"] == "non_rempli"
    assert "Loi n°99-041, art. 7" in stage["source"]
    assert "7 mois" in stage["explication"]


def test_why_refusal_puts_the_failing_condition_first_with_facts_and_source(run):
    result = run("why", REFUSAL, "allocations_familiales")
    assert result.exit_code == 0
    out = result.output
    assert "Décision : refusées" in out
    assert out.index("Conditions non remplies") < out.index("Conditions remplies")
    failing = out[out.index("Conditions non remplies"):out.index("Conditions remplies")]
    assert "Vous avez travaillé 7 mois consécutifs ; la première demande exige neuf (09) mois." in failing
    assert "demandeur.mois_consecutifs = 7" in failing
    assert "stage_duree_mois = 9" in failing
    assert "Loi n°99-041, art. 7" in failing
    assert "accomplir une période de stage" in failing  # the sentence of the guide


def test_why_grant_shows_the_computation(run):
    result = run("why", GRANT, "allocations_familiales")
    assert result.exit_code == 0
    assert "2 enfants ouvrant droit au premier jour du mois (Awa, Moussa) × 1\u00a0500\u00a0FCFA" in result.output
    assert "= 3\u00a0000\u00a0FCFA par mois" in result.output
    assert "Conditions non remplies" not in result.output


def test_why_incomplete_lists_the_missing_information(run, tmp_path):
    dossier = tmp_path / "d.yaml"
    text = Path(REFUSAL).read_text(encoding="utf-8").replace("  mois_consecutifs: 7\n", "")
    dossier.write_text(text, encoding="utf-8")
    result = run("why", str(dossier), "allocations_familiales")
    assert result.exit_code == 0
    assert "en attente d'informations" in result.output
    assert "Information manquante : demandeur.mois_consecutifs" in result.output


def test_why_unknown_prestation_is_a_user_error(run):
    result = run("why", GRANT, "prime_inexistante")
    assert result.exit_code == 1
    assert "prime_inexistante" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("id: x\ndemandeur: {statut: patron}\n", "demandeur.statut"),
        ("id: x\ndemandeur: {jours_mois: vingt}\n", "demandeur.jours_mois"),
        ("id: x\ndate_reference: 2015-02-30\n", "date_reference"),
        ("id: x\nenfants: [{prenom: A, couleur: bleu}]\n", "enfants[0].couleur"),
        ("id: x\ndemandes: [{prestation: pension_vieillesse}]\n", "demandes[0].prestation"),
        ("demandeur: {}\n", "id"),
        ("id: x\n  demandeur: [\n", "ligne"),
        ("- 1\n- 2\n", "objet"),
    ],
)
def test_bad_dossier_names_the_field_and_exits_non_zero(run, tmp_path, content, expected):
    dossier = tmp_path / "bad.yaml"
    dossier.write_text(content, encoding="utf-8")
    result = run("evaluate", str(dossier))
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output


def test_bad_json_dossier_names_line_and_column(run, tmp_path):
    dossier = tmp_path / "bad.json"
    dossier.write_text('{"id": "x",\n "demandeur": }', encoding="utf-8")
    result = run("evaluate", str(dossier), "--format", "json")
    assert result.exit_code == 1
    assert "ligne 2" in result.output
    assert result.output.startswith("Erreur :")


def test_missing_file(run, tmp_path):
    result = run("evaluate", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 1
    assert "introuvable" in result.output


def test_json_dossier_with_iso_dates(run, tmp_path):
    dossier = tmp_path / "d.json"
    dossier.write_text(json.dumps({
        "id": "json-1", "date_reference": "2026-03-15",
        "demandeur": {"statut": "salarie", "premiere_demande": False, "jours_mois": 20,
                      "salaire_mensuel": 50000, "residence": "Mali", "sexe": "M"},
        "mariage": {"etat_civil": True},
        "enfants": [{"prenom": "Ali", "date_naissance": "2020-01-01", "categorie": "mariage",
                     "declare_etat_civil": True, "a_charge": True, "residence": "Mali",
                     "visite_medicale": True}],
    }), encoding="utf-8")
    result = run("evaluate", str(dossier), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["prestations"]["allocations_familiales"]["montant_mensuel"] == 1500


def test_every_command_help_has_an_example(run):
    import click

    commands = main.list_commands(click.Context(main))  # the lazy ones (letter, letters) included
    assert {"evaluate", "why", "letter", "letters", "batch", "diff", "serve"} <= set(commands)
    for command in commands:
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert "Exemple :" in result.output, command


@pytest.mark.parametrize(("francais", "anglais"), [
    (["why", GRANT, "allocations_familiales", "--profondeur", "1"],
     ["why", GRANT, "allocations_familiales", "--depth", "1"]),
    (["evaluate", GRANT, "--amendement", str(EXAMPLES.parent / "kb/mali/inps/amendements/af_3500.yaml"),
      "--date-effet", "2026-01-01"],
     ["evaluate", GRANT, "--amendment", str(EXAMPLES.parent / "kb/mali/inps/amendements/af_3500.yaml"),
      "--date-effet", "2026-01-01"]),
    (["letter", REFUSAL, "--prestation", "allocations_familiales", "--sans-ce-qui-changerait"],
     ["letter", REFUSAL, "--benefit", "allocations_familiales", "--no-what-if"]),
    (["generate", "3", "--graine", "5"], ["generate", "3", "--seed", "5"]),
])
def test_the_english_spellings_of_earlier_scripts_give_the_same_output(run, francais, anglais):
    ours, theirs = run(*francais), run(*anglais)
    assert ours.exit_code == theirs.exit_code == 0, ours.output + theirs.output
    assert ours.output == theirs.output


def test_output_files_under_either_spelling_are_the_same(run, tmp_path):
    assert run("generate", "4", "--graine", "2", "--sortie", str(tmp_path / "fr.jsonl")).exit_code == 0
    assert run("generate", "4", "--seed", "2", "--output", str(tmp_path / "en.jsonl")).exit_code == 0
    assert (tmp_path / "fr.jsonl").read_bytes() == (tmp_path / "en.jsonl").read_bytes()

"""``prevoyance journal``: which rules and conditions decided a dossier, and lists of decisions, in French."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from engine.regime import load_regime
from explain.rapport_journal import regles
from usecases.generation import generate
from usecases.journal import decisions_du_dossier, rechercher


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("journal")
    caseload = folder / "charge.jsonl"
    caseload.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in generate(40, seed=3)),
                        encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(caseload), "-o", str(folder / "d.jsonl"), "--journal",
                                       str(folder / "j.sqlite"), "--processus", "1"])
    assert result.exit_code == 0, result.output
    return folder / "j.sqlite"


def test_rules_of_a_condition_are_found_with_their_sentence():
    regime = load_regime("mali-inps")
    found = regles(regime, "stage", "non_rempli")
    assert [r.id for r in found] == ["stage"]
    assert found[0].fichier == "mali/inps/conditions_generales.lp"
    assert "neuf (09)" in found[0].phrase
    assert {r.id for r in regles(regime, "age(enfant(1))", "non_rempli")}  # a variable matches any child


def test_a_dossier_is_explained_by_its_rules_in_french(journal):
    # A refusal on a condition its own rules decide (a composite one, such as the child condition,
    # is decided by sub-conditions the journal does not keep).
    feuilles = {"salarie", "stage", "activite_mensuelle", "smig", "residence"}
    refused = [e for e in rechercher(journal, statut="refuse") if feuilles & {c["id"] for c in e.non_remplies}]
    assert refused
    entree = refused[0]
    result = CliRunner().invoke(main, ["journal", str(journal), entree.dossier])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Dossier {entree.dossier}" in out and "refusé" in out
    for condition in entree.non_remplies:
        assert f"[{condition['id']}]" in out
    assert "Règle @" in out and "« " in out and ".lp:" in out
    assert "décidé le " in out and "(UTC)" in out
    assert "accorde" not in out.replace("accordé", "") and " refuse " not in out


@pytest.mark.parametrize("args", [["--statut", "refuse"], ["--prestation", "allocations_familiales"],
                                  ["--condition", "smig"], ["--statut", "accorde", "--limite", "2"]])
def test_decisions_are_listed_by_prestation_status_or_failed_condition(journal, args):
    result = CliRunner().invoke(main, ["journal", str(journal), *args])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1].endswith("décision(s).")
    if "--condition" in args:
        assert all("Rémunération au moins égale au SMIG" in line for line in lines[:-1])
    if "--limite" in args:
        assert len(lines) == 3


def test_listing_agrees_with_the_journal(journal):
    entries = rechercher(journal, prestation="allocations_familiales", statut="refuse")
    assert all(e.prestation == "allocations_familiales" and e.statut == "refuse" for e in entries)
    smig = rechercher(journal, condition="smig")
    assert all(any(c["id"] == "smig" for c in e.non_remplies) for e in smig)
    assert decisions_du_dossier(journal, "inconnu") == []


def test_a_file_that_is_not_a_journal_is_said_plainly(tmp_path):
    bad = tmp_path / "x.sqlite"
    bad.write_text("pas une base", encoding="utf-8")
    result = CliRunner().invoke(main, ["journal", str(bad), "d"])
    assert result.exit_code == 1
    assert "Erreur : " in result.output and "journal" in result.output and "Traceback" not in result.output

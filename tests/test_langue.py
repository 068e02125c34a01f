"""No English where a person reads (issue 22, point 3): ``prevoyance check`` names each file and line.

The stop-list (usecases/langue.py) has no false hit on the shipped French text of the three regimes and of
the templates, and finds English in a catalogue value, a rule quotation and a template, never in a YAML
comment or in Jinja code.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli import main
from engine.regime import kb_root, load_regime
from usecases.langue import check_french, mots_anglais


@pytest.mark.parametrize("regime", ["mali-inps", "senegal-css", "mali-couverture-maladie"])
def test_the_shipped_text_has_no_english(regime):
    loaded = load_regime(regime)
    assert check_french(loaded.folder, loaded.program_files, kb_root()) == []


def test_the_orientation_rules_quote_their_english_notes_in_french():
    """amv.lp quoted « salaried workers, civil servants… » before this change (fails on d577493)."""
    loaded = load_regime("mali-couverture-maladie")
    for path in loaded.program_files:
        text = path.read_text(encoding="utf-8")
        assert "salaried" not in text and "voluntary" not in text, path.name
        if path.parent == loaded.folder:
            assert "[traduction de la base" in text, path.name


def test_english_is_found_with_its_file_and_line(tmp_path):
    folder = tmp_path / "regime"
    (folder / "explications").mkdir(parents=True)
    (folder / "explications" / "conditions.yaml").write_text(
        "# comment in English with the people\nconditions:\n  x:\n    libelle: Membres du ménage\n"
        "    rempli: \"{% if a is defined and b %}Oui{% endif %}\"\n    non_rempli: free care for the people\n",
        encoding="utf-8")
    rules = folder / "regle.lp"
    rules.write_text("% @regle x\n% « Mali AMO: salaried workers and their\n%   dependants. »\n"
                     "rempli(D, x) :- dossier(D).\n", encoding="utf-8")
    hits = check_french(folder, [rules], tmp_path)
    assert hits == [
        "regime/explications/conditions.yaml:6 : mots anglais (free, care, the, people) là où une personne lit "
        "du français",
        "regime/regle.lp:2 : mots anglais (salaried, workers, and, their) là où une personne lit du français",
        "regime/regle.lp:3 : mots anglais (dependants) là où une personne lit du français",
    ]


def test_french_words_that_look_english_are_not_hits():
    assert mots_anglais("état civil, institutions, indigent, son, on, or, but, a, as, an, pour, fait") == []


def test_check_exits_nonzero_on_english(monkeypatch):
    import usecases.check as check

    monkeypatch.setattr(check, "check_french", lambda *a: ["kb/x.yaml:1 : mots anglais (the) là où une personne "
                                                             "lit du français"])
    result = CliRunner().invoke(main, ["check", "--base", "mali-couverture-maladie"])
    assert result.exit_code != 0 and "kb/x.yaml:1 : mots anglais (the)" in result.output

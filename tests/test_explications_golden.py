"""Golden explanations: a dozen dossiers and the French explanation they must get, reviewed by hand.

Each ``tests/explications/NN-name.yaml`` dossier has its expected ``prevoyance
why`` text beside it (``NN-name.txt``), what-if proposals included for a
refusal. A change of the base or of the phrases that changes an explanation
fails here until the new text is reviewed and accepted with
``UPDATE_SNAPSHOTS=1 pytest tests/test_explications_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

FOLDER = Path(__file__).parent / "explications"
DOSSIERS = sorted(FOLDER.glob("*.yaml"))


def explanation(path: Path) -> str:
    import yaml

    prestation = yaml.safe_load(path.read_text(encoding="utf-8"))["demandes"][0]["prestation"]
    result = CliRunner().invoke(main, ["why", str(path), prestation, "--what-if"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_dozen_golden_explanations():
    assert len(DOSSIERS) >= 12


@pytest.mark.parametrize("path", DOSSIERS, ids=[p.stem for p in DOSSIERS])
def test_golden_explanation(path: Path):
    expected_path = path.with_suffix(".txt")
    actual = explanation(path)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"pas de texte attendu pour {path.name} (UPDATE_SNAPSHOTS=1 pour le créer)"
    assert actual == expected_path.read_text(encoding="utf-8")

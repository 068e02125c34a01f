"""The CLI speaks French throughout, Click's own messages included (cli/fr.py)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cli import main

ANGLAIS = re.compile(r"\b(Usage|Error|Missing|argument|Try|No such|Invalid value|Show this|is not one of|"
                     r"does not exist|Commands|Got unexpected|requires an argument|Aborted|Example|"
                     r"TEXT|INTEGER|FLOAT|CASELOAD|OUT_DIR)\b|\w<=?x|x>=?\w|\[\w+\|\w+|%Y")


@pytest.mark.parametrize("args", [
    [], ["--help"], ["evaluate"], ["evaluate", "--help"], ["evaluate", "--format", "xml", "x.yaml"],
    ["nope"], ["evaluate", "--nope", "x"], ["evaluate", "a", "b"], ["generate", "zéro"], ["generate", "0"],
    ["letters", "/nulle/part", "-o", "x"], ["why", "--depth"], ["letter", "--help"], ["diff", "--help"],
    ["journal", "--help"], ["check", "--date", "2026-13-45"], ["batch", "--help"], ["letters", "--help"],
    ["serve", "--help"], ["why", "--help"], ["generate", "--help"], ["check", "--help"],
])
def test_click_speaks_french(args):
    result = CliRunner().invoke(main, args)
    output = result.output
    assert not ANGLAIS.search(output), f"{args}: « {ANGLAIS.search(output).group()} » dans\n{output}"
    if result.exit_code == 2:
        assert "Utilisation :" in output or "Erreur :" in output


def test_help_headings_are_french():
    output = CliRunner().invoke(main, ["--help"]).output
    assert "Utilisation :" in output and "Options :" in output and "Commandes :" in output
    assert "COMMANDE [ARGUMENTS]" in output


def test_a_missing_argument_is_said_in_french():
    result = CliRunner().invoke(main, ["evaluate"])
    assert result.exit_code == 2
    assert "Erreur : Argument manquant 'DOSSIER'." in result.output
    assert "Essayez « " in result.output

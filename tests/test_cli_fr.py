"""The CLI speaks French throughout, Click's own messages included (cli/fr.py)."""

from __future__ import annotations

import re
from pathlib import Path

import click
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


# --- Options in French, the English spellings of earlier versions kept working but unseen --------------------

ROOT = Path(__file__).resolve().parent.parent
GRANT = str(ROOT / "examples" / "famille-diarra.yaml")
AMENDEMENT = str(ROOT / "kb" / "mali" / "inps" / "amendements" / "af_3500.yaml")

# (command, arguments before the options, French spelling, English spelling, the option's value or None for a flag)
ALIASES = [
    ("evaluate", [GRANT], "--amendement", "--amendment", AMENDEMENT),
    ("why", [GRANT, "allocations_familiales"], "--amendement", "--amendment", AMENDEMENT),
    ("why", [GRANT, "allocations_familiales"], "--profondeur", "--depth", "2"),
    ("why", [GRANT, "allocations_familiales"], "--ce-qui-changerait", "--what-if", None),
    ("letter", [GRANT], "--prestation", "--benefit", "allocations_familiales"),
    ("letter", [GRANT], "--sortie", "--output", "lettre.md"),
    ("letter", [GRANT], "--amendement", "--amendment", AMENDEMENT),
    ("letter", [GRANT], "--ce-qui-changerait", "--what-if", None),
    ("letter", [GRANT], "--sans-ce-qui-changerait", "--no-what-if", None),
    ("letters", [str(ROOT / "examples"), "-o", "lettres"], "--sans-ce-qui-changerait", "--no-what-if", None),
    ("letters", [str(ROOT / "examples")], "--sortie", "--output", "lettres"),
    ("letters", [str(ROOT / "examples"), "-o", "lettres"], "--amendement", "--amendment", AMENDEMENT),
    ("batch", [GRANT], "--sortie", "--output", "decisions.jsonl"),
    ("batch", [GRANT, "-o", "d.jsonl"], "--ordonnanceur", "--scheduler", "tcp://localhost:8786"),
    ("generate", ["3"], "--graine", "--seed", "7"),
    ("generate", ["3"], "--sortie", "--output", "charge.jsonl"),
    ("diff", [GRANT], "--amendement", "--amendment", AMENDEMENT),
    ("diff", [GRANT, "--amendement", AMENDEMENT], "--sortie", "--output", "impact.txt"),
    ("serve", [], "--adresse", "--host", "0.0.0.0"),
    ("serve", [], "--processus", "--workers", "2"),
    ("entretien", [], "--sortie", "--output", "dossier.yaml"),
]


def _command(name: str) -> click.Command:
    return main.get_command(click.Context(main), name)


def _parsed(name: str, args: list[str]) -> dict:
    """The values a command would be called with (parsed only: nothing is decided, written or served)."""
    with _command(name).make_context(name, list(args)) as ctx:
        return ctx.params


@pytest.mark.parametrize(("command", "before", "francais", "anglais", "value"), ALIASES,
                         ids=lambda v: v if isinstance(v, str) and v.startswith("--") else "")
def test_an_english_spelling_still_works_and_is_not_shown(command, before, francais, anglais, value):
    tail = [] if value is None else [value]
    assert _parsed(command, [*before, anglais, *tail]) == _parsed(command, [*before, francais, *tail])
    shown = CliRunner().invoke(main, [command, "--help"]).output
    assert francais in shown
    assert not re.search(rf"{re.escape(anglais)}\b(?!-)", shown), f"{command} --help montre {anglais}"


def test_every_option_shows_one_long_spelling_and_keeps_the_others_working():
    """Whatever option is added later: only its first long spelling (the French one) is shown; every other
    spelling parses to the same value."""
    for name in main.list_commands(click.Context(main)):
        command = _command(name)
        shown = CliRunner().invoke(main, [name, "--help"]).output
        for param in command.params:
            if not isinstance(param, click.Option) or param.name == "help":
                continue
            for spellings in (param.opts, param.secondary_opts):
                longs = [s for s in spellings if s.startswith("--")]
                for hidden in longs[1:]:
                    assert not re.search(rf"{re.escape(hidden)}\b(?!-)", shown), f"{name} --help montre {hidden}"
                if longs:
                    assert longs[0] in shown, f"{name} --help ne montre pas {longs[0]}"


def test_an_error_names_the_french_spelling_only():
    result = CliRunner().invoke(main, ["batch", GRANT])
    assert result.exit_code == 2
    assert "'-o' / '--sortie'" in result.output and "--output" not in result.output

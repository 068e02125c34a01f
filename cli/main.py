"""The ``prevoyance`` command line: the group that gathers the commands, each in the module of its family.

:mod:`cli.decisions` (evaluate, why, journal), :mod:`cli.caseloads` (generate, batch, diff),
:mod:`cli.base` (test, check), :mod:`cli.server` (serve); :mod:`cli.lettres` (letter, letters) and
:mod:`cli.entretien` are imported only when called. Each command parses its options (French, English
spellings kept unseen: :mod:`cli.fr`), calls one function of the library, and prints.

User errors (unreadable or invalid dossier, unknown prestation) end with a French
message naming the field and a non-zero exit code, never a traceback; output is
rendered completely before anything is printed.
"""

from __future__ import annotations

import importlib
from typing import ClassVar

import click

from cli.base import check_command, test_command
from cli.caseloads import batch_command, diff_command, generate_command
from cli.common import EXIT_DOSSIERS_EN_ERREUR
from cli.decisions import evaluate_command, journal_command, why_command
from cli.server import serve_command

__all__ = ["EXIT_DOSSIERS_EN_ERREUR", "main"]


class _LazyGroup(click.Group):
    """Commands of heavier modules (the letters) are imported only when called: a quick start for the others."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)

    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "letter": ("cli.lettres", "letter_command"), "letters": ("cli.lettres", "letters_command"),
        "entretien": ("cli.entretien", "entretien_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attribute = self.lazy[name]
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="prevoyance")
def main() -> None:
    """Prestations familiales de l'INPS (Mali) : décisions et explications.

    Chaque décision est prise par la base de règles ASP (clingo) de kb/ ;
    les explications citent les conditions et leurs sources.
    """


for _command in (evaluate_command, why_command, journal_command, generate_command, batch_command, diff_command,
                 test_command, check_command, serve_command):
    main.add_command(_command)

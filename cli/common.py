"""What the commands share: deciding one dossier with French errors, printing a rendering, the amendment
options, the exit code of a run with dossiers in error."""

from __future__ import annotations

import click

from cli.fr import option
from engine.dossier import Dossier, DossierError
from engine.facts import ImpossibleDate
from engine.model import Decision
from engine.regime import RegimeError
from engine.solver import EvaluationError, evaluate
from engine.validation import load_dossier
from explain.phrases import PhraseError

# Exit code of a run that went to its end with some dossiers in error (2 is click's usage error).
EXIT_DOSSIERS_EN_ERREUR = 3


def decide(path: str, amendment: str | None = None, date_effet=None) -> tuple[Dossier, Decision]:
    """The dossier of ``path`` and its decision (under ``amendment`` when given, as ``diff`` applies it); a user's
    error or a defect of the base as a French message."""
    from usecases.amendement import AmendmentError, under_amendment

    try:
        dossier = under_amendment(load_dossier(path), amendment, date_effet.date() if date_effet else None)
        return dossier, evaluate(dossier)
    except (DossierError, RegimeError, AmendmentError) as exc:
        raise click.ClickException(str(exc)) from exc
    except (EvaluationError, ImpossibleDate, RuntimeError) as exc:  # a defect of kb/ or of an amendment
        raise click.ClickException(f"erreur interne de la base de règles : {exc}") from exc


def emit(render, *args) -> None:
    try:
        text = render(*args)
    except PhraseError as exc:  # a defect of the catalogue: say it plainly
        raise click.ClickException(f"catalogue de phrases : {exc}") from exc
    click.echo(text, nl=not text.endswith("\n"))


def amendment_options(command):
    """``--amendement FILE`` and ``--date-effet DATE``, as ``diff`` takes them: decide under the amended law."""
    command = option("--date-effet", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="Date d'effet de l'amendement, s'il la laisse ouverte (ou pour la remplacer).")(command)
    return option("--amendement", "--amendment", "amendment", default=None,
                  type=click.Path(exists=True, dir_okay=False),
                  help="Décider sous cet amendement (YAML ; kb/<régime>/amendements/ en donne des "
                       "exemples) : la sortie le dit, et ses phrases suivent la loi amendée.")(command)


def unwritable(target, exc: OSError) -> str:
    return f"{target} : écriture impossible ({exc.strerror or exc})"

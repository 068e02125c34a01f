"""``prevoyance letter`` and ``prevoyance letters``: the decisions as letters to citizens.

Two click commands, registered on the main group by :mod:`cli`. They
parse options and print; the letters are decided and written by
:mod:`usecases.courrier` (its docstring gives the output naming rule), worded
by the writer :class:`explain.lettres.Redacteur` these commands hand it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from cli.fr import option
from explain.lettres import FORMATS, Redacteur, document
from usecases.courrier import (
    CaseloadLetters,
    LettreError,
    avertissements,
    dossier_letters,
    load_bureau_lettres,
    write_letters,
)

_OPTIONS_COMMUNES = [
    option("--entete", "entete_path", type=click.Path(dir_okay=False), default=None,
           help="En-tête de l'office (YAML) : ses champs remplacent ceux de l'en-tête du régime "
                "(kb/<régime>/entete.yaml)."),
    option("--modeles", "modeles", type=click.Path(file_okay=False, exists=True), default=None,
           help="Dossier de gabarits de l'office : ses fichiers *.j2 remplacent ceux du paquet."),
    option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
           help="Date de la lettre (défaut : la date de la décision, date_reference du dossier)."),
    option("--ce-qui-changerait/--sans-ce-qui-changerait", "--what-if/--no-what-if", "what_if", default=True,
           show_default=True, help="Pour un rejet, chercher ce qui changerait la décision."),
    option("--amendement", "--amendment", "amendment", default=None, type=click.Path(exists=True, dir_okay=False),
           help="Décider sous cet amendement (YAML, comme `diff`) : la lettre suit la loi amendée et le dit."),
    option("--date-effet", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
           help="Date d'effet de l'amendement, s'il la laisse ouverte (ou pour la remplacer)."),
]


def _options_communes(command):
    for decorate in reversed(_OPTIONS_COMMUNES):
        command = decorate(command)
    return command


@click.command("letter")
@click.argument("dossier", type=click.Path(dir_okay=False))
@option("--prestation", "--benefit", "prestation", default=None,
        help="Une seule prestation (son identifiant, comme dans le JSON de `evaluate`) ; défaut : une "
             "lettre par prestation décidée.")
@option("--format", "output_format", type=click.Choice(FORMATS), default="markdown", show_default=True,
        help="Markdown, page HTML autonome, ou PDF A4.")
@option("-o", "--sortie", "--output", "output", type=click.Path(), default=None,
        help="Fichier, ou dossier (se terminant par /) : une lettre par fichier. Sans -o : la sortie standard.")
@_options_communes
def letter_command(dossier: str, prestation: str | None, output_format: str, output: str | None,
                   entete_path: str | None, modeles: str | None, date: dt.datetime | None, what_if: bool,
                   amendment: str | None, date_effet: dt.datetime | None) -> None:
    """Écrit la lettre qui notifie à l'assuré la décision sur DOSSIER (YAML ou JSON).

    Une lettre par décision : attribution (montants en chiffres et en
    lettres, échéancier, conditions à respecter), rejet (chaque motif en
    clair avec sa source, et ce qui changerait la décision) ou demande de
    pièces (pièces et informations manquantes, où et avant quand les
    envoyer).

    Sans -o, Markdown et HTML vont sur la sortie standard (plusieurs lettres
    à la suite) ; le PDF aussi, si elle n'est pas un terminal. Avec -o et
    plusieurs lettres, chaque fichier reçoit le nom de sa prestation
    (lettre.pdf → lettre-allocations_familiales.pdf, …).

    Example:

        prevoyance letter examples/refus-stage.yaml --format pdf -o refus.pdf
    """
    try:
        redacteur = Redacteur(load_bureau_lettres(entete_path), date.date() if date else None, modeles)
        lettres = dossier_letters(dossier, prestation, redacteur, what_if, amendment,
                                  date_effet.date() if date_effet else None)
        for line in avertissements(dossier, lettres):
            click.echo(line, err=True)
        if output is None:
            _to_stdout(lettres, output_format)
            return
        write_letters(lettres, output, output_format, Path(dossier).stem,
                      written=lambda path: click.echo(f"écrit : {path}", err=True))
    except LettreError as exc:
        raise click.ClickException(str(exc)) from exc


def _to_stdout(lettres, output_format: str) -> None:
    if output_format == "pdf" and sys.stdout.isatty():
        raise click.ClickException("un PDF ne s'écrit pas dans un terminal : donnez un fichier avec -o")
    text = document(lettres, output_format)
    if isinstance(text, str):
        click.echo(text, nl=False)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(text)
    sys.stdout.buffer.flush()


@click.command("letters")
@click.argument("caseload", metavar="CHARGE", type=click.Path(exists=True, file_okay=False))
@option("-o", "--sortie", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
        help="Dossier où écrire les lettres (créé au besoin).")
@option("--format", "output_format", type=click.Choice(FORMATS), default="pdf", show_default=True,
        help="PDF A4 (pour l'impression), Markdown ou HTML.")
@_options_communes
def letters_command(caseload: str, out_dir: str, output_format: str, entete_path: str | None,
                    modeles: str | None, date: dt.datetime | None, what_if: bool, amendment: str | None,
                    date_effet: dt.datetime | None) -> None:
    """Écrit les lettres de tous les dossiers (YAML, JSON) du dossier CHARGE dans SORTIE.

    Chaque dossier donne une lettre par prestation décidée,
    SORTIE/<sous-dossier>/<nom du fichier>-<prestation>.<ext>. Un dossier
    invalide ou impossible à rendre est signalé, avec le champ en cause, sans
    arrêter les autres ; il n'écrit rien. Le code de sortie est non nul si un
    dossier au moins n'a pas été rendu.

    Example:

        prevoyance letters tests/explications -o lettres/ --format pdf
    """
    try:
        redacteur = Redacteur(load_bureau_lettres(entete_path), date.date() if date else None, modeles)
        job = CaseloadLetters.prepare(caseload, out_dir, output_format, redacteur, what_if, amendment,
                                      date_effet.date() if date_effet else None)
    except LettreError as exc:
        raise click.ClickException(str(exc)) from exc
    with click.progressbar(length=len(job.files), label="Lettres", file=sys.stderr) as bar:
        job.run(bar.update)
    click.echo(job.summary())
    for line in job.avertissements:
        click.echo(line, err=True)
    for line in job.failure_lines():
        click.echo(line, err=True)
    if job.failures:
        raise SystemExit(1)

"""``prevoyance letter`` and ``prevoyance letters``: the decisions as letters to citizens.

Two click commands, registered on the main group by :mod:`engine.cli`. The
letters themselves are made by :mod:`explain.lettres`; this module reads
dossiers, names the output files and writes them. Every file is written
atomically (a temporary file renamed), so an interrupted run never leaves a
half-written letter; a dossier that cannot be rendered writes nothing.

Output naming (see docs/lettres.md): one file per letter. ``-o FILE`` with
one letter writes FILE; with several, one file per benefit named
``FILE-STEM-<benefit>.EXT``; ``-o FOLDER/`` (or an existing folder) writes
``FOLDER/<dossier file stem>-<benefit>.<ext>``. ``letters`` mirrors the
caseload's sub-folders in the output folder with the same names.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
import jinja2

from engine.dossier import Dossier, DossierError, load_dossier
from engine.files import write_atomic
from engine.model import Decision
from engine.regime import RegimeError
from engine.solver import EvaluationError, evaluate, evaluate_many
from engine.tools.caseload import each_alone_on_failure
from explain.lettres import (
    EXTENSIONS,
    FORMATS,
    Lettre,
    LettreError,
    html_document,
    letters,
    load_bureau_lettres,
    pdf_document,
)
from explain.phrases import PhraseError

DOSSIER_SUFFIXES = (".yaml", ".yml", ".json")
TAILLE_LOT = 20  # dossiers decided per clingo grounding: big enough to be quick, small enough for the bar to move

_OPTIONS_COMMUNES = [
    click.option("--entete", "entete_path", type=click.Path(dir_okay=False), default=None,
                 help="En-tête de l'office (YAML) : ses champs remplacent ceux de l'en-tête du régime "
                      "(kb/<régime>/entete.yaml)."),
    click.option("--modeles", "modeles", type=click.Path(file_okay=False, exists=True), default=None,
                 help="Dossier de gabarits de l'office : ses fichiers *.j2 remplacent ceux du paquet."),
    click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                 help="Date de la lettre (défaut : la date de la décision, date_reference du dossier)."),
    click.option("--what-if/--no-what-if", "what_if", default=True, show_default=True,
                 help="Pour un rejet, chercher ce qui changerait la décision."),
]


def _options_communes(command):
    for option in reversed(_OPTIONS_COMMUNES):
        command = option(command)
    return command


def _entete(path: str | None) -> dict:
    try:
        return load_bureau_lettres(path)
    except LettreError as exc:
        raise click.ClickException(str(exc)) from exc


def _render(dossier: Dossier, decision: Decision, benefit: str | None, entete: dict, what_if: bool,
            date: dt.date | None, modeles: str | None) -> list[Lettre]:
    """The letters of one decided dossier; a defect of the catalogue or of a template raises LettreError."""
    try:
        return letters(dossier, decision, benefit, entete, what_if, date, modeles)
    except PhraseError as exc:
        raise LettreError(f"catalogue de phrases : {exc}") from exc
    except jinja2.TemplateError as exc:
        raise LettreError(f"gabarit : {exc}") from exc


def _bytes(lettres: list[Lettre], output_format: str) -> list[bytes]:
    return [lt.render(output_format) for lt in lettres]


def output_paths(output: str, lettres: list[Lettre], output_format: str, stem: str) -> list[Path]:
    """Where each letter goes (the naming rule of the module docstring)."""
    ext = EXTENSIONS[output_format]
    target = Path(output)
    if output.endswith(("/", os.sep)) or target.is_dir():
        return [target / f"{stem}-{lt.prestation}{ext}" for lt in lettres]
    if len(lettres) == 1:
        return [target]
    suffix = target.suffix or ext
    return [target.with_name(f"{target.stem}-{lt.prestation}{suffix}") for lt in lettres]


@click.command("letter")
@click.argument("dossier", type=click.Path(dir_okay=False))
@click.option("--benefit", "benefit", default=None,
              help="Une seule prestation (son identifiant, comme dans le JSON de `evaluate`) ; défaut : une "
                   "lettre par prestation décidée.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="markdown", show_default=True,
              help="Markdown, page HTML autonome, ou PDF A4.")
@click.option("-o", "--output", "output", type=click.Path(), default=None,
              help="Fichier, ou dossier (se terminant par /) : une lettre par fichier. Sans -o : la sortie standard.")
@_options_communes
def letter_command(dossier: str, benefit: str | None, output_format: str, output: str | None,
                   entete_path: str | None, modeles: str | None, date: dt.datetime | None, what_if: bool) -> None:
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
    entete = _entete(entete_path)
    try:
        loaded = load_dossier(dossier)
        decision = evaluate(loaded)
    except (DossierError, RegimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    except (EvaluationError, RuntimeError) as exc:  # a defect of kb/, not of the dossier
        raise click.ClickException(f"erreur interne de la base de règles : {exc}") from exc
    if not decision.prestations:
        raise click.ClickException(f"{dossier}: aucune prestation examinée, aucune lettre à écrire")
    try:
        lettres = _render(loaded, decision, benefit, entete, what_if, date.date() if date else None, modeles)
        if output is None:
            _to_stdout(lettres, output_format)
            return
        paths = output_paths(output, lettres, output_format, Path(dossier).stem)
        contents = _bytes(lettres, output_format)  # everything rendered before anything is written
    except LettreError as exc:
        raise click.ClickException(str(exc)) from exc
    for path, content in zip(paths, contents, strict=True):
        try:
            write_atomic(path, content)
        except OSError as exc:
            raise click.ClickException(f"{path}: écriture impossible ({exc.strerror or exc})") from exc
        click.echo(f"écrit : {path}", err=True)


def _to_stdout(lettres: list[Lettre], output_format: str) -> None:
    if output_format == "markdown":
        click.echo("\n<!-- lettre suivante -->\n\n".join(lt.markdown for lt in lettres), nl=False)
    elif output_format == "html":
        click.echo(html_document(lettres, lettres[0].modeles), nl=False)
    else:
        if sys.stdout.isatty():
            raise click.ClickException("un PDF ne s'écrit pas dans un terminal : donnez un fichier avec -o")
        data = pdf_document(lettres)
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _dossier_files(caseload: Path, out_dir: Path) -> list[Path]:
    out = out_dir.resolve()
    files = [p for p in caseload.rglob("*") if p.is_file() and p.suffix.lower() in DOSSIER_SUFFIXES
             and out not in p.resolve().parents and not any(part.startswith(".") for part in p.parts)]
    return sorted(files)


def _decide_batch(batch: list[tuple[Path, Dossier]]) -> list[Decision | Exception]:
    """Decisions of a batch in one grounding; if the batch fails, each dossier alone, to find the culprit."""
    return each_alone_on_failure(lambda dossiers: evaluate_many([d for _, d in dossiers]), batch)


@click.command("letters")
@click.argument("caseload", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Dossier où écrire les lettres (créé au besoin).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="pdf", show_default=True,
              help="PDF A4 (pour l'impression), Markdown ou HTML.")
@_options_communes
def letters_command(caseload: str, out_dir: str, output_format: str, entete_path: str | None,
                    modeles: str | None, date: dt.datetime | None, what_if: bool) -> None:
    """Écrit les lettres de tous les dossiers (YAML, JSON) du dossier CASELOAD dans OUT_DIR.

    Chaque dossier donne une lettre par prestation décidée,
    OUT_DIR/<sous-dossier>/<nom du fichier>-<prestation>.<ext>. Un dossier
    invalide ou impossible à rendre est signalé, avec le champ en cause, sans
    arrêter les autres ; il n'écrit rien. Le code de sortie est non nul si un
    dossier au moins n'a pas été rendu.

    Example:

        prevoyance letters tests/explications -o lettres/ --format pdf
    """
    entete = _entete(entete_path)
    root, out = Path(caseload), Path(out_dir)
    files = _dossier_files(root, out)
    if not files:
        raise click.ClickException(f"{caseload}: aucun dossier (.yaml, .yml, .json)")
    failures: list[str] = []
    written = rendered = 0
    letter_date = date.date() if date else None
    with click.progressbar(length=len(files), label="Lettres", file=sys.stderr) as bar:
        for start in range(0, len(files), TAILLE_LOT):
            batch: list[tuple[Path, Dossier]] = []
            for path in files[start:start + TAILLE_LOT]:
                try:
                    batch.append((path, load_dossier(path)))
                except (DossierError, RegimeError) as exc:
                    failures.append(str(exc))
                    bar.update(1)
            decisions = _decide_batch(batch) if batch else []
            for (path, dossier), decision in zip(batch, decisions, strict=True):
                try:
                    if isinstance(decision, Exception):
                        raise LettreError(f"erreur interne de la base de règles : {decision}")
                    if not decision.prestations:
                        raise LettreError("aucune prestation examinée, aucune lettre à écrire")
                    lettres = _render(dossier, decision, None, entete, what_if, letter_date, modeles)
                    relative = path.relative_to(root)
                    paths = output_paths(str(out / relative.parent) + os.sep, lettres, output_format, path.stem)
                    for target, content in zip(paths, _bytes(lettres, output_format), strict=True):
                        write_atomic(target, content)
                        written += 1
                    rendered += 1
                except LettreError as exc:
                    failures.append(f"{path}: {exc}")
                except OSError as exc:
                    failures.append(f"{path}: écriture impossible ({exc.strerror or exc})")
                except Exception as exc:  # one dossier's defect must not stop the caseload
                    failures.append(f"{path}: erreur inattendue ({type(exc).__name__} : {exc})")
                bar.update(1)
    click.echo(f"{written} lettre(s) écrite(s) pour {rendered} dossier(s) dans {out}")
    if failures:
        click.echo(f"{len(failures)} dossier(s) non rendu(s) :", err=True)
        for line in failures:
            for part in line.splitlines():
                click.echo(f"  {part}", err=True)
        raise SystemExit(1)

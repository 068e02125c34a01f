"""The ``prevoyance`` command line: a thin layer over :mod:`engine` and :mod:`explain`.

User errors (unreadable or invalid dossier, unknown benefit) end with a French
message naming the field and a non-zero exit code, never a traceback; output is
rendered completely before anything is printed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import ClassVar

import click

from cli import fr as cli_fr
from engine.dossier import Dossier, DossierError
from engine.facts import ImpossibleDate
from engine.model import Decision, Statut
from engine.regime import RegimeError, load_regime
from engine.solver import EvaluationError, evaluate
from engine.validation import load_dossier
from explain.phrases import PhraseError
from explain.render import check_text, decision_json, evaluate_text
from explain.why import FORMATS, WhyError, why_dossier
from usecases.check import check_regime

cli_fr.installer()  # Click's own messages (« Utilisation : », « Erreur : ») in French


def _decide(path: str, amendment: str | None = None, date_effet=None) -> tuple[Dossier, Decision]:
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


def _emit(render, *args) -> None:
    try:
        text = render(*args)
    except PhraseError as exc:  # a defect of the catalogue: say it plainly
        raise click.ClickException(f"catalogue de phrases : {exc}") from exc
    click.echo(text, nl=not text.endswith("\n"))


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
            import importlib

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


def amendment_options(command):
    """``--amendment FILE`` and ``--date-effet DATE``, as ``diff`` takes them: decide under the amended law."""
    command = click.option("--date-effet", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                           help="Date d'effet de l'amendement, s'il la laisse ouverte (ou pour la remplacer).")(command)
    return click.option("--amendment", "--amendement", "amendment", default=None,
                        type=click.Path(exists=True, dir_okay=False),
                        help="Décider sous cet amendement (YAML ; kb/<régime>/amendements/ en donne des "
                             "exemples) : la sortie le dit, et ses phrases suivent la loi amendée.")(command)


@main.command("evaluate")
@click.argument("dossier", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Texte en français, ou JSON du contrat.")
@amendment_options
def evaluate_command(dossier: str, output_format: str, amendment: str | None, date_effet) -> None:
    """Décide de chaque prestation demandée par DOSSIER (YAML ou JSON).

    Le code de sortie vaut 0 quelles que soient les décisions ; il n'est non
    nul que pour un dossier invalide.

    Example:

        prevoyance evaluate examples/famille-diarra.yaml --format json
    """
    _, decision = _decide(dossier, amendment, date_effet)
    if output_format == "json":
        _emit(lambda d: json.dumps(decision_json(d), ensure_ascii=False, indent=2) + "\n", decision)
    else:
        _emit(evaluate_text, decision)


@main.command("why")
@click.argument("dossier", type=click.Path(dir_okay=False))
@click.argument("prestation")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Texte, JSON (arbre de justification), Markdown, ou page HTML autonome dépliable.")
@click.option("--depth", type=click.IntRange(min=1), default=None,
              help="Profondeur de l'arbre : 1 = les conditions de la prestation seulement.")
@click.option("--what-if", "what_if_", is_flag=True,
              help="Pour un refus : les plus petits changements du dossier qui la feraient accorder.")
@amendment_options
def why_command(dossier: str, prestation: str, output_format: str, depth: int | None, what_if_: bool,
                amendment: str | None, date_effet) -> None:
    """Explique pourquoi PRESTATION est accordée, refusée ou incomplète pour DOSSIER.

    Les conditions non remplies viennent d'abord, chacune avec les faits du
    dossier qui la décident, la règle appliquée et sa source ; une condition
    inconnue devient une question à poser et une pièce à demander.

    Example:

        prevoyance why examples/refus-stage.yaml allocations_familiales --what-if
    """
    loaded, decision = _decide(dossier, amendment, date_effet)
    try:
        _emit(why_dossier, loaded, decision, prestation, output_format, depth, what_if_)
    except WhyError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("test")
@click.argument("chemin", type=click.Path(exists=True))
@click.option("--date-aujourdhui", "today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date du jour pour les dossiers sans date_reference (défaut : aujourd'hui).")
def test_command(chemin: str, today) -> None:
    """Lance les cas de non-régression YAML de CHEMIN (un fichier ou un dossier).

    Chaque échec est imprimé avec l'écart entre l'attendu et l'obtenu, puis
    l'explication de la décision obtenue. Sort avec un code non nul si un cas
    échoue.

    Example:

        prevoyance test tests/cas/amendements
    """
    from explain.cas import cases_text
    from usecases.cases import run_case_files

    try:
        results = run_case_files(chemin, today=today.date() if today else None)
    except (DossierError, RegimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(cases_text(results))
    if not all(r.ok for r in results):
        raise SystemExit(1)


@main.command("generate")
@click.argument("nombre", type=click.IntRange(min=1))
@click.option("--seed", type=int, default=0, show_default=True,
              help="Graine : la même graine donne les mêmes dossiers.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=True), default=None,
              help="Fichier .jsonl, ou dossier où écrire un fichier YAML par dossier "
                   "(défaut : JSON Lines sur la sortie).")
@click.option("--debut", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-01-01", show_default=True,
              help="Première date de référence possible.")
@click.option("--fin", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-12-31", show_default=True,
              help="Dernière date de référence possible.")
def generate_command(nombre: int, seed: int, output: str | None, debut, fin) -> None:
    """Écrit NOMBRE dossiers synthétiques réalistes (distributions : docs/generation.md).

    Example:

        prevoyance generate 10000 --seed 7 -o charge.jsonl
    """
    from usecases.caseload import jsonl_line, write_caseload
    from usecases.generation import generate

    dossiers = generate(nombre, seed, debut=debut.date(), fin=fin.date())
    if output is None:
        for data in dossiers:
            click.echo(jsonl_line(data), nl=False)
        return
    try:
        write_caseload(dossiers, output)
    except OSError as exc:
        raise click.ClickException(_unwritable(Path(output), exc)) from exc
    click.echo(f"{nombre} dossiers écrits dans {Path(output)}", err=True)


@main.command("diff")
@click.option("--amendment", "--amendement", "amendment", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Fichier YAML de l'amendement (le dossier amendements/ de chaque régime en donne des exemples).")
@click.argument("caseload", metavar="CHARGE", type=click.Path(exists=True))
@click.option("--date-effet", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date d'effet, pour un amendement qui la laisse ouverte.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "html", "csv"]), default="text",
              show_default=True, help="Texte, JSON, page HTML autonome (graphiques, tableau triable ; le CSV des "
                                      "dossiers changés est écrit à côté) ou CSV des dossiers changés.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Fichier du rapport.")
@click.option("--explications", type=click.IntRange(min=0), default=10, show_default=True,
              help="Nombre de dossiers changés expliqués avant et après, côte à côte.")
@click.option("--processus", type=click.IntRange(min=1), default=None, help="Processus (défaut : un par cœur).")
def diff_command(amendment: str, caseload: str, date_effet, output_format: str, output: str | None,
                 explications: int, processus: int | None) -> None:
    """Mesure ce qu'un amendement change dans CHARGE (dossier de YAML/JSON, ou fichier .jsonl).

    Par prestation : dossiers nouvellement accordés, refusés, montants en
    hausse ou en baisse, inchangés ; coût mensuel et annuel ; pour chaque
    dossier changé, les conditions dont l'état change, et les explications
    avant et après côte à côte.

    Example:

        prevoyance diff --amendment kb/mali/inps/amendements/af_3500.yaml --date-effet 2026-01-01 charge.jsonl
    """
    from explain.impact import impact_report, write_report
    from usecases.amendement import AmendmentError

    if output is not None and Path(output).resolve() in (Path(caseload).resolve(), Path(amendment).resolve()):
        raise click.ClickException(f"{output} : le rapport écraserait la charge ou l'amendement : choisissez un "
                                   "autre fichier")

    try:
        with click.progressbar(length=0, label="Dossiers", file=sys.stderr, show_pos=True) as bar:
            impact, text = impact_report(caseload, amendment, date_effet.date() if date_effet else None,
                                         output_format, explications, workers=processus, progress=bar.update)
    except (AmendmentError, DossierError, RegimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            written = write_report(impact, text, output, output_format)
        except OSError as exc:
            raise click.ClickException(_unwritable(Path(output), exc)) from exc
        for path, what in zip(written, ("Rapport écrit", "Dossiers changés écrits"), strict=False):
            click.echo(f"{what} dans {path}", err=True)
    if impact.erreurs:
        raise SystemExit(EXIT_DOSSIERS_EN_ERREUR)


@main.command("batch")
@click.argument("caseload", metavar="CHARGE", type=click.Path(exists=True))
@click.option("-o", "--output", "results", required=True, type=click.Path(dir_okay=False),
              help="Fichier JSON Lines des décisions (les erreurs vont dans <nom>.erreurs.jsonl).")
@click.option("--parquet", type=click.Path(dir_okay=False), default=None, help="Écrit aussi une table Parquet.")
@click.option("--journal", type=click.Path(dir_okay=False), default=None,
              help="Journal SQLite des décisions (empreinte du dossier, version de la base, date).")
@click.option("--scheduler", default=None, help="Adresse d'un ordonnanceur Dask (tcp://hôte:8786).")
@click.option("--processus", type=click.IntRange(min=1), default=None, help="Processus (défaut : un par cœur).")
@click.option("--lot", type=click.IntRange(min=1), default=250, show_default=True, help="Dossiers par lot.")
def batch_command(caseload: str, results: str, parquet: str | None, journal: str | None, scheduler: str | None,
                  processus: int | None, lot: int) -> None:
    """Décide tous les dossiers de CHARGE (dossier de YAML/JSON, ou fichier .jsonl), par lots, sur tous les cœurs.

    Chaque dossier donne une ligne : sa décision, avec les conditions non
    remplies et inconnues et leurs sources, ou son erreur. Interrompu, un
    nouvel appel reprend où le précédent s'est arrêté.

    Example:

        prevoyance batch charge.jsonl -o decisions.jsonl --journal journal.sqlite
    """
    from usecases.batch import BatchError, run_batch
    from usecases.caseload import count_dossiers

    try:
        total = count_dossiers(caseload)
        with click.progressbar(length=total, label="Dossiers", file=sys.stderr, show_eta=True, show_pos=True,
                               item_show_func=lambda rate: rate) as bar:
            started = [time.perf_counter(), 0]

            def advance(n: int) -> None:
                started[1] += n
                bar.update(n, f"{started[1] / max(1e-9, time.perf_counter() - started[0]):.0f} dossiers/s")

            report = run_batch(caseload, results, workers=processus, chunk_size=lot, journal=journal,
                               scheduler=scheduler, progress=advance, parquet=parquet)
    except (BatchError, DossierError, RegimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    for line in report.lines():
        click.echo(line, err=True)
    if report.erreurs_en_tout:  # earlier runs' errors too: the exit code speaks for the whole output
        raise SystemExit(EXIT_DOSSIERS_EN_ERREUR)


# Exit code of a run that went to its end with some dossiers in error (2 is click's usage error).
EXIT_DOSSIERS_EN_ERREUR = 3


def _unwritable(target, exc: OSError) -> str:
    return f"{target} : écriture impossible ({exc.strerror or exc})"


@main.command("journal")
@click.argument("journal", type=click.Path(exists=True, dir_okay=False))
@click.argument("dossier", required=False)
@click.option("--prestation", default=None, help="Seulement les décisions de cette prestation (son identifiant).")
@click.option("--statut", type=click.Choice([s.value for s in Statut]), default=None,
              help="Seulement les décisions de ce statut.")
@click.option("--condition", default=None, help="Seulement les décisions où cette condition (son identifiant, "
                                                "comme dans le JSON de `evaluate`) n'est pas remplie.")
@click.option("--limite", type=click.IntRange(min=1), default=None, help="Au plus ce nombre de décisions.")
def journal_command(journal: str, dossier: str | None, prestation: str | None, statut: str | None,
                    condition: str | None, limite: int | None) -> None:
    """Dit quelles règles et quelles conditions ont décidé DOSSIER d'après le journal JOURNAL ; sans
    DOSSIER, liste les décisions d'une prestation, d'un statut ou d'une condition non remplie.

    Pour chaque prestation : le statut, les montants, la version de la base,
    l'empreinte du dossier, et chaque condition non remplie ou inconnue avec
    les règles de la base (@regle, fichier, phrase du guide) qui la décident.

    Example:

        prevoyance journal journal.sqlite synthetique-0000042
        prevoyance journal journal.sqlite --statut refuse --condition stage
    """
    from explain.journal import journal_text
    from usecases.journal import JournalError

    try:
        text = journal_text(journal, dossier, prestation, statut, condition, limite)
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(text, nl=False)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Adresse d'écoute (hors de la boucle locale, --utilisateurs est exigé).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--journal", type=click.Path(dir_okay=False), default="prevoyance.sqlite", show_default=True,
              help="Journal SQLite des décisions (créé au besoin ; le même que batch --journal).")
@click.option("--utilisateurs", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Fichier des utilisateurs (python -m console.acces ajouter FICHIER NOM).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Processus serveurs.")
@click.option("--entete", "entetes", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="En-tête d'un office (YAML, comme letter --entete), proposé sur la page de la lettre avec ceux "
                   "du régime ; répétable.")
def serve_command(host: str, port: int, journal: str, utilisateurs: str | None, workers: int,
                  entetes: tuple[str, ...]) -> None:
    """Lance la console des analystes et l'API JSON (/api/v1/, documentation sur /api/v1/docs).

    Example:

        prevoyance serve --port 8000 --journal journal.sqlite
    """
    try:
        from console.serve import ServeError, serve
    except ImportError as exc:  # the server's packages are an extra
        raise click.ClickException(f"{exc.name} manque : pip install 'prevoyance[serve]'") from exc
    try:
        serve(host, port, journal, utilisateurs, workers, entetes=entetes)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("check")
@click.option("--base", "base", default=None, help="Régime à vérifier (défaut : le régime par défaut).")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date des paramètres pour les calculs (défaut : aujourd'hui).")
@click.option("--echantillon", type=click.IntRange(min=0), default=200, show_default=True,
              help="Dossiers générés à décider : chacun doit avoir un seul modèle et aucune incohérence.")
def check_command(base: str | None, date, echantillon: int) -> None:
    """Vérifie la base : sources, phrases, stratification, et montants publiés contre leurs taux.

    Les incohérences du guide sont signalées avec la lecture retenue ; seuls
    les défauts de la base font sortir avec un code non nul.

    Example:

        prevoyance check --date 2026-01-01
    """
    try:
        regime = load_regime(base)
    except RegimeError as exc:
        raise click.ClickException(str(exc)) from exc
    report = check_regime(regime, date.date() if date else None, sample=echantillon)
    _emit(check_text, report)
    if not report.ok:
        raise SystemExit(1)


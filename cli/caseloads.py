"""``generate``, ``batch`` and ``diff``: whole caseloads — made up, decided on every core, measured under an
amendment. (``letters``, a caseload's letters, is in :mod:`cli.lettres`.)"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from cli.common import EXIT_DOSSIERS_EN_ERREUR, unwritable
from cli.fr import option
from engine.dossier import DossierError
from engine.regime import RegimeError


@click.command("generate")
@click.argument("nombre", type=click.IntRange(min=1))
@option("--graine", "--seed", "seed", type=int, default=0, show_default=True,
        help="Graine : la même graine donne les mêmes dossiers.")
@option("-o", "--sortie", "--output", "output", type=click.Path(dir_okay=True), default=None,
        help="Fichier .jsonl, ou dossier où écrire un fichier YAML par dossier "
             "(défaut : JSON Lines sur la sortie).")
@option("--debut", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-01-01", show_default=True,
        help="Première date de référence possible.")
@option("--fin", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-12-31", show_default=True,
        help="Dernière date de référence possible.")
def generate_command(nombre: int, seed: int, output: str | None, debut, fin) -> None:
    """Écrit NOMBRE dossiers synthétiques réalistes (distributions : docs/generation.md).

    Example:

        prevoyance generate 10000 --graine 7 -o charge.jsonl
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
        raise click.ClickException(unwritable(Path(output), exc)) from exc
    click.echo(f"{nombre} dossiers écrits dans {Path(output)}", err=True)


@click.command("diff")
@option("--amendement", "--amendment", "amendment", required=True, type=click.Path(exists=True, dir_okay=False),
        help="Fichier YAML de l'amendement (le dossier amendements/ de chaque régime en donne des exemples).")
@click.argument("caseload", metavar="CHARGE", type=click.Path(exists=True))
@option("--date-effet", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
        help="Date d'effet, pour un amendement qui la laisse ouverte.")
@option("--format", "output_format", type=click.Choice(["text", "json", "html", "csv"]), default="text",
        show_default=True, help="Texte, JSON, page HTML autonome (graphiques, tableau triable ; le CSV des "
                                "dossiers changés est écrit à côté) ou CSV des dossiers changés.")
@option("-o", "--sortie", "--output", "output", type=click.Path(dir_okay=False), default=None,
        help="Fichier du rapport.")
@option("--explications", type=click.IntRange(min=0), default=10, show_default=True,
        help="Nombre de dossiers changés expliqués avant et après, côte à côte.")
@option("--processus", type=click.IntRange(min=1), default=None, help="Processus (défaut : un par cœur).")
def diff_command(amendment: str, caseload: str, date_effet, output_format: str, output: str | None,
                 explications: int, processus: int | None) -> None:
    """Mesure ce qu'un amendement change dans CHARGE (dossier de YAML/JSON, ou fichier .jsonl).

    Par prestation : dossiers nouvellement accordés, refusés, montants en
    hausse ou en baisse, inchangés ; coût mensuel et annuel ; pour chaque
    dossier changé, les conditions dont l'état change, et les explications
    avant et après côte à côte.

    Example:

        prevoyance diff --amendement kb/mali/inps/amendements/af_3500.yaml --date-effet 2026-01-01 charge.jsonl
    """
    from cli.rapports import impact_report, write_impact_report
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
            written = write_impact_report(impact, text, output, output_format)
        except OSError as exc:
            raise click.ClickException(unwritable(Path(output), exc)) from exc
        for path, what in zip(written, ("Rapport écrit", "Dossiers changés écrits"), strict=False):
            click.echo(f"{what} dans {path}", err=True)
    if impact.erreurs:
        raise SystemExit(EXIT_DOSSIERS_EN_ERREUR)


@click.command("batch")
@click.argument("caseload", metavar="CHARGE", type=click.Path(exists=True))
@option("-o", "--sortie", "--output", "results", required=True, type=click.Path(dir_okay=False),
        help="Fichier JSON Lines des décisions (les erreurs vont dans <nom>.erreurs.jsonl).")
@option("--parquet", type=click.Path(dir_okay=False), default=None, help="Écrit aussi une table Parquet.")
@option("--journal", type=click.Path(dir_okay=False), default=None,
        help="Journal SQLite des décisions (empreinte du dossier, version de la base, date).")
@option("--ordonnanceur", "--scheduler", "scheduler", default=None,
        help="Adresse d'un ordonnanceur Dask (tcp://hôte:8786).")
@option("--processus", type=click.IntRange(min=1), default=None, help="Processus (défaut : un par cœur).")
@option("--lot", type=click.IntRange(min=1), default=250, show_default=True, help="Dossiers par lot.")
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

"""``test`` and ``check``: the rule base itself — its regression cases, and its checks (sources, phrases,
stratification, published amounts)."""

from __future__ import annotations

import click

from cli.common import emit
from cli.fr import option
from engine.dossier import DossierError
from engine.regime import RegimeError, load_regime
from explain.render import check_text
from usecases.check import check_regime


@click.command("test")
@click.argument("chemin", type=click.Path(exists=True))
@option("--date-aujourdhui", "today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
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


@click.command("check")
@option("--base", "base", default=None, help="Régime à vérifier (défaut : le régime par défaut).")
@option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
        help="Date des paramètres pour les calculs (défaut : aujourd'hui).")
@option("--echantillon", type=click.IntRange(min=0), default=200, show_default=True,
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
    emit(check_text, report)
    if not report.ok:
        raise SystemExit(1)

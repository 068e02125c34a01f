"""``evaluate``, ``why`` and ``journal``: one dossier's decision, its explanation, and what the journal kept
of the decisions made."""

from __future__ import annotations

import json

import click

from cli.common import amendment_options, decide, emit
from cli.fr import option
from cli.rapports import why_text
from engine.model import Statut
from explain.render import decision_json, evaluate_text
from explain.why import FORMATS, WhyError


@click.command("evaluate")
@click.argument("dossier", type=click.Path(dir_okay=False))
@option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
        show_default=True, help="Texte en français, ou JSON du contrat.")
@amendment_options
def evaluate_command(dossier: str, output_format: str, amendment: str | None, date_effet) -> None:
    """Décide de chaque prestation demandée par DOSSIER (YAML ou JSON).

    Le code de sortie vaut 0 quelles que soient les décisions ; il n'est non
    nul que pour un dossier invalide.

    Example:

        prevoyance evaluate examples/famille-diarra.yaml --format json
    """
    _, decision = decide(dossier, amendment, date_effet)
    if output_format == "json":
        emit(lambda d: json.dumps(decision_json(d), ensure_ascii=False, indent=2) + "\n", decision)
    else:
        emit(evaluate_text, decision)


@click.command("why")
@click.argument("dossier", type=click.Path(dir_okay=False))
@click.argument("prestation")
@option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
        help="Texte, JSON (arbre de justification), Markdown, ou page HTML autonome dépliable.")
@option("--profondeur", "--depth", "depth", type=click.IntRange(min=1), default=None,
        help="Profondeur de l'arbre : 1 = les conditions de la prestation seulement.")
@option("--ce-qui-changerait", "--what-if", "what_if_", is_flag=True,
        help="Pour un refus : les plus petits changements du dossier qui la feraient accorder.")
@amendment_options
def why_command(dossier: str, prestation: str, output_format: str, depth: int | None, what_if_: bool,
                amendment: str | None, date_effet) -> None:
    """Explique pourquoi PRESTATION est accordée, refusée ou incomplète pour DOSSIER.

    Les conditions non remplies viennent d'abord, chacune avec les faits du
    dossier qui la décident, la règle appliquée et sa source ; une condition
    inconnue devient une question à poser et une pièce à demander.

    Example:

        prevoyance why examples/refus-stage.yaml allocations_familiales --ce-qui-changerait
    """
    loaded, decision = decide(dossier, amendment, date_effet)
    try:
        emit(why_text, loaded, decision, prestation, output_format, depth, what_if_)
    except WhyError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("journal")
@click.argument("journal", type=click.Path(exists=True, dir_okay=False))
@click.argument("dossier", required=False)
@option("--prestation", default=None, help="Seulement les décisions de cette prestation (son identifiant).")
@option("--statut", type=click.Choice([s.value for s in Statut]), default=None,
        help="Seulement les décisions de ce statut.")
@option("--condition", default=None, help="Seulement les décisions où cette condition (son identifiant, "
                                          "comme dans le JSON de `evaluate`) n'est pas remplie.")
@option("--limite", type=click.IntRange(min=1), default=None, help="Au plus ce nombre de décisions.")
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
    from explain.rapport_journal import journal_text
    from usecases.journal import JournalError, consulter

    try:
        text = journal_text(consulter(journal, dossier, prestation, statut, condition, limite), dossier)
    except JournalError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(text, nl=False)

"""``prevoyance entretien``: the counter interview at the prompt.

The command asks what :mod:`usecases.entretien` says to ask, one question
at a time, and checks each answer by its type (a French message and the
question again when it does not fit); « ? » means the claimant does not know.
It ends on the decision, printed as ``evaluate`` prints it, and writes the
completed dossier (whole or not at all) when ``-o`` names a file.
"""

from __future__ import annotations

import datetime as dt

import click

from cli.fr import option
from engine.dossier import DossierError
from engine.files import atomic_writer
from engine.regime import Regime, RegimeError, default_regime_id, load_regime
from engine.solver import EvaluationError
from engine.validation import validate
from explain.phrases import PhraseError, catalogue
from explain.questions import libelle_question
from explain.render import evaluate_text
from usecases.entretien import (
    EntretienError,
    ProchaineQuestion,
    dossier_yaml,
    lire_reponse,
    listes_nommees,
    nouveau_dossier,
    prestations,
    prochaine_etape,
    repondre,
)

JE_NE_SAIS_PAS = "?"


def _choisir_prestations(regime, demandees: tuple[str, ...]) -> list[str]:
    known = prestations(regime)
    phrases = catalogue(regime)
    wrong = [p for p in demandees if p not in known]
    if wrong:
        raise click.BadParameter(f"prestation inconnue « {wrong[0]} » (connues : {', '.join(known)})",
                                 param_hint="--prestation")
    if demandees:
        return list(demandees)
    click.echo("Prestations demandées :")
    for position, pid in enumerate(known, start=1):
        click.echo(f"  {position}. {phrases.libelle_prestation(pid)}")
    while True:
        text = click.prompt("Numéros des prestations demandées, séparés par des virgules", prompt_suffix=" : ")
        try:
            numbers = [int(n) for n in text.replace(" ", "").split(",") if n]
            chosen = [known[n - 1] for n in numbers if 1 <= n <= len(known)]
            if chosen and len(chosen) == len(numbers):
                return chosen
        except ValueError:
            pass
        click.echo(f"Réponse invalide : donnez des numéros de 1 à {len(known)}.", err=True)


def _poser(regime: Regime, q: ProchaineQuestion) -> str:
    """The question as the prompt shows it: its wording, and its choices numbered."""
    lines = [libelle_question(regime, q)]
    for position, choix in enumerate(q.choix, start=1):
        lines.append(f"  {position}. {choix.libelle}")
    hint = {"date": "JJ/MM/AAAA", "liste de dates": "dates JJ/MM/AAAA séparées par des virgules, ou « aucune »",
            "entier": "un nombre"}.get(q.type)
    lines.append(f"Réponse ({hint + ', ' if hint else ''}« ? » si le demandeur ne sait pas)")
    return "\n".join(lines)


@click.command("entretien")
@option("--base", "base", default=None, help="Le régime (défaut : celui de la base par défaut).")
@option("--prestation", "demandees", multiple=True,
        help="Une prestation demandée (son identifiant) ; répétez l'option pour plusieurs. Sans elle, la "
             "liste est proposée.")
@option("--date", "date_demande", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
        help="Date de la demande (défaut : aujourd'hui).")
@option("--date-reference", "date_reference", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
        help="Date d'appréciation des droits (défaut : aujourd'hui).")
@option("-o", "--sortie", "--output", "output", type=click.Path(dir_okay=False), default=None,
        help="Fichier YAML où écrire le dossier complété.")
def entretien_command(base: str | None, demandees: tuple[str, ...], date_demande: dt.datetime | None,
                      date_reference: dt.datetime | None, output: str | None) -> None:
    """Mène l'entretien au guichet : ne pose, une à une, que les questions dont la réponse peut encore changer
    la décision sur les prestations demandées, puis imprime la décision.

    Répondez « ? » quand le demandeur ne sait pas : la question n'est plus posée et la décision la liste en
    attente.

    Example:

        prevoyance entretien --prestation allocations_familiales -o dossier.yaml
    """
    try:
        regime = load_regime(base or default_regime_id())
    except RegimeError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from exc
    chosen = _choisir_prestations(regime, demandees)
    today = dt.date.today().isoformat()
    noms = {}
    for liste in listes_nommees(regime):
        text = click.prompt(f"{liste.titre} : prénoms, séparés par des virgules (vide : aucun)", default="",
                            show_default=False, prompt_suffix=" : ")
        noms[liste.cle] = text.split(",")
    data = nouveau_dossier(regime, chosen, date_demande.date().isoformat() if date_demande else today,
                           date_reference.date().isoformat() if date_reference else today, noms)
    inconnus: list[str] = []
    try:
        while True:
            etape = prochaine_etape(regime, data, inconnus)
            if etape.question is None:
                break
            q = etape.question
            while True:
                text = click.prompt(_poser(regime, q), prompt_suffix=" : ")
                if text.strip() == JE_NE_SAIS_PAS:
                    inconnus.append(q.champ)
                    break
                try:
                    completed = repondre(regime, data, q.champ, lire_reponse(q, text))
                    validate(completed, "réponse", regime=regime)
                except (EntretienError, DossierError) as exc:
                    click.echo(f"Réponse invalide : {exc}", err=True)
                    continue
                data = completed
                break
        text = evaluate_text(etape.decision)
    except DossierError as exc:
        raise click.ClickException(str(exc)) from exc
    except click.Abort:  # the input ended (click's Abort is a RuntimeError): click says « Abandon ! »
        raise
    except (EvaluationError, RuntimeError) as exc:
        raise click.ClickException(f"erreur interne de la base de règles : {exc}") from exc
    except PhraseError as exc:
        raise click.ClickException(f"catalogue de phrases : {exc}") from exc
    click.echo()
    click.echo(text, nl=not text.endswith("\n"))
    if output:
        try:
            with atomic_writer(output) as handle:
                handle.write(dossier_yaml(etape.dossier.data))
        except OSError as exc:
            raise click.ClickException(f"{output} : écriture impossible ({exc.strerror or exc})") from exc
        click.echo(f"Dossier écrit dans {output}.")

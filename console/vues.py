"""The console's Jinja2 templates: autoescaped, with the project's French filters (amounts, dates)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import jinja2
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from console.dependances import auteur_de, etat_de
from console.formulaire import singulier
from engine.regime import Regime, RegimeError, load_regime
from explain import format as fmt
from explain.phrases import STATUTS, catalogue

CANAUX = {"console": "console", "api": "API", "batch": "lot de dossiers"}


def _date_iso(text: str | None) -> str:
    """``2026-01-10`` or ``2026-01-10T08:00:00+00:00`` → ``10 janvier 2026`` (time kept when given)."""
    if not text:
        return ""
    try:
        if "T" in text:
            moment = dt.datetime.fromisoformat(text)
            return f"{fmt.date_fr(moment.date())} à {moment:%H:%M} UTC"
        return fmt.date_fr(dt.date.fromisoformat(text))
    except ValueError:
        return text


def _fcfa(value) -> str:
    """Amounts with non-breaking spaces: a figure never splits across two lines."""
    return fmt.fcfa(value).replace(" ", "\u00a0")


def _date_saisie(value) -> str:
    """A date of the dossier as a clerk types it: ``2021-05-14`` → ``14/05/2021``; anything else as it was typed."""
    if value is None:
        return ""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    return f"{found[3]}/{found[2]}/{found[1]}" if found else str(value)


templates = Jinja2Templates(env=jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True))
templates.env.filters.update(fmt.FILTRES)
templates.env.filters.update({"date_saisie": _date_saisie, "singulier": singulier, "fcfa": _fcfa, "date_iso": _date_iso,
                              "statut": lambda s: STATUTS.get(s, s), "canal": lambda c: CANAUX.get(c, c)})


def libelle_condition(base: str, node: str) -> str:
    """A condition's label in its regime's catalogue (``stage`` → « Stage de neuf mois … »); the id if none."""
    try:
        return catalogue(load_regime(base)).libelle_noeud(node)
    except Exception:  # a base or a condition this version of kb/ no longer knows: its id says enough
        return node


def libelle_statut(base: str, prestation: str, statut: str) -> str:
    """A prestation's status in its catalogue's word (« accordées », « accordé »): the decision page says the same."""
    try:
        return catalogue(load_regime(base)).statut(prestation, statut)
    except Exception:  # a base this version of kb/ no longer knows: the general word
        return STATUTS.get(statut, statut)


def libelle_prestation(base: str, prestation: str) -> str:
    """A prestation's name in its regime's catalogue (« Remboursement du congé de naissance »)."""
    try:
        return catalogue(load_regime(base)).libelle_prestation(prestation)
    except Exception:
        return prestation


def libelle_montant(base: str, prestation: str, key: str) -> str:
    """An amount of a journal row (``montant_mensuel``) by its catalogue's label (« Montant mensuel »), as the
    decision page names it."""
    name = key.removeprefix("montant_")
    try:
        phrases = catalogue(load_regime(base))
    except Exception:
        return name
    return phrases.prestation(prestation).get("montants", {}).get(name) or phrases.label("montants", name)


templates.env.globals.update({"libelle_condition": libelle_condition, "libelle_statut": libelle_statut,
                              "libelle_prestation": libelle_prestation, "libelle_montant": libelle_montant})


def rendre_page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A console page, with who is signed in and whether the console is open to all (every page's header)."""
    context.setdefault("auteur", auteur_de(request))
    context.setdefault("ouvert", etat_de(request).controle.ouvert)
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def regime_demande(regime_id: str | None) -> Regime:
    """The regime a page asks for (the default one when none), 404 when the base has none of that name."""
    try:
        return load_regime(regime_id or None)
    except RegimeError as exc:
        raise HTTPException(404, str(exc)) from exc

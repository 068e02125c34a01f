"""The console's Jinja2 templates: autoescaped, with the project's French filters (amounts, dates)."""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

from console.formulaire import singulier
from engine.model import Statut
from explain import format as fmt

STATUTS = {Statut.accorde: "accordée", Statut.refuse: "refusée", Statut.incomplet: "incomplète"}
CANAUX = {"console": "console", "api": "API", "batch": "lot (prevoyance batch)"}


def _date_iso(text: str | None) -> str:
    """``2026-01-10`` or ``2026-01-10T08:00:00+00:00`` → ``10 janvier 2026`` (time kept when given)."""
    import datetime as dt

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


templates = Jinja2Templates(env=jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True))
templates.env.filters.update(fmt.FILTRES)
templates.env.filters.update({"singulier": singulier, "fcfa": _fcfa, "date_iso": _date_iso,
                              "statut": lambda s: STATUTS.get(s, s), "canal": lambda c: CANAUX.get(c, c)})


def libelle_condition(base: str, node: str) -> str:
    """A condition's label in its regime's catalogue (``stage`` → « Stage de neuf mois … »); the id if none."""
    from engine.regime import load_regime
    from explain.phrases import catalogue

    try:
        return catalogue(load_regime(base)).libelle_noeud(node)
    except Exception:  # a base or a condition this version of kb/ no longer knows: its id says enough
        return node


templates.env.globals["libelle_condition"] = libelle_condition

"""The journal's search as a person writes it: a date typed « 14/05/2021 », a condition by words of its label.

Shared by the journal's page (:mod:`console.pages.recherche`), the impact form
and the API's ``GET /api/v1/journal``.
"""

from __future__ import annotations

import contextlib
import re

from engine.regime import regimes
from explain.phrases import catalogue


def date_iso(text: str) -> str:
    """A date as a clerk types it (« 14/05/2021 ») in the contract's form (``2021-05-14``); else as typed."""
    found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text.strip())
    return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}" if found else text.strip()


def prestations_et_libelles() -> list[tuple[str, str]]:
    """Every prestation of the base with its catalogue's name, for a filter: (id, « Allocations familiales »)."""
    out = {}
    for regime in regimes().values():
        phrases = catalogue(regime)
        for pid in (regime.schema.get("properties", {}).get("demandes", {}).get("items", {}).get("properties", {})
                    .get("prestation", {}).get("enum", [])):
            out.setdefault(pid, phrases.libelle_prestation(pid))
    return sorted(out.items(), key=lambda item: item[1].lower())


def libelles_conditions(noms: list[str]) -> list[tuple[str, str]]:
    """(name, label) of each condition name found in the journal, in every regime's catalogue that names it."""
    out = []
    for regime in regimes().values():
        phrases = catalogue(regime)
        for nom in noms:
            with contextlib.suppress(Exception):  # a name this regime's catalogue does not know
                libelle = phrases.libelle_noeud(nom)
                if libelle and libelle != nom:
                    out.append((nom, libelle))
    return out


def conditions_cherchees(texte: str, noms: list[str]) -> str | list[str]:
    """What the clerk typed as a condition: its id or name (``stage``), or words of its label (« Stage de
    neuf mois »): the names whose label contains them, with the text itself."""
    texte = texte.strip()
    if not texte or texte in noms or "(" in texte:
        return texte
    mots = texte.casefold()
    par_libelle = sorted({nom for nom, libelle in libelles_conditions(noms) if mots in libelle.casefold()})
    return [texte, *par_libelle]

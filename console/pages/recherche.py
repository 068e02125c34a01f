"""The journal of decisions, searched: by applicant, dossier, prestation, status, failed condition and dates.

Every decision the console, the API or ``prevoyance batch --journal`` took,
newest first; a row opens the decision it belongs to (or, for the batch's rows,
the row itself with its conditions by their labels).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from console.demandes import PAR_PAGE
from console.dependances import Journal
from console.filtres import conditions_cherchees, date_iso, libelles_conditions, prestations_et_libelles
from console.pages import Numero
from console.vues import rendre_page
from engine.domaine import iso_date
from engine.model import Statut
from engine.regime import RegimeError, load_regime
from explain.phrases import catalogue

router = APIRouter(include_in_schema=False)


@router.get("/journal", response_class=HTMLResponse)
def journal_page(request: Request, store: Journal, dossier: str = "", prestation: str = "", statut: str = "",
                 condition: str = "", du: str = "", au: str = "", page: int = 1, personne: str = ""):
    erreurs = {}
    du, au = date_iso(du), date_iso(au)
    for name, value in (("du", du), ("au", au)):
        if value and iso_date(value) is None:  # not fromisoformat, which reads 20261207 and week dates
            label = {"du": "Décidé du", "au": "au"}[name]
            erreurs[name] = (f"« {label} » : date impossible ou mal écrite {value!r} "
                             "(attendu JJ/MM/AAAA ou AAAA-MM-JJ)")
    if statut and statut not in {s.value for s in Statut}:
        erreurs["statut"] = (f"« statut » : valeur inconnue {statut!r} "
                             f"(valeurs admises : {', '.join(Statut)})")
    known = store.conditions_connues()
    rows, total = ([], 0) if erreurs else store.chercher(dossier, prestation, statut,
                                                         conditions_cherchees(condition, known), du, au,
                                                         max(1, min(page, 100000)), personne=personne)
    filtres = {"personne": personne, "dossier": dossier, "prestation": prestation, "statut": statut,
               "condition": condition, "du": du, "au": au}
    pages = max(1, -(-total // PAR_PAGE))
    return rendre_page(request, "journal.html", 422 if erreurs else 200, lignes=rows, total=total, page=page,
                       pages=pages,
                 filtres=filtres, erreurs=erreurs, prestations=prestations_et_libelles(),
                 conditions=sorted({libelle for _, libelle in libelles_conditions(known)}),
                 requete={k: v for k, v in filtres.items() if v})


def _date_ou_aujourdhui(text: str | None) -> dt.date | None:
    """A journal line's date of reference (the date its labels' numbers are in force); None (today) if unreadable."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/journal/{ligne}", response_class=HTMLResponse)
def journal_ligne(request: Request, store: Journal, ligne: Numero):
    found = store.ligne(ligne)
    if found is None:
        raise HTTPException(404, f"aucune décision n°{ligne} dans le journal")
    if found.demande:
        return RedirectResponse(f"/decisions/{found.demande}#{found.prestation}", status_code=303)
    phrases = None
    with contextlib.suppress(RegimeError):
        phrases = catalogue(load_regime(found.base), _date_ou_aujourdhui(found.date_reference))

    def libelle(node: str) -> str:
        if phrases is None:
            return node
        try:
            return phrases.libelle_noeud(node)
        except Exception:
            return node

    return rendre_page(request, "journal_ligne.html", ligne=found, libelle=libelle,
                 prestation_libelle=phrases.libelle_prestation(found.prestation)
                 if phrases else found.prestation)

"""The dossier form: a new dossier, an uploaded file, a recorded one edited; decided and recorded on « Décider ».

The form keeps what the analyst typed whatever happens: an error is shown next
to its field (named by its label, :func:`en_mots_du_guichet`), a child is added
or removed, a decision is taken and can be edited and taken again.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from console.dependances import Auteur, Etat, Journal
from console.dossiers import DossierRefuse, decider_et_enregistrer, parse_fichier, regime_of
from console.formulaire import Formulaire, identifiant
from console.pages import FORM_LIMITS, Numero
from console.requetes import verifier_taille
from console.saisie import appliquer, sans_vides
from console.vues import regime_demande, rendre_page
from engine.regime import regimes

router = APIRouter(include_in_schema=False)


def _formulaire(request: Request, regime, data: dict[str, Any], erreurs: dict[str, list[str]] | None = None,
                status_code: int = 200, source: int | None = None) -> HTMLResponse:
    form = Formulaire(regime)
    champs = form.champs(data, erreurs)
    erreurs = {path: [en_mots_du_guichet(m, path, champs) for m in messages]
               for path, messages in (erreurs or {}).items()}
    champs = form.champs(data, erreurs)
    all_errors = [(m, identifiant(path)) for path, messages in erreurs.items() for m in messages]
    # The prestations claimed, by their names: the form shows what their rules read (None: every field).
    utiles = None if form.champs_utiles(data) is None else [
        form.phrases.libelle_prestation(d["prestation"]) for d in data.get("demandes") or []
        if isinstance(d, dict) and isinstance(d.get("prestation"), str)]
    return rendre_page(request, "formulaire.html", status_code, regime=regime, champs=champs,
                 erreurs=all_errors, source=source, regimes=list(regimes().values()), utiles=utiles,
                 aide_regime=form.phrases.data.get("formulaire", {}).get("aide", ""))


def en_mots_du_guichet(message: str, path: str, champs: list) -> str:
    """An error of the engine as the form shows it: the field named by its label (its path is in the analyst's
    detail), and dates as the form takes them."""
    labels: dict[str, str] = {}

    def walk(nodes) -> None:
        for node in nodes:
            labels.setdefault(node.chemin, node.libelle)
            walk(node.enfants)

    walk(champs)
    for chemin in sorted({path, *re.findall(r"« ([^«»]+) »", message)}, key=len, reverse=True):
        if labels.get(chemin):
            message = message.replace(f"« {chemin} »", f"« {labels[chemin].rstrip(' ?')} »")
    return message.replace("(attendu AAAA-MM-JJ)", "(attendu JJ/MM/AAAA)")


@router.get("/dossiers/nouveau", response_class=HTMLResponse)
def nouveau(request: Request, regime: str = ""):
    chosen = regime_demande(regime)
    return _formulaire(request, chosen, {"date_reference": dt.date.today().isoformat()})


@router.post("/dossiers", response_class=HTMLResponse)
async def envoyer(request: Request, etat: Etat, auteur: Auteur):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    values = {key: [str(v) for v in form.getlist(key)] for key in form}
    regime = regime_demande(values.get("__regime", [""])[0])
    source = values.get("__source", [""])[0]
    data = Formulaire(regime).lire(values)
    action = values.get("_action", ["decider"])[0]
    if action != "decider":
        return _formulaire(request, regime, appliquer(data, action), source=int(source) if source.isdigit() else None)
    try:
        ident, _, _ = await run_in_threadpool(decider_et_enregistrer, etat, sans_vides(data), regime.id,
                                              auteur, "console")
    except DossierRefuse as exc:
        return _formulaire(request, regime, data, exc.par_champ(), 422)
    return RedirectResponse(f"/decisions/{ident}", status_code=303)


@router.post("/dossiers/televerser", response_class=HTMLResponse)
async def televerser(request: Request, etat: Etat, auteur: Auteur):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    upload = form.get("fichier")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _formulaire(request, regime_demande(str(form.get("__regime", ""))), {},
                           {"(racine)": ["Choisissez un fichier YAML ou JSON."]}, 422)
    content = await upload.read()
    try:
        data = parse_fichier(content, upload.filename)
    except DossierRefuse as exc:
        return _formulaire(request, regime_demande(str(form.get("__regime", ""))), {}, exc.par_champ(), 422)
    regime = regime_demande(regime_of(data))
    try:
        ident, _, _ = await run_in_threadpool(decider_et_enregistrer, etat, data, None, auteur,
                                              "console")
    except DossierRefuse as exc:
        return _formulaire(request, regime, data if isinstance(data, dict) else {}, exc.par_champ(), 422)
    return RedirectResponse(f"/decisions/{ident}", status_code=303)


@router.get("/decisions/{ident}/modifier", response_class=HTMLResponse)
def modifier(request: Request, ident: Numero, journal: Journal):
    demande = journal.demande(ident)
    if demande is None:
        raise HTTPException(404, f"aucune décision n°{ident}")
    return _formulaire(request, regime_demande(demande["base"]), demande["donnees"], source=ident)

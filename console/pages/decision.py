"""A recorded decision: its page (each prestation's why, a what-if on a refusal, under an amendment), its letters.

A decision is opened again from the dossier the journal kept
(:func:`console.dossiers.rouvrir`); under a shipped amendment it is decided
again under the amended law, and that simulation is not recorded.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from console.dependances import Etat
from console.dossiers import DossierRefuse, ErreurInterne, decider, lettres_de, rouvrir
from console.entetes import choisi, choix_entetes
from console.etat import EtatServeur
from console.formulaire import Formulaire
from console.pages import Numero
from console.travaux import amendements, sous_amendement
from console.vues import rendre_page
from explain.lettres import avertissement_destinataire, manques_destinataire
from explain.orientation import orientation_config
from explain.phrases import catalogue_de
from explain.render import amendements as amendements_de
from explain.render import orientation_texte
from explain.why import context
from usecases.amendement import AmendmentError
from usecases.journal import personne_of
from usecases.whatif import pistes

router = APIRouter(include_in_schema=False)


def _rouvrir(etat: EtatServeur, ident: int):
    try:
        found = rouvrir(etat, ident)
    except DossierRefuse as exc:  # the base changed so much the dossier no longer validates
        raise HTTPException(409, f"ce dossier n'est plus valide pour la base actuelle : {exc}") from exc
    if found is None:
        raise HTTPException(404, f"aucune décision n°{ident}")
    return found


@router.get("/decisions/{ident}", response_class=HTMLResponse)
async def decision_page(request: Request, etat: Etat, ident: Numero, si: str = "", amendement: str = "",
                        date_effet: str = ""):
    return await run_in_threadpool(_decision_page, request, etat, ident, si, amendement, date_effet)


def _sous_amendement(dossier, amendement: str, date_effet: str):
    """The dossier under the shipped amendment the page asks for, and what went wrong if it cannot be applied
    (said on the page, in French; the decision is then shown under the base)."""
    if not amendement:
        return dossier, None
    try:
        when = dt.date.fromisoformat(date_effet) if date_effet else None
    except ValueError:
        return dossier, f"« date d'effet » : date invalide « {date_effet} » (AAAA-MM-JJ)"
    try:
        return sous_amendement(dossier, amendement, when), None
    except AmendmentError as exc:
        return dossier, str(exc)


def _decision_page(request: Request, etat: EtatServeur, ident: int, si: str, amendement: str = "",
                   date_effet: str = "") -> HTMLResponse:
    demande, dossier, decision = _rouvrir(etat, ident)
    dossier, erreur_amendement = _sous_amendement(dossier, amendement, date_effet)
    if dossier.regime.amendment_tag:  # decided again, under the amended law (a simulation: not recorded)
        decision = decider(dossier, etat.solver)
    phrases = catalogue_de(decision)
    prestations = []
    for pid, prestation in decision.prestations.items():
        answer = pistes(dossier, decision, pid) if si == pid else None
        prestations.append({"id": pid, "ctx": context(decision, pid, None, answer), "statut": prestation.statut})
    offerts = [a for a in amendements().values() if a.regime == dossier.regime.id]
    suite = urlencode({"amendement": amendement, "date_effet": date_effet}) if amendement else ""
    return rendre_page(request, "decision.html", demande=demande, dossier=dossier, decision=decision,
                       prestations=prestations,
                 personne=personne_of(dossier.data),
                 libelle_champ=functools.partial(Formulaire(dossier.regime).libelle_de, data=dossier.data),
                 regime=dossier.regime, si=si, nom_regime=dossier.regime.meta.get("nom", dossier.regime.id),
                 libelle=phrases.libelle_prestation, orientation=orientation_texte(decision),
                 orientation_resume=" ".join(phrases.data.get("orientation", {}).get("resume", "").split()),
                 amendements_offerts=offerts, amendement=amendement,
                 date_effet=date_effet, erreur_amendement=erreur_amendement,
                 sous_amendements=amendements_de(decision), suite=suite)


def _rouvrir_sous(etat: EtatServeur, ident: int, amendement: str, date_effet: str):
    """A recorded decision, decided again under the shipped amendment the page names (if any)."""
    demande, dossier, decision = _rouvrir(etat, ident)
    dossier, erreur = _sous_amendement(dossier, amendement, date_effet)
    if erreur is not None:
        raise HTTPException(422, erreur)
    if dossier.regime.amendment_tag:
        decision = decider(dossier, etat.solver)
    return demande, dossier, decision


def _entete_choisi(etat: EtatServeur, regime, cle: str):
    """The letterheads offered for a letter of ``regime`` and the one of key ``cle`` (404 if none)."""
    choix = choix_entetes(regime, etat.entetes)
    found = choisi(choix, cle)
    if found is None:
        raise HTTPException(404, f"aucun en-tête d'office « {cle} » (en-têtes : "
                                 f"{', '.join(c.libelle for c in choix)})")
    return choix, found


def _suite(amendement: str, date_effet: str, entete: str) -> str:
    """The query a letter's links carry on: the amendment it is decided under and the office's letterhead."""
    return urlencode({k: v for k, v in (("amendement", amendement), ("date_effet", date_effet), ("entete", entete))
                      if v})


@router.get("/decisions/{ident}/lettre/{prestation}", response_class=HTMLResponse)
def lettre_page(request: Request, etat: Etat, ident: Numero, prestation: str, amendement: str = "",
                date_effet: str = "", entete: str = ""):
    _, dossier, decision = _rouvrir_sous(etat, ident, amendement, date_effet)
    if prestation not in decision.prestations:
        raise HTTPException(404, f"prestation « {prestation} » non examinée pour ce dossier")
    # A regime that orients a household writes it one letter, whichever scheme's link was followed.
    config = orientation_config(decision.base)
    libelle = (" ".join(config["objet"].split()) if config
               else catalogue_de(decision).libelle_prestation(prestation))
    choix, courant = _entete_choisi(etat, dossier.regime, entete)
    # A letter without its addressee is still written, with a blank block: the clerk is told before printing it.
    avertissement = avertissement_destinataire(manques_destinataire(dossier))
    return rendre_page(request, "lettre.html", ident=ident, prestation=prestation, libelle=libelle, decision=decision,
                 choix_entetes=choix, entete=courant.cle, amendement=amendement, date_effet=date_effet,
                 suite=_suite(amendement, date_effet, entete), retour=_suite(amendement, date_effet, ""),
                 avertissement=avertissement[:1].upper() + avertissement[1:] + "." if avertissement else None)


@router.get("/decisions/{ident}/lettre/{prestation}/{fichier}")
async def lettre_fichier(etat: Etat, ident: Numero, prestation: str, fichier: str, amendement: str = "",
                         date_effet: str = "", entete: str = ""):
    return await run_in_threadpool(_lettre_fichier, etat, ident, prestation, fichier, amendement, date_effet,
                                   entete)


def _lettre_fichier(etat: EtatServeur, ident: int, prestation: str, fichier: str, amendement: str = "",
                    date_effet: str = "", entete: str = "") -> Response:
    if fichier not in ("lettre.html", "lettre.pdf"):
        raise HTTPException(404, "lettre.html ou lettre.pdf")
    _, dossier, decision = _rouvrir_sous(etat, ident, amendement, date_effet)
    if prestation not in decision.prestations:
        raise HTTPException(404, f"prestation « {prestation} » non examinée pour ce dossier")
    _, courant = _entete_choisi(etat, dossier.regime, entete)
    try:
        (lettre,) = lettres_de(dossier, decision, prestation, courant.bureau)
    except ErreurInterne as exc:
        raise HTTPException(500, str(exc)) from exc
    if fichier == "lettre.html":
        return Response(lettre.html(), media_type="text/html; charset=utf-8")
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{decision.dossier}-{prestation}")
    return Response(lettre.pdf(), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})

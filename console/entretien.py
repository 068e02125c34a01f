"""The counter interview over HTTP: ``POST /api/v1/entretien`` and the console's « Nouvel entretien » screens.

Both are stateless: the client (a phone app, the console's page) holds the
partial dossier and the fields the claimant does not know, and sends them
back with each answer; the server validates them again every time, exactly
as it validates a dossier sent to ``/api/v1/evaluate``. The next question
comes from :mod:`usecases.entretien`; the decision, once no answer can
change it, is the JSON of ``evaluate`` (the API) or the console's decision
page, recorded in the journal like any decision the console takes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from console.dependances import Auteur, Etat, Journal, Solveur
from console.dossiers import (
    DossierRefuse,
    Erreur,
    ErreurInterne,
    decider_et_enregistrer,
    decision_bytes,
    parse_json,
    valider,
)
from console.etat import EtatServeur
from console.requetes import corps, verifier_taille
from console.vues import regime_demande, rendre_page
from engine.regime import Regime, default_regime_id, regimes
from engine.solver import Solver
from explain.phrases import catalogue
from explain.questions import libelle_question
from usecases.entretien import (
    Choix,
    EntretienError,
    Etape,
    ProchaineQuestion,
    dossier_yaml,
    lire_reponse,
    listes_nommees,
    nouveau_dossier,
    prestations,
    prochaine_etape,
    repondre,
    retirer,
)

api = APIRouter(prefix="/api/v1", tags=["API"])
pages = APIRouter(include_in_schema=False)
JSON = "application/json"
FORM_LIMITS = {"max_files": 0, "max_fields": 200, "max_part_size": 1 << 20}
INCONNUS_MAX = 500


# -- the API ---------------------------------------------------------------------------------
class ChoixModele(BaseModel):
    """Un choix proposé : les mots du guichet et la valeur que garde le dossier."""

    valeur: Any = Field(description="La valeur à écrire dans le dossier au chemin `champ`.")
    libelle: str = Field(description="Le choix dans les mots du guichet.")


class QuestionModele(BaseModel):
    """La prochaine question à poser au demandeur."""

    champ: str = Field(description="Le chemin du dossier que la réponse remplit, par exemple "
                                   "`enfants[1].date_naissance`.")
    libelle: str = Field(description="La question en français, qui nomme l'enfant concerné.")
    type: str = Field(description="Le type de la réponse : `date`, `entier`, `booleen`, `choix`, `texte` ou "
                                  "`liste de dates`.")
    choix: list[ChoixModele] = Field(description="Les choix possibles (oui/non, ou les valeurs d'une liste) ; "
                                                 "vide pour une date, un nombre ou un texte.")


class ReponseQuestion(BaseModel):
    """Une réponse peut encore changer la décision : la question à poser."""

    question: QuestionModele
    prestations_ouvertes: list[str] = Field(description="Les prestations demandées qu'une réponse peut encore "
                                                        "changer.")
    en_attente: list[str] = Field(description="Les champs que le demandeur ne connaît pas et dont une condition "
                                              "dépend.")


class ReponseDecision(BaseModel):
    """Plus aucune réponse ne peut changer la décision : la décision, JSON de `POST /api/v1/evaluate`."""

    decision: dict[str, Any] = Field(description="La décision sur le dossier ainsi complété, octet pour octet "
                                                 "le JSON de `prevoyance evaluate --format json`.")


_CORPS = {"requestBody": {"required": True, "content": {JSON: {"schema": {
    "type": "object", "required": ["dossier"], "additionalProperties": False, "properties": {
        "dossier": {"type": "object", "description": "Le dossier partiel : régime (`base`), demandes et leurs "
                                                     "dates, date de référence, identité du demandeur, prénoms "
                                                     "des enfants, et les réponses déjà données."},
        "inconnus": {"type": "array", "items": {"type": "string"},
                     "description": "Les chemins que le demandeur a dit ne pas connaître : jamais redemandés, "
                                    "listés en attente dans la décision."}}}}}}}


def _erreurs(exc: DossierRefuse) -> JSONResponse:
    return JSONResponse({"erreurs": [{"champ": e.champ, "message": e.message} for e in exc.erreurs]},
                        status_code=422)


def lire_demande(body: Any) -> tuple[dict[str, Any], list[str]]:
    """The dossier and the unknown paths of a request, or :class:`DossierRefuse` naming what is wrong."""
    if not isinstance(body, dict):
        raise DossierRefuse([Erreur("(racine)", "un objet est attendu : {\"dossier\": …, \"inconnus\": […]}")])
    unknown = sorted(set(body) - {"dossier", "inconnus"})
    if unknown:
        raise DossierRefuse([Erreur("(racine)", f"champ inconnu « {unknown[0]} » (champs admis ici : dossier, "
                                                "inconnus)")])
    dossier = body.get("dossier")
    if not isinstance(dossier, dict):
        raise DossierRefuse([Erreur("dossier", "« dossier » : un objet (le dossier partiel) est attendu")])
    inconnus = body.get("inconnus", [])
    if not isinstance(inconnus, list) or len(inconnus) > INCONNUS_MAX:
        raise DossierRefuse([Erreur("inconnus", f"« inconnus » : une liste d'au plus {INCONNUS_MAX} chemins "
                                                "est attendue")])
    for position, champ in enumerate(inconnus):
        if not isinstance(champ, str) or not champ or len(champ) > 300:
            raise DossierRefuse([Erreur(f"inconnus[{position}]", f"« inconnus[{position}] » : un chemin du "
                                                                 "dossier est attendu (par exemple "
                                                                 "enfants[0].date_naissance)")])
    return dossier, inconnus


def etape(dossier: dict[str, Any], inconnus: list[str], solver: Solver) -> Etape:
    """The interview's next step for a raw partial dossier (validated here: DossierRefuse when it fails),
    decided by the server's ``solver``."""
    data = {"id": "entretien", **dossier}
    valide = valider(data)
    try:
        return prochaine_etape(valide.regime, valide.data, inconnus, solver=solver)
    except EntretienError as exc:
        raise DossierRefuse([Erreur("inconnus", f"« inconnus » : {exc}")]) from None
    except (RuntimeError, ValueError) as exc:
        raise ErreurInterne(f"erreur interne de la base de règles : {exc}") from exc


def question_json(regime: Regime, q: ProchaineQuestion) -> dict[str, Any]:
    return {"champ": q.champ, "libelle": libelle_question(regime, q), "type": q.type,
            "choix": [{"valeur": c.valeur, "libelle": c.libelle} for c in q.choix]}


@api.post("/entretien", summary="L'entretien au guichet : la prochaine question, ou la décision",
          response_model=ReponseQuestion | ReponseDecision, openapi_extra=_CORPS,
          responses={422: {"description": "Dossier ou chemins invalides : chaque erreur avec le chemin de son "
                                          "champ"}})
async def api_entretien(request: Request, solveur: Solveur) -> Response:
    """Sans état : envoyez le dossier partiel et les chemins inconnus ; la réponse est la question dont la
    réponse peut encore changer une prestation demandée (la plus décisive d'abord), ou, quand plus rien ne peut
    la changer, la décision. Ajoutez la réponse au dossier (au chemin `champ`), ou le chemin à `inconnus` si le
    demandeur ne sait pas, et renvoyez."""
    return await run_in_threadpool(_entretien, await corps(request), solveur)


def _entretien(body: bytes, solver: Solver) -> Response:
    try:
        dossier, inconnus = lire_demande(parse_json(body))
        step = etape(dossier, inconnus, solver)
        if step.question is None:
            text = decision_bytes(step.decision).decode("utf-8")
            return Response(f'{{"decision": {text.rstrip()}}}\n'.encode(), media_type=JSON)
        return JSONResponse({"question": question_json(step.dossier.regime, step.question),
                             "prestations_ouvertes": step.ouvertes, "en_attente": step.en_attente})
    except DossierRefuse as exc:
        return _erreurs(exc)
    except ErreurInterne as exc:
        return JSONResponse({"erreurs": [{"champ": "(racine)", "message": str(exc)}]}, status_code=500)


# -- the console's screens -----------------------------------------------------------------------
def encoder_etat(etat: dict[str, Any]) -> str:
    """The interview's state for a hidden field (re-validated on every post: nothing in it is trusted)."""
    return base64.urlsafe_b64encode(json.dumps(etat, ensure_ascii=False).encode()).decode()


def decoder_etat(text: str) -> dict[str, Any]:
    try:
        etat = json.loads(base64.urlsafe_b64decode(text.encode()).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise HTTPException(422, "état de l'entretien illisible : recommencez l'entretien") from None
    if not isinstance(etat, dict) or not isinstance(etat.get("dossier"), dict):
        raise HTTPException(422, "état de l'entretien illisible : recommencez l'entretien")
    for key in ("inconnus", "historique"):
        if not isinstance(etat.get(key, []), list) or not all(isinstance(c, str) for c in etat.get(key, [])):
            raise HTTPException(422, "état de l'entretien illisible : recommencez l'entretien")
    return etat


def _debut(request: Request, regime, erreurs: list[str] | None = None, valeurs: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    phrases = catalogue(regime)
    today = dt.date.today().isoformat()
    return rendre_page(request, "entretien_debut.html", status_code, regime=regime, regimes=list(regimes().values()),
                 prestations=[(p, phrases.libelle_prestation(p)) for p in prestations(regime)],
                 listes=listes_nommees(regime), erreurs=erreurs or [],
                 valeurs=valeurs or {"date_reference": today, "date_demande": today})


@pages.get("/entretien", response_class=HTMLResponse)
def entretien_debut(request: Request, regime: str = ""):
    return _debut(request, regime_demande(regime or default_regime_id()))


@pages.post("/entretien", response_class=HTMLResponse)
async def entretien_envoi(request: Request, serveur: Etat, auteur: Auteur):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    return await run_in_threadpool(_commencer, request, serveur, auteur, form)


@pages.post("/entretien/reponse", response_class=HTMLResponse)
async def entretien_reponse(request: Request, serveur: Etat, auteur: Auteur):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    etat = decoder_etat(str(form.get("etat", "")))
    action = str(form.get("_action") or "repondre")
    if action not in ("repondre", "inconnu", "precedent"):
        raise HTTPException(422, f"action inconnue « {action} »")
    return await run_in_threadpool(_repondre, request, serveur, auteur, etat, form, action)


def _commencer(request: Request, serveur: EtatServeur, auteur: str, form) -> Response:
    regime = regime_demande(str(form.get("regime", "")) or default_regime_id())
    chosen = [str(p) for p in form.getlist("prestations")]
    valeurs = {"date_reference": str(form.get("date_reference", "")), "date_demande": str(form.get("date_demande", "")),
               "prestations": chosen, **{f"liste_{li.cle}": str(form.get(f"liste_{li.cle}", ""))
                                         for li in listes_nommees(regime)},
               "nom": str(form.get("nom", "")), "prenoms": str(form.get("prenoms", ""))}
    erreurs = [] if chosen else ["Cochez au moins une prestation demandée."]
    noms = {li.cle: valeurs[f"liste_{li.cle}"].replace(",", "\n").splitlines() for li in listes_nommees(regime)}
    data = nouveau_dossier(regime, chosen, valeurs["date_demande"] or None, valeurs["date_reference"] or None, noms,
                           {"nom": valeurs["nom"], "prenoms": valeurs["prenoms"]},
                           f"entretien-{dt.date.today().isoformat()}")
    if erreurs:
        return _debut(request, regime, erreurs, valeurs, 422)
    try:
        valider(data)
    except DossierRefuse as exc:
        return _debut(request, regime, [e.message for e in exc.erreurs], valeurs, 422)
    return _suite(request, serveur, auteur, {"dossier": data, "inconnus": [], "historique": []})


def _repondre(request: Request, serveur: EtatServeur, auteur: str, etat: dict[str, Any], form,
              action: str) -> Response:
    data, inconnus, historique = etat["dossier"], list(etat.get("inconnus", [])), list(etat.get("historique", []))
    if action == "precedent":
        if historique:
            champ = historique.pop()
            if champ in inconnus:
                inconnus.remove(champ)
            else:
                data = retirer(data, champ)
        return _suite(request, serveur, auteur, {"dossier": data, "inconnus": inconnus, "historique": historique})
    champ = str(form.get("champ", ""))
    try:
        step = etape(data, inconnus, serveur.solver)
    except DossierRefuse as exc:
        raise HTTPException(422, f"dossier de l'entretien invalide : {exc}") from None
    if step.question is None or step.question.champ != champ:
        return _suite(request, serveur, auteur, etat)  # a stale page (a double post): show the current question
    if action == "inconnu":
        inconnus.append(champ)
        historique.append(champ)
        return _suite(request, serveur, auteur, {"dossier": data, "inconnus": inconnus, "historique": historique})
    texte = str(form.get("reponse", ""))
    try:
        valeur = lire_reponse(step.question, texte)
        completed = repondre(step.dossier.regime, data, champ, valeur)
        valider({"id": "entretien", **completed})
    except EntretienError as exc:
        return _ecran(request, step, etat, str(exc), texte, 422)
    except DossierRefuse as exc:
        return _ecran(request, step, etat, "; ".join(e.message for e in exc.erreurs), texte, 422)
    historique.append(champ)
    return _suite(request, serveur, auteur, {"dossier": completed, "inconnus": inconnus, "historique": historique})


def _suite(request: Request, serveur: EtatServeur, auteur: str, etat: dict[str, Any]) -> Response:
    """The next screen: a question, or the decision recorded in the journal and its page."""
    try:
        step = etape(etat["dossier"], etat.get("inconnus", []), serveur.solver)
    except DossierRefuse as exc:
        raise HTTPException(422, f"dossier de l'entretien invalide : {exc}") from None
    if step.question is not None:
        return _ecran(request, step, etat)
    ident, _, _ = decider_et_enregistrer(serveur, {"id": "entretien", **etat["dossier"]}, None, auteur,
                                         "console")
    return RedirectResponse(f"/decisions/{ident}", status_code=303)


def _ecran(request: Request, step: Etape, etat: dict[str, Any], erreur: str | None = None, saisie: str = "",
           status_code: int = 200) -> HTMLResponse:
    phrases = catalogue(step.dossier.regime)
    demandees = [d["prestation"] for d in step.dossier.data.get("demandes", [])]
    q = step.question
    return rendre_page(request, "entretien_question.html", status_code, question=q,
                 libelle=libelle_question(step.dossier.regime, q), etat=encoder_etat(etat),
                 erreur=erreur, saisie=saisie, numero=len(etat.get("historique", [])) + 1,
                 precedent=bool(etat.get("historique")),
                 ouvertes=[phrases.libelle_prestation(p) for p in step.ouvertes],
                 reglees=[phrases.libelle_prestation(p) for p in demandees if p not in step.ouvertes],
                 en_attente=len(step.en_attente), valeur_choix=_valeur_choix)


def _valeur_choix(choix: Choix) -> str:
    """A choice as the form posts it: the words a typed answer accepts (``oui``, ``non``, the value)."""
    if choix.valeur is True:
        return "oui"
    if choix.valeur is False:
        return "non"
    return str(choix.valeur)


@pages.get("/decisions/{ident}/dossier.yaml")
def telecharger_dossier(journal: Journal, ident: int) -> Response:
    """The dossier a decision was taken on, as YAML: the one an interview completed, to keep or reopen."""
    if not 1 <= ident <= 2**62:
        raise HTTPException(404, f"aucune décision n°{ident}")
    demande = journal.demande(ident)
    if demande is None:
        raise HTTPException(404, f"aucune décision n°{ident}")
    text = dossier_yaml(demande["donnees"])
    name = str(demande["donnees"].get("id", ident)).replace('"', "")
    return Response(text.encode(), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'})


__all__ = ["api", "pages"]

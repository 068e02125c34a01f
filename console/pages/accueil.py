"""The home page, signing in and out, and the API's documentation read offline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from console.acces import DUREE_SESSION, TropDEssais
from console.dependances import Etat, Journal
from console.pages import FORM_LIMITS
from console.requetes import verifier_taille
from console.vues import rendre_page
from engine.regime import default_regime_id, regimes

router = APIRouter(include_in_schema=False)


# -- home, sign-in ---------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def accueil(request: Request, journal: Journal):
    rows, _ = journal.chercher(par_page=8)
    return rendre_page(request, "accueil.html", regimes=list(regimes().values()), recentes=rows,
                 defaut=default_regime_id())


@router.get("/connexion", response_class=HTMLResponse)
def connexion(request: Request, suite: str = "/"):
    return rendre_page(request, "connexion.html", suite=_local(suite), erreur=None)


@router.post("/connexion", response_class=HTMLResponse)
async def connexion_envoi(request: Request, etat: Etat):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    nom, mot, suite = str(form.get("nom", "")), str(form.get("mot_de_passe", "")), _local(str(form.get("suite", "/")))
    controle = etat.controle
    if controle.ouvert:
        return RedirectResponse(suite, status_code=303)
    client = request.client.host if request.client else "?"
    try:
        good = await run_in_threadpool(controle.verifier, nom, mot, client)
    except TropDEssais as exc:
        response = rendre_page(request, "connexion.html", 429, suite=suite, erreur=str(exc))
        response.headers["Retry-After"] = str(exc.attente)
        return response
    if not good:
        return rendre_page(request, "connexion.html", 401, suite=suite, erreur="Nom ou mot de passe incorrect.")
    response = RedirectResponse(suite, status_code=303)
    response.set_cookie("prevoyance_session", controle.jeton_session(nom), max_age=DUREE_SESSION, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/deconnexion")
def deconnexion():
    response = RedirectResponse("/connexion", status_code=303)
    response.delete_cookie("prevoyance_session")
    return response


def _local(path: str) -> str:
    """Only a path of this site after signing in (no open redirect)."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


# -- API documentation, offline --------------------------------------------------------------
@router.get("/api/v1/docs", response_class=HTMLResponse)
def documentation(request: Request):
    return rendre_page(request, "docs.html")

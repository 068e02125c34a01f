"""The access middleware: a request from another site is refused, an unidentified one is sent to sign in.

Every request but the static files and the sign-in page is identified
(session cookie, or HTTP Basic for an API client) before it reaches a route;
who sent it is kept in ``request.state.auteur``, which routes receive through
:data:`console.dependances.Auteur`. Repeated failed sign-ins are answered
429 with the wait (:func:`trop_d_essais`).
"""

from __future__ import annotations

import html

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from console.acces import TropDEssais
from console.dependances import etat_de
from console.etat import EtatServeur

OUVERTS = ("/static/", "/connexion")
_LOCAUX = ("127.0.0.1", "localhost", "[::1]")


async def garde(request: Request, call_next):
    """Refuse a request from elsewhere, identify the others (``request.state.auteur``), or ask to sign in."""
    etat = etat_de(request)
    path = request.url.path
    refus = _requete_etrangere(request, etat)
    if refus:
        if path.startswith("/api/"):
            return JSONResponse({"erreurs": [{"champ": "(racine)", "message": refus}]}, status_code=403)
        # The refusal quotes Host and Origin, which the client wrote: escaped, never markup.
        return HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Refusé</title>"
                            f"<p>{html.escape(refus)}.</p></html>", status_code=403)
    if path.startswith(OUVERTS):
        request.state.auteur = None
        return await call_next(request)
    try:
        auteur = _auteur(request, etat)
    except TropDEssais as exc:
        return trop_d_essais(request, exc)
    if auteur is None:
        if path.startswith("/api/"):
            return JSONResponse({"erreurs": [{"champ": "(racine)", "message": "authentification requise"}]},
                                status_code=401, headers={"WWW-Authenticate": 'Basic realm="prevoyance"'})
        return RedirectResponse(f"/connexion?suite={request.url.path}", status_code=303)
    request.state.auteur = auteur
    return await call_next(request)


def _auteur(request: Request, etat: EtatServeur) -> str | None:
    """Who sends the request (:class:`TropDEssais` for HTTP Basic after repeated failures)."""
    client = request.client.host if request.client else "?"
    if etat.controle.ouvert:
        return f"poste local ({client})"
    return (etat.controle.session(request.cookies.get("prevoyance_session"))
            or etat.controle.basic(request.headers.get("authorization"), client))


def trop_d_essais(request: Request, exc: TropDEssais) -> Response:
    """429, with the wait in French and in ``Retry-After``."""
    headers = {"Retry-After": str(exc.attente)}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreurs": [{"champ": "(racine)", "message": str(exc)}]}, status_code=429,
                            headers=headers)
    return HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Trop d'essais</title>"
                        f"<p>{html.escape(str(exc))}</p></html>", status_code=429, headers=headers)


def _requete_etrangere(request: Request, etat: EtatServeur) -> str | None:
    """Why a request must be refused as coming from elsewhere, if it must.

    A page of another site must not make the analyst's browser post to the console (its ``Origin``
    differs from the console's); an open console (loopback) answers only to a loopback ``Host``, so
    that a name rebound to 127.0.0.1 does not reach it.
    """
    host = request.headers.get("host", "")
    if etat.controle.ouvert and host.rsplit(":", 1)[0] not in _LOCAUX and host not in _LOCAUX:
        return f"console ouverte sur la boucle locale : l'hôte « {host} » n'est pas local"
    origin = request.headers.get("origin")
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe and origin and (origin == "null" or origin.split("://", 1)[-1] != host):
        return f"requête venue d'un autre site ({origin})"
    return None

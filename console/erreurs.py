"""Errors in French: the application's exception handlers, their pages, and the validator's messages translated.

The handlers (:func:`requete_invalide`, :func:`erreur_http`, :func:`erreur_interne`) answer the API with
``{"erreurs": [{"champ", "message"}]}`` and a page with the console's error page; no error ends as a
traceback.

Request validation errors: what FastAPI's validator (pydantic) refuses in a query, a path or a form.

The dossier itself is validated by the engine (:mod:`engine.dossier`), in French already; what reaches
here is the shape of a request (a filter, a page number, a format). Pydantic writes its messages in
English; the person who reads the 422 — an analyst on a page, the institution's IT in the API — gets
them in French, worded as the dossier's errors are (« « champ » doit valoir au plus N ; reçu X »),
keyed by pydantic's error type, with pydantic's own message kept only for a type this table does not know.
"""

from __future__ import annotations

import http
import re
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from console.dependances import auteur_de, etat_de
from console.vues import templates
from engine.dossier import apercu

_ALTERNATIVES = re.compile(r"'((?:[^'\\]|\\.)*)'")
# pydantic's error types: "<kind>_parsing" / "<kind>_type" → what was expected
_TYPES = {"int": "un entier", "float": "un nombre", "bool": "un booléen (true/false)", "string": "une chaîne",
          "dict": "un objet", "model": "un objet", "list": "une liste", "date": "une date AAAA-MM-JJ",
          "datetime": "une date AAAA-MM-JJ"}
_BORNES = {"greater_than_equal": ("ge", "au moins"), "greater_than": ("gt", "plus de"),
           "less_than_equal": ("le", "au plus"), "less_than": ("lt", "moins de")}


def _admises(attendu: str) -> str:
    """« '', 'accorde' or 'refuse' » → « (vide), accorde, refuse »."""
    valeurs = _ALTERNATIVES.findall(attendu)
    return ", ".join(v if v else "(vide)" for v in valeurs) if valeurs else attendu


def message(erreur: dict[str, Any]) -> str:
    """The French sentence for one error of ``RequestValidationError.errors()``."""
    # the parameter's own name: where it sits (query, path, body) is the 422's "champ", not the reader's concern
    champ = ".".join(str(p) for p in erreur.get("loc", ())[1:]) or ".".join(str(p) for p in erreur.get("loc", ()))
    genre, ctx, entree = erreur.get("type", ""), erreur.get("ctx") or {}, erreur.get("input")
    if genre == "missing":
        return f"champ obligatoire manquant « {champ} »"
    if genre in ("literal_error", "enum"):
        admises = _admises(str(ctx.get("expected", "")))
        return f"« {champ} » : valeur inconnue {apercu(entree)} (valeurs admises : {admises})"
    if genre in _BORNES:
        cle, mot = _BORNES[genre]
        return f"« {champ} » doit valoir {mot} {ctx.get(cle)} ; reçu {apercu(entree)}"
    if genre == "string_too_long":
        return f"« {champ} » : texte trop long (au plus {ctx.get('max_length')} caractères)"
    if genre == "string_too_short":
        return f"« {champ} » ne peut pas être vide" if ctx.get("min_length") == 1 else \
            f"« {champ} » : texte trop court (au moins {ctx.get('min_length')} caractères)"
    if genre in ("too_long", "too_short"):  # a list: its length and the bound, never its content
        mot, cle = ("au plus", "max_length") if genre == "too_long" else ("au moins", "min_length")
        return f"« {champ} » : {ctx.get('actual_length', '?')} éléments ; la liste en compte {mot} {ctx.get(cle)}"
    if genre == "json_invalid":
        return "JSON illisible"
    if genre.startswith("date_") or genre.startswith("datetime_"):  # date_from_datetime_inexact, date_parsing…
        return f"« {champ} » doit être une date AAAA-MM-JJ ; reçu {apercu(entree)}"
    attendu = _TYPES.get(genre.split("_")[0])
    if attendu is not None and genre.endswith(("_parsing", "_type", "_from_float", "_fraction")):
        return f"« {champ} » doit être {attendu} ; reçu {apercu(entree)}"
    return f"« {champ} » : valeur refusée {apercu(entree)}"


# Starlette's own details (a multipart form over its limits, a status without detail), in French.
_DETAILS = (
    (re.compile(r"Too many files\. Maximum number of files is (\d+)\."), "trop de fichiers envoyés : au plus {0}"),
    (re.compile(r"Too many fields\. Maximum number of fields is (\d+)\."),
     "trop de champs dans le formulaire : au plus {0}"),
    (re.compile(r"(?:Field|Part) exceeded maximum size of (\d+)KB\."), "une partie du formulaire dépasse {0} Kio"),
    (re.compile(r"Missing boundary in multipart\."), "formulaire mal formé (séparateur manquant)"),
    (re.compile(r"Invalid multipart data\."), "formulaire mal formé"),
    (re.compile(r'The Content-Disposition header field "name" must be provided\.'),
     "formulaire mal formé (champ sans nom)"),
    (re.compile(r"Not Found"), "page introuvable"),
    (re.compile(r"Method Not Allowed"), "méthode non admise à cette adresse"),
    (re.compile(r"Bad Request"), "requête invalide"),
    (re.compile(r"Unsupported Media Type"), "type de contenu non pris en charge"),
)


def detail(texte: str) -> str:
    """An HTTP error's detail in French: Starlette's English ones translated, the console's own kept."""
    for motif, francais in _DETAILS:
        trouve = motif.fullmatch(texte)
        if trouve:
            return francais.format(*trouve.groups())
    return texte


# Starlette's own refusals say « Not Found », « Method Not Allowed »: a clerk reads French.
_REFUS_HTTP = {404: "page introuvable : cette adresse n'existe pas dans la console",
               405: "méthode non admise à cette adresse", 400: "requête mal formée",
               401: "authentification requise", 403: "accès refusé", 413: "corps de requête trop volumineux",
               415: "type de contenu non pris en charge"}


def en_francais(exc: StarletteHTTPException) -> str:
    """The refusal's message: ours as written, Starlette's English phrases in French (with the methods
    admitted for a 405)."""
    texte = exc.detail if isinstance(exc.detail, str) else ""
    try:
        english = http.HTTPStatus(exc.status_code).phrase
    except ValueError:
        english = ""
    if texte and texte != english:
        return detail(texte)  # ours as written; Starlette's own details (« Too many files… ») in French
    refus = _REFUS_HTTP.get(exc.status_code, f"erreur {exc.status_code}")
    admises = (getattr(exc, "headers", None) or {}).get("Allow")
    return f"{refus} (admises : {admises})" if exc.status_code == 405 and admises else refus


def _erreur_page(request: Request, titre: str, erreurs: list[dict[str, str]], status_code: int) -> HTMLResponse:
    context = {"titre": titre, "erreurs": erreurs, "auteur": auteur_de(request),
               "ouvert": etat_de(request).controle.ouvert}
    return templates.TemplateResponse(request, "erreur.html", context, status_code=status_code)


async def requete_invalide(request: Request, exc: RequestValidationError):
    """422: each field the validator refused, with its message in French."""
    erreurs = [{"champ": ".".join(str(p) for p in e.get("loc", ())), "message": message(e)}
               for e in exc.errors()]
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreurs": erreurs}, status_code=422)
    return _erreur_page(request, "Requête invalide", erreurs, 422)


async def erreur_http(request: Request, exc: StarletteHTTPException):
    """A refusal (404, 405, 413…) in French."""
    texte = en_francais(exc)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreurs": [{"champ": "(racine)", "message": texte}]},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))
    return _erreur_page(request, texte, [], exc.status_code)


async def erreur_interne(request: Request, exc: Exception):
    """A defect of the server: said plainly, no traceback."""
    texte = f"erreur interne ({type(exc).__name__})"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreurs": [{"champ": "(racine)", "message": texte}]}, status_code=500)
    return HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Erreur</title>"
                        f"<p>{texte}. <a href=\"/\">Revenir à l'accueil</a></p></html>", status_code=500)

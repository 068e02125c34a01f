"""Request validation errors in French: what FastAPI's validator (pydantic) refuses in a query, a path or a form.

The dossier itself is validated by the engine (:mod:`engine.dossier`), in French already; what reaches
here is the shape of a request (a filter, a page number, a format). Pydantic writes its messages in
English; the person who reads the 422 — an analyst on a page, the institution's IT in the API — gets
them in French, worded as the dossier's errors are (« « champ » doit valoir au plus N ; reçu X »),
keyed by pydantic's error type, with pydantic's own message kept only for a type this table does not know.
"""

from __future__ import annotations

import re
from typing import Any

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

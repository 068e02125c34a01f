"""Request validation errors in French: what FastAPI's validator (pydantic) refuses in a query, a path or a form.

The dossier itself is validated by the engine, in French already; what reaches here is the shape of a
request (a filter, a page number, a format). Pydantic writes its messages in English; the person who
reads the 422 — an analyst on a page, the institution's IT in the API — gets them in French, keyed by
pydantic's error type, with pydantic's own message kept only for a type this table does not know.
"""

from __future__ import annotations

import re
from typing import Any

_ALTERNATIVES = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _admises(attendu: str) -> str:
    """« '', 'accorde' or 'refuse' » → « (vide), accorde, refuse »."""
    valeurs = _ALTERNATIVES.findall(attendu)
    return ", ".join(v if v else "(vide)" for v in valeurs) if valeurs else attendu


def _valeur(entree: Any) -> str:
    texte = str(entree)
    return texte if len(texte) <= 60 else texte[:57] + "…"


def message(erreur: dict[str, Any]) -> str:
    """The French sentence for one error of ``RequestValidationError.errors()``."""
    genre, ctx, entree = erreur.get("type", ""), erreur.get("ctx") or {}, erreur.get("input")
    if genre == "missing":
        return "champ obligatoire absent"
    if genre == "literal_error" or genre == "enum":
        return f"valeur inconnue « {_valeur(entree)} » (valeurs admises : {_admises(str(ctx.get('expected', '')))})"
    if genre in ("int_parsing", "int_type", "int_from_float"):
        return f"un nombre entier est attendu, pas « {_valeur(entree)} »"
    if genre in ("float_parsing", "float_type"):
        return f"un nombre est attendu, pas « {_valeur(entree)} »"
    if genre == "greater_than_equal":
        return f"doit valoir au moins {ctx.get('ge')} (reçu : {_valeur(entree)})"
    if genre == "greater_than":
        return f"doit valoir plus de {ctx.get('gt')} (reçu : {_valeur(entree)})"
    if genre == "less_than_equal":
        return f"doit valoir au plus {ctx.get('le')} (reçu : {_valeur(entree)})"
    if genre == "less_than":
        return f"doit valoir moins de {ctx.get('lt')} (reçu : {_valeur(entree)})"
    if genre in ("bool_parsing", "bool_type"):
        return f"oui ou non attendu (true ou false), pas « {_valeur(entree)} »"
    if genre.startswith("date") or genre.startswith("datetime"):
        return f"une date AAAA-MM-JJ est attendue, pas « {_valeur(entree)} »"
    if genre == "string_too_long":
        return f"texte trop long (au plus {ctx.get('max_length')} caractères)"
    if genre == "string_too_short":
        return f"texte trop court (au moins {ctx.get('min_length')} caractères)"
    if genre in ("string_type", "string_unicode"):
        return "un texte est attendu"
    if genre in ("dict_type", "model_attributes_type", "model_type"):
        return "un objet JSON est attendu"
    if genre == "list_type":
        return "une liste est attendue"
    if genre == "json_invalid":
        return f"JSON illisible ({ctx.get('error', '')})"
    return f"valeur refusée ({genre or 'erreur'} : {erreur.get('msg', '')})"

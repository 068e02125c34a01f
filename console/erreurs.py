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
        return f"« {champ} » : valeur inconnue {entree!r} (valeurs admises : {_admises(str(ctx.get('expected', '')))})"
    if genre in _BORNES:
        cle, mot = _BORNES[genre]
        return f"« {champ} » doit valoir {mot} {ctx.get(cle)} ; reçu {entree!r}"
    if genre == "string_too_long":
        return f"« {champ} » : texte trop long (au plus {ctx.get('max_length')} caractères)"
    if genre == "string_too_short":
        return f"« {champ} » ne peut pas être vide" if ctx.get("min_length") == 1 else \
            f"« {champ} » : texte trop court (au moins {ctx.get('min_length')} caractères)"
    if genre == "json_invalid":
        return f"JSON illisible ({ctx.get('error', '')})"
    attendu = _TYPES.get(genre.split("_")[0])
    if attendu is not None and genre.endswith(("_parsing", "_type", "_from_float")):
        return f"« {champ} » doit être {attendu} ; reçu {entree!r}"
    return f"« {champ} » : valeur refusée ({genre or 'erreur'} : {erreur.get('msg', '')})"

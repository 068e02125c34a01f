"""What the clerk sent: a submitted dossier form read back as data, and a list's items added or removed.

Every input is named by the field's path as the engine writes it in its
messages (``enfants[0].date_naissance``; :func:`chemin`), with hidden inputs
for a list's length and a ``oneOf``'s chosen form. An empty input is an absent
field (unknown, never « non »). Values are kept as typed — a date written
« 14/05/2021 » is put in the contract's form, anything else is sent as typed —,
so that the engine's validation words the error as the command line does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

LISTE = "__n:"  # hidden input: number of items of a list
VARIANTE = "__variante:"  # chosen alternative of a oneOf
CONTROLE = "__controle:"  # checkbox: a list of choices is given (absent: not checked)
_ENTIER = re.compile(r"[+-]?\d+")
_ESPACES = re.compile(r"[\s\u00a0\u202f]")
_DATE_FR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def chemin(parent: str, part: str | int) -> str:
    """The path of a child field: ``enfants`` + 0 → ``enfants[0]``; ``demandeur`` + ``sexe`` → ``demandeur.sexe``."""
    if isinstance(part, int):
        return f"{parent}[{part}]"
    return f"{parent}.{part}" if parent else part


def _first(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def lire(path: str, schema: dict[str, Any], form: Mapping[str, list[str]]) -> Any:
    """The value of the field at ``path`` (``""``: the whole dossier) in the submitted ``form``; None when absent."""
    if "oneOf" in schema:
        try:
            chosen = int(_first(form, VARIANTE + path) or 0)
        except ValueError:
            chosen = 0
        alternatives = schema["oneOf"]
        return lire(path, alternatives[chosen if 0 <= chosen < len(alternatives) else 0], form)
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        out = {}
        for key, sub in schema.get("properties", {}).items():
            value = lire(chemin(path, key), sub, form)
            if value is not None:
                out[key] = value
        return out or (None if path else out)
    if kind == "array":
        items = schema.get("items", {})
        if "enum" in items:
            return list(form.get(path, [])) if _first(form, CONTROLE + path) else None
        try:
            count = max(0, min(int(_first(form, LISTE + path) or 0), 500))
        except ValueError:
            count = 0
        values = []
        for index in range(count):
            value = lire(chemin(path, index), items, form)
            values.append({} if value is None and items.get("type") == "object" else value)
        return values or None
    raw = _first(form, path)
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip() if not schema.get("x-multiligne") else raw.strip().replace("\r\n", "\n")
    if schema.get("format") == "date":
        # « 14/05/2021 » as a clerk types it; anything else is sent as typed, and refused on its field
        found = _DATE_FR.fullmatch(raw)
        return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}" if found else raw
    if kind == "boolean" and "enum" not in schema:
        return {"oui": True, "non": False}.get(raw, raw)
    if kind == "integer":
        compact = _ESPACES.sub("", raw)
        return int(compact) if _ENTIER.fullmatch(compact) and len(compact) <= 30 else raw
    return raw


def sans_vides(value: Any) -> Any:
    """The data with empty items of scalar lists dropped (a date field added and left empty)."""
    if isinstance(value, dict):
        return {k: sans_vides(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sans_vides(v) for v in value if v is not None]
    return value


def appliquer(data: dict[str, Any], action: str) -> dict[str, Any]:
    """Add an item to a list (``ajouter:enfants``) or remove one (``retirer:enfants[1]``), in place."""
    verb, _, path = action.partition(":")
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    if not parts:
        return data
    keys: list[str | int] = [int(p[1:-1]) if p.startswith("[") else p for p in parts]
    if verb == "retirer" and isinstance(keys[-1], int):
        container = _at(data, keys[:-1], create=False)
        if isinstance(container, list) and 0 <= keys[-1] < len(container):
            del container[keys[-1]]
            if not container:
                _remove(data, keys[:-1])
    elif verb == "ajouter":
        container = _at(data, keys, create=True)
        if isinstance(container, list):
            container.append(None)
    return data


def _at(data: Any, keys: list[str | int], create: bool) -> Any:
    node = data
    for position, key in enumerate(keys):
        last = position == len(keys) - 1
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                return None
            if node[key] is None and create:
                node[key] = {}
            node = node[key]
            continue
        if not isinstance(node, dict):
            return None
        if key not in node or node[key] is None:
            if not create:
                return None
            node[key] = [] if last else {}
        node = node[key]
    return node


def _remove(data: dict[str, Any], keys: list[str | int]) -> None:
    parent = _at(data, keys[:-1], create=False) if len(keys) > 1 else data
    if isinstance(parent, dict) and isinstance(keys[-1], str):
        parent.pop(keys[-1], None)

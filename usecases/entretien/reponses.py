"""The interview's dossier: an answer written into it (« répondre ») or taken back (« précédent »), and the
dossier an interview starts from (its claims, dates, identity and named people), kept as the YAML a clerk
files.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from engine.regime import Regime
from usecases.entretien.questions import (
    EntretienError,
    field_schema,
    resolve_ref,
    schema_branches,
    split_path,
)


# -- answers ---------------------------------------------------------------------------
def repondre(regime: Regime, data: dict[str, Any], champ: str, valeur: Any) -> dict[str, Any]:
    """A copy of the dossier with ``champ`` set to ``valeur`` (a scalar field that must become an object to take
    a sub-field, a child's residence given as a country, keeps its value under the object's required field)."""
    out = copy.deepcopy(data)
    parts = split_path(champ)
    node: Any = out
    walked: list[str | int] = []
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise EntretienError(f"« {champ} » : l'élément {part} n'existe pas dans le dossier")
            node = node[part]
        elif last:
            node[part] = valeur
        else:
            nxt = parts[position + 1]
            child = node.get(part)
            if child is None:
                child = node[part] = [] if isinstance(nxt, int) else {}
            elif not isinstance(child, dict | list):
                child = node[part] = _as_object(regime, ".".join(map(str, [*walked, part])), child)
            node = child
        walked.append(part)
    return out


def _as_object(regime: Regime, champ: str, scalar: Any) -> dict[str, Any]:
    path = re.sub(r"\.(\d+)", r"[\1]", champ)
    node = field_schema(regime, path)
    objects = [b for b in schema_branches(regime.schema, node) if "properties" in b]
    required = objects[0].get("required", []) if objects else []
    if len(required) != 1:
        raise EntretienError(f"« {path} » : la valeur donnée ne peut pas porter de précision")
    return {required[0]: scalar}

def retirer(data: dict[str, Any], champ: str) -> dict[str, Any]:
    """A copy of the dossier without the answer at ``champ`` (« précédent »); an object left empty goes too."""
    out = copy.deepcopy(data)
    parts = split_path(champ)
    chain: list[Any] = [out]
    node: Any = out
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return out
        chain.append(node)
    if isinstance(node, dict):
        node.pop(parts[-1], None)
    for parent, part, child in zip(reversed(chain[:-1]), reversed(parts[:-1]), reversed(chain[1:]), strict=True):
        if isinstance(child, dict) and not child and isinstance(part, str):
            parent.pop(part, None)
    return out


@dataclass(frozen=True)
class ListeNommee:
    """A list of the dossier whose items a counter names before the questions (the children, by first name)."""

    cle: str
    titre: str
    nom: str  # the field that names an item


def listes_nommees(regime: Regime) -> list[ListeNommee]:
    """The schema's lists of people: arrays of objects that require one text field (``enfants``, ``membres``)."""
    out = []
    for key, node in regime.schema.get("properties", {}).items():
        if node.get("type") != "array" or key == "demandes":
            continue
        items = resolve_ref(regime.schema, node.get("items", {}))
        required = items.get("required") or []
        if len(required) == 1 and items.get("properties", {}).get(required[0], {}).get("type") == "string":
            out.append(ListeNommee(key, node.get("title", key), required[0]))
    return out


def prestations(regime: Regime) -> list[str]:
    """The prestations a dossier of this regime may claim (the schema's ``demandes[].prestation``)."""
    node = regime.schema.get("properties", {}).get("demandes", {})
    items = resolve_ref(regime.schema, node.get("items", {}))
    return list(items.get("properties", {}).get("prestation", {}).get("enum", []))


def nouveau_dossier(regime: Regime, demandees: list[str], date_demande: str | None = None,
                    date_reference: str | None = None, noms: dict[str, list[str]] | None = None,
                    identite: dict[str, str] | None = None, ident: str = "entretien") -> dict[str, Any]:
    """The dossier an interview starts from: the claims and their date, the reference date, the applicant's
    identity (the schema's ``x-identite`` fields only), and the people of each named list by their names."""
    data: dict[str, Any] = {"id": ident, "base": regime.id}
    if date_reference:
        data["date_reference"] = date_reference
    data["demandes"] = [{"prestation": p, **({"date": date_demande} if date_demande else {})} for p in demandees]
    demandeur = regime.schema.get("properties", {}).get("demandeur", {}).get("properties", {})
    kept = {k: v.strip() for k, v in (identite or {}).items()
            if v and v.strip() and demandeur.get(k, {}).get("x-identite")}
    if kept:
        data["demandeur"] = kept
    for liste in listes_nommees(regime):
        names = [n.strip() for n in (noms or {}).get(liste.cle, []) if n and n.strip()]
        if names:
            data[liste.cle] = [{liste.nom: n} for n in names]
    return data


def dossier_yaml(data: dict[str, Any]) -> str:
    """A dossier as the YAML a clerk keeps and ``prevoyance evaluate`` reads."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

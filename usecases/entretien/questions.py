"""The interview's questions: a dossier path read and walked, the schema's type and choices of a field, the
question that fills it, worded by the regime's catalogue, and the value a typed answer gives it.

Paths are written as a clerk reads them (``enfants[1].residence.pays``); :func:`split_path` cuts one into its
keys and list indices, :func:`absent` says whether the dossier lacks the field, :func:`schema_node` and
:func:`field_schema` find its schema (``$ref``, ``oneOf`` and ``anyOf`` followed by :func:`schema_branches`).

The walk itself is the engine's (:func:`engine.paths.follow`, shared with :mod:`engine.read` and the
simulation); what differs is the verdict where it stops: :func:`absent` reads a field under a scalar (a
child's residence given as a country) as lacking unless the scalar already stands for it, where the engine
holds it present (the scalar is the value its rules read).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from engine.paths import chemin_generique, follow
from engine.regime import Regime

# Types of questions, as an interface shows them (one input per type).
DATE, ENTIER, BOOLEEN, CHOIX, TEXTE, DATES = "date", "entier", "booleen", "choix", "texte", "liste de dates"

_PART = re.compile(r"^([^\[\]]+)((?:\[\d+\])*)$")
_INDEX = re.compile(r"\[(\d+)\]")


class EntretienError(ValueError):
    """A path or an answer the interview cannot take; the message is French and names the question."""


@dataclass(frozen=True)
class Choix:
    """One choice of a question: the clerk's words and the value the dossier keeps."""

    valeur: Any
    libelle: str


@dataclass(frozen=True)
class ProchaineQuestion:
    """The next question: the dossier path it fills, its type and its choices, and what its wording needs — the
    catalogue's template for the field (``modele``), else the schema's description — which
    :func:`explain.questions.libelle_question` words: choosing a question is this floor's, saying it is explain's."""

    champ: str
    type: str
    choix: tuple[Choix, ...] = ()
    objet: str | None = None  # the child (or item) it is about
    modele: str | None = None  # the catalogue's question (``questions`` of explications/), a Jinja template
    description: str = ""  # the schema's own words for the field, when the catalogue has no question for it
    sexes: tuple[tuple[str, str], ...] = ()  # who the wording agrees with (``Regime.sexes`` of the dossier)


# -- paths -----------------------------------------------------------------------
def split_path(champ: str) -> list[str | int]:
    """``enfants[1].residence.pays`` → ``['enfants', 1, 'residence', 'pays']``."""
    out: list[str | int] = []
    for piece in champ.split("."):
        match = _PART.match(piece)
        if not match:
            raise EntretienError(f"chemin de dossier illisible : « {champ} »")
        out.append(match.group(1))
        out += [int(i) for i in _INDEX.findall(match.group(2))]
    return out


def blocked(champ: str, closed: set[str]) -> bool:
    """Whether ``champ`` or a field above it is among ``closed`` (declared unknown)."""
    return any(champ == c or champ.startswith(c + ".") or champ.startswith(c + "[") for c in closed)


def absent(data: Any, champ: str, regime: Regime | None = None) -> bool:
    """Whether the dossier lacks the field (an item that does not exist is not a lack: nothing can be asked
    there; a sub-field of a scalar, a child's residence given as a country, is one: the answer makes it an
    object, :func:`usecases.entretien.reponses.repondre`)."""
    parts = split_path(champ)
    position, node = follow(data, parts)
    if position == len(parts) or isinstance(parts[position], int):
        return False
    if isinstance(node, dict):
        return True  # a key its mapping lacks
    if not isinstance(node, str | int | bool):
        return False
    part = parts[position]
    if regime is not None and position == len(parts) - 1:  # the field the scalar already stands for
        parent = field_schema(regime, _display(parts[:position]))
        objects = [b for b in schema_branches(regime.schema, parent) if "properties" in b]
        return not (objects and objects[0].get("required") == [part])
    return True


def _display(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# -- the schema: type and choices of a field ----------------------------------------
def resolve_ref(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The schema node itself, its ``$ref`` (``#/…``, within the schema) followed to the end."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part]
        return resolve_ref(schema, target)
    return node


def schema_branches(schema: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    """The shapes a field may take: the branches of its ``oneOf`` or ``anyOf``, else the node alone."""
    node = resolve_ref(schema, node)
    for key in ("oneOf", "anyOf"):
        if key in node:
            return [resolve_ref(schema, b) for b in node[key]]
    return [node]


def schema_node(regime: Regime, champ: str) -> dict[str, Any]:
    """The schema of the field at ``champ``: the scalar branch when the field may be a scalar or an object."""
    node: dict[str, Any] = regime.schema
    for part in split_path(champ):
        branches = schema_branches(regime.schema, node)
        if isinstance(part, int):
            arrays = [b for b in branches if b.get("type") == "array"]
            if not arrays:
                raise EntretienError(f"« {champ} » : ce champ n'est pas une liste")
            node = arrays[0].get("items", {})
            continue
        objects = [b for b in branches if part in b.get("properties", {})]
        if not objects:
            raise EntretienError(f"« {champ} » : champ inconnu du dossier de ce régime")
        node = objects[0]["properties"][part]
    branches = schema_branches(regime.schema, node)
    scalars = [b for b in branches if b.get("type") not in ("object",) and "properties" not in b]
    return scalars[0] if scalars else branches[0]


def _type(node: dict[str, Any]) -> str:
    if "enum" in node:
        return CHOIX
    kind = node.get("type")
    if kind == "boolean":
        return BOOLEEN
    if kind == "integer":
        return ENTIER
    if kind == "array":
        return DATES if node.get("items", {}).get("format") == "date" else TEXTE
    if node.get("format") == "date":
        return DATE
    return TEXTE


def question(regime: Regime, data: dict[str, Any], champ: str) -> ProchaineQuestion:
    """The question that fills ``champ``, with what its wording needs for the person it names."""
    node = schema_node(regime, champ)
    kind = _type(node)
    labels = regime.phrases.get("choix", {})
    if kind == CHOIX:
        choices = tuple(Choix(v, labels.get(str(v), str(v).replace("_", " "))) for v in node["enum"])
    elif kind == BOOLEEN:
        choices = (Choix(True, "oui"), Choix(False, "non"))
    else:
        choices = ()
    indices = [int(i) for i in _INDEX.findall(champ)]
    objet = _libelle_objet(data, champ) if indices else None
    template = regime.phrases.get("questions", {}).get(chemin_generique(champ))
    description = node.get("description") or node.get("title") or champ.rsplit(".", 1)[-1].replace("_", " ")
    return ProchaineQuestion(champ, kind, choices, objet, template, description,
                             tuple(sorted(regime.sexes(data).items())))


def _libelle_objet(data: dict[str, Any], champ: str) -> str | None:
    parts = split_path(champ)
    position = next(i for i, p in enumerate(parts) if isinstance(p, int))
    items = data.get(parts[0]) if position == 1 else None
    if isinstance(items, list) and parts[1] < len(items) and isinstance(items[parts[1]], dict):
        text = next((v for v in items[parts[1]].values() if isinstance(v, str)), None)
        if text:
            return text
    return None


def field_schema(regime: Regime, champ: str) -> dict[str, Any]:
    """The schema of the field at ``champ`` with all its branches (:func:`schema_node` picks the scalar one)."""
    node: dict[str, Any] = regime.schema
    for part in split_path(champ):
        branches = schema_branches(regime.schema, node)
        node = (next(b for b in branches if b.get("type") == "array").get("items", {}) if isinstance(part, int)
                else next(b for b in branches if part in b.get("properties", {}))["properties"][part])
    return node


# -- answers ---------------------------------------------------------------------------
_OUI = {"oui", "o", "vrai", "true", "1"}
_NON = {"non", "n", "faux", "false", "0"}


def _date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise EntretienError(f"« {text} » n'est pas une date : écrivez-la JJ/MM/AAAA (par exemple 15/03/2026)")


def lire_reponse(q: ProchaineQuestion, text: str) -> Any:
    """The value a typed answer gives the dossier, or EntretienError with a French message to ask again."""
    text = str(text).strip()
    if not text:
        raise EntretienError("réponse vide : répondez, ou « ? » si le demandeur ne sait pas")
    if q.type == DATE:
        return _date(text).isoformat()
    if q.type == DATES:
        if text.lower() in ("aucune", "aucun", "-"):
            return []
        return sorted(_date(t).isoformat() for t in re.split(r"[,;\s]+", text) if t)
    if q.type == ENTIER:
        digits = re.sub(r"[\s\u00a0\u202f]", "", text)
        if not re.fullmatch(r"\d+", digits):
            raise EntretienError(f"« {text} » n'est pas un nombre entier positif")
        return int(digits)
    if q.type == BOOLEEN:
        if text.lower() in _OUI:
            return True
        if text.lower() in _NON:
            return False
        raise EntretienError(f"« {text} » : répondez « oui » ou « non »")
    if q.type == CHOIX:
        for position, choice in enumerate(q.choix, start=1):
            if text.lower() in (str(choice.valeur).lower(), choice.libelle.lower(), str(position)):
                return choice.valeur
        offered = " ; ".join(f"{i} : {c.libelle}" for i, c in enumerate(q.choix, start=1))
        raise EntretienError(f"« {text} » n'est pas l'un des choix ({offered})")
    return text

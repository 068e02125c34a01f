"""The dossier form, generated from a regime's JSON Schema: fields to draw, and the form read back as a dossier.

Nothing here knows a regime: every field comes from ``dossier.schema.json``
(objects become groups, arrays of objects repeated groups that can be added
and removed, ``format: date`` a date field, ``enum`` a choice, a boolean a
three-way choice — yes, no, unknown —, ``oneOf`` a choice between forms).
Labels come from the regime's phrase catalogue (its questions, keyed by field
path) and the schema's descriptions.

Every input is named by the field's path as the engine writes it in its
messages (``enfants[0].date_naissance``), so that an error lands next to its
field. Reading the submitted form back is :mod:`console.saisie`'s job.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console.saisie import chemin, lire
from engine.paths import chemin_generique
from engine.program import Mode, build_program
from engine.regime import Regime
from engine.speedups import slices
from explain.phrases import catalogue

_NOTE_ANALYSTE = re.compile(r"\b(règles?|true|false|absente?s?|JSON|schéma|identifiant)\b", re.I)


@dataclass
class Champ:
    """One field of the form, with its value and its errors."""

    chemin: str
    nom: str
    genre: str  # texte | date | entier | booleen | choix | constante | groupe | liste | choix_multiple | variante
    libelle: str
    aide: str = ""
    requis: bool = False
    valeur: Any = None
    choix: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    minimum: int | None = None
    maximum: int | None = None
    enfants: list[Champ] = field(default_factory=list)
    modele: Champ | None = None  # list: how a new item looks (its genre, for the button's words)
    variante: int = 0  # variante: the chosen alternative
    present: bool = False  # choix_multiple: the list is given
    erreurs: list[str] = field(default_factory=list)
    analyste: str = ""  # what only an analyst reads (bounds, notes of the schema), shown by a toggle

    @property
    def bornes(self) -> str:
        """« ≥ 0, ≤ 100000000 »: the bounds an analyst checks (the clerk reads them in the error, if any)."""
        parts = ([f"≥ {self.minimum}"] if self.minimum is not None else []) + \
                ([f"≤ {self.maximum}"] if self.maximum is not None else [])
        return ", ".join(parts)

    @property
    def identifiant(self) -> str:
        return identifiant(self.chemin)


def identifiant(path: str) -> str:
    """The HTML id of the field at ``path``."""
    return "champ-" + re.sub(r"[^a-zA-Z0-9_-]", "-", path)


class Formulaire:
    """The form of one regime: draws fields from data, and reads a submitted form back into data."""

    def __init__(self, regime: Regime):
        self.regime = regime
        self.schema = regime.schema
        self.phrases = catalogue(regime)

    # -- labels ------------------------------------------------------------------------
    def _libelle(self, path: str, name: str, schema: dict[str, Any], objet: str | None) -> tuple[str, str]:
        """(label, help): the catalogue's question for this path (``objet``: the item it is about), else the
        schema's title or short description, else the field's name; the description as help."""
        generic = chemin_generique(path)
        own = self.phrases.data.get("formulaire", {}).get("libelles", {}).get(generic)
        if own:  # the form's own words for a field no question asks (the dossier's number)
            return own, ""
        question = self.phrases.data.get("questions", {}).get(generic)
        description = self._aide(schema.get("description", ""))[0]  # the analyst's notes are not a label
        if question:
            try:
                return self.phrases.render(question, {"objet": objet or "?"}), description
            except Exception:  # a question that needs more than its item: the field's name will do
                pass
        if schema.get("title"):
            return schema["title"], description
        if description and len(description) <= 90:
            return description.rstrip("."), ""
        readable = str(name).replace("_", " ")
        return readable[:1].upper() + readable[1:], description

    def _aide(self, description: str) -> tuple[str, str]:
        """(clerk's help, analyst's note): the schema's sentences about rules and JSON values (« Aucune règle ne
        le lit », « Absent ou false ») are for the analyst; the rest helps the clerk."""
        clerk, analyst = [], []
        for sentence in re.split(r"(?<=\.)\s+", description.strip()):
            (analyst if _NOTE_ANALYSTE.search(sentence) else clerk).append(sentence)
        return " ".join(clerk), " ".join(analyst)

    def _choix(self, values: list[Any], path: str = "") -> list[tuple[str, str]]:
        """Each value with its label in the regime's catalogue: ``choix`` (under the field's path when two fields
        name one value differently, then by the value), else the prestation's or the document's name."""
        out = []
        names = self.phrases.data.get("choix", {})
        own = names.get(chemin_generique(path)) if path else None
        for value in values:
            text = str(value)
            label = ((own or {}).get(text) if isinstance(own, dict) else None) or \
                (names.get(text) if isinstance(names.get(text), str) else None) or \
                self.phrases.data.get("prestations", {}).get(text, {}).get("libelle") or \
                self.phrases.data.get("pieces", {}).get(text) or text  # tests/test_console_formulaire.py: never
            out.append((text, self.phrases.texte(label)))  # a label may name a parameter in force (today's)
        return out

    def champs_utiles(self, data: Mapping[str, Any] | None) -> frozenset[str] | None:
        """The fields (generic paths, ``enfants[].date_naissance``) the rules of the prestations claimed read, for
        a regime whose prestations are independent: the form hides the fields only other prestations' rules read.
        None: every field (a regime that does not declare its prestations independent)."""
        if not self.regime.meta.get("prestations_independantes"):
            return None
        program = build_program(self.regime, Mode.EXPLANATION)
        demandes = (data or {}).get("demandes") if isinstance(data, Mapping) else None
        claimed = frozenset(d["prestation"] for d in demandes or [] if isinstance(d, dict)
                            and isinstance(d.get("prestation"), str))
        read = set().union(*(part.reads for part in slices.select(program.parts, claimed)))
        return frozenset(_generique(program.inputs.fields[p].path) for p in read if p in program.inputs.fields)

    @functools.cached_property
    def champs_lus(self) -> frozenset[str]:
        """Every field some rule of the regime reads (generic paths)."""
        program = build_program(self.regime, Mode.EXPLANATION)
        return frozenset(_generique(f.path) for f in program.inputs.fields.values())

    def libelle_de(self, path: str, data: Mapping[str, Any] | None = None) -> str:
        """The label of the field at ``path`` (``enfants[0].date_naissance``), as the form shows it (the item
        named by its first name in ``data``); the path itself when the schema has no such field."""
        schema: dict[str, Any] = self.schema
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        for part in parts:
            if "oneOf" in schema:
                schema = next((alt for alt in schema["oneOf"] if alt.get("type") == "object"), schema["oneOf"][0])
            if part.startswith("["):
                schema = schema.get("items", {})
            else:
                schema = schema.get("properties", {}).get(part)
                if schema is None:
                    return path
        objet = None
        match = re.match(r"([^.\[]+)\[(\d+)\]", path)
        if match:
            items = (data or {}).get(match[1]) if isinstance(data, Mapping) else None
            index = int(match[2])
            item = items[index] if isinstance(items, list) and index < len(items) else None
            objet = _objet(match[1], index, item)
        return self._libelle(path, parts[-1] if parts else path, schema, objet)[0].rstrip(" ?")

    # -- drawing -----------------------------------------------------------------------
    def champs(self, data: Mapping[str, Any] | None, erreurs: Mapping[str, list[str]] | None = None) -> list[Champ]:
        """The fields of the root object, filled with ``data``; ``erreurs`` by path land on their field."""
        root = self._champ("", "", self.schema, data or {}, False, None)
        _attach(root, erreurs or {})
        utiles = self.champs_utiles(data)
        if utiles is not None:
            _elaguer(root, self.champs_lus - utiles)
        # The prestations claimed first (after the dossier's own fields): they decide what else the form asks.
        rang = {"demandes": 1}
        first_group = next((i for i, c in enumerate(root.enfants) if c.genre in ("groupe", "liste")), 0)
        return sorted(root.enfants, key=lambda c: rang.get(c.chemin, 0 if root.enfants.index(c) < first_group else 2))

    def _champ(self, path: str, name: str, schema: dict[str, Any], value: Any, required: bool,
               objet: str | None) -> Champ:
        label, aide = self._libelle(path, name, schema, objet)
        note = self._aide(schema.get("description", ""))[1]
        values = schema.get("enum") or schema.get("items", {}).get("enum") or []
        if any(f"{v} :" in aide or ("_" in str(v) and str(v) in aide) for v in values):  # it explains the codes
            aide, note = "", " ".join(x for x in (aide, note) if x)
        common = {"chemin": path, "nom": name, "libelle": label, "aide": aide, "requis": required, "analyste": note}
        if "oneOf" in schema:
            alternatives = schema["oneOf"]
            chosen = next((i for i, alt in enumerate(alternatives) if _fits(alt, value)), 0)
            items = [self._champ(path, name, alt, value if i == chosen else None, False, objet)
                     for i, alt in enumerate(alternatives)]
            return Champ(genre="variante", enfants=items, variante=chosen, valeur=value, **common)
        if "const" in schema:
            return Champ(genre="constante", valeur=schema["const"], **common)
        if "enum" in schema:
            return Champ(genre="choix", choix=self._choix(schema["enum"], path), valeur=value, **common)
        kind = schema.get("type")
        if kind == "object":
            present = value if isinstance(value, dict) else {}
            needed = set(schema.get("required", ()))
            children = [self._champ(chemin(path, key), key, sub, present.get(key), key in needed, objet)
                        for key, sub in schema.get("properties", {}).items()]
            return Champ(genre="groupe", enfants=children, valeur=value, **common)
        if kind == "array":
            items_schema = schema.get("items", {})
            if "enum" in items_schema:
                given = isinstance(value, list)
                return Champ(genre="choix_multiple", choix=self._choix(items_schema["enum"], path), present=given,
                             valeur=[str(v) for v in value] if given else [], **common)
            present_items = value if isinstance(value, list) else []
            children = [self._champ(chemin(path, i), name, items_schema, item, False, _objet(name, i, item))
                        for i, item in enumerate(present_items)]
            model = self._champ(chemin(path, len(present_items)), name, items_schema, None, False, None)
            return Champ(genre="liste", enfants=children, modele=model, valeur=value, **common)
        if kind == "boolean":
            return Champ(genre="booleen", valeur=value, **common)
        if kind == "integer":
            return Champ(genre="entier", valeur=value, minimum=schema.get("minimum"), maximum=schema.get("maximum"),
                         **common)
        if kind == "string" and schema.get("format") == "date":
            return Champ(genre="date", valeur=value, **common)
        if schema.get("x-multiligne"):  # a postal address: several lines
            return Champ(genre="texte_long", valeur=value, **common)
        return Champ(genre="texte", valeur=value, **common)

    # -- reading -----------------------------------------------------------------------
    def lire(self, form: Mapping[str, list[str]]) -> dict[str, Any]:
        """The dossier a submitted form describes (``form``: each input name with its values)."""
        value = lire("", self.schema, form)
        return value if isinstance(value, dict) else {}


def singulier(name: str) -> str:
    """``enfants`` → ``enfant`` (for a list's words: « Enfant n°1 », « Ajouter : enfant »)."""
    text = str(name).replace("_", " ")
    return text[:-1] if text.endswith("s") and not text.endswith("ss") else text


def _objet(name: str, index: int, item: Any) -> str:
    """How a list item is named in its questions: its first text (a child's first name), else « enfant n°1 »."""
    if isinstance(item, dict):
        text = next((v for v in item.values() if isinstance(v, str) and v.strip()), None)
        if text:
            return text
    return f"« {singulier(name)} n°{index + 1} »"


def _fits(schema: dict[str, Any], value: Any) -> bool:
    kind = schema.get("type")
    return (kind == "object" and isinstance(value, dict)) or (kind == "string" and isinstance(value, str))


def _generique(path: tuple[str, ...]) -> str:
    """``("enfants", "[]", "prenom")`` → ``enfants[].prenom`` (:func:`explain.phrases.chemin_generique`'s form)."""
    out = ""
    for part in path:
        out += "[]" if part == "[]" else (f".{part}" if out else part)
    return out


def _elaguer(node: Champ, caches: frozenset[str]) -> bool:
    """Drop, under ``node``, the fields in ``caches`` (read only by prestations not claimed) that hold no value and
    no error, and the groups and lists left with nothing to ask; True if ``node`` itself should go. The items
    of a list are never dropped (their number is the list's), only fields inside them."""
    empty = node.valeur in (None, "", [], {}) and not node.erreurs and not node.requis
    if node.genre == "liste":
        for item in node.enfants:
            _elaguer(item, caches)
        leaves = _feuilles(node.modele) if node.modele is not None else [chemin_generique(node.chemin)]
        return empty and all(leaf in caches for leaf in leaves)
    if node.genre == "groupe":
        node.enfants = [child for child in node.enfants if not _elaguer(child, caches)]
        return bool(node.chemin) and empty and not node.enfants
    if node.genre == "constante":
        return False
    return empty and all(leaf in caches for leaf in _feuilles(node))


def _feuilles(node: Champ) -> list[str]:
    """The generic paths of a field's leaves."""
    if not node.enfants:
        return [chemin_generique(node.chemin)]
    return [leaf for child in node.enfants for leaf in _feuilles(child)]


def _attach(root: Champ, erreurs: Mapping[str, list[str]]) -> None:
    """Each error on the deepest field whose path is its own or a parent of it."""
    index: dict[str, Champ] = {}

    def walk(node: Champ) -> None:
        index.setdefault(node.chemin, node)
        for child in node.enfants:
            walk(child)

    walk(root)
    for path, messages in erreurs.items():
        target = path
        while target not in index and target:
            target = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", target) if re.search(r"(\.[^.\[\]]+|\[\d+\])$", target) \
                else ""
        node = index.get(target)
        if node is not None and node is not root:
            node.erreurs.extend(messages)

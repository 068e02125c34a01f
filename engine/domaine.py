"""The domain of a dossier's values: what the base can receive, declared once per regime.

Three layers, each with the field's path in its message:

- before the schema, :func:`normalize` walks the parsed data once: nesting
  depth, text length, invisible and control characters (invisible letters
  such as the Hangul filler included), country names read as the base writes
  them (:func:`country_name`), whole-number floats of a dossier built in
  Python (``85000.0`` becomes ``85000``; ``85000.5`` stays a float and the
  schema refuses it; files never hold floats: engine.dossier reads numbers
  exactly);
- the schema bounds every integer (``minimum``/``maximum``) and every list
  (``maxItems``); :func:`check_schema_bounds` refuses, when the regime is
  loaded, a schema that leaves one unbounded, so that no number outside
  clingo's 32-bit range can reach the solver;
- after the schema, :func:`date_errors` keeps every date inside the window the
  regime declares in ``regime.yaml`` (``bornes``): between two calendar dates,
  no later than a bound after the date of reference, and, for the fields that
  make the base count months, no earlier than a bound before it. The time to
  decide a dossier grows with the months between its claim and its date of
  reference; the window bounds it (docs/robustesse.md). Every date a person
  writes is read by :func:`iso_date`: AAAA-MM-JJ and nothing else.

Parameters are bounded too (:class:`BornesParametre`): ``regime.yaml`` gives
bounds by unit (``bornes.parametres``), a parameter file may narrow them
(``bornes:``), and every value of the base or of an amendment lies within
them. The bounds are chosen so that no amount the rules compute from the
parameters and from the dossier's bounded values leaves clingo's 32-bit
integers (the derivation: docs/robustesse.md, « Les paramètres sont bornés »).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

# Deeper than any schema of the base (four levels) by a wide margin; a deeper document is refused
# before any recursive walk can exhaust the stack.
MAX_DEPTH = 32
# A dossier file, or a line of a JSON Lines caseload, larger than this is refused unread.
MAX_BYTES = 1 << 20
# Largest bound a schema may give an integer: products of two bounded values stay below 2**31.
MAX_INTEGER_BOUND = 10**9
MAX_ITEMS_BOUND = 1000

# Unicode categories refused in text: controls (newline, tab, NUL…), format characters (zero
# width, bidirectional overrides, soft hyphen, BOM, and the zero-width joiners: the Arabic and N'Ko
# scripts names are written in here join their letters without them), lone surrogates, private use,
# line and paragraph separators. None of them is visible in a letter; all of them can change how it reads.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
# Invisible characters of other categories: Unicode's default-ignorable code points that are letters
# or marks (Hangul fillers, combining grapheme joiner, variation selectors, Mongolian free variation
# selectors, Khmer inherent vowels), and the blank braille pattern. « Mali\u3164 » looks like « Mali ».
_INVISIBLE_RANGES = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2800, 0x2800),
                     (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF))
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: Any) -> dt.date | None:
    """The date a text writes as ``AAAA-MM-JJ`` exactly, None otherwise.

    Python's ``date.fromisoformat`` also reads ``20261207`` and the week date ``2026-W11-7``; every
    message of the base promises AAAA-MM-JJ, so every date a person gives is read here.
    """
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # 2015-02-30
        return None


# What a refused character is, in French (Unicode's names are English): the common ones by name, the
# others by their category.
_CHAR_LABELS = {0x00: "octet nul", 0x09: "tabulation", 0x0A: "saut de ligne", 0x0D: "retour chariot",
                0x00AD: "trait d'union conditionnel", 0x200B: "espace de largeur nulle",
                0x200C: "antiliant sans chasse",
                0x200D: "liant sans chasse", 0x200E: "marque gauche-à-droite", 0x200F: "marque droite-à-gauche",
                0x202E: "forçage droite-à-gauche", 0x2060: "gluon de mots", 0xFEFF: "indicateur d'ordre des octets",
                0x3164: "remplissage hangul", 0xFFA0: "remplissage hangul", 0x2800: "braille vide"}
_CATEGORY_LABELS = {"Cc": "caractère de contrôle", "Cf": "caractère de mise en forme invisible",
                    "Cs": "demi-caractère UTF-16 isolé", "Co": "caractère à usage privé",
                    "Zl": "séparateur de ligne", "Zp": "séparateur de paragraphe"}
# Scripts, in French, for a country name whose letters mix them (the first word of Unicode's names).
_SCRIPT_NAMES = {"LATIN": "latin", "CYRILLIC": "cyrillique", "GREEK": "grec", "ARABIC": "arabe", "NKO": "n'ko",
                 "ARMENIAN": "arménien", "HEBREW": "hébreu", "CHEROKEE": "cherokee", "TIFINAGH": "tifinagh",
                 "ETHIOPIC": "éthiopien", "COPTIC": "copte"}


def _char_label(char: str) -> str:
    return _CHAR_LABELS.get(ord(char)) or _CATEGORY_LABELS.get(unicodedata.category(char), "caractère invisible")


def _invisible(char: str) -> bool:
    if unicodedata.category(char) in _REFUSED_CATEGORIES:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _INVISIBLE_RANGES)


class DomainError(Exception):
    """Values outside the domain of the base; ``erreurs``: (the field's path, the message naming it)."""

    def __init__(self, erreurs: list[tuple[str, str]]):
        super().__init__("\n".join(message for _, message in erreurs))
        self.erreurs = erreurs


@dataclass(frozen=True)
class Bornes:
    """A regime's declared window of dates and length of text (``regime.yaml``, ``bornes``)."""

    date_min: dt.date
    date_max: dt.date
    apres_reference_ans: int
    avant_reference_ans: dict[str, int] = field(default_factory=dict)  # display path with [] -> years
    texte_max: int = 500


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))  # a malformed regime.yaml: the loader reports it


def read_bornes(meta: dict[str, Any], where: str) -> Bornes:
    """The ``bornes`` of a ``regime.yaml``; ValueError names what is missing."""
    raw = meta.get("bornes")
    if not isinstance(raw, dict) or not isinstance(raw.get("dates"), dict):
        raise ValueError(f"{where}: « bornes.dates » (min, max) manque : chaque régime déclare sa fenêtre de dates")
    dates = raw["dates"]
    return Bornes(
        date_min=_as_date(dates["min"], where),
        date_max=_as_date(dates["max"], where),
        apres_reference_ans=int(raw.get("apres_reference_ans", 2)),
        avant_reference_ans={str(k): int(v) for k, v in (raw.get("avant_reference_ans") or {}).items()},
        texte_max=int(raw.get("texte_max", 500)),
    )


@dataclass(frozen=True)
class BornesParametre:
    """The values a parameter may take: ``minimum <= value <= maximum``, and for a fraction (a rate),
    a denominator of at most ``denominateur_max`` (a rate's numerator is then bounded too)."""

    minimum: Fraction
    maximum: Fraction
    denominateur_max: int = 1

    def problem(self, value: int | Fraction) -> str | None:
        """Why ``value`` is outside the bounds, in French; None when it is inside."""
        fraction = Fraction(value)
        if not self.minimum <= fraction <= self.maximum:
            low, high = _nombre_fr(self.minimum), _nombre_fr(self.maximum)
            return f"{_nombre_fr(value)} hors des bornes : entre {low} et {high}"
        if fraction.denominator > self.denominateur_max:
            if self.denominateur_max == 1:
                return f"{_nombre_fr(value)} n'est pas un nombre entier"
            return (f"{_nombre_fr(value)} : dénominateur {fraction.denominator} trop grand "
                    f"(au plus {self.denominateur_max})")
        return None


def _nombre_fr(value: int | Fraction) -> str:
    """``1000000`` → ``1 000 000``, ``Fraction(3, 25)`` → ``3/25`` (non-breaking spaces between groups)."""
    fraction = Fraction(value)
    if fraction.denominator != 1:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{fraction.numerator:,}".replace(",", "\u00a0")


def read_parameter_bounds(raw: Any, where: str) -> BornesParametre:
    """``{min: 0, max: 200000}`` or, for a rate, ``{min: 0, max: 1, denominateur_max: 100}``; ValueError names
    what is wrong. Bounds are integers or fractions written ``"a/b"``."""
    if not isinstance(raw, dict) or "min" not in raw or "max" not in raw:
        raise ValueError(f"{where} : des bornes ont un « min » et un « max »")
    unknown = set(raw) - {"min", "max", "denominateur_max"}
    if unknown:
        raise ValueError(f"{where} : clé de bornes inconnue {sorted(unknown)} (min, max, denominateur_max)")
    try:
        low, high = Fraction(str(raw["min"])), Fraction(str(raw["max"]))
        denominator = int(raw.get("denominateur_max", 1))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"{where} : bornes illisibles {raw!r}") from exc
    if low > high or denominator < 1 or max(abs(low), abs(high)) * denominator > MAX_INTEGER_BOUND:
        raise ValueError(f"{where} : bornes incohérentes {raw!r} (min ≤ max, |borne| × dénominateur ≤ "
                         f"{MAX_INTEGER_BOUND})")
    return BornesParametre(low, high, denominator)


def read_unit_bounds(meta: dict[str, Any], where: str) -> dict[str, BornesParametre]:
    """The bounds of a regime's parameters by unit (``regime.yaml``, ``bornes.parametres``)."""
    raw = (meta.get("bornes") or {}).get("parametres") or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where} : « bornes.parametres » est un objet (unité: {{min, max}})")
    return {str(unit): read_parameter_bounds(bounds, f"{where} : bornes.parametres.{unit}")
            for unit, bounds in raw.items()}


def _path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(racine)"


def _text_problem(text: str, limit: int, multiline: bool = False) -> str | None:
    if len(text) > limit:
        return f"texte trop long ({len(text)} caractères ; au plus {limit})"
    for position, char in enumerate(text):
        if multiline and char == "\n":
            continue  # a line of a postal address: the letter prints it as a line, never as markup
        if _invisible(char):
            return (f"caractère invisible ou de contrôle U+{ord(char):04X} ({_char_label(char)}) "
                    f"en position {position + 1} : retirez-le")
    return None


def marked_paths(schema: dict[str, Any], marker: str) -> frozenset[tuple[str, ...]]:
    """Paths (``[]`` for any item of a list) of the fields the schema marks ``marker: true``."""
    out: set[tuple[str, ...]] = set()

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        node = _resolve(schema, node)
        if node.get(marker):
            out.add(path)
        for key, sub in node.get("properties", {}).items():
            walk(sub, (*path, key))
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "[]"))
        for alternative in node.get("oneOf", ()):
            walk(alternative, path)

    walk(schema, ())
    return frozenset(out)


def multiline_paths(schema: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    """The text fields the schema marks ``"x-multiligne": true``: the only texts where a line break is
    data (a postal address), not a control character."""
    return marked_paths(schema, "x-multiligne")


def _folded(text: str) -> str:
    """A text as it compares: compatibility forms unified (``Ｍａｌｉ``, a non-breaking space), case
    folded, spaces trimmed and collapsed."""
    return " ".join(unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).split())


def _scripts(text: str) -> set[str]:
    """The scripts of the letters of a text (the first word of their Unicode names: LATIN, CYRILLIC…)."""
    return {unicodedata.name(c, "?").split()[0] for c in text if unicodedata.category(c).startswith("L")}


def country_name(text: str, known: tuple[str, ...]) -> str | None:
    """A country as the base names it: ``« Mali »``, ``« mali »``, ``« MALI »``, ``« Ｍａｌｉ »`` are
    ``Mali`` (the name ``regime.yaml`` gives, which the rules compare); another country keeps its name,
    trimmed. None when its letters mix scripts (a Cyrillic ``М`` in ``Мali``): a look-alike, refused."""
    folded = _folded(text)
    if len(_scripts(folded)) > 1:
        return None
    for name in known:
        if _folded(name) == folded:
            return name
    return unicodedata.normalize("NFC", " ".join(text.split()))


def normalize(data: Any, texte_max: int = 500, multilignes: frozenset[tuple[str, ...]] = frozenset(),
              pays: frozenset[tuple[str, ...]] = frozenset(), noms_pays: tuple[str, ...] = ()) -> Any:
    """A copy of ``data`` with whole-number floats as integers and country names as the base writes them;
    DomainError if it is too deep or holds bad text.

    The walk is iterative: a document nested thousands of levels deep is refused, not recursed into.
    The caller's data is left as it was. ``multilignes``: the fields where a line break is allowed
    (:func:`multiline_paths`); ``pays``: the fields that name a country (``"x-pays": true``), read by
    :func:`country_name` against ``noms_pays``.
    """
    errors: list[tuple[str, str]] = []
    root: list[Any] = [None]
    # (value to copy, container of the copy, key in it, path, depth)
    stack: list[tuple[Any, Any, Any, list[Any], int]] = [(data, root, 0, [], 0)]
    while stack:
        value, target, key, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            errors.append((_path(path), f"« {_path(path)} » : imbrication trop profonde (plus de {MAX_DEPTH} niveaux)"))
            continue
        if isinstance(value, dict):
            copy: dict[Any, Any] = {}
            target[key] = copy
            for name, sub in value.items():
                if isinstance(name, str):
                    problem = _text_problem(name, texte_max)
                    if problem:
                        errors.append((_path(path), f"« {_path(path)} » : nom de champ {name!r} : {problem}"))
                        continue
                copy[name] = None  # keeps the order of the keys
                stack.append((sub, copy, name, [*path, name], depth + 1))
        elif isinstance(value, list):
            items: list[Any] = [None] * len(value)
            target[key] = items
            stack.extend((sub, items, i, [*path, i], depth + 1) for i, sub in enumerate(value))
        elif isinstance(value, str):
            generic = tuple("[]" if isinstance(part, int) else part for part in path)
            problem = _text_problem(value, texte_max, generic in multilignes)
            if problem:
                errors.append((_path(path), f"« {_path(path)} » : {problem}"))
            elif generic in pays:
                country = country_name(value, noms_pays)
                if country is None:
                    scripts = sorted(_SCRIPT_NAMES.get(n, "autre") for n in _scripts(_folded(value)))
                    errors.append((_path(path), f"« {_path(path)} » : {value!r} mêle des lettres de plusieurs "
                                                f"alphabets ({', '.join(scripts)}) : réécrivez le nom du pays"))
                value = country or value
            target[key] = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            target[key] = int(value)  # 85000.0 is 85000: JSON does not tell them apart
        else:
            target[key] = value
    if errors:
        raise DomainError(sorted(errors, key=lambda pair: pair[1]))
    return root[0]


def check_schema_bounds(schema: dict[str, Any], where: str) -> None:
    """ValueError unless every integer of ``schema`` has both bounds and every list a ``maxItems``."""
    problems: list[str] = []

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
                low, high = node.get("minimum"), node.get("maximum")
                if low is None or high is None or max(abs(low), abs(high)) > MAX_INTEGER_BOUND:
                    problems.append(f"{pointer} : un entier a un minimum et un maximum (|borne| ≤ {MAX_INTEGER_BOUND})")
            if kind == "number":
                problems.append(f"{pointer} : nombre non entier (la base ne reçoit que des entiers)")
            if kind == "array" and not (isinstance(node.get("maxItems"), int) and node["maxItems"] <= MAX_ITEMS_BOUND):
                problems.append(f"{pointer} : une liste a un maxItems (au plus {MAX_ITEMS_BOUND})")
            for key, sub in node.items():
                walk(sub, f"{pointer}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{pointer}/{i}")

    walk(schema, "#")
    if problems:
        raise ValueError(f"{where}: schéma sans bornes : " + " ; ".join(problems))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    while ref and ref.startswith("#/"):
        node = schema
        for part in ref[2:].split("/"):
            node = node[part]
        ref = node.get("$ref")
    return node


def _dates(schema: dict[str, Any], node: dict[str, Any], value: Any, path: list[Any], generic: str):
    """(path, generic path with [] for list indices, date) for every date field of a valid dossier."""
    node = _resolve(schema, node)
    branches = [_resolve(schema, b) for b in node.get("oneOf", node.get("anyOf", [node]))]
    for branch in branches:
        if isinstance(value, dict) and (branch.get("type") == "object" or "properties" in branch):
            props = branch.get("properties", {})
            for name, sub in value.items():
                if name in props:
                    child = f"{generic}.{name}" if generic else name
                    yield from _dates(schema, props[name], sub, [*path, name], child)
            return
        if isinstance(value, list) and branch.get("type") == "array":
            for i, item in enumerate(value):
                yield from _dates(schema, branch.get("items", {}), item, [*path, i], f"{generic}[]")
            return
        if isinstance(value, str) and branch.get("format") == "date":
            yield path, generic, dt.date.fromisoformat(value)
            return


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_errors(schema: dict[str, Any], bornes: Bornes, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, message) for every date of a (schema-valid) dossier outside the regime's window."""
    errors = []
    reference = dt.date.fromisoformat(data["date_reference"]) if "date_reference" in data else None
    fmt = "%Y-%m-%d"
    for path, generic, day in _dates(schema, schema, data, [], ""):
        where = _path(path)
        if not bornes.date_min <= day <= bornes.date_max:
            errors.append((where, f"« {where} » : date {day.isoformat()} hors de la fenêtre de la base "
                          f"({bornes.date_min.strftime(fmt)} à {bornes.date_max.strftime(fmt)})"))
            continue
        if reference is None or not bornes.date_min <= reference <= bornes.date_max:
            continue
        latest = _years_later(reference, bornes.apres_reference_ans)
        if day > latest:
            errors.append((where, f"« {where} » : date {day.isoformat()} plus de {bornes.apres_reference_ans} ans "
                          f"après la date de référence {reference.isoformat()} (faute de frappe ?)"))
        years = bornes.avant_reference_ans.get(generic)
        if years is not None and day < _years_later(reference, -years):
            errors.append((where, f"« {where} » : date {day.isoformat()} plus de {years} ans avant la date de "
                          f"référence {reference.isoformat()} (la base compte chaque mois entre les deux)"))
    return errors

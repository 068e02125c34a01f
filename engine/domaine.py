"""The domain of a dossier's values: what the base can receive, declared once per regime.

Three layers, each with the field's path in its message:

- before the schema, :func:`engine.normalize.normalize` walks the parsed data
  once, within the limits declared here (:data:`MAX_DEPTH`, the length of a
  text): nesting depth, text, country names, whole-number floats;
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
import re
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


def path_text(parts: list[Any]) -> str:
    """``['enfants', 0, 'nom']`` → ``enfants[0].nom``, as a refusal names a field."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(racine)"


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


def resolve_ref(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The schema node ``node`` stands for, its local ``$ref`` followed."""
    ref = node.get("$ref")
    while ref and ref.startswith("#/"):
        node = schema
        for part in ref[2:].split("/"):
            node = node[part]
        ref = node.get("$ref")
    return node


def _dates(schema: dict[str, Any], node: dict[str, Any], value: Any, path: list[Any], generic: str):
    """(path, generic path with [] for list indices, date) for every date field of a valid dossier."""
    node = resolve_ref(schema, node)
    branches = [resolve_ref(schema, b) for b in node.get("oneOf", node.get("anyOf", [node]))]
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
        where = path_text(path)
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

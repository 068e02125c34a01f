"""The one typed boundary between Python and clingo.

Into the solver: a dossier becomes facts by a generic walk driven by its
regime's JSON Schema, never by a mapping written per field. A scalar at path
``a.b`` becomes ``a_b(D, Value)``; each list level adds the item's index, so
``enfants[2].date_naissance`` becomes ``enfants_date_naissance(D, 2, d(Y,M,J))``
and each object item of a list also gives ``enfants(D, 2)``. A list that is
present gives its length, ``nombre_enfants(D, 3)``, so that the base can tell
an empty list (a known "none") from an absent one (unknown). Values: booleans
are ``true``/``false``, integers numbers, dates ``d(Y,M,J)``, enumerated
lowercase words constants, any other text a string. Parameters become
``parametre(Nom, d(Y,M,J), Valeur)``. What a field means is for the knowledge
base to say.

Out of the solver: symbols become plain Python values (:func:`to_python`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import clingo

from engine.regime import Parameter

_CONSTANT = re.compile(r"^[a-z][A-Za-z0-9_]*$")
_RESERVED = {"not"}


def date_symbol(value: dt.date) -> clingo.Symbol:
    return clingo.Function("d", [clingo.Number(value.year), clingo.Number(value.month), clingo.Number(value.day)])


def value_symbol(value: Any) -> clingo.Symbol:
    """A parameter value (int or Fraction) as a term: ``N`` or ``frac(A, B)``."""
    if isinstance(value, Fraction):
        return clingo.Function("frac", [clingo.Number(value.numerator), clingo.Number(value.denominator)])
    return clingo.Number(int(value))


@dataclass(frozen=True)
class InputField:
    """A predicate the dossier can produce: its name, its schema path, and its arity."""

    predicate: str
    path: tuple[str, ...]  # "[]" marks a list level
    arity: int
    kind: str = "valeur"  # "valeur": last argument is the value; "element": an item of a list; "nombre": a length

    def display(self, indices: tuple[int, ...] = ()) -> str:
        """The dossier path for these list indices: ``enfants[1].date_naissance``."""
        out, it = "", iter(indices)
        for part in self.path:
            if part == "[]":
                index = next(it, None)
                out += f"[{index}]" if index is not None else "[]"
            else:
                out += f".{part}" if out else part
        return out


# A schema field marked ``"x-identite": true`` (name, address, registration number) serves the letters
# only: it never becomes a fact, so no rule can read it and clingo never keeps its text.
IDENTITE = "x-identite"


class SchemaFacts:
    """Turns dossiers of one schema into facts; knows every input predicate it can produce."""

    def __init__(self, schema: dict[str, Any]):
        self.schema = schema
        self.fields: dict[str, InputField] = {}
        self._declare(schema, (), 0)

    # -- schema walk -------------------------------------------------------
    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if ref:
            if not ref.startswith("#/"):
                raise ValueError(f"référence de schéma non locale : {ref}")
            target: Any = self.schema
            for part in ref[2:].split("/"):
                target = target[part]
            return self._resolve(target)
        return node

    @staticmethod
    def _name(path: tuple[str, ...]) -> str:
        return "_".join(p for p in path if p != "[]")

    def _branches(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        node = self._resolve(node)
        for key in ("oneOf", "anyOf"):
            if key in node:
                return [self._resolve(b) for b in node[key]]
        return [node]

    def _declare(self, node: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
        if node.get(IDENTITE):
            return
        for branch in self._branches(node):
            kind = branch.get("type")
            if kind == "object" or "properties" in branch:
                if path and path[-1] == "[]":
                    self._add(path[:-1], depth + 1, path[:-1], "element")  # item existence: enfants(D, I)
                for name, sub in branch.get("properties", {}).items():
                    self._declare(sub, (*path, name), depth)
            elif kind == "array":
                self.fields.setdefault(f"nombre_{self._name(path)}",
                                       InputField(f"nombre_{self._name(path)}", path, depth + 2, "nombre"))
                self._declare(branch.get("items", {}), (*path, "[]"), depth + 1)
            elif path:
                self._add(path, depth + 2, path)

    def _add(self, path: tuple[str, ...], arity: int, full: tuple[str, ...], kind: str = "valeur") -> None:
        name = self._name(path)
        self.fields.setdefault(name, InputField(name, full, arity, kind))

    def declarations(self) -> str:
        """``#defined`` for every input predicate, so absent fields never warn."""
        return "\n".join(f"#defined {f.predicate}/{f.arity}." for f in self.fields.values()) + "\n"

    # -- dossier walk ------------------------------------------------------
    def facts(self, index: int, data: dict[str, Any]) -> Iterator[clingo.Symbol]:
        """The facts of one (validated) dossier, numbered ``index`` in its batch, as symbols: those of
        :meth:`facts_text`, the one walk of a dossier (for a backend that takes symbols, not text)."""
        for line in self.facts_text(index, data).split("\n")[:-1]:  # a newline in a text is escaped
            yield clingo.parse_term(line[:-1])

    def facts_text(self, index: int, data: dict[str, Any]) -> str:
        """The same facts as :meth:`facts`, written as program text: clingo parses text far
        faster than Python builds symbols one by one, which matters for caseloads."""
        out: list[str] = [f"dossier({index})."]
        self._walk_text(data, self.schema, (), str(index), out)
        return "\n".join(out) + "\n"

    def _walk_text(self, value: Any, node: dict[str, Any], path: tuple[str, ...], args: str, out: list[str]) -> None:
        if node.get(IDENTITE):
            return
        branch = self._pick(value, node)
        if isinstance(value, dict):
            props = branch.get("properties", {})
            for name, sub in value.items():
                self._walk_text(sub, props.get(name, {}), (*path, name), args, out)
        elif isinstance(value, list):
            name = self._name(path)
            items = branch.get("items", {})
            out.append(f"nombre_{name}({args},{len(value)}).")
            for i, item in enumerate(value):
                here = f"{args},{i}"
                if isinstance(item, dict):
                    out.append(f"{name}({here}).")
                self._walk_text(item, items, (*path, "[]"), here, out)
        else:
            out.append(f"{self._name(path)}({args},{self._scalar_text(value, branch)}).")

    @staticmethod
    def _scalar_text(value: Any, node: dict[str, Any]) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            if node.get("format") == "date":
                day = dt.date.fromisoformat(value)
                return f"d({day.year},{day.month},{day.day})"
            if "enum" in node and _CONSTANT.match(value) and value not in _RESERVED:
                return value
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        raise TypeError(f"valeur non prise en charge : {value!r}")

    def _pick(self, value: Any, node: dict[str, Any]) -> dict[str, Any]:
        """The branch of a oneOf that fits the value's JSON type."""
        kinds = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer"}
        wanted = kinds.get(type(value))
        branches = self._branches(node)
        for branch in branches:
            if branch.get("type") == wanted or (wanted == "string" and "enum" in branch):
                return branch
        return branches[0]


def parameter_facts(parameters: dict[str, Parameter]) -> Iterator[clingo.Symbol]:
    """``parametre(Nom, DateEffet, Valeur)`` and ``parametre_abroge(Nom, DateEffet)``."""
    for param in parameters.values():
        name = clingo.Function(param.nom)
        for v in param.values:
            if v.value is None:
                yield clingo.Function("parametre_abroge", [name, date_symbol(v.debut)])
            else:
                yield clingo.Function("parametre", [name, date_symbol(v.debut), value_symbol(v.value)])


class ImpossibleDate(ValueError):
    """A date the program computed that no calendar has (``d(-81306, 1, 1)``); the message is in French."""


def to_python(symbol: clingo.Symbol) -> Any:
    """A term as a plain value: int, str, date, Fraction, bool, or a (name, args) tuple."""
    if symbol.type == clingo.SymbolType.Number:
        return symbol.number
    if symbol.type == clingo.SymbolType.String:
        return symbol.string
    if symbol.type == clingo.SymbolType.Function:
        name, args = symbol.name, symbol.arguments
        if name == "d" and len(args) == 3 and all(a.type == clingo.SymbolType.Number for a in args):
            try:
                return dt.date(args[0].number, args[1].number, args[2].number)
            except ValueError as exc:  # a date an amendment's rules or parameters pushed off the calendar
                raise ImpossibleDate(f"date impossible calculée par la base : {symbol} (année entre "
                                     f"{dt.MINYEAR} et {dt.MAXYEAR}, mois entre 1 et 12, jour du mois)") from exc
        if name == "frac" and len(args) == 2:
            return Fraction(args[0].number, args[1].number)
        if not args:
            return {"true": True, "false": False}.get(name, name)
        return Term(name, tuple(to_python(a) for a in args))
    return str(symbol)


@dataclass(frozen=True)
class Term:
    """A compound term read back from the solver (``enfant(0)``, ``terme_echu(...)``)."""

    name: str
    args: tuple[Any, ...]

    def __str__(self) -> str:
        return f"{self.name}({','.join(map(str, self.args))})"

"""How a scalar a person wrote becomes a value: YAML by the 1.2 core schema, numbers exactly as written.

``010`` is 10, ``23:36:40`` is text, and a number is never rounded into an integer it was not: a scalar
that cannot be read so is left as a :class:`Refus`, which :func:`scalar_refusals` reports with its
field once the document is built. Dates stay ISO strings until the schema has checked them: the YAML
loader does not turn ``2015-02-30`` into a crash. :func:`dump_yaml` writes data that reads back equal.
Used by :mod:`engine.parsing`.
"""

from __future__ import annotations

import decimal
import re
from typing import Any

import yaml

from engine.dossier import format_path

BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: much faster

# A number is read from the digits a person wrote, or refused: never rounded, never read in another base.
# Up to this many digits it is read exactly, and the schema's bounds refuse it with the bound they set
# (« doit valoir au plus 100000000 »); beyond, it is refused unread (Python would refuse 4 300 digits in
# English, and ``1e999999999`` would be built digit by digit).
MAX_DIGITS = 100


class Refus:
    """A scalar the readers will not turn into a value: what was written, why, and where (line, if known).

    The parsers leave it in place of the value; :func:`scalar_refusals` then reports it with the path of
    its field, which only the finished document knows.
    """

    __slots__ = ("ecrit", "ligne", "raison")

    def __init__(self, ecrit: str, raison: str, ligne: int | None = None):
        self.ecrit, self.raison, self.ligne = ecrit, raison, ligne

    def message(self, where: str) -> str:
        line = f" (ligne {self.ligne})" if self.ligne else ""
        shown = self.ecrit if len(self.ecrit) <= 24 else self.ecrit[:20] + "…"
        return f"« {where} » : {shown!r} {self.raison}{line}"


_DIGITS = re.compile(r"[-+]?[0-9]+")


def exact_integer(text: str, line: int | None = None) -> int | Refus:
    """The integer a decimal numeral denotes exactly (``010`` is 10, ``4e4`` and ``85000.0`` are integers),
    or a :class:`Refus`: a fraction (``9.99999999999999999`` is not 10), or too many digits."""
    if len(text) <= MAX_DIGITS and _DIGITS.fullmatch(text):  # the common case, without Decimal
        return int(text)
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return Refus(text, "n'est pas un nombre écrit en chiffres décimaux", line)
    if not value.is_finite():
        return Refus(text, "n'est pas un nombre fini", line)
    if value != 0 and value.adjusted() >= MAX_DIGITS:  # before any conversion: 1e999999999 is not built
        return Refus(text, f"est trop grand : nombre illisible de plus de {MAX_DIGITS} chiffres", line)
    if value != value.to_integral_value():
        return Refus(text, "n'est pas un nombre entier (la base ne reçoit que des entiers, écrits en chiffres)",
                     line)
    return int(value)


_CORE = "tag:yaml.org,2002:"
_REFUSED_BASE = "tag:prevoyance,2026:base"
_NOT_FINITE = "tag:prevoyance,2026:non-fini"


class DuplicateYamlKey(yaml.constructor.ConstructorError):
    """A key written twice in a mapping: ``cle``, the field the refusal names."""

    def __init__(self, cle: str, first: int, line: int, mark: Any):
        super().__init__(None, None, f"clé « {cle} » en double (lignes {first} et {line})", mark)
        self.cle = cle


class DuplicateJsonKey(ValueError):
    """A key written twice in a JSON object: ``cle``, the field the refusal names."""

    def __init__(self, cle: str):
        super().__init__(f"clé « {cle} » en double")
        self.cle = cle


class DateAsStringLoader(BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that reads scalars by YAML 1.2's core schema, keeps dates as text, and refuses
    duplicate keys.

    YAML 1.1 (PyYAML's default) reads what the claimant did not write: ``010`` as 8, ``23:36:40`` as
    85 000, ``no`` as false. Here a plain scalar is null (``~``, ``null``, empty), a boolean (``true``,
    ``false`` in any of their three casings), an integer written in decimal digits (``010`` is 10), a
    number with a point or an exponent (kept only if it is exactly an integer), or text: ``yes``,
    ``off``, ``23:36:40``, ``1_000`` and ``2026-01-01`` are text, which the schema then accepts or refuses
    with the field's name. ``0x1F`` and ``0o17`` (integers in YAML 1.2) and ``.inf``/``.nan`` are
    refused: nobody writes an amount in hexadecimal. Dates stay text so that the schema checks them
    (``2015-02-30`` is a refusal, not a crash). Duplicate keys are refused (YAML would keep the last:
    a salary of 85 000 then 10 is a salary of 10).
    """

    def construct_mapping(self, node, deep=False):
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise DuplicateYamlKey(key_node.value, seen[key_node.value], line, key_node.start_mark)
                seen[key_node.value] = line
        return super().construct_mapping(node, deep=deep)

    refused = False  # whether a scalar was refused (then the document is walked to name its field)

    def _refuse(self, refus: Refus) -> Refus:
        self.refused = True
        return refus

    def construct_exact_number(self, node):
        value = exact_integer(node.value, node.start_mark.line + 1)
        return self._refuse(value) if isinstance(value, Refus) else value

    def construct_other_base(self, node):
        return self._refuse(Refus(node.value, "est écrit en base 8 ou 16 : écrivez le nombre en chiffres décimaux",
                                  node.start_mark.line + 1))

    def construct_not_finite(self, node):
        return self._refuse(Refus(node.value, "n'est pas un nombre fini", node.start_mark.line + 1))


def _core_schema_resolvers() -> dict[str, list[tuple[str, Any]]]:
    """YAML 1.2 core schema's implicit resolvers (https://yaml.org/spec/1.2.2/#1032-tag-resolution),
    keyed by first character as PyYAML looks them up; the first that matches wins."""
    rules = [
        (f"{_CORE}null", r"^(?:~|null|Null|NULL|)$", "~nN"),
        (f"{_CORE}bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        (f"{_CORE}int", r"^[-+]?[0-9]+$", "-+0123456789"),
        (_REFUSED_BASE, r"^0o[0-7]+$|^0x[0-9a-fA-F]+$", "0"),
        (f"{_CORE}float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", "-+.0123456789"),
        (_NOT_FINITE, r"^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$", "-+."),
    ]
    table: dict[str, list[tuple[str, Any]]] = {"": [(f"{_CORE}null", re.compile(r"^$"))]}
    for tag, pattern, firsts in rules:
        for first in firsts:
            table.setdefault(first, []).append((tag, re.compile(pattern)))
    return table


DateAsStringLoader.yaml_implicit_resolvers = _core_schema_resolvers()
DateAsStringLoader.yaml_constructors = dict(BaseLoader.yaml_constructors)
DateAsStringLoader.add_constructor(f"{_CORE}int", DateAsStringLoader.construct_exact_number)
DateAsStringLoader.add_constructor(f"{_CORE}float", DateAsStringLoader.construct_exact_number)
DateAsStringLoader.add_constructor(_REFUSED_BASE, DateAsStringLoader.construct_other_base)
DateAsStringLoader.add_constructor(_NOT_FINITE, DateAsStringLoader.construct_not_finite)


class _Dumper(yaml.SafeDumper):
    """A dumper whose texts read back as texts under both YAML 1.1 and 1.2: a string either schema would
    read as something else (``yes`` in 1.1, ``1e3`` or ``0o17`` in 1.2) is quoted."""


_Dumper.yaml_implicit_resolvers = {
    first: list(yaml.SafeDumper.yaml_implicit_resolvers.get(first, [])) + list(resolvers)
    for first, resolvers in {**{k: [] for k in yaml.SafeDumper.yaml_implicit_resolvers},
                             **DateAsStringLoader.yaml_implicit_resolvers}.items()
}


def _texte(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """A text holding a character YAML reads as a line break (NEL, U+2028, U+2029) is written double-quoted,
    where the emitter escapes it: plain or folded, it would read back as a space."""
    style = '"' if any(ch in text for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _texte)


def dump_yaml(data: Any) -> str:
    """``data`` as YAML that :func:`parse_text` reads back equal (a dossier written as a caseload file)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def scalar_refusals(data: Any) -> list[tuple[str, str]]:
    """(path, message) for every :class:`Refus` the parser left in ``data`` (keys included), in the order
    of the messages."""
    messages: list[tuple[str, str]] = []
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:  # iterative: the parsers bound the depth, but nothing here recurses anyway
        value, path = stack.pop()
        if isinstance(value, Refus):
            messages.append((format_path(path), value.message(format_path(path))))
        elif isinstance(value, dict):
            for key, sub in value.items():
                if isinstance(key, Refus):
                    messages.append((format_path(path),
                                     f"« {format_path(path)} » : nom de champ {key.ecrit!r} {key.raison}"))
                    continue
                stack.append((sub, [*path, key]))
        elif isinstance(value, list):
            stack.extend((sub, [*path, i]) for i, sub in enumerate(value))
    return sorted(messages, key=lambda pair: pair[1])

"""Reading and validating dossiers (YAML or JSON) against their regime's JSON Schema.

Every file a person gives (dossier, amendment, letterhead, case file) is read here: a regular file
only, at most 1 MiB (:func:`read_input`); YAML by the 1.2 core schema and JSON with its numbers kept as
written (:func:`parse_text`, :func:`parse_json`): ``010`` is 10, ``23:36:40`` is text, and a number is
never rounded into an integer it was not. Dates stay ISO strings until the schema has checked them: the
YAML loader does not turn ``2015-02-30`` into a crash, the schema's ``format: date`` rejects it with the
field's path. Every refusal is in French and names the field or the file; nothing is evaluated from a
dossier that failed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import errno
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from engine.domaine import MAX_BYTES, MAX_DEPTH, DomainError, date_errors, iso_date, normalize
from engine.regime import Regime, RegimeError, default_regime_id, load_regime

RACINE = "(racine)"  # the path of an error about the whole dossier, or its text


@dataclass(frozen=True)
class ErreurChamp:
    """One reason a dossier is refused: the path of the field as the message shows it (:data:`RACINE` when
    the message names none), and the message in French."""

    chemin: str
    message: str


class DossierError(Exception):
    """A dossier that cannot be evaluated: ``erreurs``, each field's path and message; ``str(exc)`` is each
    message after the dossier's origin (``dossier.yaml: « enfants[0].prenom » : …``), one per line.

    Built from a text alone (``DossierError("…")``), each line is an error of the whole (:data:`RACINE`)."""

    def __init__(self, texte: str, erreurs: Iterable[ErreurChamp] | None = None):
        super().__init__(texte)
        self.erreurs: tuple[ErreurChamp, ...] = (
            tuple(erreurs) if erreurs is not None else tuple(ErreurChamp(RACINE, line) for line in texte.splitlines()))

    def __reduce__(self):  # a batch's worker process hands it back whole
        return type(self), (str(self), self.erreurs)

    @classmethod
    def de(cls, origine: str, erreurs: Iterable[ErreurChamp | tuple[str, str]]) -> DossierError:
        """The refusal of the dossier ``origine`` for these errors (records, or (path, message) pairs)."""
        kept = tuple(e if isinstance(e, ErreurChamp) else ErreurChamp(*e) for e in erreurs)
        return cls("\n".join(f"{origine}: {e.message}" for e in kept), kept)

    @classmethod
    def racine(cls, origine: str, message: str) -> DossierError:
        """The refusal of the whole of ``origine`` (its text, its file), for one reason."""
        return cls.de(origine, [ErreurChamp(RACINE, message)])


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: much faster

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


class _DuplicateYamlKey(yaml.constructor.ConstructorError):
    """A key written twice in a mapping: ``cle``, the field the refusal names."""

    def __init__(self, cle: str, first: int, line: int, mark: Any):
        super().__init__(None, None, f"clé « {cle} » en double (lignes {first} et {line})", mark)
        self.cle = cle


class _DuplicateJsonKey(ValueError):
    """A key written twice in a JSON object: ``cle``, the field the refusal names."""

    def __init__(self, cle: str):
        super().__init__(f"clé « {cle} » en double")
        self.cle = cle


class _DateAsStringLoader(_BaseLoader):  # type: ignore[misc, valid-type]
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
                    raise _DuplicateYamlKey(key_node.value, seen[key_node.value], line, key_node.start_mark)
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


_DateAsStringLoader.yaml_implicit_resolvers = _core_schema_resolvers()
_DateAsStringLoader.yaml_constructors = dict(_BaseLoader.yaml_constructors)
_DateAsStringLoader.add_constructor(f"{_CORE}int", _DateAsStringLoader.construct_exact_number)
_DateAsStringLoader.add_constructor(f"{_CORE}float", _DateAsStringLoader.construct_exact_number)
_DateAsStringLoader.add_constructor(_REFUSED_BASE, _DateAsStringLoader.construct_other_base)
_DateAsStringLoader.add_constructor(_NOT_FINITE, _DateAsStringLoader.construct_not_finite)


class _Dumper(yaml.SafeDumper):
    """A dumper whose texts read back as texts under both YAML 1.1 and 1.2: a string either schema would
    read as something else (``yes`` in 1.1, ``1e3`` or ``0o17`` in 1.2) is quoted."""


_Dumper.yaml_implicit_resolvers = {
    first: list(yaml.SafeDumper.yaml_implicit_resolvers.get(first, [])) + list(resolvers)
    for first, resolvers in {**{k: [] for k in yaml.SafeDumper.yaml_implicit_resolvers},
                             **_DateAsStringLoader.yaml_implicit_resolvers}.items()
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


@dataclass(frozen=True)
class Dossier:
    """A validated dossier: its data, the regime that evaluates it, where it came from."""

    data: dict[str, Any]
    regime: Regime
    origine: str = "<dossier>"

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def date_reference(self) -> dt.date:
        return dt.date.fromisoformat(self.data["date_reference"])

    @property
    def prestations_demandees(self) -> frozenset[str] | None:
        """The benefits the dossier's ``demandes`` name; None when it names none (all are examined)."""
        return frozenset(d["prestation"] for d in self.data.get("demandes", ())) or None  # schema: each names one

    def libelle(self, liste: str, index: int) -> str:
        """How the dossier names item ``index`` of list ``liste`` (its first text field: a child's prenom)."""
        try:
            item = self.data[liste][index]
        except (KeyError, IndexError, TypeError):
            return f"{liste}[{index}]"
        if isinstance(item, dict):
            text = next((v for v in item.values() if isinstance(v, str)), None)
            if text:
                return text
        return f"{liste}[{index}]"


def format_path(path: Any) -> str:
    """``['enfants', 0, 'date_naissance']`` → ``enfants[0].date_naissance``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(racine)"


_TYPES = {"string": "une chaîne", "integer": "un entier", "boolean": "un booléen (true/false)",
          "object": "un objet", "array": "une liste", "number": "un nombre"}
# What YAML 1.1 read as a boolean and YAML 1.2 reads as text (engine.dossier's loader): said when refused.
_YAML11_BOOLEANS = {"yes", "no", "y", "n", "on", "off"}


def genre(value: Any) -> str:
    """What a value is, in French (« une liste », « un texte »), for a refusal that names a wrong type."""
    if value is None:
        return "rien (valeur vide)"
    for kind, name in ((bool, "un booléen"), (int, "un nombre entier"), (float, "un nombre décimal"),
                       (str, "un texte"), (list, "une liste"), (dict, "un objet")):
        if isinstance(value, kind):
            return name
    return "une valeur d'un autre type"


def apercu(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: a refusal names the value, it never echoes a whole input
    (a list of 10 000 children, a text of 1 MiB)."""
    if isinstance(value, list):
        return f"une liste de {len(value)} éléments"
    if isinstance(value, dict):
        return f"un objet de {len(value)} champs"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _message(error: jsonschema.ValidationError) -> ErreurChamp:
    """One validation error in French, naming the field; the value received shown short (:func:`apercu`)."""
    where = format_path(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return ErreurChamp(format_path([*error.absolute_path, extra[0]]), _text(error, where))
    if error.validator == "required":
        return ErreurChamp(format_path([*error.absolute_path, error.message.split("'")[1]]), _text(error, where))
    return ErreurChamp(where, _text(error, where))


def _text(error: jsonschema.ValidationError, where: str) -> str:
    kind = error.validator
    got = apercu(error.instance)
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        field_path = ", ".join(format_path([*error.absolute_path, name]) for name in extra[:5])
        more = f" et {len(extra) - 5} autres" if len(extra) > 5 else ""
        return f"champ inconnu « {field_path} »{more} (champs admis ici : {', '.join(allowed)})"
    if kind == "required":
        missing = error.message.split("'")[1]
        return f"champ obligatoire manquant « {format_path([*error.absolute_path, missing])} »"
    if kind == "type":
        expected = [error.validator_value] if isinstance(error.validator_value, str) else error.validator_value
        names = [_TYPES.get(t, t) for t in expected]
        yaml11 = ("boolean" in expected and isinstance(error.instance, str)
                  and error.instance.lower() in _YAML11_BOOLEANS)
        hint = " (écrivez true ou false)" if yaml11 else ""
        return f"« {where} » doit être {' ou '.join(names)} ; reçu {got}{hint}"
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"« {where} » : valeur inconnue {got} (valeurs admises : {allowed})"
    if kind == "const":
        return f"« {where} » : valeur {got} ; attendu {error.validator_value!r}"
    if kind == "format" and error.validator_value == "date":
        return f"« {where} » : date impossible ou mal écrite {got} (attendu AAAA-MM-JJ)"
    if kind in ("minimum", "maximum"):
        bound = "au moins" if kind == "minimum" else "au plus"
        return f"« {where} » doit valoir {bound} {error.validator_value} ; reçu {got}"
    if kind in ("maxItems", "minItems"):
        bound = "au plus" if kind == "maxItems" else "au moins"
        return f"« {where} » : {len(error.instance)} éléments ; la liste en compte {bound} {error.validator_value}"
    if kind == "minLength":
        return f"« {where} » ne peut pas être vide" if error.validator_value == 1 else \
            f"« {where} » : texte trop court (au moins {error.validator_value} caractères)"
    if kind == "maxLength":
        return f"« {where} » : texte trop long ({len(error.instance)} caractères ; au plus {error.validator_value})"
    if kind == "oneOf":
        return f"« {where} » : forme non reconnue {got}"
    if kind == "pattern":
        return f"« {where} » : {got} ne suit pas la forme {error.validator_value}"
    if kind == "uniqueItems":
        return f"« {where} » : un élément y figure deux fois"
    return f"« {where} » : valeur refusée {got} (règle « {kind} » du schéma)"


def _iso_dates(value: Any) -> Any:
    """Dates given as Python dates (a dossier built in code, or read by another YAML loader) become ISO text."""
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _ordered_errors(validator: jsonschema.Validator, data: Any) -> list[jsonschema.ValidationError]:
    return sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator))


def _is_date(text: str) -> bool:
    """``format: date``: ``AAAA-MM-JJ`` exactly (not a week date ``2026-W11-7``, not ``20261207``, which
    Python's ``fromisoformat`` reads) and a day that exists."""
    return iso_date(text) is not None


# Per schema (kept alive with its validators, so that its id is never reused): the compiled
# fastjsonschema check, and the jsonschema validator that words the errors. Kept: compiling them costs
# 71 ms, reading a dossier 1.9 ms (bench/caches.py, 2026-12-07, load average 5.8).
_VALIDATORS: dict[int, tuple[dict[str, Any], Any, jsonschema.Validator]] = {}


def _validators(schema: dict[str, Any]) -> tuple[Any, jsonschema.Validator]:
    """Two validators of one schema: fastjsonschema (code compiled once, ~8 times faster) says whether a
    dossier is valid; jsonschema, slower but with every error and its path, words the refusal."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None:
        validator_cls = jsonschema.validators.validator_for(schema)
        checker = jsonschema.FormatChecker()
        checker.checks("date")(_is_date)  # the same test as the fast validator's: the two always agree
        full = validator_cls(schema, format_checker=checker)
        fast = fastjsonschema.compile(schema, formats={"date": _is_date}, use_default=False)
        cached = _VALIDATORS[id(schema)] = (schema, fast, full)
    return cached[1], cached[2]


def schema_errors(schema: dict[str, Any], data: Any) -> list[jsonschema.ValidationError]:
    """Every error of ``data`` against ``schema``, in the order of their paths (none: the data is valid)."""
    fast, full = _validators(schema)
    try:
        fast(data)
    except fastjsonschema.JsonSchemaException:
        return _ordered_errors(full, data)  # jsonschema has the last word (tests check the two agree)
    return []


# More refusals than this are summed up: a list of 10 000 bad items says so in a line, not in 10 000.
MAX_MESSAGES = 20


def _worded(errors: list[jsonschema.ValidationError]) -> list[ErreurChamp]:
    """The messages of a refusal: none inside a list that is itself too long (its length says it all),
    at most :data:`MAX_MESSAGES`, then how many more."""
    too_long = [tuple(e.absolute_path) for e in errors if e.validator == "maxItems"]
    kept = [e for e in errors
            if not any(tuple(e.absolute_path)[:len(p)] == p and len(e.absolute_path) > len(p) for p in too_long)]
    lines = [_message(e) for e in kept[:MAX_MESSAGES]]
    if len(kept) > MAX_MESSAGES:
        lines.append(ErreurChamp(RACINE, f"… et {len(kept) - MAX_MESSAGES} autres erreurs"))
    return lines


def validate(data: Any, origine: str = "<dossier>", today: dt.date | None = None,
             regime: Regime | None = None) -> Dossier:
    """Check ``data`` against its regime's schema; fill ``date_reference`` (today) if absent.

    ``regime`` evaluates the dossier under a given (for instance amended) regime
    rather than the one its ``base`` names.
    """
    if not isinstance(data, dict):
        raise DossierError.racine(origine, f"un dossier est un objet (clé: valeur), reçu {genre(data)}")
    if regime is None:
        base = data.get("base", default_regime_id())
        try:
            regime = load_regime(base if isinstance(base, str) else None)
        except RegimeError as exc:
            raise DossierError.de(origine, [("base", f"« base » : {exc}")]) from exc
    bornes = regime.bornes
    try:
        # Depth is checked first; a line break is refused except in the fields the schema marks multi-line.
        data = _iso_dates(normalize(data, bornes.texte_max if bornes else 500, regime.multilignes,
                                    regime.champs_pays, regime.noms_pays))
    except DomainError as exc:
        raise DossierError.de(origine, exc.erreurs) from exc
    errors = schema_errors(regime.schema, data)
    if errors:
        raise DossierError.de(origine, _worded(errors))
    data = dict(data)
    data.setdefault("date_reference", (today or dt.date.today()).isoformat())
    if bornes is not None:
        outside = date_errors(regime.schema, bornes, data)
        if outside:
            raise DossierError.de(origine, outside)
    return Dossier(data=data, regime=regime, origine=origine)


class _EventPath:
    """The path of the node an event belongs to, followed along the event stream (for a message that names
    the field of a tag before the document is built)."""

    def __init__(self) -> None:
        self.frames: list[list[Any]] = []  # [is_mapping, key or index, expecting a key]

    def current(self) -> list[Any]:
        return [frame[1] for frame in self.frames if frame[1] is not None]

    def value(self) -> None:
        """A whole value (a scalar, or a collection just closed) ends: the parent moves on."""
        if self.frames:
            frame = self.frames[-1]
            if frame[0]:
                frame[2] = True
            else:
                frame[1] += 1

    def scalar(self, text: str) -> bool:
        """A scalar event; True when it is a mapping's key (its path is the key's parent's)."""
        if self.frames and self.frames[-1][0] and self.frames[-1][2]:
            self.frames[-1][1], self.frames[-1][2] = text, False
            return True
        return False

    def open(self, mapping: bool) -> None:
        self.frames.append([mapping, None if mapping else 0, True])

    def close(self) -> None:
        self.frames.pop()
        self.value()


def _check_events(text: str, origine: str) -> None:
    """Refuse aliases, tags and deep nesting from the event stream, before anything is built.

    A 342-byte document of aliases expands to gigabytes once built: it is refused here, where each
    event costs what its text costs. A tag (``!!python/object``, ``!!float``, ``!foo``) asks for a
    constructor a dossier never needs: refused with its field and line.
    """
    depth = 0
    where = _EventPath()
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise DossierError.racine(origine, f"alias YAML « *{event.anchor} » refusé (ligne {mark.line + 1}) : "
                                               "écrivez la valeur en entier")
        if getattr(event, "tag", None) is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            field = format_path(where.current())
            raise DossierError.de(origine, [(field, f"« {field} » : étiquette YAML « {tag} » refusée "
                                   f"(ligne {event.start_mark.line + 1}) : écrivez la valeur seule, sans « ! »")])
        if isinstance(event, yaml.ScalarEvent):
            if not where.scalar(event.value):
                where.value()
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise DossierError.racine(origine, f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux, "
                                                   f"ligne {event.start_mark.line + 1})")
            where.open(isinstance(event, yaml.MappingStartEvent))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            where.close()


def _too_large(size: int, origine: str) -> DossierError:
    return DossierError.racine(origine, f"{size} octets : un dossier fait au plus {MAX_BYTES} octets")


# libyaml's and PyYAML's messages (their ``problem``, matched by a fragment), in French. A message not
# listed is not printed: the line and column say where, « forme non reconnue » what.
_YAML_PROBLEMS = (
    ("exceeded maximum nesting depth", f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)"),
    ("mapping values are not allowed", "« : » inattendu ici (un texte qui contient « : » s'écrit entre guillemets)"),
    ("could not find expected ':'", "« : » attendu après un nom de champ"),
    ("did not find expected key", "nom de champ attendu (indentation incohérente ?)"),
    ("did not find expected node content", "valeur attendue"),
    ("cannot start any token", "caractère inattendu (une tabulation ? l'indentation se fait par espaces)"),
    ("tab character", "tabulation dans l'indentation : indentez avec des espaces"),
    ("did not find expected '-' indicator", "« - » attendu (élément de liste)"),
    ("block sequence entries are not allowed", "« - » inattendu ici"),
    ("did not find expected ',' or ']'", "« , » ou « ] » attendu"),
    ("did not find expected ',' or '}'", "« , » ou « } » attendu"),
    ("found unexpected end of stream", "fin du fichier inattendue (guillemet ou crochet non fermé ?)"),
    ("unknown escape character", "séquence « \\ » inconnue dans un texte entre guillemets"),
    ("found another document", "un seul document par fichier (« --- » en trop)"),
    ("did not find expected <document start>", "début de document attendu"),
    ("found unexpected document indicator", "« --- » ou « ... » inattendu dans un texte"),
    ("control characters are not allowed", "caractère de contrôle dans le fichier"),
    ("special characters are not allowed", "caractère de contrôle dans le fichier"),
    ("incompatible YAML document", "version de YAML non prise en charge (%YAML)"),
    ("directive", "directive YAML (%…) non prise en charge"),
    ("tag", "étiquette YAML (« ! ») refusée"),
    ("anchor", "ancre YAML (« & ») mal écrite"),
    ("alias", "alias YAML (« * ») mal écrit"),
    ("en double", None),  # our own duplicate-key message, already in French
)

# The json module's messages (``JSONDecodeError.msg``), in French.
_JSON_PROBLEMS = (
    ("Expecting value", "valeur attendue"),
    ("Expecting property name", "nom de champ attendu, entre guillemets droits (\")"),
    ("Expecting ':' delimiter", "« : » attendu après le nom du champ"),
    ("Expecting ',' delimiter", "« , » attendue entre deux éléments"),
    ("Unterminated string", "texte non fermé (guillemet manquant)"),
    ("Invalid control character", "caractère de contrôle dans un texte (écrivez \\n, \\t)"),
    ("Invalid \\uXXXX escape", "séquence « \\uXXXX » invalide"),
    ("Invalid \\escape", "séquence « \\ » invalide dans un texte"),
    ("Extra data", "texte en trop après la fin du document JSON"),
    ("Illegal trailing comma", "virgule en trop avant la fin d'un objet ou d'une liste"),
)


def _in_french(problem: str, table: tuple[tuple[str, str | None], ...]) -> str:
    for fragment, french in table:
        if fragment in problem:
            return french or problem
    return "forme non reconnue"


def parse_text(text: str, origine: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) by YAML 1.2's core schema, dates kept as text; aliases, tags,
    duplicate keys and numbers not read exactly as written refused, each with its line or field."""
    if len(text) > MAX_BYTES:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), origine)
    try:
        _check_events(text, origine)
        loader = _DateAsStringLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
        problem = str(getattr(exc, "problem", None) or getattr(exc, "reason", None) or "")
        message = f"YAML/JSON illisible{where} : {_in_french(problem, _YAML_PROBLEMS)}"
        raise DossierError.de(origine, [(getattr(exc, "cle", RACINE), message)]) from None
    except RecursionError:  # a pathological document
        raise DossierError.racine(origine, "YAML/JSON illisible : imbrication trop profonde") from None
    if loader.refused:  # walked only then, to name their fields
        raise DossierError.de(origine, scalar_refusals(data))
    return data


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateJsonKey(key)
        out[key] = value
    return out


def _json_number(text: str) -> int | Refus:
    if len(text) > 4 * MAX_DIGITS:  # not even handed to Decimal
        return Refus(text[:21], f"est trop grand : nombre illisible de plus de {MAX_DIGITS} chiffres")
    return exact_integer(text)


def _not_a_number(name: str) -> Refus:
    return Refus(name, "n'est pas un nombre fini")


def parse_json(text: str, origine: str, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one JSON document; numbers kept as written (a fraction or an integer of many digits refused with
    its field, never rounded), duplicate keys, NaN and Infinity refused; a leading BOM ignored, as YAML does."""
    if len(text) > max_bytes:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), origine)
    text = text.removeprefix("\ufeff")  # the mark some editors put first: YAML skips it, so does JSON here
    if not text.strip():
        raise DossierError.racine(origine, "JSON vide : un dossier est un objet {…}")
    refused: list[Refus] = []

    def number(written: str) -> int | Refus:
        value = _json_number(written)
        if isinstance(value, Refus):
            refused.append(value)
        return value

    def constant(name: str) -> Refus:
        refused.append(_not_a_number(name))
        return refused[-1]

    try:
        # int is the common case: json's own parser, unless a fraction, an exponent or a long one needs a look
        data = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=constant, parse_float=number,
                          parse_int=lambda t: int(t) if len(t) <= MAX_DIGITS else number(t))
    except json.JSONDecodeError as exc:
        raise DossierError.racine(origine, f"JSON illisible (ligne {exc.lineno}, colonne {exc.colno}) : "
                                           f"{_in_french(exc.msg, _JSON_PROBLEMS)}") from None
    except ValueError as exc:  # a duplicate key (our own message, in French)
        raise DossierError.de(origine, [(getattr(exc, "cle", RACINE), f"JSON refusé : {exc}")]) from None
    except RecursionError:
        raise DossierError.racine(origine, "JSON refusé : imbrication trop profonde") from None
    if refused:  # walked only then, to name their fields
        raise DossierError.de(origine, [(chemin, f"JSON refusé : {m}") for chemin, m in scalar_refusals(data)])
    return data


_OS_REASONS = {errno.EACCES: "permission refusée", errno.EPERM: "permission refusée",
               errno.EIO: "erreur d'entrée-sortie du disque", errno.ELOOP: "trop de liens symboliques",
               errno.ENAMETOOLONG: "nom trop long", errno.ENOTDIR: "un élément du chemin n'est pas un répertoire",
               errno.EMFILE: "trop de fichiers ouverts", errno.ENXIO: "périphérique absent"}
_FILE_KINDS = ((stat.S_ISFIFO, "un tube nommé (FIFO)"), (stat.S_ISCHR, "un périphérique"),
               (stat.S_ISBLK, "un périphérique"), (stat.S_ISSOCK, "une socket"))


def read_input(path: str | Path, limit: int = MAX_BYTES, what: str = "un dossier") -> str:
    """The UTF-8 text of a file a person named (dossier, amendment, letterhead, cases), read at most
    ``limit`` + 1 bytes; DossierError in French naming the file otherwise.

    Only a regular file is read: a FIFO would block for ever, ``/dev/zero`` never ends. The file is opened
    non-blocking (a FIFO swapped in after the check does not block either) and checked again once open.
    """
    path = Path(path)
    try:
        kind = os.stat(path).st_mode
        if stat.S_ISDIR(kind):
            raise DossierError.racine(str(path), "est un répertoire, pas un fichier")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            kind = os.fstat(fd).st_mode
            if not stat.S_ISREG(kind):
                name = next((n for test, n in _FILE_KINDS if test(kind)), "un fichier spécial")
                raise DossierError.racine(str(path), f"est {name}, pas un fichier ordinaire : donnez un fichier")
            chunks, size = [], 0
            while size <= limit:
                chunk = os.read(fd, min(1 << 16, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise DossierError.racine(str(path), "fichier introuvable") from None
    except IsADirectoryError:
        raise DossierError.racine(str(path), "est un répertoire, pas un fichier") from None
    except OSError as exc:  # the system's own text (strerror) is English
        reason = _OS_REASONS.get(exc.errno, "erreur du système")
        raise DossierError.racine(str(path), f"fichier illisible ({reason})") from None
    if size > limit:
        raise DossierError.racine(str(path), f"plus de {limit} octets : {what} fait au plus {limit} octets")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DossierError.racine(str(path), f"fichier illisible : l'octet {data[exc.start]:#04x} (octet n°"
                                  f"{exc.start + 1} du fichier) n'est pas de l'UTF-8 : enregistrez-le en UTF-8"
                                  ) from None


def load_dossier(path: str | Path, today: dt.date | None = None, regime: Regime | None = None) -> Dossier:
    """Read, parse and validate the dossier file at ``path``."""
    path = Path(path)
    text = read_input(path)
    data = parse_json(text, str(path)) if path.suffix.lower() == ".json" else parse_text(text, str(path))
    return validate(data, str(path), today=today, regime=regime)

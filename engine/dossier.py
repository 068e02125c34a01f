"""Reading and validating dossiers (YAML or JSON) against their regime's JSON Schema.

Dates stay ISO strings until the schema has checked them: the YAML loader does
not turn ``2015-02-30`` into a crash, the schema's ``format: date`` rejects it
with the field's path. Nothing is evaluated from a dossier that failed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from engine.domaine import MAX_BYTES, MAX_DEPTH, DomainError, date_errors, normalize
from engine.regime import Regime, RegimeError, default_regime_id, load_regime


class DossierError(Exception):
    """A dossier that cannot be evaluated; the message names the field and its path."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: much faster


class _DateAsStringLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that keeps dates as strings, so the schema checks them, and refuses duplicate keys
    (YAML would silently keep the last: a salary of 85 000 then 10 is a salary of 10)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"clé « {key_node.value} » en double (lignes {seen[key_node.value]} et {line})",
                        key_node.start_mark)
                seen[key_node.value] = line
        return super().construct_mapping(node, deep=deep)


_DateAsStringLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def _message(error: jsonschema.ValidationError) -> str:
    """One validation error in French, naming the field."""
    where = format_path(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        field_path = ", ".join(format_path([*error.absolute_path, name]) for name in extra)
        return f"champ inconnu « {field_path} » (champs admis ici : {', '.join(allowed)})"
    if kind == "required":
        missing = error.message.split("'")[1]
        return f"champ obligatoire manquant « {format_path([*error.absolute_path, missing])} »"
    if kind == "type":
        expected = error.validator_value
        names = [_TYPES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected)]
        return f"« {where} » doit être {' ou '.join(names)} ; reçu {error.instance!r}"
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"« {where} » : valeur inconnue {error.instance!r} (valeurs admises : {allowed})"
    if kind == "const":
        return f"« {where} » : valeur {error.instance!r} ; attendu {error.validator_value!r}"
    if kind == "format" and error.validator_value == "date":
        return f"« {where} » : date impossible ou mal écrite {error.instance!r} (attendu AAAA-MM-JJ)"
    if kind in ("minimum", "maximum"):
        bound = "au moins" if kind == "minimum" else "au plus"
        return f"« {where} » doit valoir {bound} {error.validator_value} ; reçu {error.instance!r}"
    if kind == "oneOf":
        return f"« {where} » : forme non reconnue {error.instance!r}"
    if kind == "minLength":
        return f"« {where} » ne peut pas être vide"
    if kind == "maxLength":  # jsonschema's « '…' is too long »: the limit, not the text again
        return f"« {where} » : texte trop long ({len(error.instance)} caractères ; au plus {error.validator_value})"
    if kind == "pattern":
        return f"« {where} » : {error.instance!r} ne suit pas la forme {error.validator_value}"
    return f"« {where} » : {error.message}"


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
    """``format: date`` as jsonschema checks it: ISO ``AAAA-MM-JJ`` and a day that exists."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# Per schema (kept alive with its validators, so that its id is never reused): the compiled
# fastjsonschema check, and the jsonschema validator that words the errors.
_VALIDATORS: dict[int, tuple[dict[str, Any], Any, jsonschema.Validator]] = {}


def _validators(schema: dict[str, Any]) -> tuple[Any, jsonschema.Validator]:
    """Two validators of one schema: fastjsonschema (code compiled once, ~8 times faster) says whether a
    dossier is valid; jsonschema, slower but with every error and its path, words the refusal."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None:
        validator_cls = jsonschema.validators.validator_for(schema)
        full = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
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


def validate(data: Any, origine: str = "<dossier>", today: dt.date | None = None,
             regime: Regime | None = None) -> Dossier:
    """Check ``data`` against its regime's schema; fill ``date_reference`` (today) if absent.

    ``regime`` evaluates the dossier under a given (for instance amended) regime
    rather than the one its ``base`` names.
    """
    if not isinstance(data, dict):
        raise DossierError(f"{origine}: un dossier est un objet (clé: valeur), reçu {type(data).__name__}")
    if regime is None:
        base = data.get("base", default_regime_id())
        try:
            regime = load_regime(base if isinstance(base, str) else None)
        except RegimeError as exc:
            raise DossierError(f"{origine}: « base » : {exc}") from exc
    bornes = regime.bornes
    try:
        # Depth is checked first; a line break is refused except in the fields the schema marks multi-line.
        data = _iso_dates(normalize(data, bornes.texte_max if bornes else 500, regime.multilignes))
    except DomainError as exc:
        raise DossierError("\n".join(f"{origine}: {m}" for m in exc.messages)) from exc
    errors = schema_errors(regime.schema, data)
    if errors:
        lines = [f"{origine}: {_message(e)}" for e in errors]
        raise DossierError("\n".join(lines))
    data = dict(data)
    data.setdefault("date_reference", (today or dt.date.today()).isoformat())
    if bornes is not None:
        outside = date_errors(regime.schema, bornes, data)
        if outside:
            raise DossierError("\n".join(f"{origine}: {m}" for m in outside))
    return Dossier(data=data, regime=regime, origine=origine)


def _check_events(text: str, origine: str) -> None:
    """Refuse aliases and deep nesting from the event stream, before anything is built.

    A 342-byte document of aliases expands to gigabytes once built: it is refused here, where each
    event costs what its text costs.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise DossierError(f"{origine}: alias YAML « *{event.anchor} » refusé (ligne {mark.line + 1}) : "
                               "écrivez la valeur en entier")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise DossierError(f"{origine}: imbrication trop profonde (plus de {MAX_DEPTH} niveaux, "
                                   f"ligne {event.start_mark.line + 1})")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _too_large(size: int, origine: str) -> DossierError:
    return DossierError(f"{origine}: {size} octets : un dossier fait au plus {MAX_BYTES} octets")


def parse_text(text: str, origine: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) without converting dates; aliases and duplicate keys refused."""
    if len(text) > MAX_BYTES:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), origine)
    try:
        _check_events(text, origine)
        return yaml.load(text, Loader=_DateAsStringLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
        raise DossierError(f"{origine}: YAML/JSON illisible{where} : {getattr(exc, 'problem', exc)}") from exc
    except (ValueError, RecursionError) as exc:  # an integer of thousands of digits, a pathological document
        raise DossierError(f"{origine}: YAML/JSON illisible : {exc}") from exc


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"clé « {key} » en double")
        out[key] = value
    return out


def parse_json(text: str, origine: str) -> Any:
    """Parse one JSON document; duplicate keys, NaN and Infinity, huge integers and deep nesting refused."""
    if len(text) > MAX_BYTES:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), origine)
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DossierError(f"{origine}: JSON illisible (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}") from exc
    except ValueError as exc:  # a duplicate key, NaN, an integer of more than 4 300 digits
        raise DossierError(f"{origine}: JSON refusé : {exc}") from exc
    except RecursionError as exc:
        raise DossierError(f"{origine}: JSON refusé : imbrication trop profonde") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} n'est pas un nombre")


def load_dossier(path: str | Path, today: dt.date | None = None, regime: Regime | None = None) -> Dossier:
    """Read, parse and validate the dossier file at ``path``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _too_large(size, str(path))
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise DossierError(f"{path}: fichier introuvable") from exc
    except UnicodeDecodeError as exc:
        raise DossierError(f"{path}: fichier illisible : l'octet {exc.object[exc.start]:#04x} (octet n°"
                           f"{exc.start + 1} du fichier) n'est pas de l'UTF-8 : enregistrez-le en UTF-8") from exc
    except IsADirectoryError as exc:
        raise DossierError(f"{path}: est un dossier, pas un fichier") from exc
    except OSError as exc:
        raise DossierError(f"{path}: fichier illisible ({exc.strerror or exc})") from exc
    data = parse_json(text, str(path)) if path.suffix.lower() == ".json" else parse_text(text, str(path))
    return validate(data, str(path), today=today, regime=regime)

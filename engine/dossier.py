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

from engine.regime import Regime, RegimeError, default_regime_id, load_regime


class DossierError(Exception):
    """A dossier that cannot be evaluated; the message names the field and its path."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: much faster


class _DateAsStringLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that keeps dates as strings, so the schema checks them."""


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
    data = _iso_dates(data)
    if regime is None:
        base = data.get("base", default_regime_id())
        try:
            regime = load_regime(base if isinstance(base, str) else None)
        except RegimeError as exc:
            raise DossierError(f"{origine}: « base » : {exc}") from exc
    errors = schema_errors(regime.schema, data)
    if errors:
        lines = [f"{origine}: {_message(e)}" for e in errors]
        raise DossierError("\n".join(lines))
    data = dict(data)
    data.setdefault("date_reference", (today or dt.date.today()).isoformat())
    return Dossier(data=data, regime=regime, origine=origine)


def parse_text(text: str, origine: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) without converting dates."""
    try:
        return yaml.load(text, Loader=_DateAsStringLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
        raise DossierError(f"{origine}: YAML/JSON illisible{where} : {getattr(exc, 'problem', exc)}") from exc


def load_dossier(path: str | Path, today: dt.date | None = None, regime: Regime | None = None) -> Dossier:
    """Read, parse and validate the dossier file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DossierError(f"{path}: fichier introuvable") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DossierError(f"{path}: fichier illisible ({exc})") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"ligne {exc.lineno}, colonne {exc.colno}"
            raise DossierError(f"{path}: JSON illisible ({where}) : {exc.msg}") from exc
    else:
        data = parse_text(text, str(path))
    return validate(data, str(path), today=today, regime=regime)

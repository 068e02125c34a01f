"""Validating a dossier against its regime: the domain of its values, its JSON Schema, its dates.

:func:`validate` normalises the data (:func:`engine.normalize.normalize`: depth, text, countries), checks
it against the schema (fastjsonschema says whether it is valid; jsonschema words each error with its
path, in French) and keeps its dates in the regime's window (:func:`engine.domaine.date_errors`); a
refusal is a :class:`engine.dossier.DossierError` with one record per field. :func:`load_dossier` reads
a file (:mod:`engine.parsing`) and validates it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from engine.domaine import date_errors, iso_date
from engine.dossier import RACINE, Dossier, DossierError, ErreurChamp, apercu, format_path, genre
from engine.normalize import DomainError, normalize
from engine.parsing import parse_json, parse_text, read_input
from engine.regime import Regime, RegimeError, default_regime_id, load_regime

_TYPES = {"string": "une chaîne", "integer": "un entier", "boolean": "un booléen (true/false)",
          "object": "un objet", "array": "une liste", "number": "un nombre"}
# What YAML 1.1 read as a boolean and YAML 1.2 reads as text (engine.scalars' loader): said when refused.
_YAML11_BOOLEANS = {"yes", "no", "y", "n", "on", "off"}


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



def load_dossier(path: str | Path, today: dt.date | None = None, regime: Regime | None = None) -> Dossier:
    """Read, parse and validate the dossier file at ``path``."""
    path = Path(path)
    text = read_input(path)
    data = parse_json(text, str(path)) if path.suffix.lower() == ".json" else parse_text(text, str(path))
    return validate(data, str(path), today=today, regime=regime)

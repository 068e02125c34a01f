"""French formatting of amounts, dates and values (no legal content)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre")


def nombre(value: int) -> str:
    """``1234567`` → ``1 234 567`` (thousands separated by a space, as the guide writes them)."""
    sign = "-" if value < 0 else ""
    digits = str(abs(int(value)))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + " ".join(groups)


def fcfa(value: int | Fraction) -> str:
    """``25000`` → ``25 000 FCFA``; an exact fraction keeps its decimals: ``1 501,5 FCFA``."""
    if isinstance(value, Fraction) and value.denominator != 1:
        whole, rest = divmod(value, 1)
        decimals = f"{float(rest):.6f}"[2:].rstrip("0")
        return f"{nombre(int(whole))},{decimals} FCFA"
    return f"{nombre(int(value))} FCFA"


def date_fr(value: dt.date) -> str:
    """``2026-06-01`` → ``1er juin 2026``; ``2026-01-10`` → ``10 janvier 2026``."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MOIS[value.month - 1]} {value.year}"


def mois_fr(value: dt.date) -> str:
    """``2026-06-01`` → ``juin 2026``."""
    return f"{MOIS[value.month - 1]} {value.year}"


_VOYELLES = tuple("aeiouyhâàéèêëîïôöûüAEIOUYHÂÀÉÈÊËÎÏÔÖÛÜ")


def de(text: str) -> str:
    """``de`` before a word, elided before a vowel: ``de juin``, ``d'octobre``, ``d'Issa``."""
    return f"d'{text}" if str(text).startswith(_VOYELLES) else f"de {text}"


def que(text: str) -> str:
    """``que`` before a word, elided before a vowel: ``que Moussa``, ``qu'Issa``."""
    return f"qu'{text}" if str(text).startswith(_VOYELLES) else f"que {text}"


def pluriel(count: int, singular: str, plural: str | None = None) -> str:
    """``1 enfant``, ``2 enfants``."""
    return f"{count} {singular if count <= 1 else (plural or singular + 's')}"


def valeur(value: Any) -> str:
    """Any value read from the solver, for a reader."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return date_fr(value)
    if isinstance(value, Fraction):
        if value.denominator == 100 or (100 % value.denominator == 0 and value < 1):
            return f"{nombre(int(value * 100)) if (value * 100).denominator == 1 else float(value * 100)} %"
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, int):
        return nombre(value)
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


def json_value(value: Any) -> Any:
    """A value made JSON-serialisable (dates ISO, fractions as ``"a/b"``)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "args"):
        return {"terme": value.name, "arguments": [json_value(a) for a in value.args]}
    return value


def majuscule(text: str) -> str:
    """The first letter in capitals, the rest untouched (``qu'Issa`` → ``Qu'Issa``)."""
    return text[:1].upper() + text[1:]


# The French filters every Jinja2 environment of the project registers.
FILTRES = {"fcfa": fcfa, "date": date_fr, "mois": mois_fr, "nombre": nombre, "valeur": valeur,
           "de": de, "que": que, "pluriel": pluriel, "majuscule": majuscule}

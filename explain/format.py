"""French formatting of amounts, dates and values (no legal content).

Numbers are formatted by Babel (CLDR, locale ``fr``): thousands grouped by a
non-breaking space (U+00A0, which every font of the letters has, rather than
CLDR's narrow one), a decimal comma; an amount keeps its unit on the same line
(« 12 345 FCFA » with non-breaking spaces), in every output format.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

LOCALE = "fr_FR"
INSECABLE = "\u00a0"  # non-breaking space: between groups of digits, and before a unit
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre")


def nombre(value: int) -> str:
    """``1234567`` → ``1 234 567`` (groups separated by a non-breaking space, as the guide writes them)."""
    return _nombre(int(value))


@functools.lru_cache(maxsize=4096)
def _nombre(value: int) -> str:
    # Babel's formatting costs about 2 ms a call; a letter or an explanation writes the same few numbers often.
    return format_decimal(value, locale=LOCALE).replace("\u202f", INSECABLE)


def fcfa(value: int | Fraction) -> str:
    """``25000`` → ``25 000 FCFA``; an exact fraction keeps its decimals: ``1 501,5 FCFA`` (non-breaking spaces)."""
    if isinstance(value, Fraction) and value.denominator != 1:
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
        text = format_decimal(decimal, format="#,##0.######", locale=LOCALE).replace("\u202f", INSECABLE)
        return f"{text}{INSECABLE}FCFA"
    return f"{nombre(int(value))}{INSECABLE}FCFA"


def date_fr(value: dt.date) -> str:
    """``2026-06-01`` → ``1er juin 2026``; ``2026-01-10`` → ``10 janvier 2026``."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MOIS[value.month - 1]} {value.year}"


def mois_fr(value: dt.date) -> str:
    """``2026-06-01`` → ``juin 2026``."""
    return format_date(value, "MMMM y", locale=LOCALE)


_SECABLE = re.compile(r"(?<=\d) (?=\d{3}(?!\d)|FCFA\b)")


_CODE_HTML = re.compile(r"(<(style|script|svg)\b.*?</\2>)", re.S)


def insecables(text: str, html: bool = False) -> str:
    """A rendered text whose grouped figures and amounts never break at the end of a line: « 12 345 FCFA »
    (a quotation of a source, « 100 FCFA pour les allocataires », included). In HTML, style sheets,
    scripts and drawings are left as they are (their numbers are code, not text)."""
    if not html:
        return _SECABLE.sub(INSECABLE, text)
    parts = _CODE_HTML.split(text)
    # split() returns text, then for each match the whole block and its tag name: text is every third part.
    return "".join(_SECABLE.sub(INSECABLE, part) if i % 3 == 0 else ("" if i % 3 == 2 else part)
                   for i, part in enumerate(parts))


_BLANCS = re.compile(r"[ \t\r\n\f\v]+")


def espaces(text: str) -> str:
    """Runs of ordinary spaces and line breaks as one space; non-breaking spaces are kept."""
    return _BLANCS.sub(" ", text).strip()


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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_DEBUT_BLOC = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def md(text: Any) -> str:
    """Text escaped for Markdown: names and sentences are printed, never interpreted. Line breaks
    (and every run of spaces) become one space, and a block marker at its start (« - », « 1. »,
    « > ») is escaped: a text from the dossier can never open a list, a heading or a paragraph."""
    text = espaces(str(text))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _DEBUT_BLOC.sub(lambda m: m.group(1) + "\\" + m.group(2) if len(m.group(2)) == 1
                           else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


# Numbers of the law in words. A sentence never writes a duration, an age or a count of the law by
# hand: it names the parameter in force and one of these filters writes it (docs/explications.md).


def lettres(value: int, genre: str = "m") -> str:
    """``9`` → ``neuf``; ``genre="f"`` for a feminine noun: ``1`` → ``une`` (« une semaine »)."""
    mots = num2words(int(value), lang="fr")
    return re.sub(r"\bun$", "une", mots) if genre == "f" else mots


def lettres_chiffres(value: int, genre: str = "m") -> str:
    """``9`` → ``neuf (09)``, ``24`` → ``vingt-quatre (24)``: the guide's way of writing a number of the law."""
    return f"{lettres(value, genre)} ({int(value):02d})"


def ordinal(value: int, genre: str = "m") -> str:
    """``6`` → ``sixième``, ``1`` → ``premier`` (``première`` with ``genre="f"``)."""
    if int(value) == 1:
        return "première" if genre == "f" else "premier"
    return num2words(int(value), lang="fr", to="ordinal")


# The French filters every Jinja2 environment of the project registers.
FILTRES = {"fcfa": fcfa, "date": date_fr, "mois": mois_fr, "nombre": nombre, "valeur": valeur,
           "de": de, "que": que, "pluriel": pluriel, "majuscule": majuscule,
           "lettres": lettres, "lettres_chiffres": lettres_chiffres, "ordinal": ordinal}

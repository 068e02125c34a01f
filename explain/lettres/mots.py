"""The words of a letter: amounts in words, lists, a catalogue sentence made fit for a citizen, articles.

Each is used to build a letter's context (:mod:`explain.lettres.contexte`) and
is a filter of the letter templates (:mod:`explain.lettres.gabarits`).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from num2words import num2words

from explain import format as fmt

MONNAIE_DEFAUT = {"singulier": "franc", "pluriel": "francs"}
# A dossier path left in a catalogue sentence, "(accouchement.date)": for an
# agent, not for the citizen.
_CHEMIN = re.compile(r"\s*\((?:[a-z_]+(?:\[\d*\])?\.)+[a-z_]+\)")


def citoyen(text: str, notes: tuple[str, ...] = ()) -> str:
    """A catalogue sentence for a citizen: dossier paths and the analyst's notes (``notes_analyste``
    of the regime's ``lettres.yaml``, regular expressions) removed, escaped for Markdown."""
    text = _CHEMIN.sub("", text)
    for pattern in notes:
        text = re.sub(pattern, "", text)
    return fmt.md(text)


def en_lettres(montant: int | Fraction, monnaie: dict[str, str] | None = None) -> str:
    """``2730`` → ``deux mille sept cent trente (2 730) francs CFA``, as the guide writes amounts."""
    monnaie = monnaie or MONNAIE_DEFAUT
    if isinstance(montant, Fraction) and montant.denominator != 1:
        mots = num2words(float(montant), lang="fr")
        chiffres = fmt.fcfa(montant).removesuffix(f"{fmt.INSECABLE}FCFA")
    else:
        mots = num2words(int(montant), lang="fr")
        chiffres = fmt.nombre(int(montant))
    unite = monnaie["singulier"] if abs(montant) < 2 else monnaie["pluriel"]
    # « un million de francs » : "de" after a round million or milliard.
    de = "de " if re.search(r"(millions?|milliards?)$", mots) else ""
    return f"{mots} ({chiffres}) {de}{unite}"


def duree(nombre: int, singulier: str, pluriel: str) -> str:
    """``60, "jour", "jours"`` → ``soixante (60) jours``; ``1`` → ``un (01) jour``: as the guide writes
    its time limits (« six (06) mois »)."""
    return f"{num2words(nombre, lang='fr')} ({nombre:02d}) {singulier if nombre < 2 else pluriel}"


def valeur_en_mots(value: Any) -> str:
    """A value the decision reports that is no amount, for a citizen: a count in words and figures
    (``6`` → ``six (6)``), yes or no, a date, a label (:func:`explain.format.valeur`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{num2words(value, lang='fr')} ({fmt.nombre(value)})"
    return fmt.valeur(value)


def liste(items: Any, conjonction: str = "et") -> str:
    """``["Awa", "Moussa", "Issa"]`` → ``Awa, Moussa et Issa``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjonction} {items[-1]}"


def minuscule(text: str) -> str:
    """``Allocations familiales`` → ``allocations familiales``; an acronym stays (``INPS``)."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def lignes(items: Any) -> str:
    """Lines joined by Markdown hard breaks (a backslash at the end of a line)."""
    return "\\\n".join(str(i) for i in items if i)


def au(fonction: str) -> str:
    """``Le Directeur régional`` → ``au Directeur régional``; ``La Cheffe`` → ``à la Cheffe``."""
    for article, contracted in (("Le ", "au "), ("La ", "à la "), ("Les ", "aux "), ("L'", "à l'"), ("L’", "à l’")):
        if fonction.startswith(article) or fonction.startswith(article.lower()):
            return contracted + fonction[len(article):]
    return f"à {fonction}"


def civilite(sexes: dict[str, str]) -> str | None:
    """``Madame`` or ``Monsieur`` after the applicant's sex (:attr:`engine.model.Decision.sexes`); None if unknown."""
    return {"F": "Madame", "M": "Monsieur"}.get(sexes.get("demandeur", ""))

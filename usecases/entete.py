"""The letterhead of a letter: the regime's own (``kb/<regime>/entete.yaml``), with an office's fields over it.

Each regime declares who writes its letters (institution, country, motto,
office, signatory) and how to contest its decisions, in ``entete.yaml`` beside
its rules: a letter of one regime can never carry another's letterhead. An
office overrides any field with its own file (``prevoyance letter --entete``):
absent fields keep the regime's value; an unknown field or a field of the
wrong type is refused with its name, as a dossier field is.

This module reads and checks those files and merges them; how a letter
prints its letterhead is :mod:`explain.lettres.entete`'s.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from engine.dossier import DossierError, apercu, genre
from engine.regime import Regime
from engine.validation import parse_text, read_input

FICHIER = "entete.yaml"
BUREAUX = "entetes"  # beside it, the letterheads of the regime's other offices, each a partial file as --entete takes


class EnteteError(Exception):
    """A letterhead that cannot be used: unreadable, unknown field, wrong type, missing."""


_TEXTE = (str, type(None))
# Every field of a letterhead, with its type and the value it takes when a regime's file leaves it out.
CHAMPS: dict[str, tuple[Any, Any]] = {
    "organisme": (str, None),
    "direction": (_TEXTE, None),
    "agence": (_TEXTE, None),
    "adresse": (list, []),
    "telephone": (_TEXTE, None),
    "courriel": (_TEXTE, None),
    "etat": (_TEXTE, None),
    "devise": (_TEXTE, None),
    "lieu": (str, None),
    "signataire": (dict, None),
    "signataire.fonction": (str, None),
    "signataire.nom": (_TEXTE, None),
    "depot": (dict, None),
    "depot.service": (_TEXTE, None),
    "depot.adresse": (list, []),
    "delai_reponse_jours": (int, 30),
    "contestation": (str, None),
    # Where and by when to contest a decision: the office's time limit, in days from the letter's date, and the
    # address of the service that hears the claim (empty: the office's own, above).
    "recours": (dict, None),
    "recours.delai_jours": (int, None),
    "recours.service": (_TEXTE, None),
    "recours.adresse": (list, []),
    "mentions": (list, []),
}
_OBLIGATOIRES = ("organisme", "lieu", "signataire.fonction", "contestation", "recours.delai_jours")
_JOURS = ("delai_reponse_jours", "recours.delai_jours")
# A time limit written by hand in the contestation text (« dans un délai de 60 jours ») would not follow the
# office's ``recours.delai_jours``: refused, the letter writes the limit itself.
_DELAI_ECRIT = re.compile(r"\d+\s*\)?\s*(?:jours?|mois|semaines?|ans?|années?)\b", re.IGNORECASE)


def _check(data: Any, origine: str, prefix: str = "") -> dict[str, Any]:
    """The fields of a letterhead file, checked against :data:`CHAMPS` (an office may give any subset)."""
    if not isinstance(data, dict):
        raise EnteteError(f"{origine}: « {prefix.rstrip('.') or '(racine)'} » doit être un objet (clé: valeur)")
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path not in CHAMPS:
            allowed = ", ".join(sorted(k.removeprefix(prefix) for k in CHAMPS
                                       if k.startswith(prefix) and "." not in k.removeprefix(prefix)))
            raise EnteteError(f"{origine}: champ inconnu « {path} » (champs admis ici : {allowed})")
        expected = CHAMPS[path][0]
        if expected is dict:
            out[key] = _check(value, origine, f"{path}.")
            continue
        if isinstance(value, bool) or not isinstance(value, expected):
            raise EnteteError(f"{origine}: « {path} » a le mauvais type ({genre(value)} : {apercu(value)})")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise EnteteError(f"{origine}: « {path} » est une liste de lignes de texte")
        if path in _JOURS and value < 1:
            raise EnteteError(f"{origine}: « {path} » doit valoir au moins 1 ; reçu {value}")
        if path == "contestation" and _DELAI_ECRIT.search(value):
            raise EnteteError(f"{origine}: « contestation » écrit un délai à la main "
                              f"(« {_DELAI_ECRIT.search(value).group()} ») : donnez-le en jours dans "
                              "« recours.delai_jours », la lettre l'écrit avec sa date limite")
        out[key] = value
    return out


def _read(path: Path) -> Any:
    """An office's letterhead file, read as a dossier is: a regular file of at most 1 MiB, YAML 1.2."""
    try:
        return parse_text(read_input(path, what="un fichier d'en-tête"), str(path))
    except DossierError as exc:
        raise EnteteError(str(exc)) from None


def load_bureau(path: str | Path | None) -> dict[str, Any]:
    """An office's letterhead file (``--entete``): the fields it changes, checked; ``{}`` without a file."""
    if path is None:
        return {}
    data = _read(Path(path))
    return _check(data if data is not None else {}, str(path))


def entetes_livres(regime: Regime) -> list[Path]:
    """The office letterheads shipped with a regime (``kb/<regime>/entetes/*.yaml``), each read as an
    office's file over the regime's own; in the order of their file names."""
    return sorted((regime.folder / BUREAUX).glob("*.yaml"))


def nom_bureau(entete: dict[str, Any]) -> str:
    """How a clerk names a letterhead: its agency, else its office, else the institution."""
    return entete.get("agence") or entete.get("direction") or entete["organisme"]


def _defauts(prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (kind, default) in CHAMPS.items():
        rest = key.removeprefix(prefix) if key.startswith(prefix) else None
        if rest is None or "." in rest:
            continue
        out[rest] = _defauts(f"{key}.") if kind is dict else default
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) else value
    return merged


@functools.cache
def entete_regime(regime: Regime) -> dict[str, Any]:
    """The letterhead the regime declares in ``kb/<regime>/entete.yaml``, complete."""
    path = regime.folder / FICHIER
    if not path.is_file():
        raise EnteteError(f"le régime {regime.id} ne déclare pas d'en-tête de lettre ({path.name} dans son dossier)")
    entete = _merge(_defauts(), _check(_read(path) or {}, str(path)))
    _complete(entete, str(path))
    return entete


def _complete(entete: dict[str, Any], origine: str) -> None:
    for path in _OBLIGATOIRES:
        value: Any = entete
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not value:
            raise EnteteError(f"{origine}: « {path} » est obligatoire")


def entete(regime: Regime, bureau: dict[str, Any] | None = None) -> dict[str, Any]:
    """The letterhead of a letter of ``regime``: the regime's, with the office's fields (``bureau``) over it."""
    merged = _merge(entete_regime(regime), bureau or {})
    _complete(merged, "--entete")
    return merged

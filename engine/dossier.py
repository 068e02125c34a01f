"""A dossier and the refusal of one: the validated :class:`Dossier`, :class:`DossierError` with its
records (:class:`ErreurChamp`), and how a refusal names a field and a value (:func:`format_path`,
:func:`genre`, :func:`apercu`).

Reading the text a person gives is :mod:`engine.parsing` (files, YAML, JSON) and :mod:`engine.scalars`
(how a scalar becomes a value); checking it against the regime is :mod:`engine.validation`
(:func:`~engine.validation.validate`, :func:`~engine.validation.load_dossier`). Every refusal is in French
and names the field or the file; nothing is evaluated from a dossier that failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.regime import Regime

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
        """The prestations the dossier's ``demandes`` name; None when it names none (all are examined)."""
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

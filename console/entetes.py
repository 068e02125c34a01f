"""The letterheads the console offers for a letter: the regime's own, its shipped offices', and the offices'.

A clerk chooses under which office a letter goes out, as ``prevoyance letter
--entete FILE`` does: the regime's letterhead (``kb/<régime>/entete.yaml``, the
default), those shipped beside it (``kb/<régime>/entetes/*.yaml``) and those
given to ``prevoyance serve --entete FILE`` (read and checked when the server
starts: a bad file stops it with the field named). Each is a partial file put
over the regime's letterhead (:mod:`usecases.entete`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.regime import Regime
from usecases.entete import EnteteError, entete, entete_regime, entetes_livres, load_bureau, nom_bureau


@dataclass(frozen=True)
class ChoixEntete:
    """One letterhead a clerk can choose: its key in the page's address, its name, the office's fields."""

    cle: str
    libelle: str
    bureau: dict[str, Any] | None  # None: the regime's own letterhead


def lire_configures(paths: tuple[str, ...]) -> list[dict[str, Any]]:
    """The letterheads given to ``prevoyance serve --entete``, checked; EnteteError names the file and the field."""
    return [load_bureau(path) for path in paths]


def choix_entetes(regime: Regime, configures: list[dict[str, Any]]) -> list[ChoixEntete]:
    """The letterheads offered for a letter of ``regime``, the regime's own first (key ``""``)."""
    choix = [ChoixEntete("", nom_bureau(entete_regime(regime)), None)]
    candidats = [(path.stem, load_bureau(path)) for path in entetes_livres(regime)]
    candidats += [(f"office-{n}", bureau) for n, bureau in enumerate(configures, start=1)]
    for cle, bureau in candidats:
        try:
            libelle = nom_bureau(entete(regime, bureau))
        except EnteteError:  # an office file that leaves this regime's letterhead incomplete is not offered
            continue
        choix.append(ChoixEntete(cle, libelle, bureau))
    seen: dict[str, int] = {}
    out = []
    for c in choix:  # two offices named alike are told apart by their key
        seen[c.libelle] = seen.get(c.libelle, 0) + 1
        out.append(c if seen[c.libelle] == 1 else ChoixEntete(c.cle, f"{c.libelle} ({c.cle})", c.bureau))
    return out


def choisi(choix: list[ChoixEntete], cle: str) -> ChoixEntete | None:
    """The letterhead of key ``cle``, or None if there is none."""
    return next((c for c in choix if c.cle == cle), None)


__all__ = ["ChoixEntete", "choisi", "choix_entetes", "lire_configures"]

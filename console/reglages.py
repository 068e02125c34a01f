"""What a server is started with (:class:`Reglages`), and the checks that refuse to start it (:class:`ServeError`).

``prevoyance serve`` checks them before uvicorn starts; every worker process
reads them again from the environment (``PREVOYANCE_*``) and checks them again
when it builds its :class:`console.etat.EtatServeur`.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.acces import Controle, cle_partagee, lire_utilisateurs
from console.entetes import lire_configures
from usecases.entete import EnteteError


class ServeError(Exception):
    """The server refuses to start (open access off loopback, unreadable users file)."""


def loopback(host: str) -> bool:
    """True for an address only this machine reaches."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Reglages:
    """What a server is started with."""

    hote: str = "127.0.0.1"
    journal: str = "prevoyance.sqlite"
    utilisateurs: str | None = None
    travail: str | None = None  # where caseloads of impact jobs are written (default: a temporary folder)
    entetes: tuple[str, ...] = ()  # offices' letterhead files offered on the letter page (serve --entete)

    @classmethod
    def depuis_environnement(cls) -> Reglages:
        env = os.environ
        return cls(env.get("PREVOYANCE_HOTE", "127.0.0.1"), env.get("PREVOYANCE_JOURNAL", "prevoyance.sqlite"),
                   env.get("PREVOYANCE_UTILISATEURS") or None, env.get("PREVOYANCE_TRAVAIL") or None,
                   tuple(p for p in env.get("PREVOYANCE_ENTETES", "").split(os.pathsep) if p))

    def environnement(self) -> dict[str, str]:
        return {"PREVOYANCE_HOTE": self.hote, "PREVOYANCE_JOURNAL": str(Path(self.journal).resolve()),
                "PREVOYANCE_UTILISATEURS": str(Path(self.utilisateurs).resolve()) if self.utilisateurs else "",
                "PREVOYANCE_TRAVAIL": self.travail or "",
                "PREVOYANCE_ENTETES": os.pathsep.join(str(Path(p).resolve()) for p in self.entetes)}


def controle_pour(reglages: Reglages) -> Controle:
    """The access control a server gets; refuses open access off loopback."""
    if reglages.utilisateurs is None:
        if not loopback(reglages.hote):
            raise ServeError(f"refus de démarrer sur {reglages.hote} : hors de la boucle locale, les dossiers "
                             "(données personnelles) exigent un contrôle d'accès — donnez --utilisateurs FICHIER "
                             "(python -m console.acces ajouter FICHIER NOM)")
        return Controle(None, cle_partagee(reglages.journal))
    try:
        return Controle(lire_utilisateurs(reglages.utilisateurs), cle_partagee(reglages.journal))
    except Exception as exc:
        raise ServeError(str(exc)) from exc


def entetes_configures(reglages: Reglages) -> list[dict[str, Any]]:
    """The offices' letterheads given to ``serve --entete``, checked: a bad file refuses to start, naming the field."""
    try:
        return lire_configures(reglages.entetes)
    except EnteteError as exc:
        raise ServeError(f"en-tête d'office : {exc}") from exc

"""What a route receives through ``Depends``: the server's state, who sends the request, the solver that decides.

FastAPI's way for larger applications: a route names what it needs as a
parameter (``etat: Etat``, ``auteur: Auteur``, ``solveur: Solveur``) and never
reaches into ``request.app.state`` or ``request.state`` itself. The state is
the one :func:`console.app.create_app` keeps in ``app.state.etat``; the author
is the one the access middleware (:mod:`console.garde`) identified. Each
dependency is ``async``: FastAPI calls it in the event loop rather than in the
thread pool, so that it costs a function call, not a thread hop. The plain
functions (:func:`etat_de`, :func:`auteur_de`) serve what is not a route (the
middleware, the error pages, page rendering).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from console.demandes import JournalConsole
from console.etat import EtatServeur
from engine.solver import Solver


def etat_de(request: Request) -> EtatServeur:
    """The state of the application that received ``request``."""
    return request.app.state.etat


def auteur_de(request: Request) -> str | None:
    """Who sent ``request``, as the access middleware identified them (None on the pages open to all)."""
    return getattr(request.state, "auteur", None)


async def etat_serveur(request: Request) -> EtatServeur:
    return etat_de(request)


async def auteur(request: Request) -> str:
    """Who sent the request: never None on a route the access middleware guards (every route but sign-in)."""
    return request.state.auteur


async def solveur(etat: Annotated[EtatServeur, Depends(etat_serveur)]) -> Solver:
    """The server's warm solver: what decides every dossier the console and the API receive."""
    return etat.solver


async def journal(etat: Annotated[EtatServeur, Depends(etat_serveur)]) -> JournalConsole:
    """The journal the console records decisions and impact jobs in."""
    return etat.journal


Etat = Annotated[EtatServeur, Depends(etat_serveur)]
Auteur = Annotated[str, Depends(auteur)]
Solveur = Annotated[Solver, Depends(solveur)]
Journal = Annotated[JournalConsole, Depends(journal)]

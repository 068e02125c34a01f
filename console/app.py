"""The ASGI application of ``prevoyance serve``, assembled: static files, middlewares, error handlers, routers.

``create_app`` builds one application from :class:`console.reglages.Reglages`;
the uvicorn workers of a multi-process server build theirs from the
environment (``PREVOYANCE_*`` variables, :func:`application`). Everything it
assembles lives in its own module: the settings (:mod:`console.reglages`), the
state routes share (:mod:`console.etat`, handed through :mod:`console.dependances`),
the size limits (:mod:`console.requetes`), access (:mod:`console.garde`), the
errors in French (:mod:`console.erreurs`), the OpenAPI document
(:mod:`console.openapi`) and the routers (:mod:`console.api`,
:mod:`console.entretien`, :mod:`console.pages`). None of them imports this one.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from console import api, entretien
from console.erreurs import erreur_http, erreur_interne, requete_invalide
from console.etat import EtatServeur
from console.garde import garde
from console.openapi import installer as installer_openapi
from console.pages import accueil, amendements, decision, edition, recherche
from console.reglages import Reglages
from console.requetes import Limites
from engine.program import Mode, build_program
from engine.regime import regimes
from usecases.entretien import lectures_par_defaut

ICI = Path(__file__).parent
ROUTEURS = (api.router, entretien.api, accueil.router, edition.router, decision.router, recherche.router,
            amendements.router, entretien.pages)


def create_app(reglages: Reglages | None = None) -> FastAPI:
    """The console and the API, on one journal."""
    reglages = reglages or Reglages()
    etat = EtatServeur(reglages)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        etat.journal.rouvrir()  # closed by a previous shutdown of this same application (in-process tests)
        yield
        etat.journal.close()

    app = FastAPI(title="prevoyance — API des décisions", version="1", lifespan=lifespan,
                  description="Décisions, explications, lettres et impact d'amendements, sur la base de règles "
                              "de prevoyance. Le JSON de `POST /api/v1/evaluate` est celui de "
                              "`prevoyance evaluate --format json`, octet pour octet.",
                  docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json")
    app.state.etat = etat  # what console.dependances hands to the routes
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")  # before /static
    app.mount("/static", StaticFiles(directory=ICI / "static"), name="static")
    app.middleware("http")(garde)
    app.add_exception_handler(RequestValidationError, requete_invalide)
    app.add_exception_handler(StarletteHTTPException, erreur_http)
    app.add_exception_handler(Exception, erreur_interne)
    app.add_middleware(Limites)  # added last: the outermost, it sees a body before anything reads it
    for routeur in ROUTEURS:
        app.include_router(routeur)
    installer_openapi(app)
    return app


def echauffer() -> None:
    """Build every regime's programs before the first request: threads that all find them missing would
    build them at the same time (the engine's cache is per process, not locked)."""
    for regime in regimes().values():
        build_program(regime, Mode.EXPLANATION)
        build_program(regime, Mode.DECISION)
        lectures_par_defaut(regime)  # the interview's reading of the rules, once per process


def application() -> FastAPI:
    """The factory uvicorn's workers call (``console.app:application``, settings from the environment)."""
    app = create_app(Reglages.depuis_environnement())
    echauffer()
    return app

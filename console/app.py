"""The ASGI application of ``prevoyance serve``: settings, access control, size limits, errors, routes.

``create_app`` builds one application from :class:`Reglages`; the uvicorn
workers of a multi-process server build theirs from the environment
(``PREVOYANCE_*`` variables, :func:`application`). No request ever reaches a
handler unidentified when access is controlled, nor with a body over its
limit; no error ends as a traceback.
"""

from __future__ import annotations

import html
import ipaddress
import os
import tempfile
import threading
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from console.acces import Controle, TropDEssais, cle_partagee, lire_utilisateurs
from console.erreurs import detail as detail_fr
from console.erreurs import message as message_fr
from console.impact import Travaux
from console.journal import JournalConsole
from console.vues import templates
from engine.speedups.warm import WarmSolver

ICI = Path(__file__).parent
TAILLE_MAX = 1 << 20  # a dossier: 1 MiB is a hundred times the largest real one
TAILLE_MAX_CHARGE = 32 << 20  # a caseload uploaded for an impact job
CHEMINS_CHARGE = ("/impact", "/api/v1/impact")
OUVERTS = ("/static/", "/connexion")


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
    from console.entetes import lire_configures
    from usecases.entete import EnteteError

    try:
        return lire_configures(reglages.entetes)
    except EnteteError as exc:
        raise ServeError(f"en-tête d'office : {exc}") from exc


class EtatServeur:
    """What every handler of one process shares."""

    def __init__(self, reglages: Reglages):
        self.reglages = reglages
        Path(reglages.journal).parent.mkdir(parents=True, exist_ok=True)
        self.controle = controle_pour(reglages)
        self.entetes = entetes_configures(reglages)
        self.journal = JournalConsole(reglages.journal)
        folder = Path(reglages.travail) if reglages.travail else Path(tempfile.mkdtemp(prefix="prevoyance-"))
        self.travaux = Travaux(self.journal, folder)
        # A server lives long: single dossiers take the warm path, whose decisions are the cold path's
        # (tests/test_warm.py) for a fraction of the grounding.
        self.solver = WarmSolver()
        self._decisions: OrderedDict[int, Any] = OrderedDict()
        self._lock = threading.Lock()

    def memo(self, key: int, value: Any | None = None) -> Any:
        """A small cache of recent decisions (an analyst opens the same one several times)."""
        with self._lock:
            if value is None:
                found = self._decisions.get(key)
                if found is not None:
                    self._decisions.move_to_end(key)
                return found
            self._decisions[key] = value
            while len(self._decisions) > 64:
                self._decisions.popitem(last=False)
            return value


class _Limites:
    """ASGI middleware: 413 for a body over its limit, announced or streamed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        limit = TAILLE_MAX_CHARGE if path.startswith(CHEMINS_CHARGE) else TAILLE_MAX
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await _trop_gros(scope, send, limit)
        received = 0

        async def limited():  # a body sent in chunks, without its length: counted as it comes
            nonlocal received
            if scope.get(TROP_GROS):
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # the body ends here; the handler answers 413 (corps_limite)
                    scope[TROP_GROS] = limit
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        await self.app(scope, limited, send)


TROP_GROS = "prevoyance.trop_gros"


def verifier_taille(request: Request) -> None:
    """After reading a body: 413 if it was cut at its limit (sent in chunks, longer than allowed)."""
    limit = request.scope.get(TROP_GROS)
    if limit:
        raise StarletteHTTPException(413, _message_taille(limit))


async def corps(request: Request) -> bytes:
    """The request's body, within its limit."""
    body = await request.body()
    verifier_taille(request)
    return body


def _message_taille(limit: int) -> str:
    return f"corps de requête trop volumineux (au plus {limit // 1024} Kio)"


async def _trop_gros(scope, send, limit: int) -> None:
    message = _message_taille(limit)
    if scope["path"].startswith("/api/"):
        response: Response = JSONResponse({"erreurs": [{"champ": "(racine)", "message": message}]}, status_code=413)
    else:
        response = HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Trop volumineux"
                                f"</title><p>{message}.</p></html>", status_code=413)
    await response(scope, _noop_receive, send)


async def _noop_receive():
    return {"type": "http.disconnect"}


def _auteur(request: Request, etat: EtatServeur) -> str | None:
    """Who sends the request (:class:`TropDEssais` for HTTP Basic after repeated failures)."""
    client = request.client.host if request.client else "?"
    if etat.controle.ouvert:
        return f"poste local ({client})"
    return (etat.controle.session(request.cookies.get("prevoyance_session"))
            or etat.controle.basic(request.headers.get("authorization"), client))


def trop_d_essais(request: Request, exc: TropDEssais) -> Response:
    """429, with the wait in French and in ``Retry-After``."""
    headers = {"Retry-After": str(exc.attente)}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreurs": [{"champ": "(racine)", "message": str(exc)}]}, status_code=429,
                            headers=headers)
    return HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Trop d'essais</title>"
                        f"<p>{html.escape(str(exc))}</p></html>", status_code=429, headers=headers)


def _erreur_page(request: Request, titre: str, erreurs: list[dict[str, str]], status_code: int) -> HTMLResponse:
    etat = request.app.state.etat
    context = {"titre": titre, "erreurs": erreurs, "auteur": getattr(request.state, "auteur", None),
               "ouvert": etat.controle.ouvert}
    return templates.TemplateResponse(request, "erreur.html", context, status_code=status_code)


_LOCAUX = ("127.0.0.1", "localhost", "[::1]")
# Starlette's own refusals say « Not Found », « Method Not Allowed »: a clerk reads French.
_REFUS_HTTP = {404: "page introuvable : cette adresse n'existe pas dans la console",
               405: "méthode non admise à cette adresse", 400: "requête mal formée",
               401: "authentification requise", 403: "accès refusé", 413: "corps de requête trop volumineux",
               415: "type de contenu non pris en charge"}


def _en_francais(exc: StarletteHTTPException) -> str:
    """The refusal's message: ours as written, Starlette's English phrases in French (with the methods
    admitted for a 405)."""
    import http

    detail = exc.detail if isinstance(exc.detail, str) else ""
    try:
        english = http.HTTPStatus(exc.status_code).phrase
    except ValueError:
        english = ""
    if detail and detail != english:
        return detail_fr(detail)  # ours as written; Starlette's own details (« Too many files… ») in French
    message = _REFUS_HTTP.get(exc.status_code, f"erreur {exc.status_code}")
    admises = (getattr(exc, "headers", None) or {}).get("Allow")
    return f"{message} (admises : {admises})" if exc.status_code == 405 and admises else message


def _requete_etrangere(request: Request, etat: EtatServeur) -> str | None:
    """Why a request must be refused as coming from elsewhere, if it must.

    A page of another site must not make the analyst's browser post to the console (its ``Origin``
    differs from the console's); an open console (loopback) answers only to a loopback ``Host``, so
    that a name rebound to 127.0.0.1 does not reach it.
    """
    host = request.headers.get("host", "")
    if etat.controle.ouvert and host.rsplit(":", 1)[0] not in _LOCAUX and host not in _LOCAUX:
        return f"console ouverte sur la boucle locale : l'hôte « {host} » n'est pas local"
    origin = request.headers.get("origin")
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe and origin and (origin == "null" or origin.split("://", 1)[-1] != host):
        return f"requête venue d'un autre site ({origin})"
    return None


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
    app.state.etat = etat
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")  # before /static
    app.mount("/static", StaticFiles(directory=ICI / "static"), name="static")

    @app.middleware("http")
    async def acces(request: Request, call_next):
        path = request.url.path
        refus = _requete_etrangere(request, etat)
        if refus:
            if path.startswith("/api/"):
                return JSONResponse({"erreurs": [{"champ": "(racine)", "message": refus}]}, status_code=403)
            # The refusal quotes Host and Origin, which the client wrote: escaped, never markup.
            return HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Refusé</title>"
                                f"<p>{html.escape(refus)}.</p></html>", status_code=403)
        if path.startswith(OUVERTS):
            request.state.auteur = None
            return await call_next(request)
        try:
            auteur = _auteur(request, etat)
        except TropDEssais as exc:
            return trop_d_essais(request, exc)
        if auteur is None:
            if path.startswith("/api/"):
                return JSONResponse({"erreurs": [{"champ": "(racine)", "message": "authentification requise"}]},
                                    status_code=401, headers={"WWW-Authenticate": 'Basic realm="prevoyance"'})
            return RedirectResponse(f"/connexion?suite={request.url.path}", status_code=303)
        request.state.auteur = auteur
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        erreurs = [{"champ": ".".join(str(p) for p in e.get("loc", ())), "message": message_fr(e)}
                   for e in exc.errors()]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"erreurs": erreurs}, status_code=422)
        return _erreur_page(request, "Requête invalide", erreurs, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = _en_francais(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"erreurs": [{"champ": "(racine)", "message": message}]},
                                status_code=exc.status_code, headers=getattr(exc, "headers", None))
        return _erreur_page(request, message, [], exc.status_code)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):  # a defect of the server: said plainly, no traceback
        message = f"erreur interne ({type(exc).__name__})"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"erreurs": [{"champ": "(racine)", "message": message}]}, status_code=500)
        return HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Erreur</title>"
                            f"<p>{message}. <a href=\"/\">Revenir à l'accueil</a></p></html>", status_code=500)

    app.add_middleware(_Limites)  # added last: the outermost, it sees a body before anything reads it

    from console.api import router as api_router
    from console.entretien import api as entretien_api
    from console.entretien import pages as entretien_pages
    from console.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(entretien_api)
    app.include_router(pages_router)
    app.include_router(entretien_pages)
    _openapi_schemas(app)
    return app


def _openapi_schemas(app: FastAPI) -> None:
    """The OpenAPI document names each regime's dossier schema as the body of the dossier endpoints."""
    from engine.regime import regimes

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        refs = []
        for regime in regimes().values():
            name = f"dossier_{regime.id.replace('-', '_')}"
            schemas[name] = {k: v for k, v in regime.schema.items() if k not in ("$schema", "$id")}
            if regime.bornes is not None:
                schemas[name] = _fenetre_des_dates(schemas[name], regime.bornes.date_min, regime.bornes.date_max)
            refs.append({"$ref": f"#/components/schemas/{name}"})
        for path, item in document.get("paths", {}).items():
            post = item.get("post")
            if post is not None and path.startswith(("/api/v1/evaluate", "/api/v1/why", "/api/v1/letter")):
                post["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"oneOf": refs}}}}
        _promesse_tenue(document)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _fenetre_des_dates(schema: Any, debut, fin) -> Any:
    """A copy of a dossier schema whose dates state the regime's window (``regime.yaml``, ``bornes.dates``): the
    years as a pattern a generator can follow, the days in words (the engine refuses a date outside them)."""
    if isinstance(schema, list):
        return [_fenetre_des_dates(item, debut, fin) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _fenetre_des_dates(v, debut, fin) for k, v in schema.items()}
    if out.get("format") == "date" and out.get("type") == "string":
        annees = "|".join(str(year) for year in range(debut.year, fin.year + 1))
        out["pattern"] = f"^({annees})-"
        from explain import format as fmt

        window = f"entre le {fmt.date_fr(debut)} et le {fmt.date_fr(fin)}"
        out["description"] = f"{out['description']} ({window})" if out.get("description") else f"Date {window}."
    return out


ERREURS = {"type": "object", "required": ["erreurs"], "additionalProperties": False,
           "description": "Chaque erreur : le chemin du champ (« (racine) » pour la requête entière) et le "
                          "message en français.",
           "properties": {"erreurs": {"type": "array", "minItems": 1, "items": {
               "type": "object", "required": ["champ", "message"], "additionalProperties": False,
               "properties": {"champ": {"type": "string"}, "message": {"type": "string"}}}}}}
# What each status means, in the words of the document (FastAPI writes « Successful Response »).
_STATUTS_HTTP = {"200": "Réponse", "202": "Travail accepté", "404": "Introuvable",
                 "413": "Corps trop volumineux (1 Mio ; 32 Mio pour une charge d'impact)",
                 "422": "Requête ou dossier invalide : chaque erreur avec le chemin de son champ"}


def _promesse_tenue(document: dict[str, Any]) -> None:
    """The OpenAPI document says what the API does: every status with the body it sends (``{"erreurs": …}``,
    never FastAPI's ``{"detail": …}``), in French, and every parameter with the values it accepts."""
    from console.impact import amendements
    from engine.regime import regimes

    known = regimes()
    benefits = sorted({p for r in known.values() for p in r.schema.get("properties", {}).get("demandes", {})
                       .get("items", {}).get("properties", {}).get("prestation", {}).get("enum", [])})
    schemas = document["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Erreurs"] = ERREURS
    erreurs = {"application/json": {"schema": {"$ref": "#/components/schemas/Erreurs"}}}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                for content in response.get("content", {}).values():  # FastAPI's « Response Api … Get »
                    if str(content.get("schema", {}).get("title", "")).startswith("Response "):
                        content["schema"]["title"] = "Réponse"
                if response.get("description") in ("Successful Response", "Validation Error", ""):
                    response["description"] = _STATUTS_HTTP.get(status, "Réponse")
                if status not in ("200", "202"):
                    response["content"] = erreurs
            statuses = ["422"]
            if "{" in path:
                statuses.append("404")
            if method == "post":
                statuses.append("413")
            for status in statuses:
                responses.setdefault(status, {"description": _STATUTS_HTTP[status], "content": erreurs})
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter["name"] == "prestation" and parameter["in"] == "path":
                    schema["enum"] = benefits
                elif parameter["name"] == "regime":
                    schema["enum"] = sorted(known)
    schema_path = document["paths"].get("/api/v1/regimes/{regime}/schema", {}).get("get")
    if schema_path is not None:
        schema_path["responses"]["200"] = {"description": "Le schéma JSON (draft 2020-12) des dossiers du régime",
                                           "content": {"application/json": {"schema": {"type": "object"}}}}
    impact = document["paths"].get("/api/v1/impact", {}).get("post")
    if impact is not None:
        body = impact["requestBody"]["content"]["application/json"]["schema"]
        body["properties"]["amendement"]["enum"] = sorted(amendements())


def echauffer() -> None:
    """Build every regime's programs before the first request: threads that all find them missing would
    build them at the same time (the engine's cache is per process, not locked)."""
    from engine.program import Mode, build_program
    from engine.regime import regimes
    from usecases.entretien import lectures_par_defaut

    for regime in regimes().values():
        build_program(regime, Mode.EXPLANATION)
        build_program(regime, Mode.DECISION)
        lectures_par_defaut(regime)  # the interview's reading of the rules, once per process


def application() -> FastAPI:
    """The factory uvicorn's workers call (``console.app:application``, settings from the environment)."""
    app = create_app(Reglages.depuis_environnement())
    echauffer()
    return app

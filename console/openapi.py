"""The OpenAPI document of ``/api/v1/``, in the API's words: each regime's dossier schema, the bodies of errors.

FastAPI writes the document from the routes; :func:`installer` has it name each
regime's dossier schema (its dates with the regime's window) as the body of the
dossier endpoints, and say every status with the body the API really sends
(``{"erreurs": …}``, never FastAPI's ``{"detail": …}``), in French.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from console.travaux import amendements
from engine.regime import regimes
from explain import format as fmt


def installer(app: FastAPI) -> None:
    """The OpenAPI document names each regime's dossier schema as the body of the dossier endpoints."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
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
    known = regimes()
    prestations = sorted({p for r in known.values() for p in r.schema.get("properties", {}).get("demandes", {})
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
                    schema["enum"] = prestations
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

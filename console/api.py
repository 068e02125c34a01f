"""The JSON API under ``/api/v1/``: the CLI's answers over HTTP.

``evaluate`` answers the bytes of ``prevoyance evaluate --format json``;
``why`` those of ``prevoyance why --format json`` (with ``what_if``, its
``--ce-qui-changerait``); ``letter`` the letter as ``prevoyance letter`` makes it. A
dossier that fails validation gets 422 with each error's field path and the
CLI's message. Every decision is recorded in the journal with who asked.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from console.dependances import Auteur, Etat, Journal
from console.dossiers import (
    DossierRefuse,
    Erreur,
    ErreurInterne,
    decider,
    decider_et_enregistrer,
    decision_bytes,
    lettres_de,
    parse_json,
    valider,
)
from console.etat import EtatServeur
from console.filtres import conditions_cherchees
from console.requetes import TAILLE_MAX_CHARGE, corps
from console.travaux import GENERES_MAX, amendements, sous_amendement
from engine.domaine import iso_date
from engine.dossier import apercu
from engine.model import Statut
from engine.regime import regimes
from explain.phrases import PhraseError
from explain.why import why
from usecases.amendement import AmendmentError
from usecases.whatif import pistes

router = APIRouter(prefix="/api/v1", tags=["API"])
JSON = "application/json"
# The journal filter: empty (every status) or a status; a Literal of the values, so that a wrong value
# is refused (422) with the message of the validator, which names the values admitted.
StatutFiltre = Literal[("", *(s.value for s in Statut))]
DateQuery = Query(description="date AAAA-MM-JJ", json_schema_extra={"format": "date"})


def _refus(exc: DossierRefuse) -> JSONResponse:
    return JSONResponse({"erreurs": [{"champ": e.champ, "message": e.message} for e in exc.erreurs]},
                        status_code=422)


def _interne(exc: Exception) -> JSONResponse:
    return JSONResponse({"erreurs": [{"champ": "(racine)", "message": str(exc)}]}, status_code=500)


def _decide(etat: EtatServeur, auteur: str, body: bytes, amendement: str | None = None,
            date_effet: dt.date | None = None):
    """Runs in the thread pool: grounding must not block the event loop. Under a shipped ``amendement`` the
    dossier is decided under the amended law and not recorded in the journal (a simulation, not a decision)."""
    if not amendement and date_effet is None:
        return decider_et_enregistrer(etat, parse_json(body), None, auteur, "api")
    dossier = valider(parse_json(body), None)
    try:
        dossier = sous_amendement(dossier, amendement, date_effet)
    except AmendmentError as exc:
        raise DossierRefuse([Erreur("amendement" if amendement else "date_effet", str(exc))]) from exc
    return None, dossier, decider(dossier, etat.solver)


# Optional on evaluate, why and letter: decide under an amendment the base ships (GET /amendements).
Amendement = Annotated[str | None, Query(description="Identifiant d'un amendement livré (GET /api/v1/amendements) : "
                                                     "la décision suit la loi amendée et le dit.")]
DateEffet = Annotated[dt.date | None, Query(description="Date d'effet de l'amendement (AAAA-MM-JJ), s'il la laisse "
                                                        "ouverte ou pour la remplacer.")]


@router.get("/regimes", summary="Les régimes de la base")
def list_regimes() -> list[dict[str, Any]]:
    """Chaque régime : identifiant, nom, pays, organisme, texte, version de la base et adresse de son schéma."""
    return [{"id": r.id, "nom": r.meta.get("nom"), "pays": r.meta.get("pays"), "organisme": r.meta.get("organisme"),
             "texte": r.meta.get("texte"), "version_base": r.version, "defaut": bool(r.meta.get("defaut")),
             "schema": f"/api/v1/regimes/{r.id}/schema"} for r in regimes().values()]


@router.get("/regimes/{regime}/schema", summary="Le schéma JSON des dossiers d'un régime")
def regime_schema(regime: str) -> Response:
    found = regimes().get(regime)
    if found is None:
        raise HTTPException(404, f"régime inconnu « {regime} » (connus : {', '.join(sorted(regimes()))})")
    # application/json, as documented: a JSON Schema document is JSON (the $schema key says its dialect)
    return Response(json.dumps(found.schema, ensure_ascii=False, indent=2), media_type=JSON)


@router.post("/evaluate", summary="Décider un dossier", response_class=Response,
             responses={200: {"content": {JSON: {}}, "description": "La décision, JSON du contrat"},
                        422: {"description": "Dossier invalide : chaque erreur avec le chemin de son champ"},
                        413: {"description": "Corps trop volumineux"}})
async def api_evaluate(request: Request, etat: Etat, auteur: Auteur, amendement: Amendement = None,
                       date_effet: DateEffet = None) -> Response:
    """La décision sur le dossier du corps (JSON), octet pour octet celle de `prevoyance evaluate --format json`
    (avec `amendement`, celle de `--amendement` : la décision sous la loi amendée)."""
    return await run_in_threadpool(_evaluate, etat, auteur, await corps(request), amendement, date_effet)


def _evaluate(etat: EtatServeur, auteur: str, body: bytes, amendement: str | None = None,
              date_effet: dt.date | None = None) -> Response:
    try:
        _, _, decision = _decide(etat, auteur, body, amendement, date_effet)
        return Response(decision_bytes(decision), media_type=JSON)
    except DossierRefuse as exc:
        return _refus(exc)
    except ErreurInterne as exc:
        return _interne(exc)


@router.post("/why/{prestation}", summary="Pourquoi une prestation est accordée, refusée ou incomplète",
             response_class=Response,
             responses={200: {"content": {JSON: {}}}, 422: {"description": "Dossier invalide"}})
async def api_why(request: Request, etat: Etat, auteur: Auteur, prestation: str, what_if: bool = False,
                  profondeur: Annotated[int | None, Query(ge=1, le=50)] = None, amendement: Amendement = None,
                  date_effet: DateEffet = None) -> Response:
    """L'arbre de justification (`prevoyance why --format json`) ; `what_if=true` ajoute, pour un refus, les plus
    petits changements du dossier qui feraient accorder la prestation ; `amendement`, la loi amendée."""
    return await run_in_threadpool(_why, etat, auteur, await corps(request), prestation, what_if, profondeur,
                                   amendement, date_effet)


def _non_examinee(prestation: str, decision) -> JSONResponse:
    """422 for a prestation the dossier does not have decided, naming those it has."""
    known = ", ".join(decision.prestations) or "aucune"
    return JSONResponse({"erreurs": [{"champ": "prestation", "message": f"prestation « {prestation} » non "
                                      f"examinée pour ce dossier (examinées : {known})"}]}, status_code=422)


def _why(etat: EtatServeur, auteur: str, body: bytes, prestation: str, what_if: bool, profondeur: int | None,
         amendement: str | None = None, date_effet: dt.date | None = None) -> Response:
    try:
        _, dossier, decision = _decide(etat, auteur, body, amendement, date_effet)
        if prestation not in decision.prestations:
            return _non_examinee(prestation, decision)
        answer = pistes(dossier, decision, prestation) if what_if else None
        return Response(why(decision, prestation, "json", profondeur, answer).encode(), media_type=JSON)
    except DossierRefuse as exc:
        return _refus(exc)
    except (ErreurInterne, PhraseError) as exc:
        return _interne(exc)


@router.post("/letter/{prestation}", summary="La lettre à l'assuré (PDF ou HTML)", response_class=Response,
             responses={200: {"content": {"application/pdf": {}, "text/html": {}}},
                        422: {"description": "Dossier invalide"}})
async def api_letter(request: Request, etat: Etat, auteur: Auteur, prestation: str,
                     format: Literal["pdf", "html"] = "pdf",
                     amendement: Amendement = None, date_effet: DateEffet = None) -> Response:
    """La lettre qui notifie la décision sur `prestation` (`prevoyance letter --prestation … --format …`) ; avec
    `amendement`, sous la loi amendée, et elle le dit."""
    return await run_in_threadpool(_letter, etat, auteur, await corps(request), prestation, format, amendement,
                                   date_effet)


def _letter(etat: EtatServeur, auteur: str, body: bytes, prestation: str, format: str,
            amendement: str | None = None, date_effet: dt.date | None = None) -> Response:
    try:
        _, dossier, decision = _decide(etat, auteur, body, amendement, date_effet)
        if prestation not in decision.prestations:
            return _non_examinee(prestation, decision)
        (lettre,) = lettres_de(dossier, decision, prestation)
    except DossierRefuse as exc:
        return _refus(exc)
    except ErreurInterne as exc:
        return _interne(exc)
    name = f"{decision.dossier}-{prestation}".replace('"', "")
    if format == "html":
        return Response(lettre.html(), media_type="text/html; charset=utf-8")
    return Response(lettre.pdf(), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})


@router.get("/journal", summary="Chercher dans le journal des décisions")
def api_journal(store: Journal, personne: str = "", dossier: str = "", prestation: str = "",
                statut: StatutFiltre = "", condition: str = "",
                du: Annotated[str | None, DateQuery] = None, au: Annotated[str | None, DateQuery] = None,
                page: Annotated[int, Query(ge=1, le=100000)] = 1,
                par_page: Annotated[int, Query(ge=1, le=500)] = 25) -> Response:
    """Une page des décisions (console, API ou `batch --journal`), des plus récentes aux plus anciennes ;
    `personne` : une partie du nom, des prénoms ou du numéro d'immatriculation du demandeur ; `condition` : une
    condition non remplie (identifiant, nom ou mots de son libellé) ; `du`, `au` : dates d'évaluation."""
    # A date written AAAA-MM-JJ and nothing else: pydantic would read « 0 » as 1 January 1970 and filter
    # every row out without a word.
    erreurs = [{"champ": f"query.{name}", "message": f"« {name} » : date impossible ou mal écrite {value!r} "
                                                      "(attendu AAAA-MM-JJ)"}
               for name, value in (("du", du), ("au", au)) if value is not None and iso_date(value) is None]
    if erreurs:
        return JSONResponse({"erreurs": erreurs}, status_code=422)
    conditions = conditions_cherchees(condition, store.conditions_connues())
    rows, total = store.chercher(dossier, prestation, statut, conditions, du or "", au or "", page, par_page,
                                 personne=personne)
    return JSONResponse({"total": total, "page": page, "par_page": par_page,
                         "decisions": [_ligne_json(r) for r in rows]})


def _entier(value: Any) -> Any:
    """A whole number as JSON may write it (``1099.0`` is the integer 1099, as JSON Schema reads it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@router.get("/journal/{ligne}", summary="Une décision du journal")
def api_journal_ligne(store: Journal, ligne: Annotated[int, FastAPIPath(ge=1, le=2**62)]) -> dict[str, Any]:
    found = store.ligne(ligne)
    if found is None:
        raise HTTPException(404, f"aucune décision n°{ligne} dans le journal")
    return _ligne_json(found)


def _ligne_json(r) -> dict[str, Any]:
    return {"id": r.rowid, "dossier": r.dossier, **({"personne": r.personne} if r.personne else {}),
            "prestation": r.prestation, "statut": r.statut, **r.montants,
            **r.conditions, "date_evaluation": r.date_evaluation, "date_reference": r.date_reference,
            "base": r.base, "version_base": r.version_base, "empreinte": r.empreinte, "auteur": r.auteur,
            "canal": r.canal, **({"demande": r.demande} if r.demande else {})}


@router.get("/amendements", summary="Les amendements livrés avec la base")
def api_amendements() -> list[dict[str, Any]]:
    return [{"id": a.ident, "titre": a.titre, "source": a.source, "regime": a.regime,
             "date_effet": a.date_effet.isoformat() if a.date_effet else None} for a in amendements().values()]


@router.post("/impact", summary="Lancer une mesure d'impact (diff) en arrière-plan", status_code=202,
             responses={202: {"description": "Travail lancé ; suivre `/api/v1/impact/{id}`"},
                        422: {"description": "Demande invalide"}},
             openapi_extra={"requestBody": {"required": True, "content": {JSON: {"schema": {
                 "type": "object", "required": ["amendement"], "additionalProperties": False,
                 "description": "`dossiers` ou `generer`, l'un des deux ; `date_effet` obligatoire pour un "
                                "amendement qui n'a pas la sienne",
                 "oneOf": [{"required": ["dossiers"]}, {"required": ["generer"]}],
                 "allOf": [{"if": {"properties": {"amendement": {"enum": sorted(
                     a.ident for a in amendements().values() if a.date_effet is None)}}},
                     "then": {"required": ["date_effet"]}}],
                 "properties": {
                     "amendement": {"type": "string", "description": "identifiant (GET /api/v1/amendements)"},
                     "date_effet": {"type": "string", "format": "date"},
                     "generer": {"type": "object", "required": ["nombre"], "additionalProperties": False,
                                 "properties": {"nombre": {"type": "integer", "minimum": 1, "maximum": GENERES_MAX},
                                                "graine": {"type": "integer"}}},
                     "dossiers": {"type": "array", "minItems": 1, "items": {"type": "object"}}}}}}}})
async def api_impact(request: Request, etat: Etat, auteur: Auteur) -> JSONResponse:
    """L'amendement est l'un de ceux que livre la base ; la charge est `dossiers` (une liste de dossiers) ou
    `generer` (`nombre` dossiers synthétiques de graine `graine`)."""
    try:
        body = parse_json(await corps(request), TAILLE_MAX_CHARGE)
    except DossierRefuse as exc:
        return _refus(exc)
    erreurs = []
    if not isinstance(body, dict):
        return JSONResponse({"erreurs": [{"champ": "(racine)", "message": "un objet est attendu"}]}, status_code=422)
    unknown = sorted(set(body) - {"amendement", "date_effet", "generer", "dossiers"})
    if unknown:
        erreurs.append(("(racine)", f"champ inconnu « {unknown[0]} » (champs admis ici : amendement, date_effet, "
                                    "dossiers, generer)"))
    known = amendements()
    choice = known.get(body.get("amendement")) if isinstance(body.get("amendement"), str) else None
    if choice is None:
        erreurs.append(("amendement", f"« amendement » : valeur inconnue {body.get('amendement')!r} "
                                      f"(valeurs admises : {', '.join(sorted(known))})"))
    date_effet = None
    if body.get("date_effet") is not None:
        date_effet = iso_date(body["date_effet"])
        if date_effet is None:
            erreurs.append(("date_effet", f"« date_effet » : date impossible ou mal écrite {apercu(body['date_effet'])}"
                                          " (attendu AAAA-MM-JJ)"))
    if choice is not None and choice.date_effet is None and date_effet is None and not erreurs:
        erreurs.append(("date_effet", "« date_effet » : cet amendement n'a pas de date d'effet, donnez-la"))
    generer, dossiers = body.get("generer"), body.get("dossiers")
    if (generer is None) == (dossiers is None):
        erreurs.append(("(racine)", "donnez « dossiers » ou « generer », l'un des deux"))
    elif generer is not None:
        nombre = _entier(generer.get("nombre")) if isinstance(generer, dict) else None
        graine = _entier(generer.get("graine", 0)) if isinstance(generer, dict) else None
        if not isinstance(nombre, int) or isinstance(nombre, bool) or not 1 <= nombre <= GENERES_MAX:
            erreurs.append(("generer.nombre", f"« generer.nombre » doit être un entier de 1 à {GENERES_MAX}"))
        if not isinstance(graine, int) or isinstance(graine, bool):
            erreurs.append(("generer.graine", "« generer.graine » doit être un entier"))
    elif not isinstance(dossiers, list) or not dossiers:
        erreurs.append(("dossiers", "« dossiers » doit être une liste non vide de dossiers"))
    if erreurs:
        return JSONResponse({"erreurs": [{"champ": c, "message": m} for c, m in erreurs]}, status_code=422)
    if generer is not None:
        caseload, nom = etat.travaux.caseload_genere(nombre, graine), "dossiers générés"
    else:  # one line per dossier: « dossiers:3 » is the third of the list
        contenu = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dossiers)
        caseload, nom = etat.travaux.caseload_televerse(contenu.encode()), "dossiers"
    ident = etat.travaux.lancer(choice, caseload, date_effet, auteur, nom)
    return JSONResponse({"id": ident, "suivi": f"/api/v1/impact/{ident}"}, status_code=202)


@router.get("/impact/{travail}", summary="L'état d'une mesure d'impact, et son rapport une fois terminée")
def api_impact_etat(store: Journal, travail: str) -> dict[str, Any]:
    job = store.travail(travail)
    if job is None:
        raise HTTPException(404, f"aucun travail « {travail} »")
    out = {k: job[k] for k in ("id", "date", "auteur", "amendement", "etat", "fait", "total")}
    if job["message"]:
        out["message"] = job["message"]
    if job["rapport_json"]:
        out["rapport"] = json.loads(job["rapport_json"])
    return out

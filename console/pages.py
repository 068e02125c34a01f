"""The analyst's pages, in French: dossier form, decision and its why, letter, journal, amendment impact.

Pages are rendered on the server (Jinja2, autoescaped); the little script
the console ships only folds and unfolds. A form posts back to the server,
which keeps what the analyst typed whatever happens: an error is shown next
to its field, a child is added or removed, a decision is taken and can be
edited and taken again.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from console.acces import DUREE_SESSION, TropDEssais
from console.app import verifier_taille
from console.dossiers import (
    DossierRefuse,
    ErreurInterne,
    dates_filtre,
    decider,
    decider_et_enregistrer,
    lettres_de,
    parse_fichier,
    regime_of,
    rouvrir,
)
from console.formulaire import Formulaire, appliquer, identifiant, sans_vides
from console.impact import GENERES_MAX, amendements, sous_amendement
from console.journal import PAR_PAGE
from console.vues import regime_demande, rendre_page
from engine.domaine import iso_date
from engine.model import Statut
from engine.regime import RegimeError, default_regime_id, load_regime, regimes
from explain.phrases import catalogue, catalogue_de
from usecases.amendement import AmendmentError
from usecases.journal import personne_of

router = APIRouter(include_in_schema=False)
Numero = Annotated[int, FastAPIPath(ge=1, le=2**62)]  # a row of the journal: SQLite's integers are 64 bits
FORM_LIMITS = {"max_files": 2, "max_fields": 5000, "max_part_size": 1 << 20}


# -- home, sign-in ---------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def accueil(request: Request):
    rows, _ = request.app.state.etat.journal.chercher(par_page=8)
    return rendre_page(request, "accueil.html", regimes=list(regimes().values()), recentes=rows,
                 defaut=default_regime_id())


@router.get("/connexion", response_class=HTMLResponse)
def connexion(request: Request, suite: str = "/"):
    return rendre_page(request, "connexion.html", suite=_local(suite), erreur=None)


@router.post("/connexion", response_class=HTMLResponse)
async def connexion_envoi(request: Request):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    nom, mot, suite = str(form.get("nom", "")), str(form.get("mot_de_passe", "")), _local(str(form.get("suite", "/")))
    controle = request.app.state.etat.controle
    if controle.ouvert:
        return RedirectResponse(suite, status_code=303)
    client = request.client.host if request.client else "?"
    try:
        good = await run_in_threadpool(controle.verifier, nom, mot, client)
    except TropDEssais as exc:
        response = rendre_page(request, "connexion.html", 429, suite=suite, erreur=str(exc))
        response.headers["Retry-After"] = str(exc.attente)
        return response
    if not good:
        return rendre_page(request, "connexion.html", 401, suite=suite, erreur="Nom ou mot de passe incorrect.")
    response = RedirectResponse(suite, status_code=303)
    response.set_cookie("prevoyance_session", controle.jeton_session(nom), max_age=DUREE_SESSION, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/deconnexion")
def deconnexion():
    response = RedirectResponse("/connexion", status_code=303)
    response.delete_cookie("prevoyance_session")
    return response


def _local(path: str) -> str:
    """Only a path of this site after signing in (no open redirect)."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


# -- the dossier form --------------------------------------------------------------------
def _formulaire(request: Request, regime, data: dict[str, Any], erreurs: dict[str, list[str]] | None = None,
                status_code: int = 200, source: int | None = None) -> HTMLResponse:
    form = Formulaire(regime)
    champs = form.champs(data, erreurs)
    erreurs = {path: [en_mots_du_guichet(m, path, champs) for m in messages]
               for path, messages in (erreurs or {}).items()}
    champs = form.champs(data, erreurs)
    all_errors = [(m, identifiant(path)) for path, messages in erreurs.items() for m in messages]
    # The benefits claimed, by their names: the form shows what their rules read (None: every field).
    utiles = None if form.champs_utiles(data) is None else [
        form.phrases.libelle_prestation(d["prestation"]) for d in data.get("demandes") or []
        if isinstance(d, dict) and isinstance(d.get("prestation"), str)]
    return rendre_page(request, "formulaire.html", status_code, regime=regime, champs=champs,
                 erreurs=all_errors, source=source, regimes=list(regimes().values()), utiles=utiles,
                 aide_regime=form.phrases.data.get("formulaire", {}).get("aide", ""))


def en_mots_du_guichet(message: str, path: str, champs: list) -> str:
    """An error of the engine as the form shows it: the field named by its label (its path is in the analyst's
    detail), and dates as the form takes them."""
    labels: dict[str, str] = {}

    def walk(nodes) -> None:
        for node in nodes:
            labels.setdefault(node.chemin, node.libelle)
            walk(node.enfants)

    walk(champs)
    for chemin in sorted({path, *re.findall(r"« ([^«»]+) »", message)}, key=len, reverse=True):
        if labels.get(chemin):
            message = message.replace(f"« {chemin} »", f"« {labels[chemin].rstrip(' ?')} »")
    return message.replace("(attendu AAAA-MM-JJ)", "(attendu JJ/MM/AAAA)")


@router.get("/dossiers/nouveau", response_class=HTMLResponse)
def nouveau(request: Request, regime: str = ""):
    chosen = regime_demande(regime)
    return _formulaire(request, chosen, {"date_reference": dt.date.today().isoformat()})


@router.post("/dossiers", response_class=HTMLResponse)
async def envoyer(request: Request):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    values = {key: [str(v) for v in form.getlist(key)] for key in form}
    regime = regime_demande(values.get("__regime", [""])[0])
    source = values.get("__source", [""])[0]
    data = Formulaire(regime).lire(values)
    action = values.get("_action", ["decider"])[0]
    if action != "decider":
        return _formulaire(request, regime, appliquer(data, action), source=int(source) if source.isdigit() else None)
    try:
        ident, _, _ = await run_in_threadpool(decider_et_enregistrer, request.app.state.etat, sans_vides(data),
                                              regime.id, request.state.auteur, "console")
    except DossierRefuse as exc:
        return _formulaire(request, regime, data, exc.par_champ(), 422)
    return RedirectResponse(f"/decisions/{ident}", status_code=303)


@router.post("/dossiers/televerser", response_class=HTMLResponse)
async def televerser(request: Request):
    form = await request.form(**FORM_LIMITS)
    verifier_taille(request)
    upload = form.get("fichier")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _formulaire(request, regime_demande(str(form.get("__regime", ""))), {},
                           {"(racine)": ["Choisissez un fichier YAML ou JSON."]}, 422)
    content = await upload.read()
    try:
        data = parse_fichier(content, upload.filename)
    except DossierRefuse as exc:
        return _formulaire(request, regime_demande(str(form.get("__regime", ""))), {}, exc.par_champ(), 422)
    regime = regime_demande(regime_of(data))
    try:
        ident, _, _ = await run_in_threadpool(decider_et_enregistrer, request.app.state.etat, data, None,
                                              request.state.auteur, "console")
    except DossierRefuse as exc:
        return _formulaire(request, regime, data if isinstance(data, dict) else {}, exc.par_champ(), 422)
    return RedirectResponse(f"/decisions/{ident}", status_code=303)


# -- the decision --------------------------------------------------------------------------
def _rouvrir(request: Request, ident: int):
    try:
        found = rouvrir(request.app.state.etat, ident)
    except DossierRefuse as exc:  # the base changed so much the dossier no longer validates
        raise HTTPException(409, f"ce dossier n'est plus valide pour la base actuelle : {exc}") from exc
    if found is None:
        raise HTTPException(404, f"aucune décision n°{ident}")
    return found


@router.get("/decisions/{ident}", response_class=HTMLResponse)
async def decision_page(request: Request, ident: Numero, si: str = "", amendement: str = "", date_effet: str = ""):
    return await run_in_threadpool(_decision_page, request, ident, si, amendement, date_effet)


def _sous_amendement(dossier, amendement: str, date_effet: str):
    """The dossier under the shipped amendment the page asks for, and what went wrong if it cannot be applied
    (said on the page, in French; the decision is then shown under the base)."""
    if not amendement:
        return dossier, None
    try:
        when = dt.date.fromisoformat(date_effet) if date_effet else None
    except ValueError:
        return dossier, f"« date d'effet » : date invalide « {date_effet} » (AAAA-MM-JJ)"
    try:
        return sous_amendement(dossier, amendement, when), None
    except AmendmentError as exc:
        return dossier, str(exc)


def _decision_page(request: Request, ident: int, si: str, amendement: str = "", date_effet: str = "") -> HTMLResponse:
    from explain.render import amendements as amendements_de
    from explain.render import orientation_texte
    from explain.why import context
    from usecases.whatif import pistes

    demande, dossier, decision = _rouvrir(request, ident)
    dossier, erreur_amendement = _sous_amendement(dossier, amendement, date_effet)
    if dossier.regime.amendment_tag:  # decided again, under the amended law (a simulation: not recorded)
        decision = decider(dossier, request.app.state.etat.solver)
    phrases = catalogue_de(decision)
    benefits = []
    for pid, prestation in decision.prestations.items():
        answer = pistes(dossier, decision, pid) if si == pid else None
        benefits.append({"id": pid, "ctx": context(decision, pid, None, answer), "statut": prestation.statut})
    offerts = [a for a in amendements().values() if a.regime == dossier.regime.id]
    suite = urlencode({"amendement": amendement, "date_effet": date_effet}) if amendement else ""
    return rendre_page(request, "decision.html", demande=demande, dossier=dossier, decision=decision,
                       prestations=benefits,
                 personne=personne_of(dossier.data),
                 libelle_champ=functools.partial(Formulaire(dossier.regime).libelle_de, data=dossier.data),
                 regime=dossier.regime, si=si, nom_regime=dossier.regime.meta.get("nom", dossier.regime.id),
                 libelle=phrases.libelle_prestation, orientation=orientation_texte(decision),
                 orientation_resume=" ".join(phrases.data.get("orientation", {}).get("resume", "").split()),
                 amendements_offerts=offerts, amendement=amendement,
                 date_effet=date_effet, erreur_amendement=erreur_amendement,
                 sous_amendements=amendements_de(decision), suite=suite)


def _date_ou_aujourdhui(text: str | None) -> dt.date | None:
    """A journal line's date of reference (the date its labels' numbers are in force); None (today) if unreadable."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/decisions/{ident}/modifier", response_class=HTMLResponse)
def modifier(request: Request, ident: Numero):
    demande = request.app.state.etat.journal.demande(ident)
    if demande is None:
        raise HTTPException(404, f"aucune décision n°{ident}")
    return _formulaire(request, regime_demande(demande["base"]), demande["donnees"], source=ident)


def _rouvrir_sous(request: Request, ident: int, amendement: str, date_effet: str):
    """A recorded decision, decided again under the shipped amendment the page names (if any)."""
    demande, dossier, decision = _rouvrir(request, ident)
    dossier, erreur = _sous_amendement(dossier, amendement, date_effet)
    if erreur is not None:
        raise HTTPException(422, erreur)
    if dossier.regime.amendment_tag:
        decision = decider(dossier, request.app.state.etat.solver)
    return demande, dossier, decision


def _entete_choisi(request: Request, regime, cle: str):
    """The letterheads offered for a letter of ``regime`` and the one of key ``cle`` (404 if none)."""
    from console.entetes import choisi, choix_entetes

    choix = choix_entetes(regime, request.app.state.etat.entetes)
    found = choisi(choix, cle)
    if found is None:
        raise HTTPException(404, f"aucun en-tête d'office « {cle} » (en-têtes : "
                                 f"{', '.join(c.libelle for c in choix)})")
    return choix, found


def _suite(amendement: str, date_effet: str, entete: str) -> str:
    """The query a letter's links carry on: the amendment it is decided under and the office's letterhead."""
    return urlencode({k: v for k, v in (("amendement", amendement), ("date_effet", date_effet), ("entete", entete))
                      if v})


@router.get("/decisions/{ident}/lettre/{prestation}", response_class=HTMLResponse)
def lettre_page(request: Request, ident: Numero, prestation: str, amendement: str = "", date_effet: str = "",
                entete: str = ""):
    from explain.lettres import avertissement_destinataire, manques_destinataire
    from explain.orientation import orientation_config

    _, dossier, decision = _rouvrir_sous(request, ident, amendement, date_effet)
    if prestation not in decision.prestations:
        raise HTTPException(404, f"prestation « {prestation} » non examinée pour ce dossier")
    # A regime that orients a household writes it one letter, whichever scheme's link was followed.
    config = orientation_config(decision.base)
    libelle = (" ".join(config["objet"].split()) if config
               else catalogue_de(decision).libelle_prestation(prestation))
    choix, courant = _entete_choisi(request, dossier.regime, entete)
    # A letter without its addressee is still written, with a blank block: the clerk is told before printing it.
    avertissement = avertissement_destinataire(manques_destinataire(dossier))
    return rendre_page(request, "lettre.html", ident=ident, prestation=prestation, libelle=libelle, decision=decision,
                 choix_entetes=choix, entete=courant.cle, amendement=amendement, date_effet=date_effet,
                 suite=_suite(amendement, date_effet, entete), retour=_suite(amendement, date_effet, ""),
                 avertissement=avertissement[:1].upper() + avertissement[1:] + "." if avertissement else None)


@router.get("/decisions/{ident}/lettre/{prestation}/{fichier}")
async def lettre_fichier(request: Request, ident: Numero, prestation: str, fichier: str, amendement: str = "",
                         date_effet: str = "", entete: str = ""):
    return await run_in_threadpool(_lettre_fichier, request, ident, prestation, fichier, amendement, date_effet,
                                   entete)


def _lettre_fichier(request: Request, ident: int, prestation: str, fichier: str, amendement: str = "",
                    date_effet: str = "", entete: str = "") -> Response:
    if fichier not in ("lettre.html", "lettre.pdf"):
        raise HTTPException(404, "lettre.html ou lettre.pdf")
    _, dossier, decision = _rouvrir_sous(request, ident, amendement, date_effet)
    if prestation not in decision.prestations:
        raise HTTPException(404, f"prestation « {prestation} » non examinée pour ce dossier")
    _, courant = _entete_choisi(request, dossier.regime, entete)
    try:
        (lettre,) = lettres_de(dossier, decision, prestation, courant.bureau)
    except ErreurInterne as exc:
        raise HTTPException(500, str(exc)) from exc
    if fichier == "lettre.html":
        return Response(lettre.html(), media_type="text/html; charset=utf-8")
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{decision.dossier}-{prestation}")
    return Response(lettre.pdf(), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})


# -- the journal ---------------------------------------------------------------------------
@router.get("/journal", response_class=HTMLResponse)
def journal(request: Request, dossier: str = "", prestation: str = "", statut: str = "", condition: str = "",
            du: str = "", au: str = "", page: int = 1, personne: str = ""):
    erreurs = {}
    du, au = date_iso(du), date_iso(au)
    for name, value in (("du", du), ("au", au)):
        if value and iso_date(value) is None:  # not fromisoformat, which reads 20261207 and week dates
            label = {"du": "Décidé du", "au": "au"}[name]
            erreurs[name] = (f"« {label} » : date impossible ou mal écrite {value!r} "
                             "(attendu JJ/MM/AAAA ou AAAA-MM-JJ)")
    if statut and statut not in {s.value for s in Statut}:
        erreurs["statut"] = (f"« statut » : valeur inconnue {statut!r} "
                             f"(valeurs admises : {', '.join(Statut)})")
    store = request.app.state.etat.journal
    known = store.conditions_connues()
    rows, total = ([], 0) if erreurs else store.chercher(dossier, prestation, statut,
                                                         conditions_cherchees(condition, known), du, au,
                                                         max(1, min(page, 100000)), personne=personne)
    filtres = {"personne": personne, "dossier": dossier, "prestation": prestation, "statut": statut,
               "condition": condition, "du": du, "au": au}
    pages = max(1, -(-total // PAR_PAGE))
    return rendre_page(request, "journal.html", 422 if erreurs else 200, lignes=rows, total=total, page=page,
                       pages=pages,
                 filtres=filtres, erreurs=erreurs, prestations=prestations_et_libelles(),
                 conditions=sorted({libelle for _, libelle in libelles_conditions(known)}),
                 requete={k: v for k, v in filtres.items() if v})


def date_iso(text: str) -> str:
    """A date as a clerk types it (« 14/05/2021 ») in the contract's form (``2021-05-14``); else as typed."""
    found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text.strip())
    return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}" if found else text.strip()


def prestations_et_libelles() -> list[tuple[str, str]]:
    """Every benefit of the base with its catalogue's name, for a filter: (id, « Allocations familiales »)."""
    out = {}
    for regime in regimes().values():
        phrases = catalogue(regime)
        for pid in (regime.schema.get("properties", {}).get("demandes", {}).get("items", {}).get("properties", {})
                    .get("prestation", {}).get("enum", [])):
            out.setdefault(pid, phrases.libelle_prestation(pid))
    return sorted(out.items(), key=lambda item: item[1].lower())


def libelles_conditions(noms: list[str]) -> list[tuple[str, str]]:
    """(name, label) of each condition name found in the journal, in every regime's catalogue that names it."""
    out = []
    for regime in regimes().values():
        phrases = catalogue(regime)
        for nom in noms:
            with contextlib.suppress(Exception):  # a name this regime's catalogue does not know
                libelle = phrases.libelle_noeud(nom)
                if libelle and libelle != nom:
                    out.append((nom, libelle))
    return out


def conditions_cherchees(texte: str, noms: list[str]) -> str | list[str]:
    """What the clerk typed as a condition: its id or name (``stage``), or words of its label (« Stage de
    neuf mois »): the names whose label contains them, with the text itself."""
    texte = texte.strip()
    if not texte or texte in noms or "(" in texte:
        return texte
    mots = texte.casefold()
    par_libelle = sorted({nom for nom, libelle in libelles_conditions(noms) if mots in libelle.casefold()})
    return [texte, *par_libelle]


@router.get("/journal/{ligne}", response_class=HTMLResponse)
def journal_ligne(request: Request, ligne: Numero):
    found = request.app.state.etat.journal.ligne(ligne)
    if found is None:
        raise HTTPException(404, f"aucune décision n°{ligne} dans le journal")
    if found.demande:
        return RedirectResponse(f"/decisions/{found.demande}#{found.prestation}", status_code=303)
    phrases = None
    with contextlib.suppress(RegimeError):
        phrases = catalogue(load_regime(found.base), _date_ou_aujourdhui(found.date_reference))

    def libelle(node: str) -> str:
        if phrases is None:
            return node
        try:
            return phrases.libelle_noeud(node)
        except Exception:
            return node

    return rendre_page(request, "journal_ligne.html", ligne=found, libelle=libelle,
                 prestation_libelle=phrases.libelle_prestation(found.prestation)
                 if phrases else found.prestation)


# -- amendment impact ----------------------------------------------------------------------
@router.get("/impact", response_class=HTMLResponse)
def impact(request: Request):
    return rendre_page(request, "impact.html", amendements=list(amendements().values()),
                 travaux=request.app.state.etat.journal.travaux(), erreurs={}, valeurs={}, maximum=GENERES_MAX,
                 titres={a.ident: a.titre for a in amendements().values()})


@router.post("/impact", response_class=HTMLResponse)
async def impact_lancer(request: Request):
    form = await request.form(max_files=1, max_fields=20, max_part_size=32 << 20)
    verifier_taille(request)
    etat = request.app.state.etat
    known = amendements()
    valeurs = {k: str(form.get(k, "")) for k in ("amendement", "date_effet", "source", "nombre", "graine")}
    valeurs["date_effet"] = date_iso(valeurs["date_effet"])
    erreurs: dict[str, str] = {}
    choice = known.get(valeurs["amendement"])
    if choice is None:
        erreurs["amendement"] = "Choisissez un des amendements de la base."
    date_effet = None
    if valeurs["date_effet"]:
        erreurs.update(dates_filtre({"date_effet": valeurs["date_effet"]}))
        date_effet = iso_date(valeurs["date_effet"])
    elif choice is not None and choice.date_effet is None:
        erreurs["date_effet"] = "Cet amendement n'a pas de date d'effet : donnez-la."
    caseload, nom = None, "la charge"
    if valeurs["source"] == "fichier":
        upload = form.get("fichier")
        if upload is None or isinstance(upload, str) or not upload.filename:
            erreurs["fichier"] = "Choisissez un fichier JSON Lines (.jsonl) : un dossier par ligne."
        elif not erreurs:
            caseload = etat.travaux.caseload_televerse(await upload.read())
            nom = Path(upload.filename.replace("\\", "/")).name or "la charge"  # the name, not the client's path
    else:
        try:
            nombre, graine = int(valeurs["nombre"] or 0), int(valeurs["graine"] or 0)
        except ValueError:
            nombre, graine = 0, 0
            erreurs["nombre"] = "Un nombre entier de dossiers, et un numéro de tirage entier."
        if not 1 <= nombre <= GENERES_MAX and "nombre" not in erreurs:
            erreurs["nombre"] = f"De 1 à {GENERES_MAX} dossiers."
        if not erreurs:
            caseload = await run_in_threadpool(etat.travaux.caseload_genere, nombre, graine)
            nom = "dossiers générés"
    if erreurs or caseload is None or choice is None:
        return rendre_page(request, "impact.html", 422, amendements=list(known.values()),
                           travaux=etat.journal.travaux(),
                     erreurs=erreurs, valeurs=valeurs, maximum=GENERES_MAX,
                     titres={a.ident: a.titre for a in known.values()})
    ident = etat.travaux.lancer(choice, caseload, date_effet, request.state.auteur, nom)
    return RedirectResponse(f"/impact/{ident}", status_code=303)


@router.get("/impact/{travail}", response_class=HTMLResponse)
def impact_travail(request: Request, travail: str):
    job = request.app.state.etat.journal.travail(travail)
    if job is None:
        raise HTTPException(404, f"aucun travail « {travail} »")
    titre = amendements().get(job["amendement"])
    return rendre_page(request, "travail.html", travail=job, titre=titre.titre if titre else job["amendement"])


@router.get("/impact/{travail}/rapport.html")
def impact_rapport(request: Request, travail: str):
    job = request.app.state.etat.journal.travail(travail)
    if job is None or not job["rapport_html"]:
        raise HTTPException(404, "rapport pas encore prêt")
    # The report is the CLI's page as it is: its figures are formatted where they are rendered (the SVG
    # charts' coordinates are not text). Its only script is the one it ships (sort, filter): the policy
    # allows that script by its hash, and nothing else — no markup slipped into a dossier can run.
    page, aucun = job["rapport_html"], "'none'"
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()}'"
                      for m in re.findall(r"<script>(.*?)</script>", page, flags=re.S))
    politique = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {hashes or aucun}; "
                 "frame-ancestors 'self'")
    return HTMLResponse(page, headers={"Content-Security-Policy": politique})


# -- API documentation, offline --------------------------------------------------------------
@router.get("/api/v1/docs", response_class=HTMLResponse)
def documentation(request: Request):
    return rendre_page(request, "docs.html")

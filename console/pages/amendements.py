"""An amendment's impact on a caseload: the form that starts a job, its progress, its report.

The job itself (``prevoyance diff`` in a background thread) is
:mod:`console.travaux`'s; these pages start it and show what the journal
records of it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from console.dependances import Auteur, Etat, Journal
from console.dossiers import dates_filtre
from console.filtres import date_iso
from console.requetes import verifier_taille
from console.travaux import GENERES_MAX, amendements
from console.vues import rendre_page
from engine.domaine import iso_date

router = APIRouter(include_in_schema=False)


@router.get("/impact", response_class=HTMLResponse)
def impact(request: Request, journal: Journal):
    return rendre_page(request, "impact.html", amendements=list(amendements().values()),
                 travaux=journal.travaux(), erreurs={}, valeurs={}, maximum=GENERES_MAX,
                 titres={a.ident: a.titre for a in amendements().values()})


@router.post("/impact", response_class=HTMLResponse)
async def impact_lancer(request: Request, etat: Etat, auteur: Auteur):
    form = await request.form(max_files=1, max_fields=20, max_part_size=32 << 20)
    verifier_taille(request)
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
    ident = etat.travaux.lancer(choice, caseload, date_effet, auteur, nom)
    return RedirectResponse(f"/impact/{ident}", status_code=303)


@router.get("/impact/{travail}", response_class=HTMLResponse)
def impact_travail(request: Request, journal: Journal, travail: str):
    job = journal.travail(travail)
    if job is None:
        raise HTTPException(404, f"aucun travail « {travail} »")
    titre = amendements().get(job["amendement"])
    return rendre_page(request, "travail.html", travail=job, titre=titre.titre if titre else job["amendement"])


@router.get("/impact/{travail}/rapport.html")
def impact_rapport(journal: Journal, travail: str):
    job = journal.travail(travail)
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

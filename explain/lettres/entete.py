"""The letterhead as a letter shows it: its lines escaped for Markdown, the paragraph on how to contest a
decision and where and by when to do it. The letterhead itself (the regime's ``kb/<regime>/entete.yaml``,
an office's fields over it) is read, checked and merged by :mod:`usecases.entete`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
import jinja2.sandbox

from explain import format as fmt
from explain.format import md
from explain.lettres.mots import au, duree
from usecases.entete import EnteteError


def contexte_entete(entete: dict[str, Any]) -> dict[str, Any]:
    """The letterhead as the templates print it: every text escaped for Markdown, and the lines of its
    block (``lignes``: office, address, contact) and of where to send documents (``depot``) gathered."""
    e = {k: (md(v) if isinstance(v, str) else v) for k, v in entete.items()}
    e["adresse"] = [md(line) for line in entete["adresse"]]
    e["mentions"] = [md(line) for line in entete["mentions"]]
    e["signataire"] = {k: md(v) if v else v for k, v in entete["signataire"].items()}
    contact = [entete.get("telephone") and f"Tél. {entete['telephone']}", entete.get("courriel")]
    e["lignes"] = [md(x) for x in (entete["direction"], entete["agence"], *entete["adresse"], *contact) if x]
    depot = entete["depot"]
    e["depot"] = [md(x) for x in (depot.get("service"), entete["agence"], *(depot.get("adresse") or entete["adresse"]))
                  if x]
    return e


_CONTESTATION_ENV = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
_CONTESTATION_ENV.filters.update(minuscule=lambda s: s[:1].lower() + s[1:], au=au)


ACTES = {"attribution": "cette décision", "rejet": "cette décision", "pieces": "cette demande de pièces",
         "orientation": "cette orientation"}


def contestation(entete: dict[str, Any], acte: str, date: dt.date) -> str:
    """How to contest (the letterhead's ``contestation``, its variables filled), escaped for Markdown:
    ``acte`` is what is contested (« cette décision »), ``date`` the letter's (the time limit runs from it)."""
    lignes = [x for x in (entete.get("direction"), entete.get("agence"), *entete["adresse"]) if x]
    recours = recours_contexte(entete, date)
    values = {"organisme": entete["organisme"], "bureau": ", ".join(lignes),
              "signataire": entete["signataire"]["fonction"], "acte": acte,
              "echeance": fmt.date_fr(recours["echeance"]), "delai": recours["delai"]}
    try:
        text = _CONTESTATION_ENV.from_string(entete["contestation"]).render(values)
    except jinja2.UndefinedError as exc:  # Jinja's own message is English
        raise EnteteError(f"en-tête, « contestation » : variable inconnue (variables admises : "
                          f"{', '.join(sorted(values))})") from exc
    except jinja2.TemplateError as exc:
        raise EnteteError(f"en-tête, « contestation » : {exc}") from exc
    return md(fmt.espaces(text))


def recours_contexte(entete: dict[str, Any], date: dt.date) -> dict[str, Any]:
    """Where and by when to contest a letter dated ``date``: the last day (the office's ``recours.delai_jours``
    after the letter), that time limit in words (« soixante (60) jours »), the address lines (Markdown)."""
    recours = entete["recours"]
    jours = recours["delai_jours"]
    service = recours.get("service") or entete["signataire"]["fonction"]
    lignes = [service, entete["organisme"], *(recours.get("adresse") or
                                              [x for x in (entete.get("direction"), entete.get("agence"),
                                                           *entete["adresse"]) if x])]
    return {"echeance": date + dt.timedelta(days=jours), "delai": duree(jours, "jour", "jours"),
            "adresse": [md(x) for x in dict.fromkeys(lignes) if x]}

"""``prevoyance journal`` in French: which conditions and which rules decided a dossier, or a list of decisions.

The journal (:mod:`usecases.journal`) keeps each decision's status, amounts and
the conditions not met or unknown; this module words them with the regime's
phrase catalogue (the condition's label, the benefit's name and status) and
names, for each condition, the ``@regle`` blocks that decide it, with their
file and the sentence of the guide they encode. The rules are read from the
base installed now: when the journal's ``version_base`` is another, the
report says so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from engine.model import Etat
from engine.regime import RegimeError, load_regime
from explain import format as fmt
from explain.phrases import PhraseError, catalogue
from usecases.journal import Entree, JournalError, decisions_du_dossier, rechercher, regles


def _phrases(base: str, date_reference: str | None = None):
    """The catalogue of an entry's regime, with the parameters in force on its date of reference (the labels
    then write the numbers of the law the entry was decided under)."""
    try:
        when = dt.date.fromisoformat(date_reference) if date_reference else None
    except ValueError:
        when = None
    try:
        return catalogue(load_regime(base), when)
    except RegimeError:
        return None


_OBJETS = {"enfant": "enfant n° {}", "membre": "membre n° {}", "examen": "examen n° {}", "fraction": "fraction n° {}"}


def _objet(phrases, objet: str) -> str:
    """A condition's argument for a reader: ``enfant(1)`` → ``enfant n° 2``; a benefit's id says nothing more."""
    if phrases and objet in phrases.data.get("prestations", {}):
        return ""
    match = re.fullmatch(r"([a-z_]+)\((\d+)\)", objet)
    if match and match.group(1) in _OBJETS:
        number = int(match.group(2)) + (1 if match.group(1) in ("enfant", "membre") else 0)
        return _OBJETS[match.group(1)].format(number)
    return objet.replace("_", " ")


def _libelle(phrases, node: str) -> str:
    ident = node.split("(")[0]
    objet = _objet(phrases, node[len(ident) + 1:-1]) if "(" in node else ""
    try:
        label = phrases.libelle(ident, node) if phrases else ident
    except PhraseError:
        label = ident.replace("_", " ")
    return f"{label} ({objet})" if objet else label


def _montants(phrases, entree: Entree) -> str:
    parts = []
    for key, value in entree.montants.items():
        kind = key.removeprefix("montant_")
        label = phrases.label("montants", kind) if phrases else kind
        if value:
            parts.append(f"{label} : {fmt.fcfa(value)}")
    return " ; ".join(parts)


def _statut(phrases, entree: Entree) -> str:
    return phrases.statut(entree.prestation, entree.statut) if phrases else entree.statut


def _benefit(phrases, prestation: str) -> str:
    return phrases.benefit(prestation).get("libelle", prestation) if phrases else prestation


def _conditions(phrases, regime, entree: Entree) -> list[dict[str, Any]]:
    out = []
    for etat, items in ((Etat.non_rempli, entree.non_remplies), (Etat.inconnu, entree.inconnues)):
        for item in items:
            node = item["id"]
            # An unknown condition is decided by no rule: the rules that would decide it are named.
            found = regles(regime, node, Etat.non_rempli if etat == Etat.non_rempli else Etat.rempli) if regime else []
            if etat == Etat.inconnu and regime:
                known = {(r.id, r.fichier) for r in found}
                found += [r for r in regles(regime, node, Etat.non_rempli) if (r.id, r.fichier) not in known]
            out.append({"etat": "non remplie" if etat == Etat.non_rempli else "inconnue",
                        "libelle": _libelle(phrases, node), "id": node, "source": item.get("source", ""),
                        "regles": found})
    return out


def dossier_text(entrees: list[Entree]) -> str:
    """One dossier's decisions in the journal: for each, its status and amounts, the conditions not met or
    unknown with the rules (``@regle``, file, sentence of the guide) that decide them."""
    lines: list[str] = []
    first = entrees[0]
    lines.append(f"Dossier {first.dossier} — {len(entrees)} décision(s) au journal")
    for entree in entrees:
        phrases = _phrases(entree.base, entree.date_reference)
        try:
            regime = load_regime(entree.base)
        except RegimeError:
            regime = None
        lines.append("")
        lines.append(f"{_benefit(phrases, entree.prestation)} : {_statut(phrases, entree)}"
                     + (f" ({_montants(phrases, entree)})" if _montants(phrases, entree) else ""))
        lines.append(f"  décidé le {_quand(entree.date_evaluation)}, droits appréciés au "
                     f"{fmt.date_fr(dt.date.fromisoformat(entree.date_reference))}, base {entree.version_base}, "
                     f"empreinte du dossier {entree.empreinte[:12]}")
        if regime is not None and regime.version != entree.version_base:
            lines.append(f"  La base installée est {regime.version} : les règles ci-dessous sont les siennes, "
                         "pas forcément celles qui ont décidé.")
        conditions = _conditions(phrases, regime, entree)
        if not conditions:
            lines.append("  Toutes les conditions sont remplies.")
        for c in conditions:
            lines.append(f"  - {c['libelle']} : {c['etat']}  [{c['id']}]")
            if c["source"]:
                lines.append(f"      Source : {c['source']}")
            for r in c["regles"]:
                lines.append(f"      Règle @{r.id} ({r.fichier}:{r.ligne})")
                if r.phrase:
                    lines.append(f"        « {r.phrase} »")
            if not c["regles"]:
                lines.append("      Condition composée : ses sous-conditions la décident.")
    return "\n".join(lines) + "\n"


def liste_text(entrees: list[Entree]) -> str:
    """A list of decisions, one line each, in French."""
    lines = []
    for entree in entrees:
        phrases = _phrases(entree.base, entree.date_reference)
        failed = ", ".join(_libelle(phrases, c["id"]) for c in entree.non_remplies) or "aucune"
        montants = _montants(phrases, entree)
        lines.append(f"{entree.dossier} — {_benefit(phrases, entree.prestation)} : {_statut(phrases, entree)}"
                     + (f" ({montants})" if montants else "") + f" ; conditions non remplies : {failed}")
    lines.append(f"{fmt.nombre(len(entrees))} décision(s).")
    return "\n".join(lines) + "\n"


def journal_text(path: str, dossier: str | None = None, prestation: str | None = None, statut: str | None = None,
                 condition: str | None = None, limite: int | None = None) -> str:
    """What ``prevoyance journal`` prints: the decisions of ``dossier`` with their rules (:func:`dossier_text`),
    or without it the list of the decisions that match the filters (:func:`liste_text`).

    A journal that cannot be read, or where nothing matches, raises :class:`JournalError` with a French message.
    """
    if dossier is not None:
        entrees = decisions_du_dossier(path, dossier)
        if not entrees:
            raise JournalError(f"aucune décision pour « {dossier} » dans {path}")
        return dossier_text(entrees)
    entrees = rechercher(path, prestation, statut, condition, limite)
    if not entrees:
        raise JournalError(f"aucune décision ne répond à ces critères dans {path}")
    return liste_text(entrees)


def _quand(text: str) -> str:
    """``2026-11-25T23:55:27+00:00`` → ``25 novembre 2026 à 23 h 55 (UTC)``."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{fmt.date_fr(moment.date())} à {moment.hour} h {moment.minute:02d} (UTC)"

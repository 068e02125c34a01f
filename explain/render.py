"""Decisions rendered for people and programs: the contract's JSON and French texts.

The decision itself, and the state of every condition, come from the engine
(hence from clingo); this module only words them, using the regime's phrase
catalogue and the templates of ``explain/templates``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2

from engine.model import Condition, Decision, EnAttente, Etat, Prestation
from engine.regime import load_regime
from engine.tools.check import Report
from explain import attente
from explain import format as fmt
from explain.phrases import catalogue

# The templates of ``why``, ``evaluate``, ``check`` and ``diff`` (explain/templates).
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
TEMPLATES.filters.update(fmt.FILTRES)
# Markdown output: a text from the dossier is printed, never read as structure.
TEMPLATES.filters["md"] = fmt.md

MARKS = {Etat.rempli: "✓", Etat.non_rempli: "✗", Etat.inconnu: "?", Etat.non_invoquee: "–"}
ETATS_FR = {Etat.rempli: "remplie", Etat.non_rempli: "non remplie", Etat.inconnu: "inconnue",
            Etat.non_invoquee: "non invoquée"}


def source_text(condition: Condition) -> str:
    """The guide's section, and the article of the law where known."""
    return " ; ".join(part for part in (condition.source, condition.article) if part)


# -- JSON (the external contract) -------------------------------------------------
def condition_json(condition: Condition, phrases, sexes: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": condition.id,
        "etat": condition.etat,
        "source": source_text(condition),
        "explication": phrases.sentence(condition, sexes),
    }
    if condition.objet:
        out["objet"] = condition.objet
    if condition.article:
        out["article"] = condition.article
    if condition.par_exception:
        out["par_exception"] = condition.par_exception
    if condition.donnees:
        out["donnees"] = [{"champ": d.chemin, "valeur": fmt.json_value(d.valeur)} for d in condition.donnees]
    if condition.parametres:
        out["parametres"] = [
            {"nom": p.nom, "valeur": fmt.json_value(p.valeur), "depuis": p.depuis.isoformat(),
             "reference": p.reference}
            for p in condition.parametres
        ]
    if condition.champs_lus:
        out["informations_manquantes"] = condition.champs_lus
    if condition.regles:
        out["regles"] = [{"id": r.id, "texte": r.texte, "fichier": f"{r.fichier}:{r.ligne}"}
                         for r in condition.regles]
    if condition.sous_conditions:
        out["sous_conditions"] = [condition_json(c, phrases, sexes) for c in condition.sous_conditions]
    if condition.exceptions:
        out["exceptions"] = [condition_json(c, phrases, sexes) for c in condition.exceptions]
    return out


def prestation_json(prestation: Prestation, phrases, sexes: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"statut": prestation.statut}
    for kind, value in prestation.montants.items():
        out[f"montant_{kind}"] = value
    if prestation.liste_ouvrant_droit or prestation.enfants_ouvrant_droit:
        out["enfants_ouvrant_droit"] = prestation.enfants_ouvrant_droit
    if prestation.date_demande:
        out["date_demande"] = prestation.date_demande.isoformat()
    for key, value in prestation.informations.items():
        out[key] = fmt.json_value(value)
    for key, values in prestation.elements.items():
        out[key] = [fmt.json_value(v) for v in values]
    if prestation.pertes:
        out["pertes"] = [{"evenement": phrases.event(p.evenement), "montant": p.montant} for p in prestation.pertes]
    if prestation.echeancier:
        out["echeancier"] = [
            {"date": e.date.isoformat(), "evenement": phrases.event(e.evenement), "montant": e.montant}
            for e in prestation.echeancier
        ]
    if prestation.mensualites:
        out["mensualites"] = [
            {"mois": m.mois.isoformat()[:7], "enfants": m.enfants, "montant": m.montant}
            for m in prestation.mensualites
        ]
    out.update(en_attente_json(prestation))
    out["conditions"] = [condition_json(c, phrases, sexes) for c in prestation.conditions]
    out["pieces_manquantes"] = prestation.pieces_manquantes
    if prestation.pieces_requises:
        out["pieces_requises"] = prestation.pieces_requises
    return out


def attente_json(item: EnAttente) -> dict[str, Any]:
    """One child or instalment waiting on a fact: who (a child's first name and path) or which instalment,
    its values (date, amount), the missing facts by dossier path and the documents that would establish them."""
    out: dict[str, Any] = {}
    if item.chemin is not None:  # an item of a dossier list: a child
        if item.libelle:
            out["prenom"] = item.libelle
        out["chemin"] = item.chemin
    else:
        out["fraction"] = item.nom
        if item.libelle:
            out["libelle"] = item.libelle
    out.update({key: fmt.json_value(value) for key, value in item.valeurs.items()})
    out["informations_manquantes"] = item.informations_manquantes
    out["pieces"] = item.pieces
    return out


def en_attente_json(prestation: Prestation) -> dict[str, list[dict[str, Any]]]:
    """The lists of pending items (children, instalments), each list the base declares for the benefit
    present (an empty list too)."""
    out: dict[str, list[dict[str, Any]]] = {liste: [] for liste in prestation.listes_attente}
    for item in prestation.en_attente:
        out.setdefault(item.liste, []).append(attente_json(item))
    return out


def decision_json(decision: Decision) -> dict[str, Any]:
    """The decision as the contract's JSON (``docs/dossier.md``)."""
    phrases = catalogue(load_regime(decision.base))
    return {
        "dossier": decision.dossier,
        "date_reference": decision.date_reference.isoformat(),
        "base": decision.base,
        "version_base": decision.version_base,
        "prestations": {pid: prestation_json(p, phrases, decision.sexes) for pid, p in decision.prestations.items()},
    }


# -- Texts --------------------------------------------------------------------------
def _line(condition: Condition, phrases, depth: int, sexes: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "mark": MARKS[condition.etat],
        "libelle": phrases.libelle(condition.id, condition.noeud),
        "objet": condition.objet,
        "id": condition.id,
        "etat": ETATS_FR[condition.etat],
        "phrase": phrases.sentence(condition, sexes),
        "source": source_text(condition),
        "depth": depth,
        "condition": condition,
    }


def ordre_montants(kinds: Iterable[str], phrases, benefit: str | None = None) -> list[str]:
    """Kinds of amounts in the catalogue's order (``montants``), those it does not name last; with ``benefit``,
    the benefit's own kinds (``prestations.<id>.montants``) come first."""
    own = list(phrases.benefit(benefit).get("montants", {})) if benefit else []
    order = own + list(phrases.data.get("montants", {}))
    return sorted(kinds, key=lambda k: (order.index(k) if k in order else len(order), k))


def montants(prestation: Prestation, phrases) -> list[tuple[str, int]]:
    """Amounts with their labels: the benefit's own label (prestations.<id>.montants) before the common one."""
    own = phrases.benefit(prestation.id).get("montants", {})
    return [(own.get(k) or phrases.label("montants", k), prestation.montants[k])
            for k in ordre_montants(prestation.montants, phrases, prestation.id)]


def echeancier(prestation: Prestation, phrases) -> list[tuple[dt.date, str, int]]:
    """The schedule of payments: (date, event in French, amount) for each instalment."""
    return [(e.date, phrases.event(e.evenement), e.montant) for e in prestation.echeancier]


def evaluate_text(decision: Decision) -> str:
    """A short French summary of every benefit decided for a dossier."""
    phrases = catalogue(load_regime(decision.base))
    benefits = []
    for pid, prestation in decision.prestations.items():
        benefits.append({
            "libelle": phrases.libelle_prestation(pid),
            "statut": phrases.statut(pid, prestation.statut),
            "prestation": prestation,
            "montants": montants(prestation, phrases),
            "echeancier": echeancier(prestation, phrases),
            "lignes": [_line(c, phrases, 0, decision.sexes) for c in prestation.conditions],
            **pieces(decision, prestation, phrases),
            **attente_text(prestation, phrases, decision.sexes),
        })
    return fmt.insecables(TEMPLATES.get_template("evaluate.txt.j2").render(decision=decision, benefits=benefits))


def attente_text(prestation: Prestation, phrases, sexes: dict[str, str] | None = None) -> dict[str, Any]:
    """The benefit's pending children and instalments in words (explain/attente.py), and the children
    known not to open the right with the conditions they fail, for the templates."""
    return {"attente_titre": attente.titre(prestation, phrases),
            "attentes": attente.attentes(prestation, phrases, sexes),
            "enfants_ecartes": enfants_ecartes(prestation, phrases)}


def enfants_ecartes(prestation: Prestation, phrases) -> list[tuple[str, list[str]]]:
    """For a benefit that names the children who open the right: each child known not to open it, with the
    labels of its failed conditions (a child never vanishes from the text, be it refused or pending)."""
    if not prestation.liste_ouvrant_droit:
        return []
    out = []
    for condition in prestation.conditions:
        if condition.mode != "une_parmi" and not any(c.objet for c in condition.sous_conditions):
            continue
        for item in condition.sous_conditions:
            if item.objet and item.etat == Etat.non_rempli:
                failed = [phrases.libelle(c.id, c.noeud) for c in item.sous_conditions if c.etat == Etat.non_rempli]
                out.append((item.objet, failed))
    return out


def pieces(decision: Decision, prestation: Prestation, phrases) -> dict[str, list[str]]:
    """Missing documents, or (when the dossier lists none) the documents to provide."""
    missing = [phrases.label("pieces", p) for p in prestation.pieces_manquantes]
    to_provide = [] if decision.pieces_fournies is not None else [
        phrases.label("pieces", p) for p in prestation.pieces_requises]
    return {"pieces_manquantes": missing, "pieces_a_fournir": to_provide}


def check_text(report: Report) -> str:
    """The report of ``prevoyance check`` in French."""
    return TEMPLATES.get_template("check.txt.j2").render(report=report)

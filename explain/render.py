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

from engine.model import Condition, Decision, EnAttente, Etat, Prestation, RegleAppliquee
from engine.regime import regime_de_decision
from explain import attente
from explain import format as fmt
from explain.phrases import Catalogue, PhraseError, catalogue_de
from usecases.check import Report

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


def _parametres_de(phrases: Catalogue, regle: RegleAppliquee, condition: Condition) -> list[str]:
    """The parameters that may supersede a rule's quotation: those its block reads, those the condition
    applied (``parametre_applique``) and those the firing read (``en_vigueur``)."""
    return [*sorted(phrases.parametres_du_bloc(regle.id)), *(p.nom for p in condition.parametres),
            *(n for n, _ in regle.valeurs)]


def citation(phrases: Catalogue, regle: RegleAppliquee, condition: Condition) -> str:
    """The guide's sentence a rule encodes, marked amended where a parameter it applies supersedes a number it
    quotes (:meth:`explain.phrases.Catalogue.citation`)."""
    return phrases.citation(regle.texte, _parametres_de(phrases, regle, condition))


def modification(phrases: Catalogue, regle: RegleAppliquee, condition: Condition) -> str | None:
    """The mark of a rule's quotation a parameter in force supersedes (None: it states the law in force)."""
    return phrases.modification(regle.texte, _parametres_de(phrases, regle, condition))


def amendements(decision: Decision) -> list[str]:
    """« Allocations familiales portées à 3 500 FCFA (en vigueur le 1er janvier 2027) »: the amendments a
    decision was taken under, for the outputs to say so."""
    regime = regime_de_decision(decision.base, decision.version_base)
    return [f"{a.titre}" + (f" (en vigueur le {fmt.date_fr(a.date_effet)})" if a.date_effet else "")
            for a in regime.amendements]


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
        out["regles"] = [{"id": r.id, "texte": citation(phrases, r, condition), "fichier": f"{r.fichier}:{r.ligne}"}
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
            {"date": e.date.isoformat(), "evenement": phrases.event(e.evenement), "montant": e.montant,
             **e.paiement()}
            for e in prestation.echeancier
        ]
    if prestation.mensualites:
        out["mensualites"] = [
            {"mois": m.mois.isoformat()[:7], "enfants": m.enfants, "montant": m.montant}
            for m in prestation.mensualites
        ]
    out.update(en_attente_json(prestation))
    out.update(membres_en_attente_json(prestation))
    out.update(paiement_json(prestation, phrases, sexes))
    out["conditions"] = [condition_json(c, phrases, sexes) for c in prestation.conditions]
    out["pieces_manquantes"] = prestation.pieces_manquantes
    if prestation.pieces_requises:
        out["pieces_requises"] = prestation.pieces_requises
    return out


# -- To whom and how a prestation is paid (the guide's provisions on payment) -----------
def verse_a_json(prestation: Prestation) -> list[dict[str, Any]]:
    """``verse_a``: per child, the person who receives its allowance instead of the worker."""
    return [v.as_dict() for v in prestation.verse_a]


def disposition_context(disposition, prestation: Prestation) -> dict[str, Any]:
    """The values a provision's sentence names: its own, the prestation's amounts (``montant_<kind>``) and
    informations, and the child it concerns (``objet``)."""
    return {**{f"montant_{k}": v for k, v in prestation.montants.items()}, **prestation.informations,
            **disposition.valeurs, "objet": disposition.objet}


def disposition_phrase(disposition, prestation: Prestation, phrases, sexes: dict[str, str] | None = None) -> str:
    """A provision in French (catalogue ``dispositions``), with its values."""
    entry = phrases.data.get("dispositions", {}).get(disposition.id)
    if entry is None:
        raise PhraseError(f"aucune phrase pour la disposition « {disposition.id} » ({phrases.regime.id})")
    return phrases.render(entry["phrase"], disposition_context(disposition, prestation), sexes)


def dispositions(prestation: Prestation, phrases, sexes: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Each provision that applies: its label, its sentence and its source."""
    out = []
    for d in prestation.dispositions:
        entry = phrases.data.get("dispositions", {}).get(d.id, {})
        out.append({"id": d.id, "libelle": entry.get("libelle", d.id.replace("_", " ")),
                    "phrase": disposition_phrase(d, prestation, phrases, sexes),
                    "source": " ; ".join(part for part in (d.source, d.article) if part)})
    return out


def paiement_json(prestation: Prestation, phrases, sexes: dict[str, str] | None = None) -> dict[str, Any]:
    """``verse_a`` and ``dispositions`` of a prestation's JSON (only when it has some)."""
    out: dict[str, Any] = {}
    if prestation.verse_a:
        out["verse_a"] = verse_a_json(prestation)
    if prestation.dispositions:
        out["dispositions"] = [{"id": d["id"], "explication": d["phrase"], "source": d["source"]}
                               for d in dispositions(prestation, phrases, sexes)]
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
    """The lists of pending items (children, instalments), each list the base declares for the prestation
    present (an empty list too)."""
    out: dict[str, list[dict[str, Any]]] = {liste: [] for liste in prestation.listes_attente}
    for item in prestation.en_attente:
        out.setdefault(item.liste, []).append(attente_json(item))
    return out


def decision_json(decision: Decision) -> dict[str, Any]:
    """The decision as the contract's JSON (``docs/dossier.md``)."""
    phrases = catalogue_de(decision)
    under = amendements(decision)
    return {
        "dossier": decision.dossier,
        "date_reference": decision.date_reference.isoformat(),
        "base": decision.base,
        "version_base": decision.version_base,
        **({"amendements": under} if under else {}),
        "prestations": {pid: prestation_json(p, phrases, decision.sexes) for pid, p in decision.prestations.items()},
    }


# -- Texts --------------------------------------------------------------------------
def _line(condition: Condition, phrases, depth: int, sexes: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "mark": MARKS[condition.etat],
        "libelle": phrases.libelle(condition.id, condition.noeud),
        "objet": phrases.objet(condition.objet),
        "id": condition.id,
        "etat": ETATS_FR[condition.etat],
        "phrase": phrases.sentence(condition, sexes),
        "source": source_text(condition),
        "depth": depth,
        "condition": condition,
    }


def ordre_montants(kinds: Iterable[str], phrases, prestation: str | None = None) -> list[str]:
    """Kinds of amounts in the catalogue's order (``montants``), those it does not name last; with ``prestation``,
    the prestation's own kinds (``prestations.<id>.montants``) come first."""
    own = list(phrases.prestation(prestation).get("montants", {})) if prestation else []
    order = own + list(phrases.data.get("montants", {}))
    return sorted(kinds, key=lambda k: (order.index(k) if k in order else len(order), k))


def montants(prestation: Prestation, phrases) -> list[tuple[str, int]]:
    """Amounts with their labels: the prestation's own label (prestations.<id>.montants) before the common one."""
    own = phrases.prestation(prestation.id).get("montants", {})
    return [(own.get(k) or phrases.label("montants", k), prestation.montants[k])
            for k in ordre_montants(prestation.montants, phrases, prestation.id)]


def echeancier(prestation: Prestation, phrases) -> list[tuple[dt.date, str, int]]:
    """The schedule of payments: (date, event in French, amount) for each instalment; the event says
    when the instalment is suspended or paid to someone other than the worker (:func:`evenement_paye`)."""
    return [(e.date, evenement_paye(e, phrases), e.montant) for e in prestation.echeancier]


def evenement_paye(echeance, phrases) -> str:
    """An instalment's event in French, with how it is paid (catalogue ``paiement_echeance``)."""
    text = phrases.event(echeance.evenement)
    forms = phrases.data.get("paiement_echeance", {})
    if echeance.suspendue:
        text = phrases.render(forms["suspendue"], {"evenement": text})
    if echeance.verse_a is not None:
        text = phrases.render(forms["versee_a"], {"evenement": text, "personne": str(echeance.verse_a)})
    return text


def membres_en_attente_json(prestation: Prestation) -> dict[str, list[dict[str, Any]]]:
    """The household members a scheme leaves pending (``membres_en_attente``), as the contract's JSON: each with its
    name, the missing dossier fields by path and the documents that establish them."""
    return {sortie: [{"prenom": e.nom, "informations_manquantes": e.informations_manquantes, "pieces": e.pieces}
                     for e in items] for sortie, items in prestation.membres_en_attente.items()}


def membres_en_attente_texte(prestation: Prestation, phrases,
                             sexes: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The entities a prestation leaves pending, in a clerk's words: the name, the questions that would settle
    each (the catalogue's ``questions``), the documents to ask for. Never a dossier path."""
    from explain.orientation import questions_attente  # the questions of a pending entity, said once

    return [{"nom": e.nom, "questions": questions_attente(e, phrases, sexes or {}),
             "pieces": [phrases.label("pieces", p) for p in e.pieces]}
            for items in prestation.membres_en_attente.values() for e in items]


def orientation_texte(decision: Decision) -> list[tuple[str, str]]:
    """For a regime that orients a household, each member and the scheme it goes to (or « à préciser »)."""
    from explain.orientation import orientation

    o = orientation(decision)
    if o is None:
        return []
    return o.tableau(o.config["a_preciser"].split(" (")[0])


def evaluate_text(decision: Decision) -> str:
    """A short French summary of every prestation decided for a dossier."""
    phrases = catalogue_de(decision)
    prestations = []
    for pid, prestation in decision.prestations.items():
        prestations.append({
            "libelle": phrases.libelle_prestation(pid),
            "statut": phrases.statut(pid, prestation.statut),
            "prestation": prestation,
            "montants": montants(prestation, phrases),
            "echeancier": echeancier(prestation, phrases),
            "dispositions": dispositions(prestation, phrases, decision.sexes),
            "lignes": [_line(c, phrases, 0, decision.sexes) for c in prestation.conditions],
            "en_attente": membres_en_attente_texte(prestation, phrases, decision.sexes),
            **pieces(decision, prestation, phrases),
            **attente_text(prestation, phrases, decision.sexes),
        })
    return fmt.insecables(TEMPLATES.get_template("evaluate.txt.j2").render(
        decision=decision, prestations=prestations, orientation=orientation_texte(decision),
        amendements=amendements(decision)))


def attente_text(prestation: Prestation, phrases, sexes: dict[str, str] | None = None) -> dict[str, Any]:
    """The prestation's pending children and instalments in words (explain/attente.py), and the children
    known not to open the right with the conditions they fail, for the templates."""
    return {"attente_titre": attente.titre(prestation, phrases),
            "attentes": attente.attentes(prestation, phrases, sexes),
            "enfants_ecartes": enfants_ecartes(prestation, phrases)}


def enfants_ecartes(prestation: Prestation, phrases) -> list[tuple[str, list[str]]]:
    """For a prestation that names the children who open the right: each child known not to open it, with the
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

"""``prevoyance why``: why a prestation is granted, refused or incomplete, in four formats.

The explanation is the decision's own condition tree, read from the solver
(:mod:`engine.solver`): failed conditions first, each with the dossier facts and
dated parameters that decided it, the rule that fired and the sentence of the
guide it encodes; unknown conditions become the questions to ask and the
documents to request; a grant shows how its amount is computed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from engine.model import Condition, Decision, Etat, Prestation
from engine.paths import chemin_generique
from explain import format as fmt
from explain.attente import dus_sans_attendre
from explain.phrases import Catalogue, catalogue_de
from explain.render import (
    ETATS_FR,
    MARKS,
    TEMPLATES,
    amendements,
    attente_text,
    dispositions,
    echeancier,
    en_attente_json,
    membres_en_attente_json,
    membres_en_attente_texte,
    modification,
    montants,
    orientation_texte,
    pieces,
    source_text,
)

FORMATS = ("text", "json", "markdown", "html")


@dataclass
class Question:
    """A question to ask (or a document to request) to settle an unknown condition."""

    question: str
    champ: str
    condition: str  # libellé of the condition it settles
    condition_id: str
    objet: str | None
    justificatifs: list[str] = field(default_factory=list)


@dataclass
class Node:
    """One line of the explanation tree, ready for any format."""

    condition: Condition
    libelle: str
    phrase: str
    source: str
    depth: int
    exception: bool = False
    children: list[Node] = field(default_factory=list)
    # rule id → what supersedes its quotation of the guide (« modifié : six (06) mois depuis le … »)
    modifications: dict[str, str] = field(default_factory=dict)
    objet: str | None = None  # the object as a reader reads it (Catalogue.objet)
    # parameter → what supersedes the quotation its reference gives (« … cent vingt (120) heures » when the hours
    # are amended and the days are not)
    references: dict[str, str] = field(default_factory=dict)

    @property
    def mark(self) -> str:
        return MARKS[self.condition.etat]

    @property
    def etat(self) -> str:
        return ETATS_FR[self.condition.etat]


def _relevant(condition: Condition, phrases: Catalogue, sexes: dict[str, str]) -> list[tuple[Condition, bool]]:
    """Sub-conditions, then the exceptions that matter (the one used, or all when the rule is not met),
    leaving out an exception that cannot concern this person (``concerne`` in the catalogue)."""
    shown = [(c, False) for c in condition.sous_conditions]
    if condition.par_exception or condition.etat != Etat.rempli:
        shown += [(x, True) for x in condition.exceptions
                  if (x.id == condition.par_exception or condition.etat != Etat.rempli) and phrases.concerne(x, sexes)]
    return shown


def _node(condition: Condition, phrases: Catalogue, depth: int, max_depth: int | None, exception=False,
          sexes: dict[str, str] | None = None) -> Node:
    sexes = sexes or {}
    node = Node(condition, phrases.libelle(condition.id, condition.noeud), phrases.sentence(condition, sexes),
                source_text(condition), depth, exception,
                modifications={r.id: m for r in condition.regles if (m := modification(phrases, r, condition))},
                objet=phrases.objet(condition.objet), references=marques_des_references(phrases, condition))
    if max_depth is None or depth + 1 < max_depth:
        node.children = [_node(c, phrases, depth + 1, max_depth, exc, sexes)
                         for c, exc in _relevant(condition, phrases, sexes)]
    return node


def marques_des_references(phrases: Catalogue, condition: Condition) -> dict[str, str]:
    """The references of the parameters a condition applied that quote a number another of them supersedes."""
    names = [p.nom for p in condition.parametres]
    return {p.nom: m for p in condition.parametres if (m := phrases.modification(p.reference, names))}


def branche(node: Node, etat: Etat) -> Node:
    """The branch of a node that explains a state: children in the same state only."""
    kept = [branche(c, etat) for c in node.children if c.condition.etat == etat]
    return Node(node.condition, node.libelle, node.phrase, node.source, node.depth, node.exception, kept,
                node.modifications, node.objet, node.references)


def questions(prestation: Prestation, phrases: Catalogue, sexes: dict[str, str] | None = None) -> list[Question]:
    """Questions to ask, and documents to request, for every unknown condition (once per field)."""
    catalogue_questions = phrases.data.get("questions", {})
    out: dict[str, Question] = {}
    for condition in prestation.unknown():
        for champ in condition.champs_lus:
            template = catalogue_questions.get(chemin_generique(champ))
            text = (phrases.render(template, {"objet": phrases.objet(condition.objet)}, sexes) if template
                    else f"Que vaut « {champ} » ?")
            question = out.setdefault(champ, Question(text, champ, phrases.libelle(condition.id, condition.noeud),
                                                      condition.id, phrases.objet(condition.objet)))
            question.justificatifs = sorted(set(question.justificatifs) | {
                phrases.label("pieces", p) for p in condition.justificatifs})
    return list(out.values())


@dataclass
class ExceptionNonInvoquee:
    """An exception the dossier does not invoke, under a failed condition: what would change the decision."""

    id: str
    libelle: str
    phrase: str
    condition: str  # libellé of the failed condition it would meet
    condition_id: str
    objet: str | None
    pieces: list[str] = field(default_factory=list)  # documents that would establish it


def exceptions_non_invoquees(prestation: Prestation, phrases: Catalogue,
                             sexes: dict[str, str] | None = None) -> list[ExceptionNonInvoquee]:
    """The exceptions that the dossier leaves silent under the prestation's failed conditions.

    Silence on an exception means it is not invoked and the rule's own outcome
    stands (docs/ambiguites.md); the explanation names each such exception as
    what would change the decision, with the documents that would establish it.
    """
    out = []
    for condition in prestation.failed():
        for x in condition.exceptions:
            if x.etat == Etat.non_invoquee and phrases.concerne(x, sexes):
                out.append(ExceptionNonInvoquee(
                    x.id, phrases.libelle(x.id, x.noeud), phrases.sentence(x, sexes),
                    phrases.libelle(condition.id, condition.noeud), condition.id,
                    phrases.objet(x.objet or condition.objet),
                    [phrases.label("pieces", p) for p in x.justificatifs]))
    return out


def context(decision: Decision, prestation_id: str, depth: int | None = None, answer=None) -> dict[str, Any]:
    """Everything the four formats show (``answer``: a what-if search, when asked for)."""
    phrases = catalogue_de(decision)
    prestation = decision.prestations[prestation_id]
    roots = [_node(c, phrases, 0, depth, sexes=decision.sexes) for c in prestation.conditions]
    return {
        "decision": decision,
        "amendements": amendements(decision),
        "prestation": prestation,
        "libelle": phrases.libelle_prestation(prestation_id),
        "statut": phrases.statut(prestation_id, prestation.statut),
        "echecs": [branche(n, Etat.non_rempli) for n in roots if n.condition.etat == Etat.non_rempli],
        "inconnues": [branche(n, Etat.inconnu) for n in roots if n.condition.etat == Etat.inconnu],
        "remplies": [branche(n, Etat.rempli) for n in roots if n.condition.etat == Etat.rempli],
        "arbre": roots,
        "questions": questions(prestation, phrases, decision.sexes),
        "exceptions_non_invoquees": exceptions_non_invoquees(prestation, phrases, decision.sexes),
        "montants": montants(prestation, phrases),
        "dus_sans_attendre": dus_sans_attendre(prestation),
        "echeancier": echeancier(prestation, phrases),
        "dispositions": dispositions(prestation, phrases, decision.sexes),
        "pertes": [(phrases.event(p.evenement), p.montant) for p in prestation.pertes],
        "informations": [(phrases.label("informations", k), v) for k, v in prestation.informations.items()],
        "elements": [(phrases.label("informations", k), v) for k, v in prestation.elements.items()],
        "montant_par_enfant": prestation.droit.valeurs.get("montant_par_enfant"),
        "depth": depth,
        "noms_valeurs": {k: phrases.texte(v) for k, v in phrases.data.get("valeurs", {}).items()},
        "what_if": what_if_context(answer, phrases, decision.sexes) if answer is not None else None,
        "what_if_complet": answer.complet if answer is not None else True,
        # Entities left pending (membres_en_attente) and, for a household, who goes to which scheme.
        "en_attente": membres_en_attente_texte(prestation, phrases, decision.sexes),
        "orientation": orientation_texte(decision),
        "what_if_arret": answer.arret if answer is not None else None,
        **pieces(decision, prestation, phrases),
        **attente_text(prestation, phrases, decision.sexes),
    }


def _node_json(node: Node) -> dict[str, Any]:
    c = node.condition
    out: dict[str, Any] = {"type": "exception" if node.exception else "condition", "id": c.id, "etat": c.etat,
                           "libelle": node.libelle, "explication": node.phrase, "source": node.source}
    if c.objet:
        out["objet"] = c.objet
    if c.donnees:
        out["faits"] = [{"champ": d.chemin, "valeur": fmt.json_value(d.valeur)} for d in c.donnees]
    if c.parametres:
        out["parametres"] = [{"nom": p.nom, "valeur": fmt.json_value(p.valeur), "depuis": p.depuis.isoformat(),
                              "reference": p.reference + (f" [{node.references[p.nom]}]" if p.nom in node.references
                                                          else "")} for p in c.parametres]
    if c.regles:
        marks = node.modifications
        out["regles"] = [{"id": r.id, "texte": r.texte + (f" [{marks[r.id]}]" if r.id in marks else ""),
                          "fichier": f"{r.fichier}:{r.ligne}"} for r in c.regles]
    if c.champs_lus:
        out["informations_manquantes"] = c.champs_lus
    if node.children:
        out["enfants"] = [_node_json(child) for child in node.children]
    return out


def why_json(decision: Decision, prestation_id: str, depth: int | None = None, answer=None) -> dict[str, Any]:
    ctx = context(decision, prestation_id, depth)
    prestation: Prestation = ctx["prestation"]
    return {
        "dossier": decision.dossier,
        "date_reference": decision.date_reference.isoformat(),
        "version_base": decision.version_base,
        **({"amendements": ctx["amendements"]} if ctx["amendements"] else {}),
        "prestation": prestation_id,
        "statut": prestation.statut,
        "arbre": {"type": "decision", "libelle": ctx["libelle"], "statut": prestation.statut,
                  "enfants": [_node_json(n) for n in ctx["arbre"]]},
        "questions": [{"question": q.question, "champ": q.champ, "condition": q.condition_id,
                       **({"objet": q.objet} if q.objet else {}), "pieces": q.justificatifs}
                      for q in ctx["questions"]],
        "montants": {f"montant_{k}": v for k, v in prestation.montants.items()},
        **en_attente_json(prestation),
        **membres_en_attente_json(prestation),
        **({"versement": [{"id": d["id"], "explication": d["phrase"], "source": d["source"]}
                          for d in ctx["dispositions"]]} if ctx["dispositions"] else {}),
        "pieces_manquantes": prestation.pieces_manquantes,
        "exceptions_non_invoquees": [
            {"exception": x.id, "condition": x.condition_id, **({"objet": x.objet} if x.objet else {}),
             "explication": x.phrase, "pieces": x.pieces} for x in ctx["exceptions_non_invoquees"]],
        **({"ce_qui_changerait": what_if_json(answer)} if answer is not None else {}),
    }


def why(decision: Decision, prestation_id: str, output_format: str = "text", depth: int | None = None,
        answer=None) -> str:
    """The explanation of one prestation's decision in ``text``, ``json``, ``markdown`` or ``html``;
    ``answer`` is a what-if search (:func:`usecases.whatif.what_if`) to show with it."""
    if output_format == "json":
        return json.dumps(why_json(decision, prestation_id, depth, answer), ensure_ascii=False, indent=2) + "\n"
    template = {"text": "why.txt.j2", "markdown": "why.md.j2", "html": "why.html.j2"}[output_format]
    text = TEMPLATES.get_template(template).render(**context(decision, prestation_id, depth, answer))
    return fmt.insecables(text, html=output_format == "html")


def change_text(change, phrases: Catalogue, waiting_only: bool = False, sexes: dict[str, str] | None = None) -> str:
    """One change of a what-if proposal, in French."""
    template = phrases.data.get("modifications", {}).get(chemin_generique(change.chemin))
    if template is None:
        return f"« {change.chemin} » : {fmt.valeur(change.avant)} → {fmt.valeur(change.apres)}"
    text = phrases.render(template, {"avant": change.avant, "apres": change.apres, "objet": change.objet}, sexes)
    if change.par_le_temps and change.chemin != "date_reference" and not waiting_only:
        text += f" (ce sera le cas le {fmt.date_fr(change.par_le_temps)})"
    return text


def changements_montres(ensemble) -> list:
    """The changes of a what-if proposal a reader is told: when the proposal is to wait, the move of the
    reference date is the waiting itself, said apart."""
    waiting = ensemble.date_eligibilite is not None
    return [c for c in ensemble.changements if not (waiting and c.chemin == "date_reference")]


def what_if_context(answer, phrases: Catalogue, sexes: dict[str, str] | None = None) -> list[dict[str, Any]]:
    out = []
    for s in answer.ensembles:
        waiting = s.date_eligibilite is not None
        out.append({"changements": [change_text(c, phrases, waiting, sexes) for c in changements_montres(s)],
                    "date_eligibilite": s.date_eligibilite, "ensemble": s})
    return out


def what_if_json(answer) -> dict[str, Any]:
    return {"prestation": answer.prestation, "complet": answer.complet,
            **({"arret": f"recherche arrêtée avant la fin : {answer.arret}"} if answer.arret else {}),
            "ensembles": [
        {"changements": [{"champ": c.chemin, "avant": fmt.json_value(c.avant), "apres": fmt.json_value(c.apres),
                          **({"par_le_temps": c.par_le_temps.isoformat()} if c.par_le_temps else {})}
                         for c in s.changements],
         **({"date_eligibilite": s.date_eligibilite.isoformat()} if s.date_eligibilite else {})}
        for s in answer.ensembles]}


class WhyError(ValueError):
    """A prestation the decision did not examine: nothing to explain."""


def why_dossier(decision: Decision, prestation_id: str, output_format: str = "text", depth: int | None = None,
                answer=None) -> str:
    """What ``prevoyance why`` prints: :func:`why` for ``prestation_id``, with ``answer`` (the what-if search's,
    :func:`usecases.whatif.pistes`) when one was made; a prestation the decision did not examine raises WhyError."""
    if prestation_id not in decision.prestations:
        known = ", ".join(decision.prestations) or "aucune"
        raise WhyError(f"prestation « {prestation_id} » non examinée pour ce dossier (examinées : {known})")
    return why(decision, prestation_id, output_format, depth, answer)

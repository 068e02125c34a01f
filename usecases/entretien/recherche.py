"""The search for the next question: which absent facts could still change a claimed prestation's status or
amount, scored from the decision of the partial dossier, and the step that asks the best one or carries the
decision (:func:`prochaine_etape`). How the candidates are found and ranked is told in
:mod:`usecases.entretien`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.dossier import Dossier, DossierError
from engine.model import Condition, Decision, Etat, Prestation, Statut
from engine.program import Mode, build_program
from engine.regime import Regime
from engine.resume import summarize_many
from engine.solver import COLD, Solver, evaluate
from engine.validation import validate
from usecases.entretien.lectures import lectures_par_defaut
from usecases.entretien.questions import (
    EntretienError,
    ProchaineQuestion,
    absent,
    blocked,
    question,
    schema_node,
    split_path,
)
from usecases.entretien.reponses import repondre

_ENTITE = re.compile(r"\((\d+)\)")


@dataclass
class Etape:
    """One step of an interview: a question, or (``question`` None) the decision of the completed dossier."""

    dossier: Dossier
    decision: Decision
    question: ProchaineQuestion | None = None
    ouvertes: list[str] = field(default_factory=list)  # claimed prestations an answer could still change
    en_attente: list[str] = field(default_factory=list)  # fields the decision waits on that the claimant ignores


# -- which answers can still change the decision -----------------------------------------
@dataclass
class _Candidat:
    champ: str
    ordre: int
    prestations_niveau_demande: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    inconnue: bool = False  # an unknown condition waits on it (not only a met one resting on silence)
    montant: bool = True  # only an amount reads it (kept when a value the schema allows changes an amount)

    def score(self) -> tuple[bool, int, int, int]:
        return (self.inconnue, len(self.prestations_niveau_demande), len(self.conditions), -self.ordre)


class _Recherche:
    """The fields whose answers could change one decision, with what they can decide."""

    def __init__(self, dossier: Dossier, inconnus: set[str]):
        self.dossier = dossier
        self.data = dossier.data
        self.inconnus = inconnus
        self.program = build_program(dossier.regime, Mode.EXPLANATION)
        self.candidats: dict[str, _Candidat] = {}
        self.en_attente: list[str] = []
        self.ouvertes: list[str] = []

    def add(self, champ: str, prestation: str, condition: Condition, niveau_demande: bool,
            confirmation: bool = False, montant: bool = False) -> bool:
        """Record a field the decision waits on; True when it can be asked."""
        if not absent(self.data, champ, self.dossier.regime):
            return False
        if blocked(champ, self.inconnus):
            if champ not in self.en_attente:
                self.en_attente.append(champ)
            return False
        # A field whose parent is itself asked (a child's residence before its country) waits for it.
        parent = next((c for c in self.candidats if champ.startswith(c + ".")), None)
        candidat = self.candidats.get(parent or champ)
        if candidat is None:
            for longer in [c for c in self.candidats if c.startswith(champ + ".")]:
                self.candidats.pop(longer)  # the parent is asked first
            candidat = self.candidats[champ] = _Candidat(champ, len(self.candidats))
        if not montant:
            candidat.montant = False
        if not confirmation and not montant:
            candidat.inconnue = True
        if niveau_demande:
            candidat.prestations_niveau_demande.add(prestation)
        candidat.conditions.add(f"{prestation}:{condition.noeud}")
        return True

    def champs_absents(self, node: Condition) -> list[str]:
        """The fields a node's rules read that the dossier lacks, those of the applicant and of the dossier
        included for a node about one child (``informations_manquantes`` names only the child's), and those of
        an exception the dossier's silence fails (the widow's, read as « no » when the dossier says nothing)."""
        key = node.noeud if node.noeud in self.program.reads else node.id
        indices = tuple(int(i) for i in _ENTITE.findall(node.noeud))
        out = [c for c in node.champs_lus if absent(self.data, c, self.dossier.regime)]
        for predicate in sorted(self.program.fields_read(key)):
            f = self.program.inputs.fields[predicate]
            if f.kind != "valeur" or f.path.count("[]") not in (0, len(indices)):
                continue
            champ = f.display(indices if f.path.count("[]") else ())
            if "[]" not in champ and champ not in out and absent(self.data, champ, self.dossier.regime):
                out.append(champ)
        return out

    def prestation(self, pid: str, prestation: Prestation) -> None:
        asked = False
        if prestation.statut == Statut.refuse:
            asked = self.refus(pid, prestation)
        else:
            root = Condition(id="droit", noeud=pid, etat=prestation.droit.etat, mode="toutes",
                             sous_conditions=prestation.conditions)
            asked = self.ouverte(pid, root, top=True)
            if prestation.droit.etat == Etat.non_rempli:
                # Incomplete though its right fails today: arrears wait on its unknown conditions (the worker's
                # salary, a child's category), asked though a sibling fails.
                for k in prestation.conditions:
                    if k.etat == Etat.inconnu:
                        asked |= self.ouverte(pid, k)
                    elif k.etat == Etat.non_rempli and k.mode == "une_parmi":
                        # Those months also wait on the child's own unknown facts: one that fails (no medical
                        # visit) leaves nothing owed, and the claim is refused whatever the worker's facts.
                        for child in k.sous_conditions:
                            asked |= self.pendants(pid, child)
            if prestation.droit.etat == Etat.non_rempli and prestation.statut == Statut.accorde:
                # Granted for arrears alone: an exception of a child who no longer opens the right (studies)
                # could still raise the amount.
                for k in prestation.conditions:
                    if k.etat == Etat.non_rempli and k.mode == "une_parmi":
                        for child in k.sous_conditions:
                            if child.etat == Etat.non_rempli:
                                asked |= self.echec(pid, child)
            # What the decision itself lists as pending: a child past the age limit whose arrears months wait
            # on a fact keeps the claim incomplete though no condition above it is unknown.
            for item in prestation.en_attente:
                for champ in item.informations_manquantes:  # one child's fact: after those that decide the claim
                    asked |= self.add(champ, pid, prestation.droit, False)
            # Facts only an amount reads (the number of consultations): kept if a value changes an amount.
            fields = self.program.inputs.fields
            for predicate in sorted(lectures_par_defaut(self.dossier.regime, "montant").get(pid, ())):
                f = fields[predicate]
                if f.kind == "valeur" and "[]" not in f.path and f.path != ("date_reference",):
                    asked |= self.add(f.display(), pid, prestation.droit, False, montant=True)
        if asked:
            self.ouvertes.append(pid)

    def ouverte(self, pid: str, node: Condition, top: bool = False) -> bool:
        """Ask what an unknown or a flippable failing node waits on; True if something can be asked."""
        kids = node.sous_conditions
        asked = False
        if kids:
            failing = [k for k in kids if k.etat == Etat.non_rempli]
            if node.mode is None:  # a composite whose kind the decision does not show: its states tell
                node.mode = _mode(node)
            if node.mode == "une_parmi" or not failing:
                for k in kids:
                    # A met « one of » (the children who open the right) still waits on its unknown members.
                    if k.etat == Etat.inconnu or (k.sous_conditions and k.mode == "une_parmi"
                                                  and k.etat == Etat.rempli):
                        asked |= self.ouverte(pid, k, top and node.mode != "une_parmi")
                    elif k.etat == Etat.non_rempli and node.mode == "une_parmi":
                        # One child that fails among others: its exceptions, and its unknown facts, since a
                        # child whose right has ended may still be owed the months before.
                        asked |= self.echec(pid, k)
                        asked |= self.pendants(pid, k)
            elif not top:
                for k in failing:
                    asked |= self.echec(pid, k)
            if not failing:
                for k in kids:  # a met condition can still fail on a fact the dossier is silent about
                    if k.etat == Etat.rempli and not k.par_exception and (
                            not k.sous_conditions or k.mode == "toutes" or k.mode == "une_parmi"):
                        asked |= self.confirmer(pid, k)
            return asked
        # A leaf: its own missing facts, else those of its exceptions that could meet it.
        for champ in node.champs_lus:
            asked |= self.add(champ, pid, node, top and node.objet is None)
        for x in node.exceptions:  # an exception already invoked that could settle it (the widow's sex)
            if x.etat == Etat.inconnu:
                for champ in self.champs_absents(x):
                    asked |= self.add(champ, pid, node, top and node.objet is None)
        if not asked:
            for champ in self.champs_absents(node):
                asked |= self.add(champ, pid, node, top and node.objet is None)
        if not asked:
            for x in node.exceptions:
                for champ in self.champs_absents(x):
                    asked |= self.add(champ, pid, x, False)
        return asked

    def confirmer(self, pid: str, node: Condition) -> bool:
        """A met node: the facts its rules read that the dossier is silent about (a marriage not said to be
        declared at the civil registry, for a child of the marriage), asked after everything unknown."""
        if node.par_exception:
            return False
        if node.sous_conditions:
            return any([self.confirmer(pid, k) for k in node.sous_conditions if k.etat == Etat.rempli])
        asked = False
        negated = lectures_par_defaut(self.dossier.regime).get(node.id, set())
        for champ in self.champs_absents(node):
            predicate = re.sub(r"\[\d+\]", "", champ).replace(".", "_")
            if predicate in negated:
                asked |= self.add(champ, pid, node, False, confirmation=True)
        return asked

    def echec(self, pid: str, node: Condition) -> bool:
        """A failing node below a granted part: the facts of exceptions that could meet its failing leaves."""
        asked = False
        kids = node.sous_conditions
        if kids:
            for k in kids:
                if k.etat == Etat.non_rempli:
                    asked |= self.echec(pid, k)
            return asked
        for x in node.exceptions:
            if x.etat in (Etat.non_rempli, Etat.non_invoquee, Etat.inconnu):
                for champ in self.champs_absents(x):
                    asked |= self.add(champ, pid, x, False)
        return asked

    def refus(self, pid: str, prestation: Prestation) -> bool:
        """A refusal: the facts, lacking from the dossier, of the exceptions of its failing conditions, kept when
        one of their values lifts the refusal.

        Each such fact is tried with each value its schema allows (a yes/no, a choice), every trial in one
        batch; a fact of another type is kept as it is (nothing to enumerate). The widow's exception is thus
        asked of a woman refused for want of a salaried activity, never of a man.
        """
        statiques: list[str] = []
        defauts = lectures_par_defaut(self.dossier.regime, "non_rempli")
        for node in prestation.failed():
            champs = [c for x in node.exceptions for c in self.champs_absents(x)]
            # A failing condition decided on a default (the presumed end of a pregnancy, for want of its
            # presumed term): the fact that replaces the default.
            champs += [c for c in self.champs_absents(node)
                       if re.sub(r"\[\d+\]", "", c).replace(".", "_") in defauts.get(node.id, set())]
            for champ in champs:
                if champ not in statiques and not blocked(champ, self.inconnus):
                    statiques.append(champ)
        kept: list[str] = []
        trials: list[tuple[str, Dossier]] = []
        for champ in statiques:
            node = schema_node(self.dossier.regime, champ)
            values = node.get("enum") or ([True, False] if node.get("type") == "boolean" else None)
            if values is None:
                kept.append(champ)
                continue
            for value in values:
                try:
                    changed = repondre(self.dossier.regime, self.data, champ, value)
                    trials.append((champ, validate(changed, self.dossier.origine, regime=self.dossier.regime)))
                except (EntretienError, DossierError):
                    continue
        # Only the claim's own status is compared: the other prestations are not decided for it.
        for (champ, _), after in zip(trials, _resumes([d for _, d in trials], frozenset({pid})), strict=True):
            changed = after.get(pid)
            if changed is not None and changed[0] != Statut.refuse and champ not in kept:
                kept.append(champ)
        asked = False
        for champ in kept:
            asked |= self.add(champ, pid, prestation.droit, True)
        # Refused only because no child opens the right today: a child whose right has ended may still be owed
        # the months before (the arrears are never hidden behind a refusal), so its unknown facts are asked.
        failing = [c for c in prestation.conditions if c.etat == Etat.non_rempli]
        if failing and all(c.mode == "une_parmi" for c in failing):
            for c in failing:
                for k in c.sous_conditions:
                    asked |= self.pendants(pid, k)
        return asked

    def pendants(self, pid: str, node: Condition) -> bool:
        """The unknown leaves below a node, whatever its state."""
        if node.sous_conditions:
            return any([self.pendants(pid, k) for k in node.sous_conditions])
        asked = False
        if node.etat == Etat.inconnu:
            for champ in node.champs_lus or self.champs_absents(node):
                asked |= self.add(champ, pid, node, False)
        return asked

    def meilleur(self, decision: Decision) -> str | None:
        """The best candidate. A field asked only to confirm a met condition is kept when one of the values its
        schema allows (yes and no, each choice, a number's bounds) changes a claimed prestation's status or
        amounts: all such trials in one batch, and only once nothing unknown is left to ask."""
        if not self.candidats:
            return None
        best = max(self.candidats.values(), key=_Candidat.score)
        if best.inconnue:
            return best.champ
        trials: list[tuple[str, Dossier]] = []
        for candidat in sorted(self.candidats.values(), key=_Candidat.score, reverse=True):
            node = schema_node(self.dossier.regime, candidat.champ)
            if node.get("enum"):
                values = list(node["enum"])
            elif node.get("type") == "boolean":
                values = [True, False]
            elif node.get("type") == "integer":
                values = [node.get("minimum", 0), node.get("maximum", node.get("minimum", 0) + 10**6)]
            elif candidat.montant:
                continue  # a date or a text only an amount reads: nothing to try, not asked
            else:
                return candidat.champ  # a date or a text a met condition reads by default: asked
            for value in values:
                try:
                    changed = repondre(self.dossier.regime, self.data, candidat.champ, value)
                    trials.append((candidat.champ, validate(changed, self.dossier.origine, regime=self.dossier.regime)))
                except (EntretienError, DossierError):
                    continue
        before = _resume(decision)
        decisive = {champ for (champ, _), after in zip(trials, _resumes([d for _, d in trials]), strict=True)
                    if after != before}
        kept = [c for c in self.candidats.values() if c.champ in decisive]
        return max(kept, key=_Candidat.score).champ if kept else None


def _mode(node: Condition) -> str:
    """« toutes » or « une_parmi » for a composite node, from its state and its members' (Kleene's logic)."""
    states = {k.etat for k in node.sous_conditions}
    if Etat.non_rempli in states and node.etat != Etat.non_rempli:
        return "une_parmi"
    if Etat.rempli in states and node.etat != Etat.rempli:
        return "toutes"
    return "une_parmi" if all(k.objet for k in node.sous_conditions) else "toutes"


def _resume(decision: Decision) -> dict[str, tuple[str, dict[str, int]]]:
    return {p: (x.statut, x.montants) for p, x in decision.prestations.items()}


def _resumes(dossiers: list[Dossier], prestations: frozenset[str] | None = None
             ) -> list[dict[str, tuple[str, dict[str, int]]]]:
    """The statuses and amounts of trial dossiers, all a trial compares: decided in summary mode
    (:mod:`engine.resume`), which grounds only the rules they depend on and builds no condition tree, as the
    what-if search does (:mod:`usecases.whatif`); a batch of 19 trials costs 31 ms there, 194 ms explained.
    ``prestations``: only these are decided (for a regime whose prestations are independent)."""
    if not dossiers:  # nothing to try: no grounding
        return []
    return [{p: (s.statut, s.montants) for p, s in summary.items()}
            for summary in summarize_many(dossiers, prestations=prestations)]


def _dossier(regime: Regime, data: dict[str, Any], origine: str) -> Dossier:
    data = dict(data)
    data.setdefault("id", "entretien")
    return validate(data, origine, regime=regime)


def prochaine_etape(regime: Regime, data: dict[str, Any], inconnus: list[str] | set[str] = (),
                    origine: str = "entretien", solver: Solver = COLD) -> Etape:
    """The next question for the partial dossier ``data``, or its decision when no answer can change it.

    ``inconnus`` are the paths the claimant does not know: never asked, listed as pending; ``solver``
    decides the partial dossier (a served console passes its warm one).
    Raises :class:`engine.dossier.DossierError` for a dossier the schema refuses.
    """
    closed = {str(c) for c in inconnus}
    for champ in closed:
        split_path(champ)  # an unreadable path is an error, not a silent no-op
    dossier = _dossier(regime, data, origine)
    decision = evaluate(dossier, solver=solver)
    recherche = _Recherche(dossier, closed)
    for pid, prestation in decision.prestations.items():
        recherche.prestation(pid, prestation)
    champ = recherche.meilleur(decision)
    etape = Etape(dossier, decision, ouvertes=recherche.ouvertes, en_attente=recherche.en_attente)
    if champ is not None:
        etape.question = question(regime, dossier.data, champ)
    return etape

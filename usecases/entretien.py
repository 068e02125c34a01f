"""The counter interview: the next question a claim still needs, derived from the rules, or the decision.

Nothing here is a questionnaire. Each step evaluates the partial dossier once
(explanation mode, the warm path in a long-lived process) and reads, from the
decision itself, which answers could still change a claimed benefit's status
or amount:

- a benefit that is not refused: the unknown conditions on which its right, or
  one child's (one fraction's) part of it, still waits, and the dossier fields
  their rules read that the dossier lacks (``Condition.champs_lus``, the
  contract's ``informations_manquantes``); below a condition that fails for one
  child while others open the right, the facts of the exceptions that could
  still meet it (the raised age limit, a child abroad under a convention);
- a refused benefit: only facts the search « qu'est-ce qui changerait la
  décision ? » (:mod:`usecases.whatif`) names in a set of changes that makes
  it a grant and that answers alone can bring (every change is to a field the
  dossier lacks). The search runs only when a failing condition has an
  exception whose facts the dossier lacks: it is the one costly step.

Each candidate field gets a score from the decision: how many claimed
benefits it can decide at the level of the claim (a fact of the applicant that
can refuse every claim), then how many conditions read it; ties keep the order
of the decision tree (the guide's order, child after child). A field the
claimant said they do not know, or any field under it, is never asked; a
field the dossier holds is never asked again. When no candidate is left, the
step carries the decision of the dossier so completed.

The wording comes from the regime's catalogue (``explications/questions.yaml``,
by generic path), the choices' words from ``explications/choix.yaml``, the
types from the regime's schema.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from engine.dossier import Dossier, DossierError
from engine.model import Condition, Decision, Etat, Prestation, Statut
from engine.program import Mode, build_program
from engine.regime import Regime
from engine.solver import COLD, Solver, evaluate, evaluate_many
from engine.validation import validate
from explain.phrases import catalogue, chemin_generique

# Types of questions, as an interface shows them (one input per type).
DATE, ENTIER, BOOLEEN, CHOIX, TEXTE, DATES = "date", "entier", "booleen", "choix", "texte", "liste de dates"

_PART = re.compile(r"^([^\[\]]+)((?:\[\d+\])*)$")
_INDEX = re.compile(r"\[(\d+)\]")
_ENTITE = re.compile(r"\((\d+)\)")


class EntretienError(ValueError):
    """A path or an answer the interview cannot take; the message is French and names the question."""


@dataclass(frozen=True)
class Choix:
    """One choice of a question: the clerk's words and the value the dossier keeps."""

    valeur: Any
    libelle: str


@dataclass(frozen=True)
class ProchaineQuestion:
    """The next question: the dossier path it fills, its French wording, its type and its choices."""

    champ: str
    libelle: str
    type: str
    choix: tuple[Choix, ...] = ()
    objet: str | None = None  # the child (or item) it is about


@dataclass
class Etape:
    """One step of an interview: a question, or (``question`` None) the decision of the completed dossier."""

    dossier: Dossier
    decision: Decision
    question: ProchaineQuestion | None = None
    ouvertes: list[str] = field(default_factory=list)  # claimed benefits an answer could still change
    en_attente: list[str] = field(default_factory=list)  # fields the decision waits on that the claimant ignores


# -- paths -----------------------------------------------------------------------
def _parts(champ: str) -> list[str | int]:
    """``enfants[1].residence.pays`` → ``['enfants', 1, 'residence', 'pays']``."""
    out: list[str | int] = []
    for piece in champ.split("."):
        match = _PART.match(piece)
        if not match:
            raise EntretienError(f"chemin de dossier illisible : « {champ} »")
        out.append(match.group(1))
        out += [int(i) for i in _INDEX.findall(match.group(2))]
    return out


def _blocked(champ: str, closed: set[str]) -> bool:
    """Whether ``champ`` or a field above it is among ``closed`` (declared unknown)."""
    return any(champ == c or champ.startswith(c + ".") or champ.startswith(c + "[") for c in closed)


def _absent(data: Any, champ: str, regime: Regime | None = None) -> bool:
    """Whether the dossier lacks the field (an item that does not exist is not a lack: nothing can be asked
    there; a sub-field of a scalar, a child's residence given as a country, is one: the answer makes it an
    object, :func:`repondre`)."""
    node = data
    parts = _parts(champ)
    for position, part in enumerate(parts):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
            node = node[part]
        elif isinstance(node, dict):
            if part not in node:
                return True
            node = node[part]
        else:
            if not isinstance(node, str | int | bool):
                return False
            if regime is not None and position == len(parts) - 1:  # the field the scalar already stands for
                parent = _field_schema(regime, _display(parts[:position]))
                objects = [b for b in _branches(regime.schema, parent) if "properties" in b]
                return not (objects and objects[0].get("required") == [part])
            return True
    return False


def _display(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# -- the schema: type and choices of a field ----------------------------------------
def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part]
        return _resolve(schema, target)
    return node


def _branches(schema: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(schema, node)
    for key in ("oneOf", "anyOf"):
        if key in node:
            return [_resolve(schema, b) for b in node[key]]
    return [node]


def schema_node(regime: Regime, champ: str) -> dict[str, Any]:
    """The schema of the field at ``champ``: the scalar branch when the field may be a scalar or an object."""
    node: dict[str, Any] = regime.schema
    for part in _parts(champ):
        branches = _branches(regime.schema, node)
        if isinstance(part, int):
            arrays = [b for b in branches if b.get("type") == "array"]
            if not arrays:
                raise EntretienError(f"« {champ} » : ce champ n'est pas une liste")
            node = arrays[0].get("items", {})
            continue
        objects = [b for b in branches if part in b.get("properties", {})]
        if not objects:
            raise EntretienError(f"« {champ} » : champ inconnu du dossier de ce régime")
        node = objects[0]["properties"][part]
    branches = _branches(regime.schema, node)
    scalars = [b for b in branches if b.get("type") not in ("object",) and "properties" not in b]
    return scalars[0] if scalars else branches[0]


def _type(node: dict[str, Any]) -> str:
    if "enum" in node:
        return CHOIX
    kind = node.get("type")
    if kind == "boolean":
        return BOOLEEN
    if kind == "integer":
        return ENTIER
    if kind == "array":
        return DATES if node.get("items", {}).get("format") == "date" else TEXTE
    if node.get("format") == "date":
        return DATE
    return TEXTE


def question(regime: Regime, data: dict[str, Any], champ: str) -> ProchaineQuestion:
    """The question that fills ``champ``, worded by the catalogue for the person it names."""
    node = schema_node(regime, champ)
    kind = _type(node)
    labels = regime.phrases.get("choix", {})
    if kind == CHOIX:
        choices = tuple(Choix(v, labels.get(str(v), str(v).replace("_", " "))) for v in node["enum"])
    elif kind == BOOLEEN:
        choices = (Choix(True, "oui"), Choix(False, "non"))
    else:
        choices = ()
    indices = [int(i) for i in _INDEX.findall(champ)]
    objet = _libelle_objet(data, champ) if indices else None
    template = regime.phrases.get("questions", {}).get(chemin_generique(champ))
    if template:
        phrases = catalogue(regime)
        text = phrases.render(template, {"objet": objet}, regime.sexes(data))
    else:  # a regime without a question for this field: its schema's own description
        text = (node.get("description") or node.get("title") or champ.rsplit(".", 1)[-1].replace("_", " "))
        text = text.rstrip(". ") + (f" ({objet})" if objet else "") + " ?"
    return ProchaineQuestion(champ, text, kind, choices, objet)


def _libelle_objet(data: dict[str, Any], champ: str) -> str | None:
    parts = _parts(champ)
    position = next(i for i, p in enumerate(parts) if isinstance(p, int))
    items = data.get(parts[0]) if position == 1 else None
    if isinstance(items, list) and parts[1] < len(items) and isinstance(items[parts[1]], dict):
        text = next((v for v in items[parts[1]].values() if isinstance(v, str)), None)
        if text:
            return text
    return None


# -- answers ---------------------------------------------------------------------------
_OUI = {"oui", "o", "vrai", "true", "1"}
_NON = {"non", "n", "faux", "false", "0"}


def _date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise EntretienError(f"« {text} » n'est pas une date : écrivez-la JJ/MM/AAAA (par exemple 15/03/2026)")


def lire_reponse(q: ProchaineQuestion, text: str) -> Any:
    """The value a typed answer gives the dossier, or EntretienError with a French message to ask again."""
    text = str(text).strip()
    if not text:
        raise EntretienError("réponse vide : répondez, ou « ? » si le demandeur ne sait pas")
    if q.type == DATE:
        return _date(text).isoformat()
    if q.type == DATES:
        if text.lower() in ("aucune", "aucun", "-"):
            return []
        return sorted(_date(t).isoformat() for t in re.split(r"[,;\s]+", text) if t)
    if q.type == ENTIER:
        digits = re.sub(r"[\s\u00a0\u202f]", "", text)
        if not re.fullmatch(r"\d+", digits):
            raise EntretienError(f"« {text} » n'est pas un nombre entier positif")
        return int(digits)
    if q.type == BOOLEEN:
        if text.lower() in _OUI:
            return True
        if text.lower() in _NON:
            return False
        raise EntretienError(f"« {text} » : répondez « oui » ou « non »")
    if q.type == CHOIX:
        for position, choice in enumerate(q.choix, start=1):
            if text.lower() in (str(choice.valeur).lower(), choice.libelle.lower(), str(position)):
                return choice.valeur
        offered = " ; ".join(f"{i} : {c.libelle}" for i, c in enumerate(q.choix, start=1))
        raise EntretienError(f"« {text} » n'est pas l'un des choix ({offered})")
    return text


def repondre(regime: Regime, data: dict[str, Any], champ: str, valeur: Any) -> dict[str, Any]:
    """A copy of the dossier with ``champ`` set to ``valeur`` (a scalar field that must become an object to take
    a sub-field, a child's residence given as a country, keeps its value under the object's required field)."""
    out = copy.deepcopy(data)
    parts = _parts(champ)
    node: Any = out
    walked: list[str | int] = []
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise EntretienError(f"« {champ} » : l'élément {part} n'existe pas dans le dossier")
            node = node[part]
        elif last:
            node[part] = valeur
        else:
            nxt = parts[position + 1]
            child = node.get(part)
            if child is None:
                child = node[part] = [] if isinstance(nxt, int) else {}
            elif not isinstance(child, dict | list):
                child = node[part] = _as_object(regime, ".".join(map(str, [*walked, part])), child)
            node = child
        walked.append(part)
    return out


def _as_object(regime: Regime, champ: str, scalar: Any) -> dict[str, Any]:
    path = re.sub(r"\.(\d+)", r"[\1]", champ)
    node: dict[str, Any] = regime.schema
    for part in _parts(path):
        branches = _branches(regime.schema, node)
        node = (next(b for b in branches if b.get("type") == "array").get("items", {}) if isinstance(part, int)
                else next(b for b in branches if part in b.get("properties", {}))["properties"][part])
    objects = [b for b in _branches(regime.schema, node) if "properties" in b]
    required = objects[0].get("required", []) if objects else []
    if len(required) != 1:
        raise EntretienError(f"« {path} » : la valeur donnée ne peut pas porter de précision")
    return {required[0]: scalar}


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
        if not _absent(self.data, champ, self.dossier.regime):
            return False
        if _blocked(champ, self.inconnus):
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
        out = [c for c in node.champs_lus if _absent(self.data, c, self.dossier.regime)]
        for predicate in sorted(self.program.fields_read(key)):
            f = self.program.inputs.fields[predicate]
            if f.kind != "valeur" or f.path.count("[]") not in (0, len(indices)):
                continue
            champ = f.display(indices if f.path.count("[]") else ())
            if "[]" not in champ and champ not in out and _absent(self.data, champ, self.dossier.regime):
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
                if champ not in statiques and not _blocked(champ, self.inconnus):
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
        decisions = evaluate_many([d for _, d in trials]) if trials else []  # nothing to try: no search
        for (champ, _), decision in zip(trials, decisions, strict=True):
            changed_benefit = decision.prestations.get(pid)
            if changed_benefit is not None and changed_benefit.statut != Statut.refuse and champ not in kept:
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
        schema allows (yes and no, each choice, a number's bounds) changes a claimed benefit's status or
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
        decisive = {champ for (champ, _), after in zip(trials, evaluate_many([d for _, d in trials]), strict=True)
                    if _resume(after) != before}
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


# Predicates through which a rule depends on another condition: that condition is confirmed on its own.
_ETATS = {"rempli", "non_rempli", "vrai", "faux", "etat", "par_exception", "evalue"}


def lectures_par_defaut(regime: Regime, etat: str = "rempli") -> dict[str, set[str]]:  # or "montant"
    """For each condition, the dossier facts that a rule putting it in ``etat`` (``rempli``, ``non_rempli``)
    reads under ``not``, directly or through
    the predicates its body uses (the mother is the applicant's wife when the dossier does not say who is
    pregnant): a condition met on the dossier's silence, which the fact, once said, could fail. Read once per
    regime from the rules' AST."""
    return _lectures_par_defaut(regime)[etat]


@functools.cache
def _lectures_par_defaut(regime: Regime) -> dict[str, dict[str, set[str]]]:
    """Both states at once: one pass over the rules' AST per regime and process."""
    from clingo import ast

    inputs = build_program(regime, Mode.EXPLANATION).inputs.fields
    negated: dict[str, set[str]] = {}  # predicate -> inputs its own rules read under « not »
    uses: dict[str, set[str]] = {}  # predicate -> predicates its rules' bodies use positively
    conditions: dict[str, dict[str, set[str]]] = {"rempli": {}, "non_rempli": {}}  # state -> condition -> body
    reads: dict[str, set[str]] = {}  # predicate -> inputs its rules read, under « not » or not
    amounts: dict[str, set[str]] = {}  # benefit -> predicates the bodies of its « montant » rules use

    def atom_name(literal: ast.AST) -> str | None:
        if literal.ast_type != ast.ASTType.Literal or literal.atom.ast_type != ast.ASTType.SymbolicAtom:
            return None
        symbol = literal.atom.symbol
        return symbol.name if symbol.ast_type == ast.ASTType.Function else None

    def visit(statement: ast.AST) -> None:
        if statement.ast_type != ast.ASTType.Rule or statement.head.ast_type != ast.ASTType.Literal:
            return
        head = statement.head.atom
        if head.ast_type != ast.ASTType.SymbolicAtom or head.symbol.ast_type != ast.ASTType.Function:
            return
        name = head.symbol.name
        body_neg = {atom_name(b) for b in statement.body if atom_name(b) and b.sign != ast.Sign.NoSign}
        body_pos = {atom_name(b) for b in statement.body if atom_name(b) and b.sign == ast.Sign.NoSign}
        negated.setdefault(name, set()).update(p for p in body_neg if p in inputs)
        uses.setdefault(name, set()).update(p for p in body_pos if p not in inputs and p not in _ETATS)
        reads.setdefault(name, set()).update(p for p in body_pos | body_neg if p in inputs)
        if name == "montant" and len(head.symbol.arguments) >= 2 \
                and head.symbol.arguments[1].ast_type == ast.ASTType.SymbolicTerm:
            amounts.setdefault(str(head.symbol.arguments[1].symbol), set()).update(body_pos | body_neg)
        if name in conditions and len(head.symbol.arguments) == 2:
            condition = head.symbol.arguments[1]
            key = getattr(condition, "name", None) or str(condition)
            bodies = conditions[name].setdefault(key, set())
            bodies.update(p for p in body_neg if p in inputs)
            bodies.update(p for p in body_pos if p not in inputs and p not in _ETATS)

    for _, text in regime.program_texts():
        ast.parse_string(text, visit)

    reach = {p: set(v) for p, v in negated.items()}  # grown to a fixed point along the positive uses
    changed = True
    while changed:
        changed = False
        for predicate, used in uses.items():
            before = len(reach.setdefault(predicate, set()))
            for other in used:
                reach[predicate] |= reach.get(other, set())
            changed |= len(reach[predicate]) != before
    out = {etat: {key: {p for p in preds if p in inputs}.union(*(reach.get(p, set()) for p in preds
                                                                 if p not in inputs))
                  for key, preds in by_condition.items()}
           for etat, by_condition in conditions.items()}
    # The facts an amount reads, through every predicate its rules use (not through other conditions).
    read = {p: set(v) for p, v in reads.items()}
    changed = True
    while changed:
        changed = False
        for predicate, used in uses.items():
            before = len(read.setdefault(predicate, set()))
            for other in used:
                read[predicate] |= read.get(other, set())
            changed |= len(read[predicate]) != before
    out["montant"] = {benefit: {p for p in preds if p in inputs}.union(*(read.get(p, set()) for p in preds
                                                                       if p not in inputs))
                      for benefit, preds in amounts.items()}
    return out


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
        _parts(champ)  # an unreadable path is an error, not a silent no-op
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


# -- an interview driven by a complete dossier (the benchmark and the tests) --------------------
def depart(regime: Regime, complet: dict[str, Any]) -> dict[str, Any]:
    """What a counter knows before the first question: the claims and their dates, the reference date, the
    applicant's identity, the documents handed in, what the institution itself established, and each listed
    person by the fields the schema requires (a child's first name)."""
    props = regime.schema.get("properties", {})
    start: dict[str, Any] = {k: copy.deepcopy(complet[k]) for k in ("id", "base", "date_reference", "demandes",
                                                                     "pieces") if k in complet}
    demandeur = props.get("demandeur", {}).get("properties", {})
    identite = {k: v for k, v in (complet.get("demandeur") or {}).items() if demandeur.get(k, {}).get("x-identite")}
    # What the institution itself established (its own error or delay, a finding that the allowances are not
    # used for the child: the schema's ``x-institution``) is on the office's record, never asked at the counter.
    identite.update({k: copy.deepcopy(v) for k, v in (complet.get("demandeur") or {}).items()
                     if demandeur.get(k, {}).get("x-institution")})
    if identite:
        start["demandeur"] = identite
    start.update({k: copy.deepcopy(v) for k, v in complet.items() if props.get(k, {}).get("x-institution")})
    for key, value in complet.items():
        node = props.get(key, {})
        if key in start or node.get("type") != "array" or not isinstance(value, list):
            continue
        required = _resolve(regime.schema, node.get("items", {})).get("required", [])
        if required:
            start[key] = [{r: item[r] for r in required if r in item} for item in value if isinstance(item, dict)]
    return start


def _value_at(data: Any, champ: str) -> tuple[bool, Any]:
    node = data
    for part in _parts(champ):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False, None
        elif not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def faits(data: Any, prefix: str = "") -> set[str]:
    """The paths of the facts a dossier holds (a list of dates is one fact, as it is one question)."""
    if isinstance(data, dict):
        out: set[str] = set()
        for key, value in data.items():
            out |= faits(value, f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return set().union(*(faits(v, f"{prefix}[{i}]") for i, v in enumerate(data)))
    return {prefix}


@dataclass
class Simulation:
    """An interview answered from a complete dossier: the questions asked, the facts it held, the last step."""

    posees: list[str]
    faits: int
    etape: Etape
    inconnus: list[str]
    durees: list[float] = field(default_factory=list)  # seconds per step


def simuler(regime: Regime, complet: dict[str, Any], limite: int = 200,
            inconnus_depart: list[str] | tuple[str, ...] = (), solver: Solver = COLD) -> Simulation:
    """Run an interview whose answers come from ``complet``; a field it lacks is answered « je ne sais pas »
    (``inconnus_depart``: fields the claimant says at once they do not know)."""
    import time

    data = depart(regime, complet)
    nombre = len(faits(complet) - faits(data))
    posees: list[str] = []
    inconnus: list[str] = list(inconnus_depart)
    durees: list[float] = []
    for _ in range(limite):
        started = time.perf_counter()
        etape = prochaine_etape(regime, data, inconnus, solver=solver)
        durees.append(time.perf_counter() - started)
        if etape.question is None:
            return Simulation(posees, nombre, etape, inconnus, durees)
        champ = etape.question.champ
        if champ in posees or _blocked(champ, set(inconnus)):
            raise AssertionError(f"question posée deux fois, ou déclarée inconnue : {champ}")
        posees.append(champ)
        known, value = _value_at(complet, champ)
        if not known:
            inconnus.append(champ)
            continue
        if isinstance(value, dict):  # a scalar question on a field the case gives as an object
            required = _resolve(regime.schema, schema_node(regime, champ)).get("required") or []
            objects = [b for b in _branches(regime.schema, _field_schema(regime, champ)) if "properties" in b]
            required = objects[0].get("required", []) if objects else required
            value = value.get(required[0]) if required else value
        data = repondre(regime, data, champ, value)
    raise AssertionError(f"l'entretien ne s'arrête pas après {limite} questions")


def _field_schema(regime: Regime, champ: str) -> dict[str, Any]:
    node: dict[str, Any] = regime.schema
    for part in _parts(champ):
        branches = _branches(regime.schema, node)
        node = (next(b for b in branches if b.get("type") == "array").get("items", {}) if isinstance(part, int)
                else next(b for b in branches if part in b.get("properties", {}))["properties"][part])
    return node


def retirer(data: dict[str, Any], champ: str) -> dict[str, Any]:
    """A copy of the dossier without the answer at ``champ`` (« précédent »); an object left empty goes too."""
    out = copy.deepcopy(data)
    parts = _parts(champ)
    chain: list[Any] = [out]
    node: Any = out
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return out
        chain.append(node)
    if isinstance(node, dict):
        node.pop(parts[-1], None)
    for parent, part, child in zip(reversed(chain[:-1]), reversed(parts[:-1]), reversed(chain[1:]), strict=True):
        if isinstance(child, dict) and not child and isinstance(part, str):
            parent.pop(part, None)
    return out


@dataclass(frozen=True)
class ListeNommee:
    """A list of the dossier whose items a counter names before the questions (the children, by first name)."""

    cle: str
    titre: str
    nom: str  # the field that names an item


def listes_nommees(regime: Regime) -> list[ListeNommee]:
    """The schema's lists of people: arrays of objects that require one text field (``enfants``, ``membres``)."""
    out = []
    for key, node in regime.schema.get("properties", {}).items():
        if node.get("type") != "array" or key == "demandes":
            continue
        items = _resolve(regime.schema, node.get("items", {}))
        required = items.get("required") or []
        if len(required) == 1 and items.get("properties", {}).get(required[0], {}).get("type") == "string":
            out.append(ListeNommee(key, node.get("title", key), required[0]))
    return out


def prestations(regime: Regime) -> list[str]:
    """The benefits a dossier of this regime may claim (the schema's ``demandes[].prestation``)."""
    node = regime.schema.get("properties", {}).get("demandes", {})
    items = _resolve(regime.schema, node.get("items", {}))
    return list(items.get("properties", {}).get("prestation", {}).get("enum", []))


def nouveau_dossier(regime: Regime, demandees: list[str], date_demande: str | None = None,
                    date_reference: str | None = None, noms: dict[str, list[str]] | None = None,
                    identite: dict[str, str] | None = None, ident: str = "entretien") -> dict[str, Any]:
    """The dossier an interview starts from: the claims and their date, the reference date, the applicant's
    identity (the schema's ``x-identite`` fields only), and the people of each named list by their names."""
    data: dict[str, Any] = {"id": ident, "base": regime.id}
    if date_reference:
        data["date_reference"] = date_reference
    data["demandes"] = [{"prestation": p, **({"date": date_demande} if date_demande else {})} for p in demandees]
    demandeur = regime.schema.get("properties", {}).get("demandeur", {}).get("properties", {})
    kept = {k: v.strip() for k, v in (identite or {}).items()
            if v and v.strip() and demandeur.get(k, {}).get("x-identite")}
    if kept:
        data["demandeur"] = kept
    for liste in listes_nommees(regime):
        names = [n.strip() for n in (noms or {}).get(liste.cle, []) if n and n.strip()]
        if names:
            data[liste.cle] = [{liste.nom: n} for n in names]
    return data


def dossier_yaml(data: dict[str, Any]) -> str:
    """A dossier as the YAML a clerk keeps and ``prevoyance evaluate`` reads."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

"""The plain typed data of a decision, as read from an answer set.

Nothing here is French prose: the explanation layer (``explain/``) turns these
objects into sentences (and into JSON, ``explain.render.decision_json``). States
and statuses are :class:`Etat` and :class:`Statut`, declared once: string
enumerations, equal to their values, so that JSON, templates and comparisons
with plain strings read them as the words they are.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class Etat(enum.StrEnum):
    """The state of a condition, as the base decides it (a string: it compares equal to its value)."""

    rempli = "rempli"
    non_rempli = "non_rempli"
    inconnu = "inconnu"
    non_invoquee = "non_invoquee"  # an exception the dossier does not invoke


class Statut(enum.StrEnum):
    """The status of a prestation (a string: it compares equal to its value)."""

    accorde = "accorde"
    refuse = "refuse"
    incomplet = "incomplet"


@dataclass(frozen=True)
class Datum:
    """A fact of the dossier a rule used: its path in the dossier and its value."""

    chemin: str
    valeur: Any
    champ: str  # the field's own name, used by phrases


@dataclass(frozen=True)
class ParametreApplique:
    """A dated parameter applied by a condition, with the text it comes from."""

    nom: str
    valeur: Any
    depuis: dt.date
    description: str
    reference: str
    texte: str | None = None  # the value as the parameter file writes it (a rate "3/12")


@dataclass(frozen=True)
class RegleAppliquee:
    """A rule of the knowledge base that fired: its block id, sentence and location."""

    id: str
    etat: Etat
    texte: str
    fichier: str
    ligne: int
    donnees: tuple[Datum, ...] = ()
    valeurs: tuple[tuple[str, Any], ...] = ()


@dataclass
class Condition:
    """One node of a prestation's condition tree, in one of three states."""

    id: str
    noeud: str
    etat: Etat
    objet: str | None = None
    source: str = ""
    article: str = ""
    mode: str | None = None  # "toutes" | "une_parmi" for composite conditions
    par_exception: str | None = None  # id of the exception that makes it met
    donnees: list[Datum] = field(default_factory=list)
    parametres: list[ParametreApplique] = field(default_factory=list)
    valeurs: dict[str, Any] = field(default_factory=dict)
    regles: list[RegleAppliquee] = field(default_factory=list)
    sous_conditions: list[Condition] = field(default_factory=list)
    exceptions: list[Condition] = field(default_factory=list)
    champs_lus: list[str] = field(default_factory=list)  # dossier fields its rules read, absent from the dossier
    justificatifs: list[str] = field(default_factory=list)  # documents that prove it (guide's table)

    def walk(self):
        """This node and every node below it (sub-conditions, then exceptions)."""
        yield self
        for child in (*self.sous_conditions, *self.exceptions):
            yield from child.walk()

    def context(self) -> dict[str, Any]:
        """Named values for phrases: dossier fields, parameters, computed values."""
        ctx: dict[str, Any] = {}
        for regle in self.regles:
            ctx.update(dict(regle.valeurs))
            ctx.update({d.champ: d.valeur for d in regle.donnees})
        ctx.update({d.champ: d.valeur for d in self.donnees})
        ctx.update({p.nom: p.valeur for p in self.parametres})
        ctx.update(self.valeurs)
        return ctx


@dataclass
class Echeance:
    """One instalment of a prestation: when it is due, on what event, how much."""

    date: dt.date
    evenement: Any
    montant: int
    suspendue: bool = False  # due, but its payment is suspended (not paid, not lost)
    verse_a: Personne | None = None  # paid to this person rather than to the worker

    def paiement(self) -> dict[str, Any]:
        """How it is paid, as the JSON and the cases write it: ``suspendu: true``, ``verse_a: Prénoms Nom``."""
        out: dict[str, Any] = {}
        if self.suspendue:
            out["suspendu"] = True
        if self.verse_a is not None:
            out["verse_a"] = str(self.verse_a)
        return out


@dataclass(frozen=True)
class Personne:
    """Someone who receives a payment for the worker (a guardian, a designated person)."""

    nom: str
    prenoms: str = ""

    def __str__(self) -> str:
        return " ".join(part for part in (self.prenoms, self.nom) if part)


@dataclass
class VerseA:
    """A child's allowance paid to someone other than the worker: to whom, in what capacity, from when."""

    enfant: str
    personne: Personne
    qualite: str  # "tuteur" | "personne_designee"
    depuis: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        """The entry of the contract's ``verse_a`` list (a name or a date the dossier leaves out is absent)."""
        out: dict[str, Any] = {"enfant": self.enfant, "nom": self.personne.nom}
        if self.personne.prenoms:
            out["prenoms"] = self.personne.prenoms
        out["qualite"] = self.qualite
        if self.depuis is not None:
            out["depuis"] = self.depuis.isoformat()
        return out


@dataclass
class Disposition:
    """A provision of the guide on how a prestation is paid (a recall without limit, a suspension, a guardian…),
    with the values its sentence names and where the guide states it."""

    id: str
    valeurs: dict[str, Any] = field(default_factory=dict)
    objet: str | None = None
    source: str = ""
    article: str = ""


@dataclass
class Perte:
    """An instalment lost (missed examination, claim too late): its event and amount."""

    evenement: Any
    montant: int


@dataclass
class Mensualite:
    """The allowance of one month: the children counted on its first day and the amount."""

    mois: dt.date
    enfants: int
    montant: int


@dataclass
class MembreEnAttente:
    """A household member whose own facts leave its state unknown for a scheme: the decision stands on the
    others, and this one is named with what is missing (never left out in silence)."""

    nom: str
    informations_manquantes: list[str] = field(default_factory=list)  # dossier paths
    pieces: list[str] = field(default_factory=list)  # documents that would establish them
    conditions: list[Condition] = field(default_factory=list)  # the unknown conditions it waits on (leaves)


@dataclass
class EnAttente:
    """A child or an instalment whose own condition the dossier leaves unknown: not paid, not refused, named
    with the facts it waits on (dossier paths) and the documents that would establish them."""

    liste: str  # the output list it belongs to: enfants_en_attente, fractions_en_attente
    entite: str  # the item as the base writes it: enfant(2), fraction(six_mois)
    nom: str  # how the dossier names it (a child's first name), else the item's own word (six_mois)
    libelle: str | None  # the label the base gives it (a first name, « fraction du sixième mois »)
    chemin: str | None = None  # the item's path when it is an item of a dossier list (enfants[2])
    informations_manquantes: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    valeurs: dict[str, Any] = field(default_factory=dict)  # its date, its amount


@dataclass
class Prestation:
    """The decision on one prestation of one dossier."""

    id: str
    statut: Statut
    droit: Condition
    montants: dict[str, int] = field(default_factory=dict)
    enfants_ouvrant_droit: list[str] = field(default_factory=list)
    liste_ouvrant_droit: bool = False  # the base says this prestation always names them (an empty list too)
    echeancier: list[Echeance] = field(default_factory=list)
    pertes: list[Perte] = field(default_factory=list)
    mensualites: list[Mensualite] = field(default_factory=list)
    informations: dict[str, Any] = field(default_factory=dict)
    elements: dict[str, list[Any]] = field(default_factory=dict)
    pieces_manquantes: list[str] = field(default_factory=list)
    pieces_requises: list[str] = field(default_factory=list)
    date_demande: dt.date | None = None
    # Household members left pending, by output name (``membres_en_attente``): see MembreEnAttente.
    membres_en_attente: dict[str, list[MembreEnAttente]] = field(default_factory=dict)
    # To whom and how it is paid (the guide's provisions on payment)
    verse_a: list[VerseA] = field(default_factory=list)
    dispositions: list[Disposition] = field(default_factory=list)
    en_attente: list[EnAttente] = field(default_factory=list)  # children and instalments waiting on a fact
    listes_attente: list[str] = field(default_factory=list)  # the lists of pending items it always gives

    @property
    def conditions(self) -> list[Condition]:
        """The prestation's own conditions (the children of its right)."""
        return self.droit.sous_conditions

    def _branches(self, etat: Etat) -> list[Condition]:
        """The prestation's conditions in ``etat``, and below each the sub-conditions in the same state."""
        out: list[Condition] = []

        def follow(node: Condition) -> None:
            out.append(node)
            for child in (*node.sous_conditions, *node.exceptions):
                if child.etat == etat:
                    follow(child)

        for condition in self.conditions:
            if condition.etat == etat:
                follow(condition)
        return out

    def failed(self) -> list[Condition]:
        """The reasons of a refusal: failed conditions, and below each the failures causing it."""
        return self._branches(Etat.non_rempli)

    def attente(self, liste: str) -> list[EnAttente]:
        """The items of one output list of pending items (enfants_en_attente…), in the dossier's order."""
        return [a for a in self.en_attente if a.liste == liste]

    def unknown(self) -> list[Condition]:
        """Conditions left unknown, and below each the unknowns it waits on."""
        return self._branches(Etat.inconnu)


@dataclass
class Decision:
    """All the prestations decided for one dossier."""

    dossier: str
    date_reference: dt.date
    base: str
    version_base: str
    prestations: dict[str, Prestation]
    incoherences: list[str] = field(default_factory=list)
    pieces_fournies: list[str] | None = None  # None: the dossier does not list its documents
    # "F" or "M" of the applicant ("demandeur") and of the people named as objects, for agreement (never a fact)
    sexes: dict[str, str] = field(default_factory=dict)

"""The orientation of a household: who goes to which scheme, and why, when a regime's prestations are schemes.

A regime whose catalogue has an ``orientation`` section (``kb/<régime>/explications/orientation.yaml``)
decides, for each member of a household, one scheme among its prestations (docs/regimes.md). Read prestation by
prestation, such a decision lists, under each scheme, the members it does not cover: they are covered by
another scheme, not refused. This module reads the decision the way the household does: each scheme
with the members oriented towards it and, for each, the reason in one sentence; the documents that
establish what the orientation rests on; whom to see; and the members whose orientation the dossier
leaves unknown, with what is missing. The letter (:mod:`explain.lettres.contexte`), ``evaluate``,
``why`` and the console's decision page all show this one reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.model import Condition, Decision, Etat, MembreEnAttente, Prestation
from engine.paths import chemin_generique
from engine.regime import load_regime
from explain import format as fmt
from explain.phrases import Catalogue, catalogue, catalogue_de


@dataclass
class MembreOriente:
    """A member and the scheme they go to, with the reason in one sentence and its source."""

    nom: str
    regime: str
    raison: str
    source: str
    pieces: list[str] = field(default_factory=list)
    ordre: int = 0  # the member's place in the household, as the dossier lists it


@dataclass
class RegimeOriente:
    """One scheme of the household's orientation: its members, what to do, what to bring."""

    id: str
    titre: str
    annonce: str
    demarche: str
    membres: list[MembreOriente]
    pieces: list[str]


@dataclass
class MembreAttendu:
    """A member whose orientation the dossier leaves unknown: the questions to answer, the documents to bring."""

    nom: str
    phrase: str
    questions: list[str]
    champs: list[str]
    pieces: list[str]
    ordre: int = 0


@dataclass
class Orientation:
    """The household's orientation, in the order of the regime's schemes."""

    objet: str
    introduction: str
    regimes: list[RegimeOriente]
    en_attente: list[MembreAttendu]
    config: dict[str, Any]

    @property
    def membres(self) -> list[MembreOriente]:
        return [m for r in self.regimes for m in r.membres]

    def tableau(self, a_preciser: str) -> list[tuple[str, str]]:
        """(member, scheme) for every member named, in the household's order; ``a_preciser`` for the pending."""
        rows = [(m.nom, r.titre, m.ordre) for r in self.regimes for m in r.membres]
        rows += [(m.nom, a_preciser, m.ordre) for m in self.en_attente]
        return [(nom, titre) for nom, titre, _ in sorted(rows, key=lambda row: row[2])]

    def regime_de(self, nom: str) -> RegimeOriente | None:
        return next((r for r in self.regimes if any(m.nom == nom for m in r.membres)), None)


def _liste(items: list[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}" if items else ""


def _render(phrases: Catalogue, template: str, values: dict[str, Any], sexes: dict[str, str]) -> str:
    env = phrases.env.overlay()
    env.filters["liste"] = _liste
    return fmt.espaces(" ".join(env.from_string(template).render({**values, "_sexes": sexes}).split()))


def orientation_config(base: str) -> dict[str, Any] | None:
    """The regime's ``orientation`` section, or None when its prestations are not schemes a household is oriented to."""
    return catalogue(load_regime(base)).data.get("orientation")


def _raison(node: Condition) -> Condition:
    """The condition whose sentence gives the reason: of a disjunction, the alternative that holds."""
    while node.mode == "une_parmi":
        met = [c for c in node.sous_conditions if c.etat == Etat.rempli]
        if not met:
            break
        node = met[0]
    return node


def _noeud_membre(prestation: Prestation, noeud: str, nom: str) -> Condition | None:
    return next((c for c in prestation.droit.walk() if c.id == noeud and c.objet == nom), None)


def questions_attente(attente: MembreEnAttente, phrases: Catalogue, sexes: dict[str, str]) -> list[str]:
    """The questions that settle a pending entity, one per missing dossier field, in the catalogue's words."""
    templates = phrases.data.get("questions", {})
    out: list[str] = []
    for leaf in attente.conditions:
        for champ in leaf.champs_lus:
            template = templates.get(chemin_generique(champ))
            text = phrases.render(template, {"objet": leaf.objet}, sexes) if template else None
            if text and text not in out:
                out.append(text)
    return out


def orientation(decision: Decision) -> Orientation | None:
    """The household's orientation from a decision, or None for a regime that does not orient households."""
    phrases = catalogue_de(decision)
    config = phrases.data.get("orientation")
    if not config:
        return None
    sexes = decision.sexes
    regimes: list[RegimeOriente] = []
    oriented: set[str] = set()
    for pid, entry in config["regimes"].items():
        prestation = decision.prestations.get(pid)
        if prestation is None or prestation.statut != "accorde":
            continue
        noms = [str(n) for n in prestation.elements.get(config["membres_orientes"], [])]
        membres, pieces = [], []
        for nom in noms:
            node = _noeud_membre(prestation, entry["noeud"], nom)
            if node is None:
                continue
            reason = _raison(node)
            own = [p for c in node.walk() if c.etat == Etat.rempli for p in entry.get("pieces", {}).get(c.id, [])]
            labels = [phrases.label("pieces", p) for p in dict.fromkeys(own)]
            membres.append(MembreOriente(nom, pid, phrases.sentence(reason, sexes), reason.source, labels))
            pieces += [p for p in labels if p not in pieces]
            oriented.add(nom)
        if membres:
            values = {"membres": [m.nom for m in membres]}
            regimes.append(RegimeOriente(pid, entry["titre"], _render(phrases, entry["annonce"], values, sexes),
                                         " ".join(entry.get("demarche", "").split()), membres, pieces))
    attente: dict[str, MembreAttendu] = {}
    for pid in config["regimes"]:
        prestation = decision.prestations.get(pid)
        if prestation is None:
            continue
        for pending in prestation.membres_en_attente.get(config["en_attente"], []):
            if pending.nom in oriented:
                continue
            member = attente.setdefault(pending.nom, MembreAttendu(
                pending.nom, _render(phrases, config["attente_phrase"], {"nom": pending.nom}, sexes), [], [], []))
            for q in questions_attente(pending, phrases, sexes):
                if q not in member.questions:
                    member.questions.append(q)
            member.champs += [c for c in pending.informations_manquantes if c not in member.champs]
            member.pieces += [phrases.label("pieces", p) for p in pending.pieces
                              if phrases.label("pieces", p) not in member.pieces]
    # Members in the household's order (the tree lists them as the dossier does).
    ordre: dict[str, int] = {}
    for prestation in decision.prestations.values():
        for c in prestation.droit.walk():
            if c.objet is not None:
                ordre.setdefault(c.objet, len(ordre))
    for r in regimes:
        for m in r.membres:
            m.ordre = ordre.get(m.nom, len(ordre))
        r.membres.sort(key=lambda m: m.ordre)
    for m in attente.values():
        m.ordre = ordre.get(m.nom, len(ordre))
    return Orientation(" ".join(config["objet"].split()), " ".join(config["introduction"].split()),
                       regimes, sorted(attente.values(), key=lambda m: m.ordre), config)


"""Children and instalments waiting on a fact of the dossier, in words (``enfants_en_attente``,
``fractions_en_attente``).

The base decides which child or instalment is pending, which facts it lacks and
which document would establish them (``en_attente/4`` and its ``attente_*``
atoms, read into :class:`engine.model.EnAttente`); this module only words each
item with the regime's catalogue (section ``attente`` for the sentence, the
questions of ``questions`` for the facts, ``pieces`` for the documents), once,
for ``evaluate``, ``why``, the console and the letters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.model import EnAttente, Prestation, Statut
from engine.paths import chemin_generique
from explain.phrases import Catalogue


@dataclass
class Attente:
    """One pending child or instalment, worded."""

    objet: str  # the child's first name, or the instalment's label
    phrase: str  # what is not paid yet and when it will be
    questions: list[str] = field(default_factory=list)  # the facts to establish, as questions to the clerk
    pieces: list[str] = field(default_factory=list)  # the documents to bring, by their labels
    informations_manquantes: list[str] = field(default_factory=list)  # the dossier paths (analyst's view)
    montant: int | None = None
    date: dt.date | None = None

    @property
    def faits(self) -> list[tuple[str, str]]:
        """Each fact to establish: (its question, its dossier path)."""
        return list(zip(self.questions, self.informations_manquantes, strict=True))


def objet(item: EnAttente, phrases: Catalogue) -> str:
    """How a pending item is named: a child by its first name (by its rank when the dossier gives none),
    an instalment by the base's label."""
    if item.libelle:
        return str(item.libelle)
    if item.chemin is not None:
        rang = int(item.chemin.rsplit("[", 1)[1].rstrip("]")) + 1
        return phrases.render(phrases.data["attente"]["sans_prenom"], {"rang": rang})
    return item.nom


def dus_sans_attendre(prestation: Prestation) -> bool:
    """Incomplete because some child or instalment is pending, with amounts already owed for what the dossier
    establishes (no amount for the reference month, no document missing): owed now, whatever the answer."""
    return (prestation.statut == Statut.incomplet and bool(prestation.en_attente) and "mensuel" not in
            prestation.montants and not prestation.pieces_manquantes and any(prestation.montants.values()))


def titre(prestation: Prestation, phrases: Catalogue) -> str:
    """The heading of the prestation's list of pending items."""
    return phrases.data.get("attente", {}).get(prestation.id, {}).get("titre", "")


def attentes(prestation: Prestation, phrases: Catalogue, sexes: dict[str, str] | None = None) -> list[Attente]:
    """The prestation's pending children and instalments, each with its sentence, questions and documents."""
    entry = phrases.data.get("attente", {}).get(prestation.id, {})
    questions = phrases.data.get("questions", {})
    out = []
    for item in prestation.en_attente:
        nom = objet(item, phrases)
        context = {"objet": nom, "montant": item.valeurs.get("montant"), "date": item.valeurs.get("date")}
        asked = []
        for chemin in item.informations_manquantes:
            template = questions.get(chemin_generique(chemin))
            asked.append(phrases.render(template, {"objet": nom}, sexes) if template else chemin)
        out.append(Attente(
            objet=nom,
            phrase=phrases.render(entry["phrase"], context, sexes) if "phrase" in entry else "",
            questions=asked,
            pieces=[phrases.label("pieces", p) for p in item.pieces],
            informations_manquantes=list(item.informations_manquantes),
            montant=item.valeurs.get("montant"),
            date=item.valeurs.get("date"),
        ))
    return out

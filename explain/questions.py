"""The counter interview's question in words: the catalogue's sentence for the field, agreeing with the person.

:mod:`usecases.entretien` chooses the next question and gives what its wording needs
(:class:`usecases.entretien.ProchaineQuestion`: the catalogue's template for the field, the item it is
about, who the sentence agrees with); this module says it. A regime without a question for the field is
asked in its schema's own words.
"""

from __future__ import annotations

from engine.regime import Regime
from explain.phrases import catalogue
from usecases.entretien import ProchaineQuestion


def libelle_question(regime: Regime, question: ProchaineQuestion) -> str:
    """The question as the clerk reads it aloud (« Quelle est la date de naissance d'Issa ? »)."""
    if question.modele:
        return catalogue(regime).render(question.modele, {"objet": question.objet}, dict(question.sexes))
    objet = f" ({question.objet})" if question.objet else ""
    return question.description.rstrip(". ") + objet + " ?"

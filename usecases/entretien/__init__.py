"""The counter interview: the next question a claim still needs, derived from the rules, or the decision.

Nothing here is a questionnaire. Each step evaluates the partial dossier once
(explanation mode, the warm path in a long-lived process) and reads, from the
decision itself, which answers could still change a claimed prestation's status
or amount:

- a prestation that is not refused: the unknown conditions on which its right, or
  one child's (one fraction's) part of it, still waits, and the dossier fields
  their rules read that the dossier lacks (``Condition.champs_lus``, the
  contract's ``informations_manquantes``); below a condition that fails for one
  child while others open the right, the facts of the exceptions that could
  still meet it (the raised age limit, a child abroad under a convention);
- a refused prestation: only facts the search « qu'est-ce qui changerait la
  décision ? » (:mod:`usecases.whatif`) names in a set of changes that makes
  it a grant and that answers alone can bring (every change is to a field the
  dossier lacks). The search runs only when a failing condition has an
  exception whose facts the dossier lacks: it is the one costly step.

Each candidate field gets a score from the decision: how many claimed
prestations it can decide at the level of the claim (a fact of the applicant that
can refuse every claim), then how many conditions read it; ties keep the order
of the decision tree (the guide's order, child after child). A field the
claimant said they do not know, or any field under it, is never asked; a
field the dossier holds is never asked again. When no candidate is left, the
step carries the decision of the dossier so completed.

The wording comes from the regime's catalogue (``explications/questions.yaml``,
by generic path), the choices' words from ``explications/choix.yaml``, the
types from the regime's schema.

The interview in five modules, each one job:

- :mod:`~usecases.entretien.questions`: dossier paths, the schema of a field, the question that fills it and
  the value its typed answer gives;
- :mod:`~usecases.entretien.reponses`: an answer written into the dossier or taken back, and the dossier an
  interview starts from;
- :mod:`~usecases.entretien.lectures`: what the rules read under « not » (read once per regime);
- :mod:`~usecases.entretien.recherche`: the search for the next question, :func:`prochaine_etape`;
- :mod:`~usecases.entretien.simulation`: a whole interview answered from a complete dossier.

The names below are those the command line, the console, the tests and the benchmark import.
"""

from usecases.entretien.lectures import lectures_par_defaut
from usecases.entretien.questions import (
    BOOLEEN,
    CHOIX,
    DATE,
    DATES,
    ENTIER,
    TEXTE,
    Choix,
    EntretienError,
    ProchaineQuestion,
    lire_reponse,
    question,
    schema_node,
)
from usecases.entretien.recherche import Etape, prochaine_etape
from usecases.entretien.reponses import (
    ListeNommee,
    dossier_yaml,
    listes_nommees,
    nouveau_dossier,
    prestations,
    repondre,
    retirer,
)
from usecases.entretien.simulation import Simulation, depart, faits, simuler

__all__ = [
    "BOOLEEN", "CHOIX", "DATE", "DATES", "ENTIER", "TEXTE",
    "Choix", "EntretienError", "Etape", "ListeNommee", "ProchaineQuestion", "Simulation",
    "depart", "dossier_yaml", "faits", "lectures_par_defaut", "lire_reponse", "listes_nommees",
    "nouveau_dossier", "prestations", "prochaine_etape", "question", "repondre", "retirer",
    "schema_node", "simuler",
]

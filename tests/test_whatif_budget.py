"""The what-if search is bounded (issue 23, point 11): a budget of time, candidates and proposals, set in one
place (usecases/whatif.py), and the answer says when it stopped early. Letters run it by default: with
30 children, the letter's search stays within its budget. No wall time is asserted here (bench/whatif.py
measures it); the budget is checked by counting candidates.
"""

from __future__ import annotations

import dataclasses
import json

from engine.solver import evaluate
from engine.validation import validate
from explain.why import why
from usecases.whatif import BUDGET_LETTRE, Budget, what_if

AF = "allocations_familiales"


def refusal(children: int) -> dict:
    """Short activity, a salary under the SMIG, and every child undeclared and without its medical visit."""
    child = {"date_naissance": "2018-01-01", "categorie": "mariage", "declare_etat_civil": False,
             "a_charge": True, "residence": "Mali", "situation": "aucune", "visite_medicale": False}
    return {
        "id": f"enfants-{children}", "date_reference": "2026-03-15",
        "demandeur": {"sexe": "M", "residence": "Mali", "statut": "salarie", "premiere_demande": False,
                      "veuve_allocataire": False, "jours_mois": 15, "heures_mois": 100, "salaire_mensuel": 30000},
        "mariage": {"etat_civil": True},
        "enfants": [dict(child, prenom=f"Enfant{i + 1}", date_naissance=f"{2012 + i % 10}-0{1 + i % 9}-01")
                    for i in range(children)],
        "demandes": [{"prestation": AF, "date": "2026-03-15"}],
    }


def test_the_search_stops_at_its_candidate_budget_and_says_so():
    dossier = validate(refusal(12), "budget")
    answer = what_if(dossier, AF, budget=Budget(secondes=600, candidats=3, propositions=8))
    assert answer.candidats == 3
    assert not answer.complet and "3 ensembles candidats" in answer.arret
    decision = evaluate(dossier)
    assert "recherche arrêtée avant la fin : budget de 3 ensembles candidats épuisé" in why(decision, AF,
                                                                                           answer=answer)
    data = json.loads(why(decision, AF, "json", answer=answer))
    assert data["ce_qui_changerait"]["complet"] is False
    assert data["ce_qui_changerait"]["arret"].startswith("recherche arrêtée avant la fin")


def test_the_search_stops_at_its_time_budget():
    answer = what_if(validate(refusal(3), "temps"), AF, budget=Budget(secondes=0, candidats=100, propositions=8))
    assert answer.candidats == 0 and answer.ensembles == []
    assert "budget de temps épuisé" in answer.arret


def test_a_letter_search_with_thirty_children_stays_within_its_budget_and_proposes():
    """The letter's budget, its time set aside (a loaded machine must not make the test fail): at most its
    candidates and proposals, and the first proposals are found (one child at a time)."""
    dossier = validate(refusal(30), "trente")
    answer = what_if(dossier, AF, budget=dataclasses.replace(BUDGET_LETTRE, secondes=600))
    assert 0 < len(answer.ensembles) <= BUDGET_LETTRE.propositions
    assert answer.candidats <= BUDGET_LETTRE.candidats
    for proposal in answer.ensembles:
        children = {c.chemin.split("]")[0] for c in proposal.changements if c.chemin.startswith("enfants[")}
        assert len(children) <= 1  # one child's changes suffice: no proposal changes two children


def test_the_full_search_finishes_with_a_budget_large_enough():
    answer = what_if(validate(refusal(4), "complet"), AF, limit=100,
                     budget=Budget(secondes=600, candidats=10_000, propositions=100))
    assert answer.complet and answer.arret is None
    # per child: salary, one of days or hours, its declaration and its visit; and the applicant alone cannot
    assert len(answer.ensembles) >= 8

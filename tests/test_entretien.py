"""The counter interview (usecases/entretien/): which question comes next, and when it stops.

Driven by the golden cases as the claimant's answers (a fact the case lacks is answered « je ne sais
pas »), every interview must end on the statuses and amounts ``evaluate`` gives the whole case, without
asking a path twice or a path declared unknown, and ask fewer questions than the cases hold facts.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine import evaluate
from engine.dossier import DossierError
from engine.regime import load_regime
from engine.speedups.warm import WarmSolver
from engine.validation import validate
from explain.questions import libelle_question
from tests.strategies import dossiers
from usecases.cases import load_cases
from usecases.entretien import (
    BOOLEEN,
    CHOIX,
    DATE,
    DATES,
    ENTIER,
    EntretienError,
    depart,
    lire_reponse,
    prochaine_etape,
    question,
    repondre,
    retirer,
    simuler,
)

CAS = Path(__file__).parent / "cas"
INPS = load_regime("mali-inps")
CHAUD = WarmSolver()  # the interviews are led as the served console leads them (tests/test_warm.py: same decisions)
AF = [{"prestation": "allocations_familiales", "date": "2026-03-15"}]
ENFANT_COMPLET = {"date_naissance": "2019-11-20", "categorie": "mariage", "declare_etat_civil": True,
                  "a_charge": True, "residence": "Mali", "situation": "aucune", "visite_medicale": True}
SALARIE = {"sexe": "M", "residence": "Mali", "statut": "salarie", "premiere_demande": False, "jours_mois": 22,
           "heures_mois": 176, "salaire_mensuel": 85000}


def partiel(**extra):
    data = {"id": "e", "date_reference": "2026-03-15", "demandes": AF, "enfants": [{"prenom": "Aminata"}],
            "mariage": {"etat_civil": True}}
    data.update(extra)
    return data


def resume(decision):
    return {p: (x.statut, x.montants) for p, x in decision.prestations.items()}


# -- which question, and its words ------------------------------------------------------------------------
def test_a_fact_that_can_refuse_every_claim_comes_before_a_childs_detail():
    demandes = [*AF, {"prestation": "prime_premier_etablissement", "date": "2026-03-15"}]
    step = prochaine_etape(INPS, partiel(demandes=demandes))
    assert step.question is not None
    assert step.question.champ.startswith("demandeur."), step.question.champ
    assert set(step.ouvertes) == {"allocations_familiales", "prime_premier_etablissement"}


def test_each_child_is_asked_until_none_is_pending_even_after_a_grant():
    # Awa alone already opens the right: Issa's facts can still change the amount, so they are asked.
    data = partiel(demandeur=SALARIE, enfants=[{"prenom": "Awa", **ENFANT_COMPLET}, {"prenom": "Issa"}])
    step = prochaine_etape(INPS, data)
    assert step.decision.prestations["allocations_familiales"].statut == "accorde"
    assert step.question is not None and step.question.champ.startswith("enfants[1].")
    assert "Issa" in libelle_question(INPS, step.question)


def test_a_complete_dossier_gets_the_decision_of_evaluate():
    data = partiel(demandeur=SALARIE, enfants=[{"prenom": "Awa", **ENFANT_COMPLET}])
    step = prochaine_etape(INPS, data)
    assert step.question is None
    assert resume(step.decision) == resume(evaluate(validate(copy.deepcopy(data), regime=INPS)))


def test_a_field_declared_unknown_is_never_asked_nor_anything_under_it():
    data = partiel(demandeur=SALARIE)
    inconnus = ["enfants[0].residence"]
    seen = []
    for _ in range(20):
        step = prochaine_etape(INPS, data, inconnus)
        if step.question is None:
            break
        champ = step.question.champ
        assert not champ.startswith("enfants[0].residence"), champ
        seen.append(champ)
        inconnus.append(champ)  # « je ne sais pas » to everything
    assert step.question is None and len(seen) == len(set(seen))
    assert "enfants[0].residence" in step.en_attente


def test_the_widows_exception_is_asked_of_a_woman_refused_for_want_of_a_salaried_activity_never_of_a_man():
    femme = partiel(demandeur={"sexe": "F", "statut": "non_salarie"})
    step = prochaine_etape(INPS, femme)
    assert step.decision.prestations["allocations_familiales"].statut == "refuse"
    assert step.question is not None and step.question.champ == "demandeur.veuve_allocataire"
    homme = partiel(demandeur={"sexe": "M", "statut": "non_salarie"})
    step = prochaine_etape(INPS, homme)
    assert step.question is None  # nothing a man can answer lifts this refusal
    assert step.decision.prestations["allocations_familiales"].statut == "refuse"


def test_no_exception_is_asked_when_the_prestation_is_already_granted():
    data = partiel(demandeur=SALARIE, enfants=[{"prenom": "Awa", **ENFANT_COMPLET}])
    step = prochaine_etape(INPS, data)
    assert step.question is None  # neither the widow's exception nor a suspension of activity


def test_questions_name_the_child_without_a_broken_elision_and_agree_with_the_applicant():
    data = {"demandeur": {"sexe": "F"}, "enfants": [{"prenom": "Aminata"}]}
    assert libelle_question(INPS, question(INPS, data, "enfants[0].residence")) == "Dans quel pays réside Aminata ?"
    assert libelle_question(INPS, question(INPS, data, "demandeur.mois_consecutifs")).startswith(
        "Depuis combien de mois consécutifs la demandeuse travaille-t-elle")
    assert "d'Aminata" in libelle_question(INPS, question(INPS, data, "enfants[0].date_naissance"))


def test_types_and_choices_come_from_the_schema_and_the_catalogue():
    data = {"enfants": [{"prenom": "Awa"}]}
    assert question(INPS, data, "enfants[0].date_naissance").type == DATE
    assert question(INPS, data, "demandeur.mois_consecutifs").type == ENTIER
    assert question(INPS, data, "grossesse.examens").type == DATES
    oui_non = question(INPS, data, "enfants[0].a_charge")
    assert oui_non.type == BOOLEEN and [c.libelle for c in oui_non.choix] == ["oui", "non"]
    statut = question(INPS, data, "demandeur.statut")
    assert statut.type == CHOIX and ("non_salarie", "non salarié") in [(c.valeur, c.libelle) for c in statut.choix]


@pytest.mark.parametrize(("champ", "texte", "attendu"), [
    ("enfants[0].date_naissance", "20/11/2019", "2019-11-20"),
    ("enfants[0].date_naissance", "2019-11-20", "2019-11-20"),
    ("demandeur.mois_consecutifs", "1 200", 1200),
    ("enfants[0].a_charge", "Oui", True),
    ("demandeur.statut", "2", "apprenti"),
    ("demandeur.statut", "non salarié", "non_salarie"),
    ("grossesse.examens", "01/02/2026, 2026-01-05", ["2026-01-05", "2026-02-01"]),
    ("grossesse.examens", "aucune", []),
])
def test_typed_answers_are_read(champ, texte, attendu):
    q = question(INPS, {"enfants": [{"prenom": "Awa"}]}, champ)
    assert lire_reponse(q, texte) == attendu


@pytest.mark.parametrize(("champ", "texte", "mot"), [
    ("enfants[0].date_naissance", "31/02/2019", "n'est pas une date"),
    ("demandeur.mois_consecutifs", "-3", "entier"),
    ("enfants[0].a_charge", "peut-être", "« oui » ou « non »"),
    ("demandeur.statut", "9", "n'est pas l'un des choix"),
    ("demandeur.statut", "  ", "réponse vide"),
])
def test_a_wrong_answer_is_refused_in_french(champ, texte, mot):
    q = question(INPS, {"enfants": [{"prenom": "Awa"}]}, champ)
    with pytest.raises(EntretienError, match=mot):
        lire_reponse(q, texte)


def test_an_answer_under_a_country_given_as_text_keeps_the_country():
    data = {"enfants": [{"prenom": "Awa", "residence": "France"}]}
    completed = repondre(INPS, data, "enfants[0].residence.convention_reciprocite", True)
    assert completed["enfants"][0]["residence"] == {"pays": "France", "convention_reciprocite": True}
    assert data["enfants"][0]["residence"] == "France"  # the caller's dossier is untouched
    assert retirer(completed, "enfants[0].residence.convention_reciprocite")["enfants"][0]["residence"] == {
        "pays": "France"}


def test_an_unreadable_unknown_path_is_an_error():
    with pytest.raises(EntretienError, match="illisible"):
        prochaine_etape(INPS, partiel(), ["enfants[x"])


def test_the_start_holds_the_claims_and_the_names_only():
    complet = {"id": "x", "date_reference": "2026-03-15", "demandes": AF,
               "demandeur": {"nom": "Diarra", "sexe": "M"}, "enfants": [{"prenom": "Awa", **ENFANT_COMPLET}]}
    assert depart(INPS, complet) == {"id": "x", "date_reference": "2026-03-15", "demandes": AF,
                                     "demandeur": {"nom": "Diarra"}, "enfants": [{"prenom": "Awa"}]}


# -- driven by the golden cases -------------------------------------------------------------------------
def _cases():
    out = []
    for case in load_cases(CAS):
        if case.erreur_attendue or case.amendement or case.erreur_lecture:
            continue
        try:
            dossier = validate(copy.deepcopy(case.dossier), case.nom)
        except DossierError:
            continue
        out.append(pytest.param(dossier, id=f"{case.fichier.parent.name}/{case.fichier.stem}:{case.nom}"))
    return out


CASES = _cases()


def _files():
    return sorted({p.id.split(":")[0] for p in CASES})


# Known limits (docs/entretien.md): the interview ends elsewhere than evaluate on these cases, and the test
# says so until they are lifted.
LIMITES = {
    "indemnites_journalieres_maternite/delai:demande après la limite de la dernière quinzaine":
        "le montant perdu d'un refus pour demande tardive n'est pas poursuivi",
    "indemnites_journalieres_maternite/delai:limite ramenée à la fin du mois, lendemain":
        "le montant perdu d'un refus pour demande tardive n'est pas poursuivi",
    "prime_premier_etablissement/mariage:champs contradictoires, célibataire mais pas un premier mariage":
        "le second de deux champs contradictoires n'est pas demandé",
}


@pytest.mark.parametrize("fichier", _files())
def test_interviews_driven_by_the_golden_cases_end_on_evaluates_decision(fichier):
    # The share of facts asked (target: 70 % at most) is a figure over all cases: bench/entretien.py prints it.
    for param in CASES:
        if param.id.split(":")[0] != fichier:
            continue
        (dossier,) = param.values
        # Led as the served console leads it, with the warm solver (its decisions are the cold one's:
        # tests/test_warm.py); each step's decision costs a fraction of the cold grounding.
        simulation = simuler(dossier.regime, dossier.data, solver=CHAUD)
        same = resume(simulation.etape.decision) == resume(evaluate(dossier))
        assert same != (param.id in LIMITES), (param.id, LIMITES.get(param.id, "l'entretien finit ailleurs"))
        assert len(set(simulation.posees)) == len(simulation.posees)


# Found under the default profile: Awa is past the age limit, the worker's facts all unknown (the arrears wait on
# them), and she is not presented at the medical visit: nothing is owed and the claim is refused. The interview
# stopped once the worker's facts were answered « je ne sais pas », without asking the child's own facts.
AGE_DEPASSE_SANS_VISITE = {
    "id": "dossier", "date_reference": "2004-07-05", "demandes": [{"prestation": "allocations_familiales"}],
    "enfants": [{"prenom": "Awa", "date_naissance": "1990-06-30", "categorie": "mariage", "declare_etat_civil": True,
                 "a_charge": True, "residence": "Mali", "situation": "aucune", "visite_medicale": False}],
}


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@example(data=AGE_DEPASSE_SANS_VISITE, rng=random.Random(0))
@given(dossiers(max_enfants=3), st.randoms(use_true_random=False))
def test_an_interview_never_asks_twice_nor_what_is_unknown_and_ends_on_evaluates_statuses(data, rng):
    dossier = validate(copy.deepcopy(data), regime=INPS)
    data = dossier.data
    # The claimant also declares some facts of the dossier unknown: they are never asked.
    present = sorted(f for f in _paths(data) if not f.startswith(("id", "date_reference", "demandes", "enfants[")))
    declares = [f for f in present if rng.random() < 0.3]
    complet = copy.deepcopy(data)
    for champ in declares:
        complet = retirer(complet, champ)
    simulation = simuler(INPS, complet, inconnus_depart=declares, solver=CHAUD)
    assert len(set(simulation.posees)) == len(simulation.posees)
    assert not set(simulation.posees) & set(declares)
    attendu = evaluate(validate(complet, regime=INPS))
    assert {p: x.statut for p, x in simulation.etape.decision.prestations.items()} == {
        p: x.statut for p, x in attendu.prestations.items()}


def _paths(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for i, value in enumerate(data):
            yield from _paths(value, f"{prefix}[{i}]")
    else:
        yield prefix

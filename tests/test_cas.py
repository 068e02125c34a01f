"""Regression cases of ``tests/cas``: each YAML case is one test, plus checks on the suite itself.

Every case under ``tests/cas`` (models in ``tests/cas/modeles`` excluded) is
evaluated in a single batch, then each case is a test named ``file::nom``
that fails with the list of its differences from the expected outputs. The
expectations come from the INPS guide and the readings stated in the rules,
not from the engine's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from usecases.cases import Case, CaseResult, load_cases, run_cases

CAS = Path(__file__).parent / "cas"
AUJOURD_HUI = dt.date(2026, 3, 15)  # only used by a dossier without date_reference

# The top-level conditions of the family allowances (docs/dossier.md): each
# must be shown failing, alone, by at least one refused case.
CONDITIONS_AF = (
    "salarie",
    "stage",
    "activite_mensuelle",
    "smig",
    "residence",
    "enfant_ouvrant_droit",
)
MINIMUM_CAS = 35

CASES: list[Case] = load_cases(CAS)


def case_id(case: Case) -> str:
    """``allocations_familiales/stage.yaml::stage non accompli à huit mois``."""
    return f"{case.fichier.relative_to(CAS).as_posix()}::{case.nom}"


@pytest.fixture(scope="module")
def resultats() -> dict[str, CaseResult]:
    """Every case evaluated in one batch, by case id."""
    return {case_id(r.case): r for r in run_cases(CASES, today=AUJOURD_HUI)}


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_cas(case: Case, resultats: dict[str, CaseResult]) -> None:
    result = resultats[case_id(case)]
    if not result.ok:
        pytest.fail(
            f"{case_id(case)} — {case.description}\n"
            + "\n".join(f"  - {d}" for d in result.differences),
            pytrace=False,
        )


def test_nombre_de_cas() -> None:
    assert len(CASES) >= MINIMUM_CAS, f"{len(CASES)} cas seulement, {MINIMUM_CAS} attendus au moins"


def test_cas_nommes_et_decrits() -> None:
    ids = [case_id(c) for c in CASES]
    assert len(ids) == len(set(ids)), "deux cas portent le même nom dans un même fichier"
    sans_description = [i for i, c in zip(ids, CASES, strict=True) if not c.description.strip()]
    assert not sans_description, f"cas sans description : {sans_description}"


@pytest.mark.parametrize("condition", CONDITIONS_AF)
def test_chaque_condition_refusee_au_moins_une_fois(condition: str) -> None:
    refus = [
        case_id(c)
        for c in CASES
        if c.attendu.get("allocations_familiales", {}).get("statut") == "refuse"
        and c.attendu["allocations_familiales"].get("conditions", {}).get(condition) == "non_rempli"
    ]
    assert refus, f"aucun cas refusé n'attend « {condition} » non rempli"


def test_les_erreurs_de_saisie_sont_couvertes() -> None:
    erreurs = [c for c in CASES if c.erreur_attendue is not None]
    messages = " ".join(c.erreur_attendue or "" for c in erreurs)
    for fragment in ("champ inconnu", "doit être", "date impossible", "valeur inconnue"):
        assert fragment in messages, f"aucun cas d'erreur n'attend « {fragment} »"


def test_enfant_sous_convention_releve_du_regime_etranger(resultats: dict[str, CaseResult]) -> None:
    """The child abroad under a reciprocity convention keeps the right but is listed apart."""
    result = resultats[
        "allocations_familiales/enfants_conditions.yaml::"
        "enfant à l'étranger sous convention, à côté d'un enfant au Mali"
    ]
    assert result.decision is not None
    af = result.decision.prestations["allocations_familiales"]
    assert af.elements.get("enfants_regime_convention") == ["Karim"]
    assert "Karim" not in af.enfants_ouvrant_droit


def test_a_case_appends_to_its_models_list():
    from usecases.cases import _merge

    model = {"enfants": [{"prenom": "Awa"}], "demandeur": {"sexe": "M", "statut": "salarie"}}
    case = {"enfants+": [{"prenom": "Issa"}], "demandeur": {"statut": "apprenti"}}
    assert _merge(model, case) == {"enfants": [{"prenom": "Awa"}, {"prenom": "Issa"}],
                                   "demandeur": {"sexe": "M", "statut": "apprenti"}}
    assert _merge(model, {"enfants": []})["enfants"] == []  # a list without « + » still replaces


def test_pending_children_compared_by_name_and_missing_paths():
    """Issue 22: « enfants_en_attente » compares names exactly, missing paths by inclusion, in any container."""
    from usecases.attendu import _compare_pending

    as_list = [{"prenom": "Kadiatou", "informations_manquantes": ["enfants[2].date_naissance"], "pieces": ["acte"]}]
    want = {"Kadiatou": ["enfants[2].date_naissance"]}
    assert _compare_pending("af", "enfants_en_attente", want, as_list) == []
    assert _compare_pending("af", "enfants_en_attente", want, {"Kadiatou": ["enfants[2].date_naissance"]}) == []
    assert _compare_pending("af", "enfants_en_attente", want, [])  # the child vanished
    assert _compare_pending("af", "enfants_en_attente", want, [{"prenom": "Kadiatou", "informations_manquantes":
                                                                 ["enfants[2].a_charge"]}])  # wrong fact
    assert _compare_pending("af", "enfants_en_attente", {}, None) == []  # none expected, none listed
    assert _compare_pending("af", "enfants_en_attente", {}, [{"prenom": "Awa"}])  # one listed in excess


def test_entries_compared_on_the_keys_written():
    """``fractions_en_attente`` and ``verse_a``: each written entry matches one of the decision's, and back."""
    from usecases.attendu import _compare_entries

    fractions = [{"date": "2026-12-01", "montant": 4095, "evenement": "sixième mois"}]
    assert _compare_entries("m", "fractions_en_attente", [{"date": "2026-12-01", "montant": 4095}], fractions) == []
    assert _compare_entries("m", "fractions_en_attente", [{"montant": 8190}], fractions)
    assert _compare_entries("m", "fractions_en_attente", [], fractions)  # listed in excess
    assert _compare_entries("m", "fractions_en_attente", [], None) == []
    tuteur = [{"nom": "Coulibaly", "prenoms": "Fanta"}]
    guardian = {"nom": "Coulibaly", "prenoms": "Fanta", "depuis": "2026-03-01"}
    assert _compare_entries("af", "verse_a", tuteur, guardian) == []
    assert _compare_entries("af", "verse_a", tuteur, "Fanta Coulibaly") == []
    per_child = [{"enfant": "Ali", "nom": "Traore"}]
    assert _compare_entries("af", "verse_a", per_child, {"Ali": {"nom": "Traore", "prenoms": "Sira"}}) == []
    assert _compare_entries("af", "verse_a", per_child, {"Awa": {"nom": "Traore", "prenoms": "Sira"}})


def test_suspended_instalments_read_from_the_schedule():
    from usecases.attendu import _plain, _suspended_dates

    echeancier = [{"date": dt.date(2026, 1, 1), "montant": 4500}, {"date": dt.date(2026, 4, 1), "montant": 4500,
                                                                     "suspendu": True}]
    assert _suspended_dates({}, echeancier) == ["2026-04-01"]
    assert _suspended_dates({"echeances_suspendues": [dt.date(2026, 7, 1)]}, echeancier) == ["2026-07-01"]
    assert _plain({"a": [dt.date(2026, 1, 2)]}) == {"a": ["2026-01-02"]}


def test_name_lists_compared_in_any_order():
    from usecases.attendu import _compare_names

    assert _compare_names("amo", "membres_orientes", ["Rokia", "Adama"], ["Adama", "Rokia"]) == []
    assert _compare_names("amo", "membres_orientes", ["Rokia"], ["Adama", "Rokia"])
    assert _compare_names("af", "enfants_ouvrant_droit", [], None) == []

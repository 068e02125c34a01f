"""Stratégies Hypothesis : dossiers valides pour les allocations familiales.

Les dossiers sont des dicts conformes au contrat (``docs/dossier.md``) et au
schéma ``kb/mali/inps/dossier.schema.json``, les dates en chaînes ISO.

- :func:`dossiers` : n'importe quel dossier de la tranche « allocations
  familiales » ; chaque champ peut manquer, pour exercer l'état inconnu.
- :func:`dossiers_complets` : chaque champ utile est présent (le statut n'est
  jamais « incomplet ») et les valeurs penchent vers l'accord.

Les dates sont choisies près des bornes : naissances au premier jour du mois
de référence moins exactement 0, 1, 14, 18 ou 21 ans, à un jour près ; dates
de référence près des changements de SMIG et de montant par enfant.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from hypothesis import strategies as st

PRENOMS = ("Awa", "Moussa", "Fatoumata", "Seydou", "Aminata", "Oumar", "Kadiatou", "Bakary")
PAYS_ETRANGERS = ("France", "Sénégal", "Côte d'Ivoire", "Burkina Faso")
BORNES_AGE = (0, 1, 13, 14, 17, 18, 20, 21)
# Changements de paramètres : SMIG (2004, 2015, 2016) et montant par enfant (2008).
DATES_CHARNIERES = (dt.date(2004, 7, 5), dt.date(2008, 9, 10), dt.date(2015, 1, 1), dt.date(2016, 1, 1))
SALAIRES_CHARNIERES = (28459, 28460, 34999, 35000, 39999, 40000)
DEBUT, FIN = dt.date(2003, 1, 1), dt.date(2030, 12, 31)


def iso(jour: dt.date) -> str:
    return jour.isoformat()


def premier_du_mois(jour: dt.date) -> dt.date:
    return jour.replace(day=1)


def moins_ans(jour: dt.date, ans: int) -> dt.date:
    """``jour`` moins ``ans`` années ; le 29 février devient le 28."""
    try:
        return jour.replace(year=jour.year - ans)
    except ValueError:
        return jour.replace(year=jour.year - ans, day=28)


def moins_mois(jour: dt.date, mois: int) -> dt.date:
    rang = jour.year * 12 + jour.month - 1 - mois
    return dt.date(rang // 12, rang % 12 + 1, 1)


# -- dates ----------------------------------------------------------------------
# Les stratégies sont construites une fois (functools.cache) : Hypothesis valide
# chaque stratégie neuve, ce qui coûtait autant que l'évaluation des dossiers. Les
# dates qui dépendent de la date de référence sont donc tirées en écarts, puis
# converties.

@cache
def dates_reference(debut: dt.date = DEBUT) -> st.SearchStrategy[dt.date]:
    """Une date de référence, souvent à un jour d'un changement de paramètre."""
    charnieres = [d for d in DATES_CHARNIERES if d >= debut] or [debut]
    pres_charniere = st.builds(
        lambda jour, ecart: max(debut, jour + dt.timedelta(days=ecart)),
        st.sampled_from(charnieres), st.integers(-1, 1),
    )
    quelconque = st.dates(min_value=debut, max_value=FIN)
    return st.one_of(pres_charniere, quelconque, quelconque, quelconque)


@cache
def ecarts_naissance(penche: bool = False) -> st.SearchStrategy[tuple[int, int]]:
    """(ans, jours) : la naissance est le premier jour du mois de référence moins
    ``ans`` années, plus ``jours`` ; le plus souvent une borne d'âge à un jour près.
    ``penche`` : un enfant sur deux a sûrement l'âge d'ouvrir droit."""
    borne = st.tuples(st.sampled_from(BORNES_AGE), st.sampled_from((-1, 0, 0, 1)))
    quelconque = st.tuples(st.integers(0, 25), st.integers(-400, 400))
    branches = [borne, borne, borne, quelconque]
    if penche:
        branches += [st.tuples(st.integers(1, 12), st.integers(-360, 0))] * 4
    return st.one_of(*branches)


def naissance(reference: dt.date, ecart: tuple[int, int]) -> dt.date:
    ans, jours = ecart
    return moins_ans(premier_du_mois(reference), ans) + dt.timedelta(days=jours)


def dates_naissance(reference: dt.date, penche: bool = False) -> st.SearchStrategy[dt.date]:
    """Le premier jour du mois de référence moins N ans, à un jour près (ou plus loin)."""
    return ecarts_naissance(penche).map(lambda ecart: naissance(reference, ecart))


# -- parties du dossier ---------------------------------------------------------

def _champs(champs: dict[str, Any], complet: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Un objet dont chaque champ peut manquer, sauf pour un dossier complet.

    Un objet sur trois environ a tous ses champs même hors dossier complet : sinon
    presque tout dossier aurait une inconnue et l'accord ne serait jamais exercé.
    """
    tous = st.fixed_dictionaries(champs)
    if complet:
        return tous
    return st.one_of(st.fixed_dictionaries({}, optional=champs), st.fixed_dictionaries({}, optional=champs), tous)


@cache
def demandeurs(complet: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Le travailleur ; les dossiers complets penchent vers un salarié résidant au Mali."""
    penche = complet
    champs = {
        "sexe": st.sampled_from(["F", "M"]),
        "residence": st.sampled_from(["Mali"] * (10 if penche else 2) + list(PAYS_ETRANGERS[:2])),
        "statut": st.sampled_from(
            ["salarie"] * (4 if penche else 1) + ["apprenti", "non_salarie"]
        ),
        "veuve_allocataire": st.booleans(),
        "premiere_demande": st.booleans(),
        "mois_consecutifs": st.one_of(st.sampled_from([8, 9, 10]), st.integers(0, 40)),
        "jours_mois": st.one_of(st.sampled_from([17, 18, 22] if not penche else [18, 22, 26]),
                                st.integers(0, 31)),
        "jours_assimiles": st.one_of(st.just(0), st.integers(0, 31)),
        "heures_mois": st.one_of(st.sampled_from([119, 120, 176]), st.integers(0, 744)),
        "salaire_mensuel": st.one_of(
            st.sampled_from(SALAIRES_CHARNIERES),
            *([st.integers(40_000, 300_000)] * 2 if penche else [st.integers(0, 200_000)]),
        ),
        "paiement_salaire": st.sampled_from(["mois", "quinzaine", "semaine"]),
        "situation_avant_mariage": st.sampled_from(["celibataire", "marie", "veuf", "divorce"]),
        "periode_suspension": st.sampled_from(
            ["aucune"] * (4 if penche else 1)
            + ["repos_medical", "accident_travail", "maladie_professionnelle", "conge_paye",
               "conge_maternite"]
        ),
    }
    if complet:
        # Apprenti et veuve sont des exceptions : rares, pour garder le cas général.
        champs["veuve_allocataire"] = st.sampled_from([False, False, False, True])
        champs["mois_consecutifs"] = st.one_of(st.sampled_from([8, 9]), st.integers(9, 60))
    return _champs(champs, complet)


@cache
def mariages(complet: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    champs = {
        "date": st.dates(min_value=dt.date(1990, 1, 1), max_value=FIN).map(iso),
        "etat_civil": st.sampled_from([True, True, False] if complet else [True, False]),
        "premier_mariage": st.booleans(),
    }
    return _champs(champs, complet)


@cache
def residences_enfant(complet: bool = False) -> st.SearchStrategy[Any]:
    """« Mali », un autre pays, ou {pays, motif, convention_reciprocite}."""
    pays = st.sampled_from(["Mali", *PAYS_ETRANGERS])
    details = {
        "motif": st.sampled_from(["sante", "education", "autre"]),
        "convention_reciprocite": st.booleans(),
    }
    if complet:
        objet = st.fixed_dictionaries({"pays": pays, **details})
        return st.one_of(st.just("Mali"), st.just("Mali"), st.just("Mali"), objet)
    objet = st.fixed_dictionaries({"pays": pays}, optional=details)
    return st.one_of(st.just("Mali"), st.sampled_from(PAYS_ETRANGERS), objet)


@cache
def _enfants_relatifs(complet: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Un enfant sans prénom, sa naissance en écart (voir :func:`ecarts_naissance`)."""
    booleens = st.sampled_from([True] * 9 + [False]) if complet else st.booleans()
    champs = {
        "date_naissance": ecarts_naissance(penche=complet),
        "categorie": st.sampled_from(["mariage", "anterieur_mariage", "enfant_salariee",
                                      "precedent_mariage_conjointe", "adoption", "naturel_reconnu"]),
        "declare_etat_civil": booleens,
        "a_charge": booleens,
        "residence": residences_enfant(complet),
        "situation": st.sampled_from(["aucune", "aucune", "apprentissage", "etudes", "infirmite"]),
        "visite_medicale": booleens,
    }
    return _champs(champs, complet)


@st.composite
def enfants(draw, reference: dt.date, prenom: str, complet: bool = False) -> dict[str, Any]:
    """Un enfant ; ses champs peuvent manquer, sauf le prénom (et tous, s'il est complet)."""
    enfant = {"prenom": prenom, **draw(_enfants_relatifs(complet))}
    if "date_naissance" in enfant:
        enfant["date_naissance"] = iso(naissance(reference, enfant["date_naissance"]))
    return enfant


@cache
def _demandes_relatives() -> st.SearchStrategy[list[tuple[str, int | None, int]]]:
    """(prestation, mois avant la référence ou None si non datée, jour du mois - 1)."""
    prestation = st.sampled_from(["allocations_familiales"] * 5 + ["prime_premier_etablissement"])
    avant = st.one_of(st.none(), *[st.one_of(st.integers(0, 3), st.integers(-3, 36))] * 4)
    return st.lists(st.tuples(prestation, avant, st.integers(0, 27)), min_size=1, max_size=2)


@st.composite
def demandes(draw, reference: dt.date) -> list[dict[str, Any]]:
    """Une ou deux demandes, datées en général avant la référence ; d'allocations
    familiales, sauf parfois une autre prestation (alors non examinées si seule)."""
    lignes = []
    for prestation, avant, jour in draw(_demandes_relatives()):
        ligne: dict[str, Any] = {"prestation": prestation}
        if avant is not None:
            ligne["date"] = iso(moins_mois(reference, avant) + dt.timedelta(days=jour))
        lignes.append(ligne)
    return lignes


# -- dossiers -------------------------------------------------------------------

_ordres_prenoms = st.permutations(PRENOMS)
_trois_sur_quatre = st.sampled_from([True, True, True, False])


@st.composite
def dossiers(draw, complet: bool = False, max_enfants: int = 5) -> dict[str, Any]:
    """Un dossier valide pour les allocations familiales."""
    # Avant le premier SMIG (2004-07-05), la condition de SMIG reste inconnue.
    reference = draw(dates_reference(dt.date(2004, 7, 5) if complet else DEBUT))
    dossier: dict[str, Any] = {"id": "dossier", "date_reference": iso(reference)}
    demandeur = draw(demandeurs(complet))
    if demandeur or draw(st.booleans()):
        dossier["demandeur"] = demandeur
    if complet or draw(st.booleans()):
        dossier["mariage"] = draw(mariages(complet))
        # The base refuses a date more than two years after the reference (regime.yaml, bornes).
        if dossier["mariage"].get("date", "") > iso(reference + dt.timedelta(days=365)):
            dossier["mariage"]["date"] = iso(reference)
    nombre = draw(st.integers(1 if complet else 0, max_enfants))
    prenoms = draw(_ordres_prenoms)[:nombre]
    if nombre or draw(st.booleans()):
        dossier["enfants"] = [draw(enfants(reference, p, complet)) for p in prenoms]
    # Sans demandes, toutes les prestations sont examinées : le cas est gardé (un
    # dossier sur quatre), mais il coûte six évaluations au lieu d'une.
    if draw(_trois_sur_quatre):
        dossier["demandes"] = draw(demandes(reference))
    return dossier


def dossiers_complets(max_enfants: int = 5) -> st.SearchStrategy[dict[str, Any]]:
    """Un dossier où tout champ utile est présent ; les valeurs penchent vers l'accord."""
    return dossiers(complet=True, max_enfants=max_enfants)


def numerotes(lot: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Le lot avec des identifiants distincts (le lot est évalué en un seul grounding)."""
    return [{**d, "id": f"dossier-{i:03d}"} for i, d in enumerate(lot)]


def lots(strategie: st.SearchStrategy[dict[str, Any]], max_size: int = 8):
    """Des lots de dossiers, évalués ensemble par ``evaluate_many``."""
    return st.lists(strategie, min_size=1, max_size=max_size).map(numerotes)


def enfant_eligible(reference: dt.date, prenom: str) -> dict[str, Any]:
    """Un enfant qui remplit toutes ses conditions au mois de référence (5 ans)."""
    return {
        "prenom": prenom,
        "date_naissance": iso(moins_ans(premier_du_mois(reference), 5)),
        "categorie": "anterieur_mariage",
        "declare_etat_civil": True,
        "a_charge": True,
        "residence": "Mali",
        "situation": "aucune",
        "visite_medicale": True,
    }


def travailleuse_2004(**faits: Any) -> dict[str, Any]:
    """La demandeuse vers laquelle Hypothesis réduit les contre-exemples des dossiers complets, au jour du premier
    SMIG (5 juillet 2004) : les bornes du stage, du mois d'activité et du salaire ; ``faits`` en change."""
    return {"sexe": "F", "residence": "Mali", "statut": "salarie", "veuve_allocataire": False,
            "premiere_demande": False, "mois_consecutifs": 8, "jours_mois": 18, "jours_assimiles": 0,
            "heures_mois": 119, "salaire_mensuel": 28460, "paiement_salaire": "mois",
            "situation_avant_mariage": "celibataire", "periode_suspension": "aucune", **faits}


def enfant_complet(prenom: str, naissance: str | None, **champs: Any) -> dict[str, Any]:
    """Un enfant qui remplit tout, né le ``naissance``, sauf ce que ``champs`` change (None : champ absent)."""
    base: dict[str, Any] = {**enfant_eligible(dt.date(2000, 1, 1), prenom), "date_naissance": naissance}
    base.update(champs)
    return {k: v for k, v in base.items() if v is not None}

"""Propriétés du silence d'un dossier (docs/ambiguites.md, « Lire le silence d'un dossier »).

Une exception n'est jamais présumée : le dossier qui n'en dit rien ne l'invoque
pas, et la règle garde son issue. Une condition de base non renseignée reste
inconnue. Les blocs que le guide ne demande pas pour une prestation (``mariage``
pour les allocations familiales, ``pieces``, ``periode_suspension``) ne sont
jamais nécessaires pour la décider. L'argent dû n'est jamais caché derrière un
refus. Chaque propriété est vérifiée sur des lots de dossiers générés
(:mod:`strategies`), évalués en un seul grounding.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import dossiers, lots
from test_proprietes_af import RAPPEL_DU_ENFANT_EN_ATTENTE

from engine.program import Mode
from engine.solver import evaluate_many
from engine.validation import validate

AF = "allocations_familiales"
reglages = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LOT = 4

# Les faits qui invoquent une exception, et des valeurs pour les donner.
SUSPENSIONS = ["aucune", "repos_medical", "accident_travail", "maladie_professionnelle", "conge_paye",
               "conge_maternite"]
SITUATIONS = ["aucune", "apprentissage", "etudes", "infirmite"]
# Les pièces du tableau du guide pour les allocations familiales et le socle.
PIECES_AF = ["demande_prestations_familiales", "acte_naissance_demandeur", "attestation_service",
             "bulletin_presence_9_mois", "actes_naissance_enfants", "attestation_charge", "certificat_vie",
             "certificat_medical_enfants", "certificat_frequentation_scolaire", "contrat_apprentissage",
             "certificat_medical_infirmite"]


def decider(lot: list[dict[str, Any]], mode: Mode = Mode.DECISION):
    """Les décisions d'un lot, en un seul grounding. Les propriétés ne lisent que statuts et montants : le
    mode décision (sans les règles appliquées) les donne comme l'autre (test_proprietes_af.py le vérifie
    contre le modèle indépendant dans les deux modes), pour un quart de temps en moins par exemple."""
    return evaluate_many([validate(d) for d in lot], mode)


@st.composite
def faits_d_exception(draw) -> dict[str, Any]:
    """Des valeurs pour chaque fait qui invoque une exception (une par enfant possible)."""
    return {
        "veuve_allocataire": draw(st.booleans()),
        "periode_suspension": draw(st.sampled_from(SUSPENSIONS)),
        "situations": draw(st.lists(st.sampled_from(SITUATIONS), min_size=8, max_size=8)),
        "motifs": draw(st.lists(st.sampled_from(["sante", "education", "autre"]), min_size=8, max_size=8)),
        "conventions": draw(st.lists(st.booleans(), min_size=8, max_size=8)),
    }


def avec_exceptions(dossier: dict[str, Any], faits: dict[str, Any]) -> dict[str, Any]:
    """Le dossier où chaque exception dont il ne dit rien est invoquée avec ``faits``."""
    d = copy.deepcopy(dossier)
    demandeur = d.setdefault("demandeur", {})
    demandeur.setdefault("veuve_allocataire", faits["veuve_allocataire"])
    demandeur.setdefault("periode_suspension", faits["periode_suspension"])
    for i, enfant in enumerate(d.get("enfants", [])):
        enfant.setdefault("situation", faits["situations"][i])
        residence = enfant.get("residence")
        if isinstance(residence, str) and residence != "Mali":
            enfant["residence"] = {"pays": residence, "motif": faits["motifs"][i],
                                   "convention_reciprocite": faits["conventions"][i]}
        elif isinstance(residence, dict) and residence.get("pays") != "Mali":
            residence.setdefault("motif", faits["motifs"][i])
            residence.setdefault("convention_reciprocite", faits["conventions"][i])
    return d


def sans_exceptions(dossier: dict[str, Any]) -> dict[str, Any]:
    """Le dossier qui n'invoque plus aucune exception (les faits de base restent)."""
    d = copy.deepcopy(dossier)
    for champ in ("veuve_allocataire", "periode_suspension"):
        d.get("demandeur", {}).pop(champ, None)
    for enfant in d.get("enfants", []):
        enfant.pop("situation", None)
        if isinstance(enfant.get("residence"), dict):
            enfant["residence"] = enfant["residence"]["pays"]
    return d


def renumerotes(lot: list[dict[str, Any]], suffixe: str) -> list[dict[str, Any]]:
    return [{**d, "id": d["id"] + suffixe} for d in lot]


@reglages
@given(lots(dossiers(), max_size=LOT), faits_d_exception())
def test_invoquer_une_exception_ne_fait_jamais_refuser_un_accord(lot, faits):
    """Donner les faits d'une exception ne change jamais un accord en refus."""
    invoques = renumerotes([avec_exceptions(d, faits) for d in lot], "+")
    decisions = decider(lot + invoques)
    for dossier, avant, apres in zip(lot, decisions[: len(lot)], decisions[len(lot):], strict=True):
        for prestation, p in avant.prestations.items():
            if p.statut == "accorde":
                assert apres.prestations[prestation].statut != "refuse", (prestation, dossier)


@reglages
@given(lots(dossiers(), max_size=LOT), faits_d_exception())
@example(  # un travailleur au Sénégal qui invoque une suspension refusée (« aucune »)
    lot=[{"id": "dossier-000", "date_reference": "2026-03-15",
          "demandeur": {"sexe": "M", "residence": "Sénégal", "statut": "salarie", "premiere_demande": False,
                        "jours_mois": 22, "salaire_mensuel": 85000, "periode_suspension": "aucune"},
          "enfants": [{"prenom": "Awa", "date_naissance": "2016-04-02", "categorie": "mariage",
                       "declare_etat_civil": True, "a_charge": True, "residence": "Mali",
                       "visite_medicale": True}]}],
    faits={"veuve_allocataire": False, "periode_suspension": "aucune", "situations": ["aucune"] * 8,
           "motifs": ["autre"] * 8, "conventions": [False] * 8},
)
def test_taire_une_exception_ne_rend_jamais_un_refus_incomplet(lot, faits):
    """Retirer les faits des exceptions ne change jamais un refus en demande incomplète."""
    complets = renumerotes([avec_exceptions(d, faits) for d in lot], "")
    tus = renumerotes([sans_exceptions(d) for d in complets], "-")
    decisions = decider(complets + tus)
    for dossier, avant, apres in zip(complets, decisions[: len(lot)], decisions[len(lot):], strict=True):
        for prestation, p in avant.prestations.items():
            if p.statut == "refuse":
                assert apres.prestations[prestation].statut != "incomplet", (prestation, dossier)


@st.composite
def dossiers_avec_blocs(draw) -> dict[str, Any]:
    """Un dossier d'allocations familiales, parfois avec une liste de pièces."""
    dossier = draw(dossiers())
    if draw(st.booleans()):
        dossier["pieces"] = draw(st.lists(st.sampled_from(PIECES_AF), unique=True))
    return dossier


@reglages
@given(lots(dossiers_avec_blocs(), max_size=LOT), st.sampled_from(["mariage", "pieces", "periode_suspension"]))
@example(  # catégorie « mariage » : le bloc mariage n'est pas nécessaire
    lot=[{"id": "dossier-000", "date_reference": "2026-03-15",
          "demandeur": {"sexe": "M", "residence": "Mali", "statut": "salarie", "premiere_demande": False,
                        "jours_mois": 22, "salaire_mensuel": 85000},
          "mariage": {"etat_civil": True},
          "enfants": [{"prenom": "Awa", "date_naissance": "2016-04-02", "categorie": "mariage",
                       "declare_etat_civil": True, "a_charge": True, "residence": "Mali",
                       "visite_medicale": True}],
          "demandes": [{"prestation": "allocations_familiales", "date": "2026-03-15"}]}],
    bloc="mariage",
)
@example(  # le refus tenait au mariage non déclaré à l'état civil ; sans le bloc, les faits d'Awa manquent
    lot=[{"id": "dossier-000", "date_reference": "2004-07-05",
          "mariage": {"date": "2000-01-01", "etat_civil": False, "premier_mariage": False},
          "enfants": [{"prenom": "Awa", "categorie": "mariage"}],
          "demandes": [{"prestation": "allocations_familiales"}]}],
    bloc="mariage",
)
def test_un_bloc_facultatif_absent_ne_rend_jamais_incomplet(lot, bloc):
    """Les allocations familiales d'un dossier décidé (accordées ou refusées) restent décidées
    quand on retire le bloc ``mariage``, la liste ``pieces`` ou ``periode_suspension`` ; sauf un
    refus qui tenait aux faits du bloc lui-même (un mariage non déclaré à l'état civil) : sans eux,
    la décision dépend des autres conditions, inconnues si le dossier les tait. Aucun des échecs
    qui faisaient le refus ne doit alors rester."""
    def sans(dossier):
        d = copy.deepcopy(dossier)
        if bloc == "periode_suspension":
            d.get("demandeur", {}).pop(bloc, None)
        else:
            d.pop(bloc, None)
        return d

    retires = renumerotes([sans(d) for d in lot], "-")
    decisions = decider(lot + retires)
    for dossier, avant, apres in zip(lot, decisions[: len(lot)], decisions[len(lot):], strict=True):
        if AF not in avant.prestations or avant.prestations[AF].statut == "incomplet":
            continue
        if avant.prestations[AF].statut == "refuse" and apres.prestations[AF].statut == "incomplet":
            restes = _echecs(avant.prestations[AF]) & _echecs(apres.prestations[AF])
            assert not restes, (bloc, dossier, restes)  # le refus tenait au bloc retiré, et à lui seul
        else:
            assert apres.prestations[AF].statut != "incomplet", (bloc, dossier)


def _echecs(prestation) -> set[str]:
    """Les conditions non remplies qui font le refus : celles dont aucune sous-condition n'échoue."""
    return {c.noeud for c in prestation.droit.walk()
            if c.etat == "non_rempli" and not any(s.etat == "non_rempli" for s in c.sous_conditions)}


@reglages
@given(lots(dossiers(), max_size=LOT))
@example(lot=[RAPPEL_DU_ENFANT_EN_ATTENTE])  # Moussa écarté par l'âge, ses mois dus ; Awa en attente
@example(  # l'enfant a eu quatorze ans le mois dernier : les mois du rappel restent dus
    lot=[{"id": "dossier-000", "date_reference": "2026-03-15",
          "demandeur": {"sexe": "M", "residence": "Mali", "statut": "salarie", "premiere_demande": False,
                        "jours_mois": 22, "salaire_mensuel": 85000},
          "enfants": [{"prenom": "Awa", "date_naissance": "2012-02-10", "categorie": "mariage",
                       "declare_etat_civil": True, "a_charge": True, "residence": "Mali",
                       "visite_medicale": True}],
          "demandes": [{"prestation": "allocations_familiales", "date": "2026-03-15"}]}],
)
def test_un_rappel_du_est_accorde(lot):
    """Sans liste de pièces, un ``montant_rappel`` positif n'accompagne qu'un accord ; ou une prestation
    incomplète parce qu'un autre enfant est en attente, sans montant du mois de référence (les mois où un
    enfant connu ouvre le droit sont payés sans l'attendre : docs/ambiguites.md)."""
    for dossier, decision in zip(lot, decider(lot), strict=True):
        p = decision.prestations.get(AF)
        if p is not None and p.montants.get("rappel", 0) > 0 and p.statut != "accorde":
            assert p.statut == "incomplet" and p.attente("enfants_en_attente"), dossier
            assert "mensuel" not in p.montants, dossier



def test_une_charge_generee_accorde_chaque_prestation_et_nomme_ce_qui_manque():
    """Une charge écrite comme au guichet (engine/generation.py) accorde chaque prestation, congé de
    naissance compris ; toute demande incomplète y nomme une information à demander ou une pièce."""
    from engine.regime import load_regime
    from explain.phrases import catalogue
    from explain.why import questions
    from usecases.generation import generate

    datas = list(generate(600, seed=3))
    phrases = catalogue(load_regime("mali-inps"))
    accordees = set()
    for data, decision in zip(datas, decider(datas, Mode.EXPLANATION), strict=True):
        for prestation, p in decision.prestations.items():
            if p.statut == "accorde":
                accordees.add(prestation)
            if p.statut == "incomplet":
                assert questions(p, phrases) or p.pieces_manquantes, (prestation, data["id"])
    assert accordees == {"prime_premier_etablissement", "allocations_prenatales", "allocations_maternite",
                         "allocations_familiales", "indemnites_journalieres_maternite", "conge_naissance"}

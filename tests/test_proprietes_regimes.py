"""Propriétés des deux régimes ajoutés à côté de l'INPS, sur des dossiers valides tirés par Hypothesis.

Suivi de la mère et de l'enfant (``senegal-css``) :

- un statut, exactement, pour la prestation examinée ; aucune condition à la
  fois remplie et non remplie ;
- le coût d'un plan accordé est carnet + N × prix de la consultation, aux
  tarifs de la catégorie en vigueur, et n'est jamais négatif ;
- ce coût croît avec N, de N × prix exactement ;
- une catégorie inconnue rend la demande incomplète, jamais refusée : ôter la
  catégorie ne change un refus en rien d'autre, et rien d'autre en refus.

Orientation vers la couverture maladie (``mali-couverture-maladie``) :

- un statut, exactement, par régime examiné ;
- un membre est recommandé pour un régime au plus (règle de priorité : AMO,
  puis RAMED, puis AMV, docs/regimes.md) ; pour un seul exactement quand tout
  ce qui le concerne est connu ; ``membres_orientes`` dit la même chose que
  l'arbre ;
- toute condition non remplie ou inconnue a une source, et cette source dit
  qu'elle est secondaire.

Pour les deux : ôter un champ du dossier ne change jamais l'état d'une
condition connue ni un statut tranché (logique de Kleene : l'inconnu n'est
jamais un échec). Pour l'orientation, un dossier contradictoire
(``a_charge: false`` avec ``a_charge_de``) est exclu de cette propriété : la
base y fait primer ``a_charge: false``, et l'ôter change la réponse.

Les tarifs attendus sont lus dans les paramètres du régime (pas recopiés),
à la date de référence, par un calcul indépendant de la base.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from engine.model import Decision, Statut
from engine.program import Mode
from engine.regime import load_regime
from engine.solver import evaluate_many, solve_symbols
from engine.validation import validate

PMI = load_regime("senegal-css")
ORIENTATION = load_regime("mali-couverture-maladie")

QUALITES = ("epouse", "enfant", "femme_salariee", "autre")
MOTIFS = ("grossesse", "enfant_malade", "enfant_suivi", "autre")
CATEGORIES = ("allocataire", "non_allocataire")
ACTIVITES = ("salarie", "fonctionnaire", "retraite", "independant", "sans_activite")
PRENOMS = ("Awa", "Moussa", "Fatoumata", "Seydou", "Aminata", "Oumar", "Kadiatou")
REGIMES_MALI = ("amo", "ramed", "amv")


def iso(jour: dt.date) -> str:
    return jour.isoformat()


def _dates(bornes: tuple[dt.date, ...], debut: dt.date, fin: dt.date = dt.date(2030, 12, 31)):
    """Une date de référence, souvent à un jour d'une date d'effet."""
    pres = st.builds(lambda d, e: d + dt.timedelta(days=e), st.sampled_from(bornes), st.integers(-1, 1))
    return st.one_of(pres, st.dates(min_value=debut, max_value=fin)).map(iso)


# -- Sénégal : stratégies ---------------------------------------------------------------------
DATES_PMI = _dates((dt.date(2000, 1, 1),), dt.date(1998, 1, 1))

personnes = st.fixed_dictionaries({}, optional={
    "prenom": st.sampled_from(PRENOMS), "qualite": st.sampled_from(QUALITES),
    "categorie": st.sampled_from(CATEGORIES)})
suivis = st.fixed_dictionaries({}, optional={
    "motif": st.sampled_from(MOTIFS), "consultations": st.integers(0, 100),
    "carnet_deja_achete": st.booleans()})


@st.composite
def dossiers_pmi(draw, complet: bool = False) -> dict:
    """Un dossier valide de suivi PMI. ``complet`` : tout champ utile présent, accès accordé ; sinon,
    une fois sur deux un tel dossier dont on change ou ôte quelques champs, une fois sur deux
    n'importe quelle combinaison de champs."""
    if complet or draw(st.booleans()):
        jour = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
        motif = draw(st.sampled_from(MOTIFS[:3]))
        qualite = "enfant" if motif != "grossesse" else draw(st.sampled_from(QUALITES[:3]))
        data = {"id": "pmi", "base": "senegal-css", "date_reference": iso(jour),
                "personne": {"qualite": qualite, "categorie": draw(st.sampled_from(CATEGORIES))},
                "suivi": {"motif": motif, "consultations": draw(st.integers(0, 100))}}
        if draw(st.booleans()):
            data["suivi"]["carnet_deja_achete"] = draw(st.booleans())
        if complet:
            return data
        for _ in range(draw(st.integers(0, 2))):
            section = draw(st.sampled_from(("personne", "suivi")))
            key = draw(st.sampled_from(sorted(data[section])))
            if draw(st.booleans()):
                del data[section][key]
            else:
                data[section].update(draw(personnes if section == "personne" else suivis))
    else:
        data = {"id": "pmi", "base": "senegal-css", "date_reference": draw(DATES_PMI), "suivi": draw(suivis)}
        if draw(st.booleans()):
            data["personne"] = draw(personnes)
    if draw(st.integers(0, 3)) == 0:
        data["pieces"] = draw(st.lists(st.sampled_from(("ticket", "carnet_sante")), unique=True))
    return data


def _valeur(regime, nom: str, jour: dt.date):
    """La valeur d'un paramètre à une date : la dernière date d'effet qui ne la dépasse pas."""
    values = [v for v in regime.parameters[nom].values if v.debut <= jour]
    return values[-1].value if values else None


def _decide(regime, datas: list[dict]) -> list[Decision]:
    """The decisions of a batch, in one grounding. Decision mode: the properties read statuses, amounts, and each
    node's state and source, which it gives as the explanation mode does (that one adds the rules applied, the
    data read and the missing fields), for about a quarter less time."""
    return evaluate_many([validate(copy.deepcopy(d), "propriété", regime=regime) for d in datas], Mode.DECISION)


def _sans(data: dict, chemin: tuple) -> dict:
    """Le dossier sans le champ ``chemin`` (clés et indices)."""
    out = copy.deepcopy(data)
    node = out
    for part in chemin[:-1]:
        node = node[part]
    del node[chemin[-1]]
    return out


def _champs(data: dict, prefix: tuple = ()) -> list[tuple]:
    """Les faits qu'on peut ôter sans rendre le dossier invalide. Les demandes et les pièces
    n'en sont pas : sans demandes, toutes les prestations sont examinées ; sans liste de
    pièces, aucune n'est contrôlée. Les faits qui invoquent une exception (l'admission
    d'office au RAMED) non plus : les taire, c'est ne pas l'invoquer, et la règle reprend
    son issue (docs/ambiguites.md ; tests/test_proprietes_silence.py)."""
    out = []
    for key, value in data.items():
        here = (*prefix, key)
        if key in ("id", "base", "date_reference", "prenom", "demandes", "pieces", "admis_d_office"):
            continue
        if isinstance(value, dict):
            out += _champs(value, here)
        elif key == "membres":
            for i, item in enumerate(value):
                out += _champs(item, (*here, i))
        else:
            out.append(here)
    return out


def _etats(decision: Decision) -> dict[tuple[str, str], str]:
    return {(pid, node.noeud): node.etat for pid, p in decision.prestations.items() for node in p.droit.walk()}


def _monotone(avant: Decision, apres: Decision) -> None:
    """``apres`` (moins d'informations) ne tranche rien autrement qu'``avant``."""
    for pid, p in apres.prestations.items():
        if p.statut != "incomplet":
            assert avant.prestations[pid].statut == p.statut, pid
    plus, moins = _etats(avant), _etats(apres)
    for key, etat in moins.items():
        if etat not in ("inconnu", "non_invoquee") and key in plus:
            assert plus[key] == etat, key


# -- Sénégal : propriétés ---------------------------------------------------------------------
@given(st.lists(dossiers_pmi(), min_size=1, max_size=8))
def test_pmi_exactly_one_status_and_no_incoherence(datas):
    dossiers = [validate(dict(d, id=f"pmi-{i}"), regime=PMI) for i, d in enumerate(datas)]
    symbols = solve_symbols(PMI, dossiers, Mode.DECISION)
    decisions = Counter((s.arguments[0].number, s.arguments[1].name) for s in symbols if s.name == "decision")
    assert decisions == Counter({(i, "suivi_pmi"): 1 for i in range(len(datas))})
    assert all(s.arguments[2].name in set(Statut) for s in symbols if s.name == "decision")
    assert not [s for s in symbols if s.name == "incoherence"]


@given(st.lists(dossiers_pmi(), min_size=1, max_size=8))
def test_pmi_cost_is_booklet_plus_consultations_at_the_category_price(datas):
    for data, decision in zip(datas, _decide(PMI, datas), strict=True):
        pmi = decision.prestations["suivi_pmi"]
        if pmi.droit.etat != "rempli":  # nothing is priced unless access is granted (documents aside)
            assert not pmi.montants
            continue
        jour = decision.date_reference
        categorie = data["personne"]["categorie"]
        prix = _valeur(PMI, f"pmi_consultation_{categorie}", jour)
        carnet = 0
        suivi = data["suivi"]
        if suivi["motif"] == "grossesse" and not suivi.get("carnet_deja_achete", False):
            carnet = _valeur(PMI, f"pmi_carnet_{categorie}", jour)
        assert pmi.montants["consultation"] == prix
        assert pmi.montants["carnet"] == carnet
        if "consultations" in suivi:
            n = suivi["consultations"]
            assert pmi.montants["consultations"] == n * prix
            assert pmi.montants["total"] == carnet + n * prix >= 0
        else:
            assert "total" not in pmi.montants


@given(dossiers_pmi(complet=True), st.integers(0, 100), st.integers(0, 100))
def test_pmi_cost_grows_with_the_number_of_consultations(data, n, k):
    fewer = copy.deepcopy(data)
    fewer["suivi"]["consultations"] = n
    more = copy.deepcopy(data)
    more["suivi"]["consultations"] = min(100, n + k)
    a, b = (d.prestations["suivi_pmi"] for d in _decide(PMI, [fewer, more]))
    assert a.statut == b.statut == "accorde"
    prix = a.montants["consultation"]
    assert b.montants["total"] - a.montants["total"] == (min(100, n + k) - n) * prix >= 0
    assert a.montants["total"] >= a.montants["carnet"] >= 0


@given(st.lists(dossiers_pmi(), min_size=1, max_size=8))
def test_pmi_unknown_category_is_incomplete_never_refused(datas):
    sans = [copy.deepcopy(d) for d in datas]
    for d in sans:
        d.get("personne", {}).pop("categorie", None)
    decisions = _decide(PMI, datas + sans)  # both versions in one grounding
    for avec, sans_categorie in zip(decisions[: len(datas)], decisions[len(datas):], strict=True):
        a, b = avec.prestations["suivi_pmi"], sans_categorie.prestations["suivi_pmi"]
        assert (a.statut == "refuse") == (b.statut == "refuse")
        assert b.statut in ("incomplet", "refuse")
        tarif = next(c for c in b.conditions if c.id == "categorie_tarifaire")
        assert tarif.etat == "inconnu"


def _less_information(regime, data, tirage) -> None:
    """Remove one field of a dossier: what was settled stays settled (unknown never decides)."""
    champs = _champs(data)
    if not champs:
        return
    chemin = tirage.draw(st.sampled_from(champs))
    avant, apres = _decide(regime, [data, _sans(data, chemin)])
    _monotone(avant, apres)


@given(dossiers_pmi(), st.data())
def test_pmi_less_information_never_decides_otherwise(data, tirage):
    _less_information(PMI, data, tirage)


@given(st.lists(dossiers_pmi(), min_size=1, max_size=6))
def test_pmi_failed_and_unknown_conditions_have_a_source(datas):
    for decision in _decide(PMI, datas):
        for node in decision.prestations["suivi_pmi"].droit.walk():
            if node.etat != "rempli":
                assert node.source, node.noeud


# -- Mali : stratégies ------------------------------------------------------------------------
DATES_MALI = _dates((dt.date(1960, 9, 22), dt.date(2009, 6, 26), dt.date(2009, 7, 27)), dt.date(1959, 1, 1))


def _coherent(membre: dict) -> dict:
    """Sans contradiction : qui n'est à la charge de personne n'a pas de « a_charge_de »."""
    if membre.get("a_charge") is False:
        membre.pop("a_charge_de", None)
    return membre


membres = st.fixed_dictionaries({"prenom": st.sampled_from(PRENOMS)}, optional={
    "activite": st.sampled_from(ACTIVITES), "a_charge": st.booleans(),
    "a_charge_de": st.sampled_from((*PRENOMS, "Inconnu")), "indigence_certifiee": st.booleans(),
    "admis_d_office": st.booleans()}).map(_coherent)


@st.composite
def menages_complets(draw) -> dict:
    """Chaque membre entièrement décrit, prénoms distincts, charge envers un autre membre : tout est connu."""
    noms = draw(st.lists(st.sampled_from(PRENOMS), min_size=1, max_size=5, unique=True))
    out = []
    for nom in noms:
        membre = {"prenom": nom, "activite": draw(st.sampled_from(ACTIVITES)),
                  "indigence_certifiee": draw(st.booleans()), "admis_d_office": draw(st.booleans())}
        autres = [n for n in noms if n != nom]
        if autres and draw(st.booleans()):
            membre.update(a_charge=True, a_charge_de=draw(st.sampled_from(autres)))
        else:
            membre["a_charge"] = False
        out.append(membre)
    jour = draw(_dates((dt.date(2009, 6, 26), dt.date(2009, 7, 27)), dt.date(1960, 9, 22)))
    return {"id": "complet", "base": "mali-couverture-maladie", "date_reference": jour, "membres": out}


@st.composite
def menages(draw) -> dict:
    """Un dossier d'orientation valide : une fois sur deux un ménage entièrement décrit dont on ôte
    quelques champs, une fois sur deux des membres quelconques (prénoms parfois répétés, charge
    envers une personne hors du ménage)."""
    if draw(st.booleans()):
        data = draw(menages_complets())
        for _ in range(draw(st.integers(0, 3))):
            membre = draw(st.sampled_from(data["membres"]))
            champs = sorted(k for k in membre if k != "prenom")
            if champs:
                del membre[draw(st.sampled_from(champs))]
        data["date_reference"] = draw(st.one_of(st.just(data["date_reference"]), DATES_MALI))
    else:
        data = {"id": "menage", "base": "mali-couverture-maladie", "date_reference": draw(DATES_MALI)}
        if draw(st.integers(0, 9)):
            data["membres"] = draw(st.lists(membres, max_size=5))
    if draw(st.integers(0, 4)) == 0:
        data["demandes"] = [{"prestation": p} for p in
                            draw(st.lists(st.sampled_from(REGIMES_MALI), min_size=1, unique=True))]
    return data


def _recommandes(decision: Decision) -> dict[int, list[str]]:
    """Membre (indice) → régimes pour lesquels il est recommandé : son nœud rempli, le droit du régime aussi."""
    out: dict[int, list[str]] = {}
    for pid, prestation in decision.prestations.items():
        if prestation.statut != "accorde":
            continue
        for node in prestation.droit.walk():
            if node.id == f"releve_{pid}" and node.etat == "rempli":
                index = int(node.noeud.split("membre(")[1].rstrip(")"))
                out.setdefault(index, []).append(pid)
    return out


# -- Mali : propriétés ------------------------------------------------------------------------
@given(st.lists(menages(), min_size=1, max_size=6))
def test_orientation_exactly_one_status_per_examined_scheme(datas):
    dossiers = [validate(dict(d, id=f"m-{i}"), regime=ORIENTATION) for i, d in enumerate(datas)]
    symbols = solve_symbols(ORIENTATION, dossiers, Mode.DECISION)
    decisions = Counter((s.arguments[0].number, s.arguments[1].name) for s in symbols if s.name == "decision")
    assert all(count == 1 for count in decisions.values())
    assert not [s for s in symbols if s.name == "incoherence"]
    for index, data in enumerate(datas):
        asked = {d["prestation"] for d in data.get("demandes", [])} or set(REGIMES_MALI)
        assert {p for (i, p) in decisions if i == index} == asked


@given(st.lists(menages(), min_size=1, max_size=6))
def test_orientation_at_most_one_scheme_recommended_per_member(datas):
    for data, decision in zip(datas, _decide(ORIENTATION, datas), strict=True):
        recommandes = _recommandes(decision)
        assert all(len(schemes) == 1 for schemes in recommandes.values()), recommandes
        prenoms = [m["prenom"] for m in data.get("membres", [])]
        for pid, prestation in decision.prestations.items():
            listed = prestation.elements.get("membres_orientes", [])
            expected = [prenoms[i] for i in sorted(recommandes) if pid in recommandes[i]]  # dossier order
            assert listed == expected, pid


@given(menages_complets())
def test_orientation_exactly_one_scheme_per_member_when_all_is_known(data):
    (decision,) = _decide(ORIENTATION, [data])
    recommandes = _recommandes(decision)
    assert sorted(recommandes) == list(range(len(data["membres"])))
    assert all(len(schemes) == 1 for schemes in recommandes.values())
    assert all(p.statut != "incomplet" for p in decision.prestations.values())
    for i, membre in enumerate(data["membres"]):
        (scheme,) = recommandes[i]
        amo_en_vigueur = data["date_reference"] >= "2009-06-26"
        ramed_en_vigueur = data["date_reference"] >= "2009-07-27"
        if membre["activite"] in ("salarie", "fonctionnaire", "retraite") and amo_en_vigueur:
            assert scheme == "amo"
        elif scheme != "amo" and ramed_en_vigueur and (membre["indigence_certifiee"] or membre["admis_d_office"]):
            assert scheme == "ramed"


@given(st.lists(menages(), min_size=1, max_size=6))
def test_orientation_failed_and_unknown_conditions_have_a_secondary_source(datas):
    for decision in _decide(ORIENTATION, datas):
        for prestation in decision.prestations.values():
            for node in prestation.droit.walk():
                if node.etat != "rempli":
                    assert node.source and "secondaire" in node.source, (node.noeud, node.source)


@given(menages(), st.data())
def test_orientation_less_information_never_decides_otherwise(data, tirage):
    _less_information(ORIENTATION, data, tirage)

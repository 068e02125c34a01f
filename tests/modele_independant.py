"""Modèle indépendant des allocations familiales (INPS, Mali) : l'oracle des tests différentiels.

Ce module réécrit en Python ordinaire, sans clingo et sans rien importer de
``engine/`` ni de ``kb/``, les règles que la base ASP encode pour les
allocations familiales : conditions générales (activité salariée et son
exception de la veuve, SMIG et son exception de l'apprenti, résidence et son
exception des périodes de suspension), conditions relatives aux enfants
(catégorie, déclaration à l'état civil, charge effective, âge, résidence et
convention de réciprocité, visite médicale), liquidation mensuelle, rappel et
paiement trimestriel à terme échu. Seuls les chiffres de la loi viennent de la
base : les fichiers ``kb/mali/inps/parametres/<prestation>/*.yaml`` (et ``commun/``), lus ici
directement.

La logique est celle de Kleene à trois valeurs : ``True`` (rempli), ``False``
(non rempli) et ``None`` (inconnu). Un champ absent dont dépend une condition
de base est inconnu, jamais un échec. Une exception remplie emporte la
condition ; la condition n'échoue que si sa règle et toutes ses exceptions
échouent : c'est le « ou » de Kleene entre la règle et ses exceptions. Mais
une exception n'est jamais présumée : quand le dossier n'en dit rien (ni
veuvage, ni période de suspension, ni motif ou convention d'un enfant à
l'étranger, ni situation d'un enfant, ni statut), elle est écartée (``False``).

Lectures retenues (celles que les commentaires de la base déclarent) :

- l'enfant ouvre droit de son premier anniversaire à la veille de
  l'anniversaire qui atteint la limite (14 ans ; 18 ou 21 ans quand sa
  situation le dit), l'âge étant apprécié au premier jour du mois ; sans
  situation, la limite est quatorze ans ;
- « enfants issus du mariage déclaré à l'état civil » : c'est le mariage qui
  est déclaré (``mariage.etat_civil``), et la catégorie est la parole du
  dossier : seul ``etat_civil: false`` la fait échouer ; « enfants de la femme
  salariée » : la demandeuse est une femme ;
- l'enfant qui réside à l'étranger pour santé ou éducation, sous convention de
  réciprocité, garde le droit mais relève du régime de son pays : il n'entre
  pas dans le montant malien ;
- un enfant dont une condition reste inconnue (et aucune fausse) n'est ni compté ni
  écarté : il est « en attente », nommé avec les faits absents qui la laissent
  inconnue ; la prestation n'est accordée que si un enfant connu ouvre droit ;
- les mois liquidés vont du neuvième mois précédant celui de la demande à la
  fin du trimestre civil de la date de référence ; chaque trimestre est payé
  le premier jour du mois qui le suit ; les conditions autres que l'âge sont
  tenues pour constantes sur la période ; un droit éteint à la date de
  référence dont des mois restent dus est accordé pour ces mois (montant
  mensuel nul).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PARAMETRES = Path(__file__).resolve().parent.parent / "kb" / "mali" / "inps" / "parametres"

Kleene = bool | None

CONDITIONS_AF = ("salarie", "stage", "activite_mensuelle", "smig", "residence", "enfant_ouvrant_droit")

LIMITE_PORTEE = {
    "apprentissage": "af_age_limite_apprentissage",
    "etudes": "af_age_limite_etudes",
    "infirmite": "af_age_limite_infirmite",
}


# -- logique de Kleene --------------------------------------------------------

def et(*valeurs: Kleene) -> Kleene:
    """Conjonction : fausse dès qu'une valeur l'est, vraie si toutes le sont."""
    if any(v is False for v in valeurs):
        return False
    return None if any(v is None for v in valeurs) else True


def ou(*valeurs: Kleene) -> Kleene:
    """Disjonction : vraie dès qu'une valeur l'est, fausse si toutes le sont (vide : fausse)."""
    if any(v is True for v in valeurs):
        return True
    return None if any(v is None for v in valeurs) else False


def compare(valeur: int | None, seuil: int | None) -> Kleene:
    """``valeur >= seuil``, inconnu si l'un des deux manque."""
    return None if valeur is None or seuil is None else valeur >= seuil


def egal(valeur: Any, attendu: Any) -> Kleene:
    return None if valeur is None else valeur == attendu


def invoquee(faits_donnes: bool, valeur: Kleene) -> Kleene:
    """Une exception que le dossier n'invoque pas (aucun de ses faits donné) est écartée."""
    return valeur if faits_donnes else False


def etat(valeur: Kleene) -> str:
    return {True: "rempli", False: "non_rempli", None: "inconnu"}[valeur]


# -- paramètres datés ---------------------------------------------------------

@cache
def _valeurs(nom: str) -> tuple[tuple[dt.date, Any], ...]:
    """Les valeurs datées d'un paramètre, par date d'effet croissante."""
    # Un dossier par prestation, et commun/ pour les paramètres partagés : le nom est unique.
    (fichier,) = PARAMETRES.glob(f"*/{nom}.yaml")
    data = yaml.safe_load(fichier.read_text(encoding="utf-8"))
    lignes = []
    for debut, entree in data["values"].items():
        debut = debut if isinstance(debut, dt.date) else dt.date.fromisoformat(str(debut))
        lignes.append((debut, entree["value"]))
    return tuple(sorted(lignes, key=lambda ligne: ligne[0]))


def parametre(nom: str, jour: dt.date) -> Any:
    """Valeur en vigueur le ``jour`` : celle de la dernière date d'effet non postérieure ;
    None avant la première (ou après une abrogation, ``value: null``)."""
    en_vigueur = None
    for debut, valeur in _valeurs(nom):
        if debut <= jour:
            en_vigueur = valeur
    return en_vigueur


# -- calendrier ---------------------------------------------------------------

def rang_mois(jour: dt.date) -> int:
    return jour.year * 12 + jour.month - 1


def premier_jour(rang: int) -> dt.date:
    return dt.date(rang // 12, rang % 12 + 1, 1)


def age_revolu(naissance: dt.date, jour: dt.date) -> int:
    """Années révolues ; né un 29 février, on prend un an le 1er mars des années communes."""
    return jour.year - naissance.year - ((jour.month, jour.day) < (naissance.month, naissance.day))


def _date(texte: str | None) -> dt.date | None:
    return None if texte is None else dt.date.fromisoformat(texte)


# -- enfants ------------------------------------------------------------------

def _residence_enfant(enfant: dict[str, Any]) -> tuple[str | None, str | None, bool | None]:
    """(pays, motif, convention) ; la forme courte « pays » ne dit ni motif ni convention."""
    residence = enfant.get("residence")
    if isinstance(residence, dict):
        return residence.get("pays"), residence.get("motif"), residence.get("convention_reciprocite")
    return residence, None, None


def age_admis(enfant: dict[str, Any], jour: dt.date) -> Kleene:
    """L'âge de l'enfant au ``jour`` (premier du mois) ouvre-t-il droit ?"""
    naissance = _date(enfant.get("date_naissance"))
    if naissance is None:
        return None
    if naissance > jour:  # pas encore né le premier du mois
        return False
    age = age_revolu(naissance, jour)
    minimum = parametre("af_age_minimum", jour)
    if minimum is not None and age < minimum:
        return False
    # La limite de la règle, ou celle que porte la situation de l'enfant quand le
    # dossier la donne (exception invoquée).
    situation = enfant.get("situation")
    nom = LIMITE_PORTEE.get(situation, "af_age_limite")
    limite = parametre(nom, jour)
    if limite is None or minimum is None:
        return None
    return age < limite


def conditions_enfant(enfant: dict[str, Any], dossier: dict[str, Any], jour: dt.date) -> dict[str, Kleene]:
    """Les conditions d'un enfant, l'âge étant apprécié au ``jour``."""
    demandeur = dossier.get("demandeur", {})
    mariage = dossier.get("mariage", {})
    categorie = enfant.get("categorie")
    if categorie is None:
        cat: Kleene = None
    elif categorie == "mariage":
        cat = mariage.get("etat_civil") is not False
    elif categorie == "enfant_salariee":
        cat = egal(demandeur.get("sexe"), "F")
    else:
        cat = True
    pays, motif, convention = _residence_enfant(enfant)
    residence_regle = egal(pays, "Mali")
    if pays == "Mali":
        exception_convention: Kleene = False
    else:
        motif_admis = None if motif is None else motif in ("sante", "education")
        exception_convention = invoquee(motif is not None or convention is not None, et(motif_admis, convention))
    return {
        "categorie": cat,
        "declaration_etat_civil": enfant.get("declare_etat_civil"),
        "charge_effective": enfant.get("a_charge"),
        "age": age_admis(enfant, jour),
        "residence_enfant": ou(residence_regle, exception_convention),
        "visite_medicale": enfant.get("visite_medicale"),
        # Résidence admise par la seule convention : régime du pays de l'enfant.
        "_regime_etranger": residence_regle is not True and exception_convention is True,
    }


def faits_manquants(enfant: dict[str, Any], i: int, conditions: dict[str, Kleene],
                    dossier: dict[str, Any]) -> list[str]:
    """Les faits absents dont dépendent les conditions inconnues de l'enfant ``i``, par leur chemin.

    La situation n'en est jamais un : elle n'invoque qu'une exception. Un enfant à
    l'étranger dont le dossier donne le motif ou la convention attend l'autre.
    """
    ici = f"enfants[{i}]"
    manque = []
    # Dans l'ordre du dossier : le demandeur avant les enfants, les champs d'un enfant dans l'ordre du contrat.
    if conditions["categorie"] is None and "categorie" in enfant and "sexe" not in dossier.get("demandeur", {}):
        manque.append("demandeur.sexe")
    if conditions["age"] is None and "date_naissance" not in enfant:
        manque.append(f"{ici}.date_naissance")
    if conditions["categorie"] is None and "categorie" not in enfant:
        manque.append(f"{ici}.categorie")
    for condition, champ in (("declaration_etat_civil", "declare_etat_civil"), ("charge_effective", "a_charge")):
        if conditions[condition] is None:
            manque.append(f"{ici}.{champ}")
    if conditions["residence_enfant"] is None:
        residence = enfant.get("residence")
        if residence is None:
            manque.append(f"{ici}.residence")
        else:
            manque += [f"{ici}.residence.{champ}" for champ in ("motif", "convention_reciprocite")
                       if champ not in residence]
    if conditions["visite_medicale"] is None:
        manque.append(f"{ici}.visite_medicale")
    return manque


def _hors_age(conditions: dict[str, Kleene]) -> bool:
    return all(v is True for k, v in conditions.items() if k not in ("age", "_regime_etranger"))


# -- la prestation ------------------------------------------------------------

def _examinee(dossier: dict[str, Any]) -> bool:
    demandes = dossier.get("demandes")
    return demandes is None or any(d["prestation"] == "allocations_familiales" for d in demandes)


def date_demande(dossier: dict[str, Any]) -> dt.date:
    """La plus ancienne demande datée ; à défaut, la date de référence."""
    dates = [
        dt.date.fromisoformat(d["date"])
        for d in dossier.get("demandes") or []
        if d["prestation"] == "allocations_familiales" and "date" in d
    ]
    return min(dates) if dates else dt.date.fromisoformat(dossier["date_reference"])


def conditions_generales(dossier: dict[str, Any]) -> dict[str, Kleene]:
    """Les cinq conditions relatives au travailleur, exceptions comprises."""
    demandeur = dossier.get("demandeur", {})
    reference = dt.date.fromisoformat(dossier["date_reference"])
    statut = demandeur.get("statut")

    sexe = demandeur.get("sexe")
    veuve = False if sexe == "M" else invoquee(
        "veuve_allocataire" in demandeur, et(demandeur.get("veuve_allocataire"), egal(sexe, "F")))
    apprenti = invoquee(statut is not None, egal(statut, "apprenti"))

    salarie = None if statut is None else statut in ("salarie", "apprenti")
    premiere = demandeur.get("premiere_demande")
    stage = ou(None if premiere is None else not premiere,
               compare(demandeur.get("mois_consecutifs"), parametre("stage_duree_mois", reference)))
    # Les jours assimilés (repos médical, congés) « sont considérés comme journées de
    # travail » : ils s'ajoutent aux jours travaillés, comptés pour zéro s'ils manquent.
    # Jours travaillés inconnus : au moins les jours assimilés ont été travaillés, ce
    # qui suffit quand ils atteignent à eux seuls le minimum.
    jours_minimum = parametre("activite_jours_minimum", reference)
    jours, assimiles = demandeur.get("jours_mois"), demandeur.get("jours_assimiles")
    if jours is not None:
        jours_suffisent = compare(jours + (assimiles or 0), jours_minimum)
    else:
        jours_suffisent = True if compare(assimiles, jours_minimum) else None
    activite = ou(jours_suffisent,
                  compare(demandeur.get("heures_mois"), parametre("activite_heures_minimum", reference)))
    smig = compare(demandeur.get("salaire_mensuel"), parametre("smig_mensuel", reference))
    suspension = demandeur.get("periode_suspension")
    return {
        "salarie": ou(salarie, veuve),
        "stage": ou(stage, veuve),
        "activite_mensuelle": ou(activite, veuve),
        "smig": ou(smig, apprenti, veuve),
        "residence": ou(egal(demandeur.get("residence"), "Mali"),
                        invoquee(suspension is not None, suspension != "aucune")),
    }


def evaluer(dossier: dict[str, Any]) -> dict[str, Any] | None:
    """La décision sur les allocations familiales, ou None si elles ne sont pas examinées.

    Clés : ``statut`` ; ``montant_mensuel`` (None sauf accord) ; ``enfants_ouvrant_droit``
    (prénoms dans l'ordre du dossier, comptés dans le montant du mois de référence, vide sauf accord) ;
    ``enfants_en_attente`` [(prénom, chemins des faits manquants)] : les enfants dont on ne sait pas
    s'ils ouvrent droit, sauf si une condition du travailleur n'est pas remplie ;
    ``etats`` (état de chaque condition de premier niveau) ; ``etats_enfants`` (prénom →
    état de la condition de l'enfant). Quand quelque chose est payé (accord, ou mois dus
    d.un droit pas ouvert le mois de référence), aussi ``mensualites`` [(mois, enfants, montant)],
    ``rappel``, ``echeances`` [(échéance, montant)] et ``total_echeancier``.
    """
    if not _examinee(dossier):
        return None
    reference = dt.date.fromisoformat(dossier["date_reference"])
    rang_reference = rang_mois(reference)
    enfants = dossier.get("enfants")

    def conditions_au(rang: int) -> list[dict[str, Kleene]]:
        return [conditions_enfant(e, dossier, premier_jour(rang)) for e in enfants or []]

    au_reference = conditions_au(rang_reference)
    beneficiaires = [
        et(*(v for k, v in c.items() if not k.startswith("_"))) for c in au_reference
    ]
    valeurs = conditions_generales(dossier)
    travailleur = et(*valeurs.values())
    # Un enfant dont on ne sait pas s'il ouvre droit est en attente, avec ce qui lui manque ;
    # sauf si le travailleur lui-même ne remplit pas ses conditions (rien ne serait versé).
    en_attente = [] if travailleur is False else [
        (i, (e.get("prenom"), faits_manquants(e, i, c, dossier)))
        for i, (e, c, b) in enumerate(zip(enfants or [], au_reference, beneficiaires, strict=True)) if b is None
    ]
    # Sans liste d'enfants, on ignore s'il y en a ; une liste vide dit qu'il n'y en a pas.
    valeurs["enfant_ouvrant_droit"] = ou(*beneficiaires) if enfants is not None else None
    droit = et(*valeurs.values())
    resultat: dict[str, Any] = {
        "statut": {True: "accorde", False: "refuse", None: "incomplet"}[droit],
        "montant_mensuel": None,
        "enfants_ouvrant_droit": [],
        "etats": {nom: etat(valeurs[nom]) for nom in CONDITIONS_AF},
        "etats_enfants": {e["prenom"]: etat(b) for e, b in zip(enfants or [], beneficiaires, strict=True)},
        "enfants_en_attente": [],
    }
    # Un droit éteint aujourd'hui (l'âge) peut laisser des mois du rappel dus : si, l'un de ces mois, un
    # enfant avait l'âge admis et que rien ne l'écarte, mais que sa condition hors âge ou celle du travailleur
    # reste inconnue, ces mois attendent le fait : incomplet, jamais refusé (l'argent peut-être dû n'est pas
    # caché) ; l'enfant est en attente quand c'est l'un de ses faits qui manque.
    # De même pour un enfant qui n'a pas encore l'âge admis au mois de référence mais l'atteint avant la fin
    # du trimestre payé : ses mois à venir attendent le fait qui lui manque (il est en attente), que le droit
    # soit ouvert par un autre enfant ou non.
    if travailleur is not False and enfants:
        debut = rang_mois(date_demande(dossier)) - parametre("af_rappel_mois", reference)
        periodicite = parametre("af_periodicite_mois", reference)
        fin = rang_reference - rang_reference % periodicite + periodicite - 1
        for i, (enfant, b) in enumerate(zip(enfants, beneficiaires, strict=True)):
            if b is not False:  # ouvre droit au mois de référence, ou y est déjà en attente
                continue
            passes = [conditions_enfant(enfant, dossier, premier_jour(r)) for r in range(debut, rang_reference)]
            a_venir = [conditions_enfant(enfant, dossier, premier_jour(r)) for r in range(rang_reference + 1, fin + 1)]
            mois = passes + a_venir
            hors_age = [v for k, v in (mois[0] if mois else {}).items() if k not in ("age", "_regime_etranger")]
            if not mois or False in hors_age:
                continue
            admis_passe = any(c["age"] is True for c in passes)
            admis_a_venir = au_reference[i]["age"] is not True and any(c["age"] is True for c in a_venir)
            if None in hors_age and travailleur is True and (admis_passe or admis_a_venir):
                if droit is False:
                    resultat["statut"] = "incomplet"
                en_attente.append((i, (enfant.get("prenom"), faits_manquants(enfant, i, mois[0], dossier))))
            elif travailleur is None and droit is False and admis_passe:
                resultat["statut"] = "incomplet"
    resultat["enfants_en_attente"] = [attente for _, attente in sorted(en_attente, key=lambda x: x[0])]
    if travailleur is not True:
        return resultat

    def comptes(rang: int) -> list[str]:
        return [
            e["prenom"]
            for e, c in zip(enfants or [], conditions_au(rang), strict=True)
            if _hors_age(c) and c["age"] is True and not c["_regime_etranger"]
        ]

    def montant_du_mois(rang: int) -> int | None:
        par_enfant = parametre("af_montant_par_enfant", premier_jour(rang))
        return None if par_enfant is None else par_enfant * len(comptes(rang))

    if droit is True:
        resultat["enfants_ouvrant_droit"] = comptes(rang_reference)
        resultat["montant_mensuel"] = montant_du_mois(rang_reference)

    # Mois liquidés : rappel de neuf mois avant la demande, jusqu'à la fin du
    # trimestre de la date de référence ; le mois de référence l'est toujours.
    # Les conditions du travailleur remplies, chaque mois compte les enfants dont
    # l'âge était admis ce mois-là : un droit éteint depuis reste dû au rappel.
    periodicite = parametre("af_periodicite_mois", reference)
    rang_demande = rang_mois(date_demande(dossier))
    premier = rang_demande - parametre("af_rappel_mois", reference)
    dernier = rang_reference - rang_reference % periodicite + periodicite - 1
    mensualites = []
    for rang in sorted(set(range(premier, dernier + 1)) | {rang_reference}):
        montant = montant_du_mois(rang)
        if montant is not None:
            mensualites.append((rang, len(comptes(rang)), montant))
    rappel = sum(m for r, _, m in mensualites if r < rang_demande)
    # Rien n'est payé d'un droit qui n'est pas ouvert le mois de référence sauf des mois où un enfant connu
    # l'ouvre : ceux du rappel (l'âge l'a écarté depuis) ou ceux du trimestre payé (il a l'âge admis après).
    if droit is not True and sum(m for _, _, m in mensualites) == 0:
        return resultat
    if droit is False:  # pas ouvert le mois de référence, des mois sont dus : accordé pour ces mois
        resultat["statut"] = "accorde"
        resultat["montant_mensuel"] = 0
    trimestres: dict[int, int] = {}
    for rang, _, montant in mensualites:
        debut = rang - rang % periodicite
        trimestres[debut] = trimestres.get(debut, 0) + montant
    resultat["mensualites"] = [(premier_jour(r), n, m) for r, n, m in mensualites]
    resultat["rappel"] = rappel
    # Un trimestre sans montant n'a pas d'échéance.
    resultat["echeances"] = [
        (premier_jour(q + periodicite), somme) for q, somme in sorted(trimestres.items()) if somme > 0
    ]
    resultat["total_echeancier"] = sum(m for _, _, m in mensualites)
    return resultat

"""What a letter says: the context its template prints, built from the decision, the catalogue and the letterhead.

A decision on a prestation becomes one of three letters, after its status
(:func:`letter_type`): ``accorde`` → attribution, ``refuse`` → rejet,
``incomplet`` → demande de pièces. The words of the law come from the
decision and the regime's phrase catalogue, through :func:`explain.why.context`
(``lettres.yaml`` for what is specific to letters); the words of the office
from its letterhead (:mod:`explain.lettres.entete`).

Every text that comes from the dossier or the catalogue is escaped for
Markdown when the context is built: templates may print it as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import jinja2

from engine.dossier import Dossier
from engine.model import Decision, Etat, Statut
from engine.paths import chemin_generique
from engine.regime import regime_de_decision
from explain import format as fmt
from explain.attente import dus_sans_attendre
from explain.format import md
from explain.lettres.entete import ACTES, contestation, contexte_entete, recours_contexte
from explain.lettres.mots import MONNAIE_DEFAUT, citoyen, civilite, en_lettres, liste, valeur_en_mots
from explain.phrases import SEXES, Catalogue, PhraseError, catalogue_de
from explain.render import amendements, dispositions, ordre_montants
from explain.why import Node, branche, change_text, changements_montres, context
from usecases.courrier import LettreError
from usecases.entete import EnteteError, entete_regime
from usecases.entete import entete as merge_entete

TYPES = {Statut.accorde: "attribution", Statut.refuse: "rejet", Statut.incomplet: "pieces"}
NOMS_TYPES = {"attribution": "décision d'attribution", "rejet": "décision de rejet", "pieces": "demande de pièces"}


# -- what a letter says ------------------------------------------------------------
@dataclass
class Raison:
    """A condition in a letter: its name, its plain sentence, its source, and what causes it."""

    libelle: str
    phrase: str
    source: str
    sous_raisons: list[Raison] = field(default_factory=list)
    id: str = ""  # the condition's id, for an office template that groups reasons; never printed as such
    objet: str | None = None


def _raison(node: Node, notes: tuple[str, ...], source_parent: str = "") -> Raison:
    c = node.condition
    libelle = f"{node.libelle} ({node.objet})" if node.objet else node.libelle
    # A source repeated under its parent says nothing new.
    source = node.source if node.source != source_parent else ""
    return Raison(md(libelle), citoyen(node.phrase, notes), citoyen(source, notes),
                  [_raison(child, notes, node.source) for child in node.children], c.id, c.objet)


def _walk(nodes: list[Node], parent: Node | None = None):
    for node in nodes:
        yield node, parent
        yield from _walk(node.children, node)


def _feuilles(nodes: list[Node]) -> list[Node]:
    return [n for n, _ in _walk(nodes) if not n.children]


def render_phrase(phrases: Catalogue, template: str, values: dict[str, Any]) -> str:
    env = _phrase_env(phrases)
    try:
        return fmt.espaces(env.from_string(template).render({**phrases.en_vigueur, **values}))
    except jinja2.TemplateError as exc:
        raise PhraseError(f"lettres.yaml : {exc}") from exc


@functools.cache
def _phrase_env(phrases: Catalogue) -> jinja2.Environment:
    env = phrases.env.overlay()
    env.filters["liste"] = liste
    return env


def _applies(entry: dict[str, Any], prestation: str) -> bool:
    return "prestations" not in entry or prestation in entry["prestations"]


def _maintien(ctx: dict[str, Any], phrases: Catalogue, config: dict[str, Any], prestation: str,
              sexes: dict[str, str]) -> list[dict[str, str]]:
    """What must stay true for a granted prestation to be paid (lettres.yaml, ``maintien``)."""
    # A condition met by an exception is not kept by meeting it (a child abroad under a convention).
    met = [n for n, _ in _walk(ctx["remplies"]) if not n.condition.par_exception]
    out: list[dict[str, str]] = []
    for cid, entry in config.get("maintien", {}).items():
        nodes = [n for n in met if n.condition.id == cid]
        if not nodes or not _applies(entry, prestation):
            continue
        groups = [[n] for n in nodes] if entry.get("chaque") else [nodes]
        for group in groups:
            first = group[0].condition
            objets = list(dict.fromkeys(n.objet for n in group if n.objet))
            values = {"objet": phrases.objet(first.objet), **first.context(), "objets": objets, SEXES: sexes}
            phrase = render_phrase(phrases, entry["phrase"], values)
            if phrase:
                out.append({"phrase": md(phrase), "source": md(group[0].source)})
    return out


def _versement(prestation, phrases: Catalogue, sexes: dict[str, str], notes: tuple[str, ...]) -> list[dict[str, str]]:
    """The guide's provisions on how the prestation is paid, each in French with its source."""
    return [{"phrase": md(d["phrase"]), "source": citoyen(d["source"], notes)}
            for d in dispositions(prestation, phrases, sexes)]


def _what_if(answer, phrases: Catalogue, sexes: dict[str, str]) -> list[str]:
    """The proposals of a what-if search, in the words of ``prevoyance why --what-if``; a proposal
    with a change the catalogue cannot word is left out rather than shown with a dossier path."""
    templates = phrases.data.get("modifications", {})
    out = []
    for ensemble in answer.ensembles:
        waiting = ensemble.date_eligibilite
        changes = changements_montres(ensemble)
        if any(chemin_generique(c.chemin) not in templates for c in changes):
            continue
        texts = [change_text(c, phrases, waiting is not None, sexes) for c in changes]
        if waiting:
            text = f"attendre le {fmt.date_fr(waiting)} : le droit s'ouvre à cette date"
            condition = liste(texts)
            text += f", à condition {condition if condition.startswith('qu') else fmt.de(condition)}" if texts else ""
        else:
            text = liste(texts)
        out.append(md(fmt.majuscule(text)))
    return out


def en_tete_de_lettre(dossier: Dossier | None, decision: Decision, entete: dict[str, Any], sexes: dict[str, str],
                      type_: str, nom_type: str, date: dt.date) -> dict[str, Any]:
    """What every letter's context opens with, whatever its type: the office, the date, the reference, the
    addressee, how to contest and the salutation."""
    return {
        "type": type_,
        "nom_type": nom_type,
        "entete": contexte_entete(entete),
        "date": date,
        "dossier": md(decision.dossier),
        "destinataire": destinataire(dossier, sexes, decision),
        "contestation": contestation_du_type(entete, type_, date),
        "acte": ACTES[type_],
        "recours": recours_contexte(entete, date),
        "salutation": salutation(sexes),
    }


def textes_cites(decision: Decision, pid: str, phrases: Catalogue) -> list[str]:
    """The texts the decision applies: the regime's guide, and the articles its conditions cite."""
    regime = phrases.regime
    prestation = decision.prestations[pid]
    # A condition may cite several texts ("Loi n°99-041, art. 28 ; Code du travail, art. L179"): each once.
    articles = list(dict.fromkeys(part.strip() for c in prestation.droit.walk() if c.article
                                  for part in c.article.split(" ; ") if part.strip()))
    # A regime whose own notes name its sources for analysts gives the texts a letter cites (lettres.yaml).
    cites = " ".join(phrases.data.get("lettres", {}).get("textes", "").split())
    principale = cites or regime.meta.get("source_principale", "")
    textes = [principale, *articles] if articles or cites else [principale, regime.meta.get("texte", "")]
    # A decision taken under an amendment says so among the texts it applies.
    textes += [f"amendement : {a}" for a in amendements(decision)]
    return [md(t) for t in dict.fromkeys(textes) if t]


def salutation(sexes: dict[str, str]) -> str:
    return civilite(sexes) or "Madame, Monsieur"


# The fields an addressee block needs to be posted, and what the clerk is told when they are missing.
MANQUES = {("nom",): "le dossier ne donne pas le nom du demandeur",
           ("adresse",): "le dossier ne donne pas l'adresse du demandeur",
           ("nom", "adresse"): "le dossier ne donne ni le nom ni l'adresse du demandeur"}


def manques_destinataire(dossier: Dossier | None) -> list[str]:
    """What the dossier lacks for the letter's addressee block (``demandeur.nom``, ``demandeur.adresse``):
    ``["nom", "adresse"]``, ``[]`` when the letter can be posted as it is."""
    demandeur = (dossier.data.get("demandeur") or {}) if dossier else {}
    return [k for k in ("nom", "adresse") if not str(demandeur.get(k) or "").strip()]


def avertissement_destinataire(manques: list[str]) -> str | None:
    """The clerk's warning for a letter without a complete addressee (CLI, console), in French; None if complete."""
    if not manques:
        return None
    return (f"lettre sans destinataire complet : {MANQUES[tuple(manques)]} ; le bloc du destinataire est "
            "laissé en blanc, à remplir à la main avant l'envoi")


def destinataire(dossier: Dossier | None, sexes: dict[str, str], decision: Decision) -> dict[str, Any]:
    """To whom the letter goes (``demandeur.nom``, ``prenoms``, ``adresse``, ``numero_immatriculation``), what
    is missing for it to be posted (``manques``: the letter leaves those lines blank), and its reference: the
    dossier's id, with the registration number when known (``ref``, the « Réf. » line)."""
    demandeur = (dossier.data.get("demandeur") or {}) if dossier else {}
    manques = manques_destinataire(dossier)
    nom = " ".join(str(demandeur[k]) for k in ("prenoms", "nom") if demandeur.get(k)) if "nom" not in manques else ""
    ligne = " ".join(x for x in (civilite(sexes), nom) if x) if nom else ""
    adresse = [part.strip() for part in str(demandeur.get("adresse") or "").splitlines() if part.strip()]
    numero = demandeur.get("numero_immatriculation")
    ref = f"Dossier n° {md(decision.dossier)}" + (f" — N° d'immatriculation : {md(numero)}" if numero else "")
    return {"nom": md(ligne), "adresse": [md(a) for a in adresse], "manques": manques,
            "immatriculation": md(numero) if numero else None, "ref": ref,
            "reference": md(decision.dossier), "nom_reference": "Dossier n°"}


def contestation_du_type(entete: dict[str, Any], type_: str, date: dt.date) -> str:
    """How to contest: in every letter (a decision, a request for documents, an orientation)."""
    try:
        return contestation(entete, ACTES[type_], date)
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc


def _de_l_attente(node: Node, prestation) -> bool:
    """Whether a condition is one of a pending child's or instalment's own (``age(enfant(2))``)."""
    return any(f"({item.entite})" in node.condition.noeud for item in prestation.en_attente)


def _en_attente(ctx: dict[str, Any], notes: tuple[str, ...]) -> dict[str, Any]:
    """The letter's section on pending children and instalments: each named, with what is not paid yet and
    when it will be, the facts to establish and the documents to bring (explain/attente.py)."""
    prestation = ctx["prestation"]
    manques, sources = [], []
    for item in prestation.en_attente:
        # The unknown conditions the item waits on, in the catalogue's plain sentences, and their sources.
        own = [n for n, _ in _walk(ctx["arbre"]) if n.condition.etat == Etat.inconnu
               and n.condition.mode is None and f"({item.entite})" in n.condition.noeud]
        manques.append(list(dict.fromkeys(citoyen(n.phrase, notes) for n in own)))
        sources.append(" ; ".join(dict.fromkeys(n.source for n in own if n.source)))
    return {
        "attente_titre": md(ctx["attente_titre"]),
        "en_attente": [{"objet": md(a.objet), "phrase": citoyen(a.phrase, notes), "manques": manque,
                        "pieces": [md(p) for p in a.pieces], "source": citoyen(source, notes)}
                       for a, manque, source in zip(ctx["attentes"], manques, sources, strict=True)],
    }


def letter_type(statut: str) -> str:
    """``accorde`` → ``attribution``, ``refuse`` → ``rejet``, ``incomplet`` → ``pieces``."""
    return TYPES[statut]


def letter_context(dossier: Dossier | None, decision: Decision, pid: str, entete: dict[str, Any] | None = None,
                   answer=None, date: dt.date | None = None) -> dict[str, Any]:
    """Everything a letter template shows, its texts already escaped for Markdown.

    ``entete`` is the office's fields over the regime's letterhead (:func:`usecases.courrier.load_bureau_lettres`;
    ``None``: the regime's own); ``answer`` a what-if search for a refusal
    (:func:`usecases.whatif.what_if`); ``date`` the date of the letter (default: the date of the decision).
    """
    if pid not in decision.prestations:
        known = ", ".join(decision.prestations) or "aucune"
        raise LettreError(f"prestation « {pid} » non examinée pour ce dossier (examinées : {known})")
    regime = regime_de_decision(decision.base, decision.version_base)
    try:
        entete = merge_entete(regime, entete) if entete is not None else entete_regime(regime)
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc
    ctx = context(decision, pid, None, None)
    phrases = catalogue_de(decision)
    config = phrases.data.get("lettres", {})
    notes = tuple(config.get("notes_analyste", []))
    sexes = decision.sexes
    monnaie = config.get("monnaie", MONNAIE_DEFAUT)
    prestation = ctx["prestation"]
    date = date or decision.date_reference
    type_ = letter_type(prestation.statut)

    # Inside a granted prestation, a branch may fail (a child too old, a missed
    # examination) or wait (an examination to come): said apart from the grant.
    non_dus, a_venir = [], []
    for node, parent in _walk(ctx["arbre"]):
        if parent is not None and parent.condition.etat == Etat.rempli and not node.exception:
            if node.condition.etat == Etat.non_rempli:
                non_dus.append(branche(node, Etat.non_rempli))
            elif node.condition.etat == Etat.inconnu:
                a_venir.extend(_feuilles([branche(node, Etat.inconnu)]))
    # A pending child or instalment has its own section (:func:`_en_attente`), not a line among these.
    a_venir = [n for n in a_venir if not _de_l_attente(n, prestation)]

    informations = []
    seen = set()
    for node in _feuilles(ctx["inconnues"]):
        if _de_l_attente(node, prestation):
            continue
        phrase = citoyen(node.phrase, notes)
        if phrase in seen:
            continue
        seen.add(phrase)
        informations.append({"phrase": phrase, "source": citoyen(node.source, notes),
                             "pieces": [md(phrases.label("pieces", p)) for p in node.condition.justificatifs]})

    non_payes = set(config.get("montants_non_dus", []))
    # The catalogue's common labels, in its common order: a prestation's own labels (``why``'s) are not a letter's.
    montants = [(kind, phrases.label("montants", kind), prestation.montants[kind])
                for kind in ordre_montants(prestation.montants, phrases)]
    changement = config.get("changement")
    omises = set(config.get("informations_omises", []))
    known_labels = {k: phrases.texte(v) for k, v in phrases.data.get("informations", {}).items() if k not in omises}
    return {
        **en_tete_de_lettre(dossier, decision, entete, sexes, type_, NOMS_TYPES[type_], date),
        "libelle": md(ctx["libelle"]),
        "statut": md(ctx["statut"]),
        "date_demande": prestation.date_demande,
        "montants": [{"libelle": md(label), "valeur": value, "lettres": en_lettres(value, monnaie)}
                     for kind, label, value in montants if value and kind not in non_payes],
        "montants_non_dus": [{"libelle": md(label), "valeur": value, "lettres": en_lettres(value, monnaie)}
                             for kind, label, value in montants if value and kind in non_payes],
        "montants_dus_sans_attendre": dus_sans_attendre(prestation),
        "montant_par_enfant": (en_lettres(ctx["montant_par_enfant"], monnaie)
                               if ctx["montant_par_enfant"] is not None and prestation.enfants_ouvrant_droit else None),
        "enfants_ouvrant_droit": [md(e) for e in prestation.enfants_ouvrant_droit],
        # An instalment due before the letter is arrears (« rappel »): the letter says so, unless its payment
        # is suspended (its event says so: nothing is owed to the reader).
        "echeancier": [{"date": d, "evenement": md(event), "montant": amount,
                        "rappel": d < date and not e.suspendue, "suspendue": e.suspendue}
                       for (d, event, amount), e in zip(ctx["echeancier"], prestation.echeancier, strict=True)],
        # To whom and how it is paid: a guardian, a designated person, a suspension, an unlimited recall.
        "versement": _versement(prestation, phrases, sexes, notes),
        "pertes": [{"evenement": md(event), "montant": amount, "lettres": en_lettres(amount, monnaie)}
                   for event, amount in ctx["pertes"]],
        # Only the values the catalogue names: a bare key would be an internal id.
        # Not amounts (counts, yes/no, labels, dates): printed apart from « Montant », in words.
        "informations": [(md(known_labels[k]), md(valeur_en_mots(v))) for k, v in prestation.informations.items()
                         if k in known_labels and not isinstance(v, (list, tuple))]
        + [(md(known_labels[k]), md(liste(valeur_en_mots(x) for x in v))) for k, v in prestation.elements.items()
           if k in known_labels and v],
        "raisons": [_raison(n, notes) for n in ctx["echecs"]],
        "non_dus": [_raison(n, notes) for n in non_dus],
        "a_venir": [{"phrase": citoyen(n.phrase, notes), "source": citoyen(n.source, notes)} for n in a_venir],
        "maintien": _maintien(ctx, phrases, config, pid, sexes) if type_ == "attribution" else [],
        "changement": (md(phrases.texte(changement["phrase"]).strip()) if changement and type_ == "attribution"
                       and _applies(changement, pid) else None),
        "what_if": _what_if(answer, phrases, sexes) if answer is not None else [],
        # An exception the dossier does not invoke is what would change a refusal: its sentence and
        # the documents that would establish it (docs/ambiguites.md, « Lire le silence d'un dossier »).
        "exceptions": ([{"phrase": citoyen(x.phrase, notes), "pieces": [md(p) for p in x.pieces]}
                        for x in ctx["exceptions_non_invoquees"]] if type_ == "rejet" else []),
        "pieces_manquantes": [md(p) for p in ctx["pieces_manquantes"]],
        # Documents to bring, when the dossier does not list those handed in; a regime whose « pièces » are
        # not documents to bring (lettres.yaml, pieces_du_dossier: false) asks for none.
        "pieces_a_fournir": ([md(p) for p in ctx["pieces_a_fournir"]] if config.get("pieces_du_dossier", True)
                             else []),
        "informations_manquantes": informations,
        **_en_attente(ctx, notes),
        "echeance_reponse": date + dt.timedelta(days=entete["delai_reponse_jours"]),
        "textes": textes_cites(decision, pid, phrases),
        # For PDF metadata and tests only; not printed by the templates.
        "_entete": entete,
        "_prestation": prestation,
        "_version": decision.version_base,
    }

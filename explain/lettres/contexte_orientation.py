"""What the household's orientation letter says (a regime that orients a household among schemes,
:mod:`explain.orientation`): the context its template prints, built as :mod:`explain.lettres.contexte`
builds a decision's letter, with its letterhead, addressee and texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.dossier import Dossier
from engine.model import Decision
from engine.regime import load_regime
from explain.format import md
from explain.lettres.contexte import en_tete_de_lettre, render_phrase, textes_cites
from explain.lettres.mots import citoyen
from explain.phrases import SEXES, catalogue_de
from usecases.courrier import LettreError
from usecases.entete import EnteteError, entete_regime
from usecases.entete import entete as merge_entete


def orientation_context(dossier: Dossier | None, decision: Decision, entete: dict[str, Any] | None = None,
                        date: dt.date | None = None) -> dict[str, Any]:
    """The context of the one letter that tells a household its orientation (:mod:`explain.orientation`):
    each scheme with its members and the reason for each, what to bring, whom to see, and the members
    still pending with what is missing. A member covered by one scheme is never said refused by the others."""
    from explain.orientation import orientation  # late: explain.orientation is read by the text outputs too

    regime = load_regime(decision.base)
    try:
        entete = merge_entete(regime, entete) if entete is not None else entete_regime(regime)
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc
    phrases = catalogue_de(decision)
    config = phrases.data.get("lettres", {})
    notes = tuple(config.get("notes_analyste", []))
    sexes = decision.sexes
    date = date or decision.date_reference
    o = orientation(decision)
    if o is None:
        raise LettreError(f"le régime {decision.base} n'oriente pas de ménage")
    regimes = [{"id": r.id, "titre": md(r.titre), "annonce": md(r.annonce), "demarche": md(r.demarche),
                "pieces": [md(p) for p in r.pieces],
                "membres": [{"nom": md(m.nom), "raison": citoyen(m.raison, notes)} for m in r.membres]}
               for r in o.regimes]
    attente = [{"nom": md(m.nom), "phrase": md(m.phrase), "questions": [md(q) for q in m.questions],
                "pieces": [md(p) for p in m.pieces]} for m in o.en_attente]
    tableau = [(md(nom), md(titre)) for nom, titre in o.tableau(o.config["a_preciser"])]
    dates = [p.date_demande for p in decision.prestations.values() if p.date_demande]
    type_ = "orientation"
    libelle = " ".join(o.objet.split())
    reponse = (render_phrase(phrases, o.config["attente_reponse"], {"noms": [m.nom for m in o.en_attente],
                                                                    SEXES: sexes})
               if o.en_attente else "")
    return {
        **en_tete_de_lettre(dossier, decision, entete, sexes, type_, "lettre d'orientation", date),
        "libelle": md(libelle),
        "statut": "",
        "date_demande": min(dates) if dates else None,
        "orientation": {"introduction": md(o.introduction), "regimes": regimes, "en_attente": attente,
                        "tableau": tableau, "colonne_membre": md(o.config["colonne_membre"]),
                        "colonne_regime": md(o.config["colonne_regime"]),
                        "attente_titre": md(o.config["attente_titre"]), "reponse": md(reponse)},
        "echeance_reponse": date + dt.timedelta(days=entete["delai_reponse_jours"]),
        "textes": textes_cites(decision, next(iter(decision.prestations)), phrases) if decision.prestations else [],
        "_entete": entete,
        "_version": decision.version_base,
    }

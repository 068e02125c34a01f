"""The atoms read back from clingo, declared once: one record per shown predicate, one reader each.

Every predicate the programs show (``kb/commun/sortie.lp``, the shows of each
mode in :mod:`engine.program`, the summary's in :mod:`engine.speedups.summary_cut`) has
here a record naming its arguments in order, each with its kind: how its term
becomes a Python value. ``AtomeMontant.read(symbol.arguments)``, or
:func:`read` for any shown symbol, gives the record; readers of answer sets
(:mod:`engine.read`, :mod:`engine.resume`, the tools) use its fields, never an
argument's position.

A record is a ``NamedTuple`` (``AtomeMontant(dossier, prestation, nature,
valeur)``): an answer set has thousands of symbols, and a tuple is the cheapest
typed record Python builds. States and statuses become :class:`engine.model.Etat`
and :class:`engine.model.Statut`; a term the reader sorts on or prints as the
base writes it (a condition node ``age(enfant(0))``, an entity) stays a
``clingo.Symbol``, whose order is the dossier's.

Each reader is a plain closure over its kinds' functions (:func:`_reader`). Until issue 24 the readers were
Python source written out per record and run through ``exec``; bench/lecteurs.py reads the same answer sets
(200 generated dossiers, explanation and summary modes, 41 297 atoms) with both, alternating in one process,
30 turns (2026-12-07 18:52 UTC, load average 7.6, the 2-core machine shared by five): per turn, the
closures take 1.010 times the time of the ``exec`` readers (median; quartiles 0.985 to 1.023), within
noise, so ``exec`` is gone; a loop over the functions (``map``) took 1.060 (1.031 to 1.129). A second run
with the code as it stands (18:58 UTC, load 8.2): 1.005 (0.962 to 1.026), and 1.045 (1.001 to 1.055).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, NamedTuple

import clingo

from engine.facts import to_python
from engine.model import Etat, Statut

Args = Sequence[clingo.Symbol]


class Kind(NamedTuple):
    """What an argument is, and the function that makes its term a Python value."""

    type: Any
    convert: Callable[[clingo.Symbol], Any]


_ETATS = {e.value: e for e in Etat}
_STATUTS = {s.value: s for s in Statut}

NUMBER = Kind(int, attrgetter("number"))  # the dossier's index in its batch
NAME = Kind(str, attrgetter("name"))  # a constant: a prestation, a parameter, a block
TEXT = Kind(str, attrgetter("string"))
NODE = Kind(str, str)  # a term as the base writes it: delai_demande(conge_naissance)
TERM = Kind(clingo.Symbol, lambda term: term)  # kept as clingo's term: its order, its text
ARGUMENTS = Kind(Sequence[clingo.Symbol], attrgetter("arguments"))  # a tuple term's items
VALUE = Kind(Any, to_python)  # an amount, a text, a constant, a Fraction, a compound Term
DATE = Kind(dt.date, to_python)
ETAT = Kind(Etat, lambda term: _ETATS[term.name])
STATUT = Kind(Statut, lambda term: _STATUTS[term.name])

READERS: dict[str, Callable[[Args], Any]] = {}  # the reader of each shown predicate, by name


def _reader(record: type, kinds: Sequence[Kind]) -> Callable[[Args], Any]:
    """The function that reads an atom's arguments into ``record``, each through its kind's function.

    One closure per arity (2 to 6), each argument's call written out: a loop (``map``) over the
    functions read answer sets 6 % slower (bench/lecteurs.py, docstring of this module).
    """
    c = tuple(kind.convert for kind in kinds)
    new = tuple.__new__
    if len(c) == 2:
        c0, c1 = c
        return lambda a: new(record, (c0(a[0]), c1(a[1])))
    if len(c) == 3:
        c0, c1, c2 = c
        return lambda a: new(record, (c0(a[0]), c1(a[1]), c2(a[2])))
    if len(c) == 4:
        c0, c1, c2, c3 = c
        return lambda a: new(record, (c0(a[0]), c1(a[1]), c2(a[2]), c3(a[3])))
    if len(c) == 5:
        c0, c1, c2, c3, c4 = c
        return lambda a: new(record, (c0(a[0]), c1(a[1]), c2(a[2]), c3(a[3]), c4(a[4])))
    if len(c) == 6:
        c0, c1, c2, c3, c4, c5 = c
        return lambda a: new(record, (c0(a[0]), c1(a[1]), c2(a[2]), c3(a[3]), c4(a[4]), c5(a[5])))
    raise ValueError(f"{record.__name__} : {len(c)} arguments ; un lecteur en lit de 2 à 6")


def _atome(predicate: str, registry: dict[str, Callable[[Args], Any]] | None = None, name: str = "", /,
           **fields: Kind) -> type:
    """The record of ``predicate``'s atoms, named ``Atome<Predicate>`` unless ``name`` says otherwise, its
    reader (``read``) registered in ``registry`` (:data:`READERS` unless said)."""
    name = name or "Atome" + "".join(word.capitalize() for word in predicate.split("_"))
    record = NamedTuple(name, [(field, kind.type) for field, kind in fields.items()])
    record.__doc__ = f"``{predicate}({', '.join(fields)})``"
    record.__module__ = __name__
    record.kinds = tuple(fields.values())
    reader = _reader(record, record.kinds)
    record.read = staticmethod(reader)
    (READERS if registry is None else registry)[predicate] = reader
    return record


# -- per dossier: the decision on each prestation (kb/commun/sortie.lp) ----------
# The status of a prestation.
AtomeDecision = _atome("decision", dossier=NUMBER, prestation=NAME, statut=STATUT)
# The date of a claim of the prestation.
AtomeDateDemande = _atome("date_demande", dossier=NUMBER, prestation=NAME, date=DATE)
# An amount of the prestation (mensuel, total…).
AtomeMontant = _atome("montant", dossier=NUMBER, prestation=NAME, nature=NAME, valeur=VALUE)
# A child (an item) who opens the right.
AtomeOuvreDroit = _atome("ouvre_droit", dossier=NUMBER, prestation=NAME, entite=TERM)
# The prestation always names who opens the right (an empty list too).
AtomeListeOuvrantDroit = _atome("liste_ouvrant_droit", dossier=NUMBER, prestation=NAME)
# The allowance of one month: the children counted on its first day and the amount.
AtomeMensualite = _atome("mensualite", dossier=NUMBER, prestation=NAME, mois=DATE, enfants=VALUE, montant=VALUE)
# One instalment: when it is due, on what event, how much.
AtomeEcheance = _atome("echeance", dossier=NUMBER, prestation=NAME, date=DATE, evenement=VALUE, montant=VALUE)
# An instalment lost (the event stays a term: losses are listed in its order).
AtomePerte = _atome("perte", dossier=NUMBER, prestation=NAME, evenement=TERM, montant=VALUE)
# A fact the decision states (a start date, a duration…).
AtomeInformation = _atome("information", dossier=NUMBER, prestation=NAME, cle=NAME, valeur=VALUE)
# An item of a list the decision states (terms: items in the dossier's order).
AtomeElement = _atome("element", dossier=NUMBER, prestation=NAME, cle=TERM, valeur=TERM)
# An entity (a member, a child) whose state for a prestation stays unknown, listed under the output named,
# with the node that waits.
AtomeMembreEnAttente = _atome("membre_en_attente", dossier=NUMBER, prestation=NAME, sortie=NAME, entite=TERM,
                              noeud=TERM)
# A document the dossier lacks.
AtomePieceManquante = _atome("piece_manquante", dossier=NUMBER, prestation=NAME, piece=VALUE)
# A document the prestation requires.
AtomePieceRequise = _atome("piece_requise", dossier=NUMBER, prestation=NAME, piece=VALUE)

# -- per dossier: to whom and when a prestation is paid (issue 22: the guide's provisions on payment) ----
# Who receives a child's allowance instead of the worker (a guardian, a designated person), and from when
# (a date, or the constant sans_date); the person is the term personne(Nom, Prenoms).
AtomeVerseA = _atome("verse_a", dossier=NUMBER, prestation=NAME, entite=TERM, qualite=NAME, personne=ARGUMENTS,
                     depuis=VALUE)
# An instalment whose payment is suspended.
AtomeEcheanceSuspendue = _atome("echeance_suspendue", dossier=NUMBER, prestation=NAME, date=DATE, evenement=VALUE)
# An instalment paid to someone other than the worker (personne(Nom, Prenoms)).
AtomeEcheanceVerseeA = _atome("echeance_versee_a", dossier=NUMBER, prestation=NAME, date=DATE, evenement=VALUE,
                              personne=ARGUMENTS)
# A provision of the guide that applies to the prestation, with the named values of its sentence (a tuple of
# name(value) terms).
AtomeDisposition = _atome("disposition", dossier=NUMBER, prestation=NAME, disposition=TERM, valeurs=ARGUMENTS)
# -- per dossier: what waits on a fact of the dossier (a child, an instalment) ------------
# An item (a child, an instalment) whose own condition the dossier leaves unknown, and the output list
# the base puts it in (enfants_en_attente, fractions_en_attente).
# A list of pending items the prestation always gives (an empty list too).
AtomeListeAttente = _atome("liste_attente", dossier=NUMBER, prestation=NAME, liste=NAME)
AtomeEnAttente = _atome("en_attente", dossier=NUMBER, prestation=NAME, liste=NAME, entite=TERM)
# A fact the pending item waits on: the predicate of the absent dossier field.
AtomeAttenteManque = _atome("attente_manque", dossier=NUMBER, prestation=NAME, entite=TERM, champ=NAME)
# The document that would establish it.
AtomeAttentePiece = _atome("attente_piece", dossier=NUMBER, prestation=NAME, entite=TERM, piece=NAME)
# A value of the pending item (its date, its amount).
AtomeAttenteValeur = _atome("attente_valeur", dossier=NUMBER, prestation=NAME, entite=TERM, cle=NAME,
                            valeur=VALUE)

# -- per dossier: the condition tree --------------------------------------------
# The state of a condition node.
AtomeEtat = _atome("etat", dossier=NUMBER, condition=TERM, etat=ETAT)
# An edge of the condition tree.
AtomeSousCondition = _atome("sous_condition", dossier=NUMBER, condition=TERM, sous_condition=TERM)
# An exception that may make a condition met.
AtomeException = _atome("exception", dossier=NUMBER, condition=TERM, exception=TERM)
# The exception that makes a condition met.
AtomeParException = _atome("par_exception", dossier=NUMBER, condition=TERM, exception=NAME)
# A condition both met and not met (a defect of the base).
AtomeIncoherence = _atome("incoherence", dossier=NUMBER, condition=TERM)
# A dossier field a condition reads.
AtomeDonnee = _atome("donnee", dossier=NUMBER, condition=TERM, champ=TERM)
# A value the base names for a condition's phrase.
AtomeValeur = _atome("valeur", dossier=NUMBER, condition=TERM, nom=NAME, valeur=VALUE)
# A dated parameter a condition applied, and its value.
AtomeParametreUtilise = _atome("parametre_utilise", dossier=NUMBER, condition=TERM, nom=NAME, depuis=DATE,
                               valeur=VALUE)
# How the dossier names an entity (a child's first name).
AtomeLibelle = _atome("libelle", dossier=NUMBER, entite=TERM, libelle=VALUE)
# A rule that fired (explanation mode, engine.firings): its block and the atoms of its body.
AtomeApplique = _atome("applique", dossier=NUMBER, condition=TERM, etat=ETAT, bloc=NAME, atomes=ARGUMENTS)
# How a composite condition combines its parts (toutes, une_parmi; explanation mode).
AtomeMode = _atome("mode", dossier=NUMBER, condition=TERM, mode=NAME)
# The state of one of a prestation's own conditions (summary mode, engine.speedups.summary_cut).
AtomeEtatResume = _atome("etat_resume", dossier=NUMBER, prestation=NAME, condition=TERM, etat=ETAT)

# -- about the base, not a dossier ------------------------------------------------
# Where the guide states a condition.
AtomeSource = _atome("source", noeud=NODE, section=TEXT, article=TEXT)
# A document that proves a condition (the guide's table).
AtomeJustifie = _atome("justifie", piece=NAME, condition=NAME)
# The dossier list an entity is an item of (enfant → enfants).
AtomeEntiteListe = _atome("entite_liste", entite=NAME, liste=NAME)


def read(symbol: clingo.Symbol) -> Any:
    """The record of a shown symbol (a KeyError for a predicate no program shows)."""
    return READERS[symbol.name](symbol.arguments)


# -- the what-if search's own shows (usecases/whatif.py): its mode/3 is not a decision's --------------
SEARCH_READERS: dict[str, Callable[[Args], Any]] = {}
# A fact of the dossier the search changes; Cle is the tuple (D, I1, …) of its dossier and list indices.
AtomeModification = _atome("modification", SEARCH_READERS, champ=NAME, cle=TERM, valeur=VALUE)
# How a change comes about: temps(Date) when waiting brings it.
AtomeVoie = _atome("mode", SEARCH_READERS, "AtomeVoie", champ=NAME, cle=TERM, voie=TERM)

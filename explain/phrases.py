"""The phrase catalogue of a regime, rendered with Jinja2.

Each condition has a ``libelle`` and one sentence per state; the sentence
names the values the condition provides (see :meth:`engine.model.Condition.context`).
Undefined names are errors (``StrictUndefined``): a phrase that names a value
its condition does not give must fail loudly in tests, not print a blank.

Gender agreement is said once per word, with the pair of its forms:
``{{ accord("salarié", "salariée") }}`` agrees with the applicant,
``{{ accord("orienté", "orientée", objet) }}`` with the person the condition
names; the sex comes from the dossier (:meth:`engine.regime.Regime.sexes`),
and when it is unknown both forms are written (« salarié ou salariée »),
never « salarié(e) ». An entry's ``concerne`` (a Jinja expression on the
condition's values, ``sexe``, ``feminin`` and ``masculin``) says whether the
condition can concern this person at all: an exception that cannot (the
widow's, for a man) is not explained to them.

Numbers of the law are never written by hand: a catalogue is bound to a date
(:func:`catalogue`, the decision's date of reference, or today for a page that
concerns no decision) and every template of it — sentences, labels, questions,
events, letters' phrases — sees each parameter of the regime in force at that
date by its name (``{{ stage_duree_mois | lettres_chiffres }} mois`` → « neuf (09)
mois »), under the values the condition itself applied. An amended regime
(usecases/amendement.py) has its own catalogue, with the amended values.
A quotation of the source that a parameter in force supersedes is marked
(:meth:`Catalogue.citation`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import jinja2

from engine.blocks import read_blocks
from engine.model import Condition, Etat
from engine.regime import Parameter, Regime, regime_de_decision
from explain import format as fmt


class PhraseError(Exception):
    """A phrase of the catalogue is missing or cannot be rendered with its condition's values."""


SEXES = "_sexes"  # the context key holding who is a woman or a man (never a value of the dossier's facts)


@jinja2.pass_context
def accord(ctx: jinja2.runtime.Context, masculin: str, feminin: str, qui: str | None = None,
           inconnu: str | None = None) -> str:
    """The form that agrees with the person: the applicant, or ``qui`` (a name the phrase gives as its object)."""
    sexes = ctx.get(SEXES) or {}
    sexe = sexes.get(qui if qui is not None else "demandeur")
    if sexe is None and qui is None:
        sexe = ctx.get("sexe")  # a rule that read demandeur.sexe gives it as a value
    if sexe == "F":
        return feminin
    if sexe == "M":
        return masculin
    return inconnu if inconnu is not None else (masculin if masculin == feminin else f"{masculin} ou {feminin}")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update(fmt.FILTRES)
    env.globals["accord"] = accord
    return env


# Under an amended base, a condition decided by an amendment's rule may lack the values its phrase cites
# (``rempli(D, stage) :- dossier(D).``), or be new and have no phrase: the explanation says so instead of
# failing. Under the base itself, a phrase that cannot be written is a defect of the catalogue (PhraseError).
_SANS_PHRASE = {
    etat: f"{debut} selon une règle de l'amendement, qui ne donne pas les valeurs que la phrase de cette "
          "condition cite : la phrase ne peut pas être écrite."
    for etat, debut in ((Etat.rempli, "Remplie"), (Etat.non_rempli, "Non remplie"), (Etat.inconnu, "Inconnue"),
                        (Etat.non_invoquee, "Non invoquée"))
}


@functools.cache
def _environment() -> jinja2.Environment:
    return environment()


@functools.cache
def _template(text: str) -> jinja2.Template:
    """A catalogue template, compiled once per process (whatever regime or date renders it)."""
    return _environment().from_string(text)


def _a_rendre(text: Any) -> bool:
    return isinstance(text, str) and ("{{" in text or "{%" in text)


def valeur_parametre(param: Parameter, value: Any, texte: str | None = None) -> str:
    """A parameter's value as a reader reads it, in its unit: « six (06) mois », « 3 500 FCFA », « 1/10 »."""
    unit = (param.unit or "").strip()
    if (isinstance(value, Fraction) and value.denominator != 1) or unit == "taux":
        return texte or fmt.valeur(value)
    if unit == "FCFA":
        return fmt.fcfa(value)
    genre = "f" if unit.startswith(("semaine", "heure", "mensualité")) else "m"
    return f"{fmt.lettres_chiffres(value, genre)} {unit}".strip()


_SEPARATEUR = "[ .\u00a0\u202f]?"


@functools.lru_cache(maxsize=1024)
def _formes(value: Any) -> tuple[re.Pattern, ...]:
    """The ways a source may write a value: digits (« 9 », « 09 », « 2 750 », « 2750 »), words followed by
    digits in brackets (« neuf (09) »), a fraction or a percentage."""
    if isinstance(value, Fraction) and value.denominator != 1:
        pct = value * 100
        out = [rf"\b{value.numerator}\s*/\s*{value.denominator}\b"]
        if pct.denominator == 1:
            out.append(rf"\b{pct.numerator}\s*%")
        return tuple(re.compile(p, re.I) for p in out)
    n = int(value)
    groups = f"{n:,}".split(",")  # 2750 → 2 750, 2750 or 2.750: any separator, or none
    zero = "0?" if n < 10 else ""
    out = [rf"(?<![\d/,]){zero}{_SEPARATEUR.join(groups)}(?![\d/])"]
    out.append(rf"\b{re.escape(fmt.lettres(n))}\s*\(")
    if n > 1:
        out.append(rf"\b{re.escape(fmt.ordinal(n))}\b")
    return tuple(re.compile(p, re.I) for p in out)


def cite(texte: str, value: Any) -> bool:
    """Whether a quoted text writes ``value`` (in any of its forms)."""
    return any(pattern.search(texte) for pattern in _formes(value))


class Catalogue:
    """The phrases of one regime, bound to the date the sentences speak of."""

    def __init__(self, regime: Regime, date: dt.date | None = None, amende: bool = False):
        self.regime = regime
        # Phrases of decisions taken under an amendment (its regime, or a decision whose version names one)
        self.amende = amende or bool(regime.amendment_tag)
        self.data = regime.phrases
        self.env = _environment()
        self.date = date or dt.date.today()
        # Each parameter in force on that date, by its name: the numbers every template writes.
        self.en_vigueur: dict[str, Any] = {}
        for name, param in regime.parameters.items():
            current = param.valeur_au(self.date)
            if current is not None:
                self.en_vigueur[name] = current.value

    def _template(self, text: str) -> jinja2.Template:
        return _template(text)

    def objet(self, name: str | None) -> str | None:
        """How a reader reads an object the base names (« fraction du sixième mois »): the catalogue's
        ``objets`` may word it with the parameters in force; else the base's name as it is."""
        if not name:
            return name
        return self.texte(self.data.get("objets", {}).get(name, name))

    def parametres_du_bloc(self, block_id: str) -> frozenset[str]:
        """The parameters a rule block reads (its body names them): those that can supersede its quotation."""
        return _parametres_des_blocs(self.regime).get(block_id, frozenset())

    def texte(self, text: Any, context: dict[str, Any] | None = None) -> Any:
        """A label or phrase of the catalogue with the parameters in force (a text without a template is
        returned as it is)."""
        if not _a_rendre(text):
            return text
        try:
            try:
                return self.render(text, context or {})
            except jinja2.UndefinedError:
                # Before a parameter's first value (a dossier dated before the law), a label names the value
                # the law first gave: a label must always be written; sentences say the value is unknown.
                return self.render(text, {**self._premieres(), **(context or {})})
        except jinja2.TemplateError as exc:
            raise PhraseError(f"« {text} » : {exc}") from exc

    def _premieres(self) -> dict[str, Any]:
        return {name: next(v.value for v in param.values if v.value is not None)
                for name, param in self.regime.parameters.items() if any(v.value is not None for v in param.values)}

    def modification(self, texte: str, parametres: Iterable[str]) -> str | None:
        """What supersedes a quotation of the source (a rule's guide sentence): when a parameter the rule
        applies is in force with another value than one the quotation writes, « modifié : six (06) mois
        depuis le 1er janvier 2027 »; None when the quotation states the law in force."""
        marks = []
        for name in dict.fromkeys(parametres):
            param = self.regime.parameters.get(name)
            current = param.valeur_au(self.date) if param else None
            if current is None:
                continue
            others = {v.value for v in param.values if v.value is not None and v.value != current.value}
            if any(cite(texte, v) for v in others) and not cite(texte, current.value):
                marks.append(f"{valeur_parametre(param, current.value, current.texte)} depuis le "
                             f"{fmt.date_fr(current.debut)}")
        return f"modifié : {' ; '.join(marks)}" if marks else None

    def citation(self, texte: str, parametres: Iterable[str]) -> str:
        """The quotation followed by its mark when amended: « … neuf (09) mois … » [modifié : six (06) mois
        depuis le 1er janvier 2027]."""
        mark = self.modification(texte, parametres)
        return f"{texte} [{mark}]" if mark else texte

    def entry(self, condition_id: str, noeud: str | None = None) -> dict[str, Any]:
        """The phrases of a node: by its full term (delai_demande(conge_naissance)), else by id."""
        conditions = self.data.get("conditions", {})
        entry = conditions.get(noeud) if noeud else None
        entry = entry or conditions.get(condition_id)
        if entry is None:
            raise PhraseError(f"aucune phrase pour la condition « {condition_id} » ({self.regime.id})")
        return entry

    def libelle(self, condition_id: str, noeud: str | None = None) -> str:
        return self.texte(self.entry(condition_id, noeud).get("libelle", condition_id))

    def libelle_noeud(self, noeud: str) -> str:
        """The label of a condition known by its node only (``age(enfant(1))``, as a summary or the journal
        keeps it): its id is the node's name."""
        return self.libelle(noeud.split("(")[0], noeud)

    def sentence(self, condition: Condition, sexes: dict[str, str] | None = None) -> str:
        """The sentence of a condition in its state, with its values, agreeing with ``sexes``
        (:attr:`engine.model.Decision.sexes`).

        A condition met through an exception did not fire its own rule: its
        sentence says which exception holds, in the exception's own words.
        """
        if condition.etat == Etat.rempli and condition.par_exception:
            exception = next((x for x in condition.exceptions if x.id == condition.par_exception), None)
            if exception is not None:
                return f"Remplie par exception ({self.libelle(exception.id, exception.noeud)}) : " \
                       f"{self.sentence(exception, sexes)}"
        text = self.entry(condition.id, condition.noeud).get(condition.etat)
        if text is None:
            if self.amende:
                return _SANS_PHRASE.get(condition.etat, _SANS_PHRASE[Etat.inconnu])
            raise PhraseError(f"aucune phrase pour « {condition.id} » à l'état {condition.etat}")
        context = {"objet": self.objet(condition.objet), **condition.context()}
        try:
            try:
                return self.render(text, context, sexes)
            except jinja2.UndefinedError:
                # A parameter not yet in force on that date (a dossier dated before the law): the sentence
                # names the value the law first gave, as labels do (a sentence that tests ``is defined``
                # says itself that no value is known, and never comes here).
                return self.render(text, {**self._premieres(), **context}, sexes)
        except jinja2.UndefinedError as exc:
            if self.amende:  # the amendment's rule decided it without the values its phrase cites
                return _SANS_PHRASE.get(condition.etat, _SANS_PHRASE[Etat.inconnu])
            raise PhraseError(f"phrase de « {condition.id} » ({condition.etat}) : {exc.message}") from exc

    def concerne(self, condition: Condition, sexes: dict[str, str] | None = None) -> bool:
        """Whether the condition can concern this person (the entry's ``concerne``; default: yes)."""
        expression = self.entry(condition.id, condition.noeud).get("concerne")
        if expression is None:
            return True
        sexe = (sexes or {}).get("demandeur") or condition.context().get("sexe")
        values = {"objet": condition.objet, **condition.context(), "sexe": sexe,
                  "feminin": sexe == "F", "masculin": sexe == "M"}
        try:
            return bool(self._expression(expression)(**values))
        except jinja2.TemplateError as exc:
            raise PhraseError(f"« concerne » de « {condition.id} » : {exc}") from exc

    @functools.cache  # noqa: B019 - one catalogue per regime, kept for the process
    def _expression(self, text: str):
        return self.env.compile_expression(text, undefined_to_none=False)

    def prestation(self, prestation_id: str) -> dict[str, Any]:
        """A prestation's entry, its labels rendered with the parameters in force."""
        entry = self.data.get("prestations", {}).get(prestation_id, {"libelle": prestation_id})
        return {k: ({m: self.texte(t) for m, t in v.items()} if isinstance(v, dict) else self.texte(v))
                for k, v in entry.items()}

    def libelle_prestation(self, prestation_id: str) -> str:
        """The name of a prestation (« Allocations familiales »); its id when the catalogue has none."""
        return self.prestation(prestation_id).get("libelle", prestation_id)

    def statut(self, prestation_id: str, statut: str) -> str:
        """The status of a prestation as its catalogue says it (« accordées », « accordé »), else the general word
        (:data:`STATUTS`): the one list every page, chip and letter takes its words from."""
        return self.prestation(prestation_id).get(statut) or STATUTS.get(statut, statut)

    def event(self, term: Any) -> str:
        """An instalment's event (a term such as ``terme_echu(Du, Au)``) in French."""
        name = getattr(term, "name", str(term))
        entry = self.data.get("evenements", {}).get(name)
        if entry is None:
            return fmt.valeur(term)
        args = dict(zip(entry.get("arguments", []), getattr(term, "args", ()), strict=False))
        return self.render(entry["phrase"], args)

    def render(self, template: str, context: dict[str, Any], sexes: dict[str, str] | None = None) -> str:
        """Render a catalogue template (a question, an event) with its values, agreeing with ``sexes``."""
        return fmt.espaces(self._template(template).render({**self.en_vigueur, **context, SEXES: sexes or {}}))

    def label(self, section: str, key: str) -> str:
        return self.texte(self.data.get(section, {}).get(key, key.replace("_", " ")))


@functools.lru_cache(maxsize=64)
def _parametres_des_blocs(regime: Regime) -> dict[str, frozenset[str]]:
    names = list(regime.parameters)
    out: dict[str, frozenset[str]] = {}
    for path, text in regime.program_texts():
        for block in read_blocks(path, text):
            body = "\n".join(block.lines)
            out[block.id] = frozenset(n for n in names if re.search(rf"\b{n}\b", body))
    return out


def catalogue(regime: Regime, date: dt.date | None = None, amende: bool = False) -> Catalogue:
    """The phrases of ``regime`` with its parameters in force on ``date`` (today when None: a page that
    concerns no decision, such as the console's form); ``amende``: for decisions taken under an amendment."""
    return _catalogue(regime, date or dt.date.today(), amende)


@functools.lru_cache(maxsize=512)
def _catalogue(regime: Regime, date: dt.date, amende: bool) -> Catalogue:
    return Catalogue(regime, date, amende)


def catalogue_de(decision: Any) -> Catalogue:
    """The phrases of the regime a decision was taken under (amended, when it was), at its date of reference."""
    return catalogue(regime_de_decision(decision.base, decision.version_base), decision.date_reference,
                     amended(decision.version_base))


def amended(version_base: str) -> bool:
    """Whether a decision's ``version_base`` names an amended base (``mali-inps@…+<amendement>@…``)."""
    return "+" in version_base


# A status where no prestation names it (a filter over every prestation): the catalogues' own words, in general.
# The one list of the French words of a prestation's status; "absent": not examined on one side of an amendment
# (usecases.impact.categorize), said by the impact report.
STATUTS = {"accorde": "accordée", "refuse": "refusée", "incomplet": "en attente d'informations",
           "absent": "non examinée"}

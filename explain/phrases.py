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
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jinja2

from engine.model import Condition, Etat
from engine.regime import Regime
from explain import format as fmt


class PhraseError(Exception):
    """A phrase of the catalogue is missing or cannot be rendered with its condition's values."""


SEXES = "_sexes"  # the context key holding who is a woman or a man (never a value of the dossier's facts)
_INDICE = re.compile(r"\[\d+\]")


def chemin_generique(chemin: str) -> str:
    """A dossier path as the catalogue names it, without the items' indices: ``enfants[1].age`` → ``enfants[].age``
    (the keys of ``questions`` and ``modifications``)."""
    return _INDICE.sub("[]", chemin)


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


class Catalogue:
    """The phrases of one regime."""

    def __init__(self, regime: Regime):
        self.regime = regime
        self.data = regime.phrases
        self.env = environment()

    @functools.cache  # noqa: B019 - one catalogue per regime, kept for the process
    def _template(self, text: str) -> jinja2.Template:
        return self.env.from_string(text)

    def entry(self, condition_id: str, noeud: str | None = None) -> dict[str, Any]:
        """The phrases of a node: by its full term (delai_demande(conge_naissance)), else by id."""
        conditions = self.data.get("conditions", {})
        entry = conditions.get(noeud) if noeud else None
        entry = entry or conditions.get(condition_id)
        if entry is None:
            raise PhraseError(f"aucune phrase pour la condition « {condition_id} » ({self.regime.id})")
        return entry

    def libelle(self, condition_id: str, noeud: str | None = None) -> str:
        return self.entry(condition_id, noeud).get("libelle", condition_id)

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
            raise PhraseError(f"aucune phrase pour « {condition.id} » à l'état {condition.etat}")
        context = {"objet": condition.objet, **condition.context()}
        try:
            return self.render(text, context, sexes)
        except jinja2.UndefinedError as exc:
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

    def benefit(self, benefit_id: str) -> dict[str, str]:
        return self.data.get("prestations", {}).get(benefit_id, {"libelle": benefit_id})

    def libelle_prestation(self, benefit_id: str) -> str:
        """The name of a benefit (« Allocations familiales »); its id when the catalogue has none."""
        return self.benefit(benefit_id).get("libelle", benefit_id)

    def statut(self, benefit_id: str, statut: str) -> str:
        """The status of a benefit as its catalogue says it (« accordées », « accordé »), else the general word
        (:data:`STATUTS`): the one list every page, chip and letter takes its words from."""
        return self.benefit(benefit_id).get(statut) or STATUTS.get(statut, statut)

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
        return fmt.espaces(self._template(template).render({**context, SEXES: sexes or {}}))

    def label(self, section: str, key: str) -> str:
        return self.data.get(section, {}).get(key, key.replace("_", " "))


# A status where no benefit names it (a filter over every benefit): the catalogues' own words, in general.
STATUTS = {"accorde": "accordée", "refuse": "refusée", "incomplet": "en attente d'informations"}


@functools.cache
def catalogue(regime: Regime) -> Catalogue:
    return Catalogue(regime)

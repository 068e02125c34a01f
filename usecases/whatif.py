"""What would change a decision: minimal sets of changes to a dossier, searched by clingo.

The dossier's facts are given as ``initial_<field>``; a generic layer, written
from the schema, lets a chosen ``modification(Field, Key, Value)`` replace a
fact. The regime's ``contrefactuels/*.lp`` say which facts may change, to
which values, and which ones time changes alone (``candidat/4``): what has no
candidate is fixed (a birth date, the date of a claim). Clingo looks for the
fewest changes that make the prestation's decision a grant (``#minimize``): the decision, not the
right, since arrears alone can grant a prestation whose right has ended; rounds that
forbid supersets of the sets already found give every subset-minimal set, up
to a limit. Each set is then applied to the dossier and the dossier evaluated
again (in summary): only sets that really turn the decision into a grant are returned.

The search is bounded (:class:`Budget`, set here once): a time, a number of
candidate sets (models of clingo, then verified) and a number of proposals.
When one of them runs out, the answer says so (:attr:`WhatIf.arret`).

Items of a list are searched one at a time: with many children, the search
runs once per child, that child's facts open to change and the other
children's facts fixed, so that each run grounds the changes of one child
instead of every combination of them. A set found in a run is minimal
overall (its subsets lie in the same run); a set that would need two items
changed at once is searched for, in one run over the whole dossier, only
when no run found anything.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import clingo
from clingo import ast

from engine.atomes import AtomeModification, AtomeVoie
from engine.dossier import Dossier, DossierError
from engine.facts import InputField, to_python
from engine.model import Decision, Statut
from engine.program import Mode, build_program
from engine.resume import Summary, summarize_many
from engine.validation import validate


@dataclass(frozen=True)
class Change:
    """One fact of the dossier changed: where, from what, to what, and how it comes about."""

    chemin: str
    champ: str
    avant: Any
    apres: Any
    par_le_temps: dt.date | None = None  # the date at which waiting brings it, if it does
    objet: str | None = None  # the child (or item) the change is about


@dataclass
class ChangeSet:
    """A subset-minimal set of changes that turns the decision into a grant."""

    changements: list[Change]
    resume: Summary  # the prestation decided again on the changed dossier, in summary

    @property
    def date_eligibilite(self) -> dt.date | None:
        """When waiting is enough (every change comes with time): the earliest date of eligibility."""
        dates = [c.par_le_temps for c in self.changements]
        return max(dates) if dates and None not in dates else None  # type: ignore[type-var]


@dataclass
class WhatIf:
    """The answer to "what would change the decision?" for one prestation."""

    prestation: str
    ensembles: list[ChangeSet] = field(default_factory=list)
    arret: str | None = None  # why the search stopped before its end (a budget ran out), in French
    candidats: int = 0  # candidate sets examined (models of clingo)

    @property
    def complet(self) -> bool:
        """False when the search stopped before its end: other proposals may exist."""
        return self.arret is None


@dataclass(frozen=True)
class Budget:
    """What a what-if search may spend: seconds, candidate sets (clingo's models), proposals returned."""

    secondes: float
    candidats: int
    propositions: int


# The budgets, in one place: an explanation (`why --ce-qui-changerait`, the API) may wait a few seconds; a letter
# shows its first proposals and must stay quick, whatever the number of children. The counts bind first on
# ordinary dossiers; the time is the safety net. A letter's net is wide (10 s) so that what an official
# letter says never depends on the machine's load: its counts keep it near a second for 30 children
# (bench/whatif.py), and a loaded test machine must print the same letter as a quiet one.
BUDGET_EXPLICATION = Budget(secondes=5.0, candidats=400, propositions=8)
BUDGET_LETTRE = Budget(secondes=10.0, candidats=40, propositions=3)


def _layer(fields: dict[str, InputField]) -> str:
    """The generic rules through which a modification replaces a fact of the dossier."""
    rules = ["modifie(F, K) :- modification(F, K, _).",
             "{ modification(F, K, V) : candidat(F, K, V, _) }.",
             ":- modification(F, K, V1), modification(F, K, V2), V1 != V2."]
    for f in fields.values():
        xs = [f"X{i}" for i in range(1, f.arity)]
        if f.kind != "valeur":
            args = ", ".join([*xs, f"X{f.arity}"][: f.arity])
            rules.append(f"{f.predicate}({args}) :- initial_{f.predicate}({args}).")
            continue
        key = f"({', '.join(xs)},)" if len(xs) == 1 else f"({', '.join(xs)})"
        args = ", ".join([*xs, "V"])
        rules += [
            f"{f.predicate}({args}) :- initial_{f.predicate}({args}), not modifie({f.predicate}, {key}).",
            f"{f.predicate}({args}) :- modification({f.predicate}, {key}, V).",
            f":- modification({f.predicate}, {key}, V), initial_{f.predicate}({args}).",
            f"#defined initial_{f.predicate}/{f.arity}.",
        ]
    return "\n".join(rules) + "\n"


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _apply(data: dict[str, Any], f: InputField, indices: tuple[int, ...], value: Any) -> dict[str, Any]:
    """A copy of the dossier with the field at ``f.path`` (for these list indices) set to ``value``."""
    changed = copy.deepcopy(data)
    node: Any = changed
    it = iter(indices)
    parts = list(f.path)
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if part == "[]":
            node = node[next(it)]
            continue
        if last:
            node[part] = value
        else:
            following = parts[position + 1]
            node = node.setdefault(part, [] if following == "[]" else {})
            if isinstance(node, str):  # a scalar residence replaced by an object form
                raise ValueError(part)
    return changed


def _current(data: dict[str, Any], f: InputField, indices: tuple[int, ...]) -> Any:
    node: Any = data
    it = iter(indices)
    for part in f.path:
        try:
            node = node[next(it)] if part == "[]" else node[part]
        except (KeyError, IndexError, TypeError, StopIteration):
            return None
    if isinstance(node, str) and f.path[-1] in ("date", "date_reference", "date_naissance"):
        try:
            return dt.date.fromisoformat(node)
        except ValueError:
            return node
    return node


def _decomposed_list(dossier: Dossier, fields: dict[str, InputField]) -> str | None:
    """The list of the dossier searched item by item: the longest top-level list with two items or more."""
    lists = {f.path[0] for f in fields.values() if len(f.path) > 1 and f.path[1] == "[]"}
    sizes = {name: len(dossier.data.get(name) or []) for name in lists if isinstance(dossier.data.get(name), list)}
    longest = max(sorted(sizes), key=sizes.get, default=None)
    return longest if longest is not None and sizes[longest] >= 2 else None


def pistes(dossier: Dossier, decision: Decision, pid: str, budget: Budget = BUDGET_EXPLICATION,
           deadline: float | None = None) -> WhatIf | None:
    """The one what-if policy of every interface: what would change the decision is searched for a refused
    prestation only (a grant has nothing to change, an incomplete claim a question to answer first); None else."""
    prestation = decision.prestations.get(pid)
    if prestation is None or prestation.statut != Statut.refuse:
        return None
    return what_if(dossier, pid, budget=budget, deadline=deadline)


def what_if(dossier: Dossier, prestation: str, limit: int | None = None, rounds: int = 3,
            budget: Budget = BUDGET_EXPLICATION, deadline: float | None = None) -> WhatIf:
    """Minimal sets of changes that would turn ``prestation`` into a grant for ``dossier``, within ``budget``
    (``limit``: at most this many proposals, instead of the budget's; ``deadline``: a ``time.monotonic()``
    the search ends by at the latest, shared by the searches of one letter)."""
    regime = dossier.regime
    # The summary program, reduced to the prestation's files when prestations are independent: the search needs the
    # decision only, not its explanation, and its grounding and solving grow with the program.
    program = build_program(regime, Mode.SUMMARY)
    fields = program.inputs.fields
    files = sorted(regime.folder.glob("contrefactuels/*.lp"))
    counterfactuals = _layer(fields) + "".join(p.read_text(encoding="utf-8") for p in files)
    limit = budget.propositions if limit is None else limit
    text = program.text_for(frozenset({prestation}) if regime.prestations_independantes else None)
    search = _Search(dossier, prestation, program, text, counterfactuals, limit, rounds, budget)
    if deadline is not None:
        search.deadline = min(search.deadline, deadline)
    listed = _decomposed_list(dossier, fields)
    if listed is None:
        search.run(None, None)
    else:
        for index in range(len(dossier.data[listed])):
            if not search.run(listed, index):
                break
        if not search.answer.ensembles and search.answer.arret is None:
            search.run(None, None)  # no set changes one item alone: the whole dossier, within what is left
    return search.answer


class _Search:
    """One what-if search: its runs share the budget, the sets found and the answer."""

    def __init__(self, dossier, prestation, program, text, counterfactuals, limit, rounds, budget: Budget):
        self.dossier, self.prestation, self.program, self.text = dossier, prestation, program, text
        self.counterfactuals, self.limit, self.rounds, self.budget = counterfactuals, limit, rounds, budget
        self.deadline = time.monotonic() + budget.secondes
        self.answer = WhatIf(prestation)
        self.seen: set[frozenset[str]] = set()
        # What every run shares, read once: the dossier's facts (with their fields) and the search's rules.
        fields = program.inputs.fields
        self.facts = [(symbol, fields.get(symbol.name)) for symbol in program.inputs.facts(0, dossier.data)]
        search = counterfactuals + (f":- not decision(0, {prestation}, accorde).\n"
                                    "#minimize { 1, F, K : modification(F, K, _) }.\n"
                                    "#show modification/3.\n"
                                    "#show mode(F, K, M) : modification(F, K, V), candidat(F, K, V, M).\n")
        self.statements: list[ast.AST] = []
        ast.parse_string(search, self.statements.append)

    def _stop(self, reason: str) -> bool:
        self.answer.arret = self.answer.arret or reason
        return False

    def run(self, listed: str | None, index: int | None) -> bool:
        """Search with the facts of ``listed``'s other items fixed (all open when ``listed`` is None);
        False when the budget ran out (the search must stop). The program is grounded once; each round
        forbids the supersets of the sets already found and solves again."""
        if time.monotonic() >= self.deadline:
            return self._stop(f"budget de temps épuisé ({self.budget.secondes:g} s)")
        fields = self.program.inputs.fields
        control = clingo.Control(["--warn=none", "--opt-mode=optN", f"--models={self.limit * 4}"])
        control.add("base", [], self.text)
        with ast.ProgramBuilder(control) as builder:
            for statement in self.statements:
                builder.add(statement)
        with control.backend() as backend:
            for symbol in self.program.parameter_symbols:
                backend.add_rule([backend.add_atom(symbol)])
            for symbol, field_ in self.facts:
                item = field_ is not None and (field_.path[:2] == (listed, "[]")
                                               or (field_.path == (listed,) and field_.kind == "element"))
                fixed = symbol.name == "dossier" or (item and symbol.arguments[1].number != index)
                renamed = symbol if fixed else clingo.Function(f"initial_{symbol.name}", symbol.arguments)
                backend.add_rule([backend.add_atom(renamed)])
        control.ground([("base", [])])
        for _ in range(self.rounds):
            optimal, stopped = self._solve(control)
            if not optimal:
                return stopped is None or self._stop(stopped)
            candidates, forbidden = [], []
            for symbols in optimal:
                changes = [s for s in symbols if s.name == "modification"]
                if not changes:
                    continue  # already granted: nothing to change
                forbidden.append([control.symbolic_atoms[m].literal for m in changes])
                key = frozenset(map(str, changes))
                if key in self.seen:
                    continue  # found by an earlier run (a change of the applicant alone)
                self.seen.add(key)
                voies = (AtomeVoie.read(s.arguments) for s in symbols if s.name == "mode")
                modes = {(v.champ, str(v.cle)): v for v in voies}
                candidates.append(_describe(self.dossier, changes, modes, fields))
            self.answer.ensembles += _verified(self.dossier, self.prestation, [c for c in candidates if c is not None])
            if len(self.answer.ensembles) >= self.limit:
                self.answer.ensembles = self.answer.ensembles[: self.limit]
                return self._stop(f"limite de {self.limit} propositions atteinte")
            if stopped is not None:
                return self._stop(stopped)
            if not forbidden:
                return True
            with control.backend() as backend:  # no superset of a set already found
                for literals in forbidden:
                    backend.add_rule([], literals)
        return True

    def _solve(self, control: clingo.Control) -> tuple[list[list[clingo.Symbol]], str | None]:
        """The optimal models, and why the solving stopped early (None: it ended)."""
        optimal: list[list[clingo.Symbol]] = []
        with control.solve(yield_=True, async_=True) as handle:
            while True:
                handle.resume()
                if not handle.wait(max(0.0, self.deadline - time.monotonic())):
                    handle.cancel()
                    return optimal, f"budget de temps épuisé ({self.budget.secondes:g} s)"
                model = handle.model()
                if model is None:
                    return optimal, None
                self.answer.candidats += 1
                if model.optimality_proven:
                    optimal.append(model.symbols(shown=True))
                if self.answer.candidats >= self.budget.candidats:
                    handle.cancel()
                    return optimal, f"budget de {self.budget.candidats} ensembles candidats épuisé"


def _describe(dossier, changes, modes, fields) -> tuple[list[Change], dict[str, Any]] | None:
    """The changes in plain terms, and the dossier they make (None if they cannot be applied)."""
    data = dossier.data
    described = []
    for m in map(AtomeModification.read, (s.arguments for s in sorted(changes, key=str))):
        f = fields[m.champ]
        indices = tuple(i.number for i in m.cle.arguments[1:])  # the key is (D, I1, …): the list indices
        value = m.valeur
        voie = modes.get((m.champ, str(m.cle)))
        when = to_python(voie.voie.arguments[0]) if voie is not None and voie.voie.name == "temps" else None
        label = dossier.libelle(f.path[0], indices[0]) if indices else None
        described.append(Change(f.display(indices), f.path[-1], _current(data, f, indices), value, when, label))
        try:
            data = _apply(data, f, indices, _json_value(value))
        except (ValueError, TypeError, KeyError, IndexError):
            return None
    return described, data


def _verified(dossier: Dossier, prestation: str, candidates) -> list[ChangeSet]:
    """Decide every changed dossier again (in summary, one batch); keep the sets that really grant the prestation."""
    valid = []
    for changes, data in candidates:
        try:
            valid.append((changes, validate(data, dossier.origine, regime=dossier.regime)))
        except DossierError:  # a change that makes the dossier invalid is not a proposal
            continue
    only = frozenset({prestation}) if dossier.regime.prestations_independantes else None
    summaries = summarize_many([d for _, d in valid], prestations=only) if valid else []
    return [ChangeSet(changes, summary[prestation]) for (changes, _), summary in zip(valid, summaries, strict=True)
            if prestation in summary and summary[prestation].statut == Statut.accorde]

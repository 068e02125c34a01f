"""What would change a decision: minimal sets of changes to a dossier, searched by clingo.

The dossier's facts are given as ``initial_<field>``; a generic layer, written
from the schema, lets a chosen ``modification(Field, Key, Value)`` replace a
fact. The regime's ``contrefactuels/*.lp`` say which facts may change, to
which values, and which ones time changes alone (``candidat/4``): what has no
candidate is fixed (a birth date, the date of a claim). Clingo looks for the
fewest changes that make the benefit's decision a grant (``#minimize``): the decision, not the
right, since arrears alone can grant a benefit whose right has ended; rounds that
forbid supersets of the sets already found give every subset-minimal set, up
to a limit. Each set is then applied to the dossier and the dossier evaluated
again: only sets that really turn the decision into a grant are returned.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import clingo
from clingo import ast

from engine.atomes import AtomeModification, AtomeVoie
from engine.dossier import Dossier, DossierError, validate
from engine.facts import InputField, to_python
from engine.model import Decision, Statut
from engine.program import Mode, build_program
from engine.solver import evaluate_many


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
    decision: Decision  # the decision on the changed dossier

    @property
    def date_eligibilite(self) -> dt.date | None:
        """When waiting is enough (every change comes with time): the earliest date of eligibility."""
        dates = [c.par_le_temps for c in self.changements]
        return max(dates) if dates and None not in dates else None  # type: ignore[type-var]


@dataclass
class WhatIf:
    """The answer to "what would change the decision?" for one benefit."""

    prestation: str
    ensembles: list[ChangeSet] = field(default_factory=list)
    complet: bool = True  # False when the search stopped at the limit


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


def what_if(dossier: Dossier, benefit: str, limit: int = 8, rounds: int = 3) -> WhatIf:
    """Minimal sets of changes that would turn ``benefit`` into a grant for ``dossier``."""
    regime = dossier.regime
    program = build_program(regime, Mode.DECISION)
    fields = program.inputs.fields
    files = sorted(regime.folder.glob("contrefactuels/*.lp"))
    answer = WhatIf(benefit)
    found: list[list[clingo.Symbol]] = []
    for _ in range(rounds):
        control = clingo.Control(["--warn=none", "--opt-mode=optN", f"--models={limit * 4}"])
        control.add("base", [], program.text)
        with ast.ProgramBuilder(control) as builder:
            text = _layer(fields) + "".join(p.read_text(encoding="utf-8") for p in files)
            text += f":- not decision(0, {benefit}, accorde).\n#minimize {{ 1, F, K : modification(F, K, _) }}.\n"
            text += "#show modification/3.\n#show mode(F, K, M) : modification(F, K, V), candidat(F, K, V, M).\n"
            for previous in found:  # no superset of a set already found
                text += ":- " + ", ".join(f"modification({', '.join(map(str, m.arguments))})" for m in previous) + ".\n"
            ast.parse_string(text, builder.add)
        with control.backend() as backend:
            for symbol in program.parameter_symbols:
                backend.add_rule([backend.add_atom(symbol)])
            for symbol in program.inputs.facts(0, dossier.data):
                renamed = symbol if symbol.name == "dossier" else clingo.Function(
                    f"initial_{symbol.name}", symbol.arguments)
                backend.add_rule([backend.add_atom(renamed)])
        control.ground([("base", [])])
        optimal: list[list[clingo.Symbol]] = []
        with control.solve(yield_=True) as handle:
            for model in handle:
                if model.optimality_proven:
                    optimal.append(model.symbols(shown=True))
        if not optimal:
            break
        candidates = []
        for symbols in optimal:
            changes = [s for s in symbols if s.name == "modification"]
            if not changes:
                continue  # already granted: nothing to change
            found.append(changes)
            voies = (AtomeVoie.read(s.arguments) for s in symbols if s.name == "mode")
            modes = {(v.champ, str(v.cle)): v for v in voies}
            candidates.append(_describe(dossier, changes, modes, fields))
        answer.ensembles += _verified(dossier, benefit, [c for c in candidates if c is not None])
        if len(answer.ensembles) >= limit:
            answer.ensembles = answer.ensembles[:limit]
            answer.complet = False
            return answer
    return answer


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


def _verified(dossier: Dossier, benefit: str, candidates) -> list[ChangeSet]:
    """Evaluate every changed dossier again, in one batch; keep the sets that really grant the benefit."""
    valid = []
    for changes, data in candidates:
        try:
            valid.append((changes, validate(data, dossier.origine, regime=dossier.regime)))
        except DossierError:  # a change that makes the dossier invalid is not a proposal
            continue
    decisions = evaluate_many([d for _, d in valid]) if valid else []
    return [ChangeSet(changes, decision) for (changes, _), decision in zip(valid, decisions, strict=True)
            if benefit in decision.prestations and decision.prestations[benefit].statut == Statut.accorde]

"""The warm solver: single dossiers in long-lived processes (the console, an API, ``letters``).

A process that lives long creates one :class:`WarmSolver` and passes it to
:func:`engine.solver.evaluate` (``solver=``); nothing else changes how a dossier is decided.
The cold solver (:class:`engine.solver.ColdSolver`) gives clingo the text of the
prestation slice at every call: clingo parses it, then the grounder visits every
rule, whether or not the dossier could ever make it fire. A long-lived process
can do both things once:

- the slice is parsed into clingo's AST once per process (and per base version,
  mode and slice), and handed to each new ``Control`` through a
  ``ProgramBuilder``, which skips the parser;
- the rules that cannot fire for a dossier are left out. A rule fires only if
  every positive atom of its body (outside aggregates and conditional
  literals, which may hold with nothing in them) can be true; from the input
  predicates a dossier gives (its facts and the parameters), a fixpoint over
  the rules' heads says which predicates can ever be true, and a rule reading
  any other cannot fire. Leaving it out changes no atom of the unique answer
  set of the stratified program. The kept statements are computed once per set
  of input predicates: dossiers at a counter give a few dozen distinct sets.

Nothing of a result is kept: only the program, keyed by the base version
(``version_base``), the mode and the slice, so that no dossier is ever decided by
the rules of another version of the base. ``tests/test_warm.py`` checks that the
warm path decides every golden case as the cold path does.

Its one cache, ``WarmSolver._slices`` (a slice's AST and its kept statements per set of input predicates),
is what makes it warm: parsing the slice and the fixpoint cost 217 ms, the look-up 1.2 µs, a warm decision
26 ms (bench/caches.py, 2026-12-07 18:20 UTC, load average 5.8). It lives as long as the solver instance.

Measured on the 2-core reference machine under load (2026-11-26, one process,
examples/famille-diarra.yaml, p50 of 40): a decision 17.5 ms cold, 13.3 ms warm
(0.76: the target of half is not reached, the grounder's visit of the ~250 rules
kept still costs ~7 ms); explaining a refusal (decision + ``why``) 14.7 ms warm,
0.84 of the cold decision. Of the warm path's time, clingo grounds 60 %, the AST
builder takes 15 % and reading the answer 25 %. ``bench/run.py`` prints both
paths in the same run.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import clingo
from clingo import ast

from engine.analysis import names
from engine.dossier import Dossier
from engine.program import Mode, Program
from engine.solver import demanded, run_control, solve_program

_PREDICATE = re.compile(r"([a-z_][A-Za-z0-9_']*)\(")


def _required(rule: ast.AST) -> frozenset[str]:
    """Predicates of the positive plain atoms of a rule's body: each must be true for the rule to fire."""
    out = set()
    for literal in rule.body:
        if (literal.ast_type == ast.ASTType.Literal and literal.sign == ast.Sign.NoSign
                and literal.atom.ast_type == ast.ASTType.SymbolicAtom):
            symbol = literal.atom.symbol
            while symbol.ast_type == ast.ASTType.UnaryOperation:
                symbol = symbol.argument
            if symbol.ast_type == ast.ASTType.Function:
                out.add(symbol.name)
    return frozenset(out)


@dataclass
class _Slice:
    """One slice of one program, parsed once; its statements kept for each set of input predicates."""

    statements: list[ast.AST]
    rules: list[tuple[int, frozenset[str], frozenset[str]]]  # position, heads, required body predicates
    kept: dict[frozenset[str], list[ast.AST]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> _Slice:
        statements: list[ast.AST] = []
        ast.parse_string(text, statements.append)
        rules = []
        for i, statement in enumerate(statements):
            if statement.ast_type != ast.ASTType.Rule:
                continue
            alternatives = statement.unpool()  # p(a;b). names p only once unpooled
            heads = frozenset().union(*(names(rule.head) for rule in alternatives))
            if not heads:
                if statement.head.ast_type == ast.ASTType.Literal and \
                        statement.head.atom.ast_type == ast.ASTType.BooleanConstant:
                    continue  # an integrity constraint: always kept
                return cls(statements, [])  # a head this analysis cannot name: keep every rule
            required = frozenset.intersection(*(_required(rule) for rule in alternatives))
            rules.append((i, heads, required))
        return cls(statements, rules)

    def for_inputs(self, inputs: frozenset[str]) -> list[ast.AST]:
        kept = self.kept.get(inputs)
        if kept is None:
            true = set(inputs)
            changed = True
            while changed:  # naive fixpoint: a few hundred rules, a handful of rounds, once per input set
                changed = False
                for _, heads, required in self.rules:
                    if required <= true and not heads <= true:
                        true |= heads
                        changed = True
            dropped = {i for i, _, required in self.rules if not required <= true}
            kept = self.kept[inputs] = [s for i, s in enumerate(self.statements) if i not in dropped]
        return kept


class WarmSolver:
    """Single dossiers by the warm path; a batch of several, as the cold solver does (grounding them together
    already shares the work). One instance per long-lived process: it keeps the parsed slices, keyed by the
    base version (``version_base``), the mode and the slice, so that no dossier is ever decided by the rules of
    another version of the base."""

    def __init__(self) -> None:
        self._slices: dict[tuple[str, Mode, frozenset[str] | None], _Slice] = {}
        self._lock = threading.Lock()

    def solve(self, program: Program, dossiers: Sequence[Dossier],
              prestations: frozenset[str] | None = None) -> list[clingo.Symbol]:
        if len(dossiers) != 1 or prestations is not None:
            return solve_program(program, dossiers, prestations=prestations)
        return self.solve_one(program, dossiers[0])

    def _slice(self, program: Program, prestations: frozenset[str] | None) -> _Slice:
        key = (program.regime.version, program.mode, prestations)
        with self._lock:
            found = self._slices.get(key)
            if found is None:
                found = self._slices[key] = _Slice.parse(program.text_for(prestations))
        return found

    def solve_one(self, program: Program, dossier: Dossier) -> list[clingo.Symbol]:
        """The shown symbols of the unique answer set for one dossier, as the cold solver gives them."""
        if dossier.regime.version != program.regime.version:
            raise ValueError(f"dossier de la base {dossier.regime.version}, programme de {program.regime.version}")
        prestations = demanded([dossier]) if program.regime.prestations_independantes else None
        facts = program.inputs.facts_text(0, dossier.data)
        inputs = frozenset(_PREDICATE.findall(facts)) | {s.name for s in program.parameter_symbols}
        statements = self._slice(program, prestations).for_inputs(inputs)

        def load(control: clingo.Control) -> None:
            with ast.ProgramBuilder(control) as builder:
                for statement in statements:
                    builder.add(statement)
            program.add_parameters(control)
            control.add("base", [], facts)

        return run_control(program.regime, load)

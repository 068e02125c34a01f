"""Solve: ground a regime's program with the dossiers' facts, and give the decisions.

:func:`solve_program` grounds a program (:mod:`engine.program`) with the facts of
a batch of dossiers (:mod:`engine.facts`) and returns the shown symbols of its
answer set; :func:`evaluate_many` reads them into decisions (:mod:`engine.read`),
one grounding per regime present in the batch (every predicate of the knowledge
base carries the dossier as first argument); :func:`evaluate` is the same path
for one dossier. The program is stratified, so grounding alone decides it and
the answer set is unique.

How a program meets its facts is a :class:`Solver`, injected by whoever calls: the
:class:`ColdSolver` (the default) gives clingo the program's text at each call; a long-lived
process (the console, the API, ``letters``) passes a
:class:`engine.speedups.warm.WarmSolver`, which decides the same. Both run clingo through
:func:`run_control`, so both say clingo's own messages when it refuses a program.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol

import clingo

from engine.dossier import Dossier
from engine.model import Decision
from engine.program import Mode, Program, build_program
from engine.read import AnswerReader
from engine.regime import Regime


class EvaluationError(Exception):
    """The knowledge base did not give exactly one answer set, or clingo refused it (a defect of the base
    or of an amendment, never of a dossier)."""


def decision_mode(mode: Mode) -> Mode:
    """A decision is read in decision or explanation mode; a summary has its own reader (:mod:`engine.resume`)."""
    mode = Mode(mode)
    if mode is Mode.SUMMARY:
        raise ValueError("un résumé se lit par engine.resume.summarize_many, pas en décision")
    return mode


class Solver(Protocol):
    """How a program is grounded and solved with the facts of some dossiers: the shown symbols of its
    unique answer set (``prestations``: only the files of these prestations, None: those the batch claims)."""

    def solve(self, program: Program, dossiers: Sequence[Dossier],
              prestations: frozenset[str] | None = None) -> list[clingo.Symbol]: ...


class ColdSolver:
    """The program's text given to a new ``Control`` at each call: nothing kept between calls."""

    def solve(self, program: Program, dossiers: Sequence[Dossier],
              prestations: frozenset[str] | None = None) -> list[clingo.Symbol]:
        return solve_program(program, dossiers, prestations=prestations)


COLD = ColdSolver()


def evaluate(dossier: Dossier, mode: Mode = Mode.EXPLANATION, solver: Solver = COLD) -> Decision:
    """The decision on one dossier."""
    return evaluate_many([dossier], mode=mode, solver=solver)[0]


def evaluate_many(dossiers: Sequence[Dossier], mode: Mode = Mode.EXPLANATION,
                  solver: Solver = COLD) -> list[Decision]:
    """Decisions for many dossiers; one grounding per regime present in the batch."""
    mode = decision_mode(mode)
    by_regime: dict[int, list[int]] = defaultdict(list)  # by regime object: an amended base shares its id
    for position, dossier in enumerate(dossiers):
        by_regime[id(dossier.regime)].append(position)
    results: list[Decision | None] = [None] * len(dossiers)
    for positions in by_regime.values():
        batch = [dossiers[p] for p in positions]
        for position, decision in zip(positions, _evaluate_batch(batch, mode, solver), strict=True):
            results[position] = decision
    return [r for r in results if r is not None]


def solve_symbols(regime: Regime, dossiers: Sequence[Dossier], mode: Mode = Mode.EXPLANATION) -> list[clingo.Symbol]:
    """Ground and solve a batch; the shown symbols of its unique answer set."""
    return solve_program(build_program(regime, mode), dossiers)


def demanded(dossiers: Sequence[Dossier]) -> frozenset[str] | None:
    """The prestations a batch demands, if each of its dossiers names some (None: the whole program is needed)."""
    wanted: set[str] = set()
    for dossier in dossiers:
        names = dossier.prestations_demandees
        if names is None:
            return None
        wanted |= names
    return frozenset(wanted)


def solve_program(program: Program, dossiers: Sequence[Dossier], sliced: bool = True,
                  prestations: frozenset[str] | None = None) -> list[clingo.Symbol]:
    """The shown symbols of the unique answer set of ``program`` given the dossiers' facts.

    ``sliced``: ground only the files of the prestations the batch demands (:mod:`engine.speedups.slices`),
    when the regime declares its prestations independent; ``prestations``, only those of these prestations
    (the others are then not examined at all).
    """
    regime = program.regime
    wanted = prestations if prestations is not None else demanded(dossiers)
    facts = "".join(program.inputs.facts_text(i, d.data) for i, d in enumerate(dossiers))
    return run_control(regime, lambda control: (
        program.load_into(control, wanted if sliced and regime.prestations_independantes else None),
        control.add("base", [], facts)))


def run_control(regime: Regime, load: Callable[[clingo.Control], object]) -> list[clingo.Symbol]:
    """A new ``Control`` given its program and facts by ``load``, grounded and solved: the shown symbols of
    its unique answer set. Every solver runs clingo here, so that a refusal always says clingo's messages."""
    messages: list[str] = []
    # Two models asked: a base that claims a unique answer set is caught when it has a second one.
    control = clingo.Control(["--warn=none", "--models=2"], logger=lambda _code, text: messages.append(text))
    try:
        load(control)
        control.ground([("base", [])])
        models: list[list[clingo.Symbol]] = []
        control.solve(on_model=lambda m: models.append(m.symbols(shown=True)))
    except RuntimeError as exc:  # clingo refused the program: its messages say where
        detail = " ; ".join(m.strip() for m in messages) or str(exc)
        if "overflow" in detail.lower():  # clasp's « Integer overflow! », with C++ signatures: said in French
            raise EvaluationError("un calcul dépasse les entiers du solveur (32 bits) : un montant, un paramètre "
                                  "ou une somme est trop grand pour la base") from None
        raise EvaluationError(f"la base {regime.version} est refusée par clingo : {detail}") from exc
    if len(models) != 1:
        what = "aucun modèle (programme insatisfiable)" if not models else "plusieurs modèles au lieu d'un"
        raise EvaluationError(f"{what} : la base {regime.version} est défectueuse")
    return models[0]


def _evaluate_batch(dossiers: Sequence[Dossier], mode: Mode, solver: Solver) -> list[Decision]:
    program = build_program(dossiers[0].regime, mode)
    reader = AnswerReader(program, solver.solve(program, dossiers))
    return [reader.decision(index, dossier) for index, dossier in enumerate(dossiers)]


__all__ = ["COLD", "ColdSolver", "EvaluationError", "Mode", "Solver", "decision_mode", "demanded", "evaluate",
           "evaluate_many", "run_control", "solve_program", "solve_symbols"]

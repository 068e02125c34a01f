"""What the rules read under « not »: for each condition, the dossier facts whose silence the decision leans on
(a condition met because the dossier does not say otherwise), and the facts each prestation's amount reads. The
interview's search (:mod:`usecases.entretien.recherche`) asks them to confirm a met condition, to lift a
refusal decided on a default, or to settle an amount.

Read once per regime and process from the rules' AST (clingo's parser).
"""

from __future__ import annotations

import functools

from engine.program import Mode, build_program
from engine.regime import Regime

# Predicates through which a rule depends on another condition: that condition is confirmed on its own.
_ETATS = {"rempli", "non_rempli", "vrai", "faux", "etat", "par_exception", "evalue"}


def lectures_par_defaut(regime: Regime, etat: str = "rempli") -> dict[str, set[str]]:  # or "montant"
    """For each condition, the dossier facts that a rule putting it in ``etat`` (``rempli``, ``non_rempli``)
    reads under ``not``, directly or through
    the predicates its body uses (the mother is the applicant's wife when the dossier does not say who is
    pregnant): a condition met on the dossier's silence, which the fact, once said, could fail. Read once per
    regime from the rules' AST."""
    return _lectures_par_defaut(regime)[etat]


@functools.cache
def _lectures_par_defaut(regime: Regime) -> dict[str, dict[str, set[str]]]:
    """Both states at once: one pass over the rules' AST per regime and process.

    The interview's one cache layer of its own (keyed by the regime; the console fills it at start-up,
    ``console.app.echauffer``). Measured in one run (``python bench/lectures.py --cas 12``, 2 cores under a
    load of about 7, 2026-12-07): one reading costs 2 073 ms for mali-inps, 394 ms for senegal-css, 282 ms for
    mali-couverture-maladie (median of 5); a step asks for it 7.5 times (1 196 over 160 steps); the same 12
    interviews took 6.9 s with the cache (43 ms a step) and 524 s without it (3 277 ms a step), 76 times as
    long. Without it every question would wait seconds.
    """
    from clingo import ast

    inputs = build_program(regime, Mode.EXPLANATION).inputs.fields
    negated: dict[str, set[str]] = {}  # predicate -> inputs its own rules read under « not »
    uses: dict[str, set[str]] = {}  # predicate -> predicates its rules' bodies use positively
    conditions: dict[str, dict[str, set[str]]] = {"rempli": {}, "non_rempli": {}}  # state -> condition -> body
    reads: dict[str, set[str]] = {}  # predicate -> inputs its rules read, under « not » or not
    amounts: dict[str, set[str]] = {}  # prestation -> predicates the bodies of its « montant » rules use

    def atom_name(literal: ast.AST) -> str | None:
        if literal.ast_type != ast.ASTType.Literal or literal.atom.ast_type != ast.ASTType.SymbolicAtom:
            return None
        symbol = literal.atom.symbol
        return symbol.name if symbol.ast_type == ast.ASTType.Function else None

    def visit(statement: ast.AST) -> None:
        if statement.ast_type != ast.ASTType.Rule or statement.head.ast_type != ast.ASTType.Literal:
            return
        head = statement.head.atom
        if head.ast_type != ast.ASTType.SymbolicAtom or head.symbol.ast_type != ast.ASTType.Function:
            return
        name = head.symbol.name
        body_neg = {atom_name(b) for b in statement.body if atom_name(b) and b.sign != ast.Sign.NoSign}
        body_pos = {atom_name(b) for b in statement.body if atom_name(b) and b.sign == ast.Sign.NoSign}
        negated.setdefault(name, set()).update(p for p in body_neg if p in inputs)
        uses.setdefault(name, set()).update(p for p in body_pos if p not in inputs and p not in _ETATS)
        reads.setdefault(name, set()).update(p for p in body_pos | body_neg if p in inputs)
        if name == "montant" and len(head.symbol.arguments) >= 2 \
                and head.symbol.arguments[1].ast_type == ast.ASTType.SymbolicTerm:
            amounts.setdefault(str(head.symbol.arguments[1].symbol), set()).update(body_pos | body_neg)
        if name in conditions and len(head.symbol.arguments) == 2:
            condition = head.symbol.arguments[1]
            key = getattr(condition, "name", None) or str(condition)
            bodies = conditions[name].setdefault(key, set())
            bodies.update(p for p in body_neg if p in inputs)
            bodies.update(p for p in body_pos if p not in inputs and p not in _ETATS)

    for _, text in regime.program_texts():
        ast.parse_string(text, visit)

    reach = _grown(negated, uses)
    out = {etat: {key: {p for p in preds if p in inputs}.union(*(reach.get(p, set()) for p in preds
                                                                 if p not in inputs))
                  for key, preds in by_condition.items()}
           for etat, by_condition in conditions.items()}
    # The facts an amount reads, through every predicate its rules use (not through other conditions).
    read = _grown(reads, uses)
    out["montant"] = {prestation: {p for p in preds if p in inputs}.union(*(read.get(p, set()) for p in preds
                                                                       if p not in inputs))
                      for prestation, preds in amounts.items()}
    return out


def _grown(seed: dict[str, set[str]], uses: dict[str, set[str]]) -> dict[str, set[str]]:
    """A copy of ``seed`` (predicate -> inputs) grown to a fixed point along the positive uses: a predicate
    reads what the predicates its rules use read."""
    out = {p: set(v) for p, v in seed.items()}
    changed = True
    while changed:
        changed = False
        for predicate, used in uses.items():
            before = len(out.setdefault(predicate, set()))
            for other in used:
                out[predicate] |= out.get(other, set())
            changed |= len(out[predicate]) != before
    return out

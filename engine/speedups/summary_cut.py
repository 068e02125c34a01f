"""The summary cut: a caseload's summary is grounded with the rules its few shows depend on, no others.

In summary mode the common output file (``kb/commun/sortie.lp``) is replaced by
:data:`SUMMARY_SHOWS` (statuses, amounts, sources, the state of each prestation's
own conditions), rules that only serve explanations (:func:`serves_explanations`)
are dropped while parsing, and :func:`shown_only` then keeps only the rules the
shows depend on: the family allowances' payment schedule, for one, is never
grounded for a summary.

What it saves: measured in docs/performances.md (« résumé réduit aux règles dont
dépend ce qu'il montre ») on the 2-core reference machine: grounding 1.79 →
1.52 ms per dossier, batches ≈ 880 → 1 040 to 1 100 dossiers/s, ``diff`` of
100 000 dossiers 222 → 165 s.
"""

from __future__ import annotations

from clingo import ast

from engine.analysis import Pattern, may_match, names, patterns

# Heads that only serve explanations: a summary does without them.
_EXPLANATION_HEADS = {"valeur", "parametre_applique", "parametre_utilise", "libelle"}

SUMMARY_SHOWS = """
#show. #show decision/3. #show montant/4. #show source/3.
#show etat_resume(D, P, C, E) : sous_condition(D, droit(P), C), etat(D, C, E), examinee(D, P).
"""


def serves_explanations(statement: ast.AST) -> bool:
    """Whether a statement is a rule whose head only serves explanations."""
    return statement.ast_type == ast.ASTType.Rule and bool(names(statement.head) & _EXPLANATION_HEADS)


def shown_only(files: list[list[ast.AST]]) -> list[list[ast.AST]]:
    """The statements that what the program shows depends on: the others are never grounded.

    Roots are the shown predicates, the atoms of conditional shows and the bodies of integrity
    constraints. A rule stays when one of its head atoms may match a needed atom; its body atoms
    (negated ones included) are then needed in turn. Atoms are compared by name and constant
    arguments, so that the family allowances' payment schedule, ``echeance(D, allocations_familiales,
    ...)``, is left out of a summary although the maternity amounts read their own ``echeance`` atoms.
    Anything not a constant matches anything: the slice can only keep too much, never too little.
    """
    needed: dict[str, list[tuple[str | None, ...]]] = {}
    rules: list[tuple[ast.AST, set[Pattern], set[Pattern]]] = []
    todo: list[Pattern] = []
    kept: set[int] = set()  # ids of the rules kept, integrity constraints from the start
    for statements in files:
        for statement in statements:
            if statement.ast_type == ast.ASTType.Rule:
                heads, body = patterns(statement.head), patterns(*statement.body)
                if heads:
                    rules.append((statement, heads, body))
                else:
                    kept.add(id(statement))
                    todo.extend(body)
            elif statement.ast_type == ast.ASTType.ShowSignature:
                todo.append((statement.name, (None,) * statement.arity))
            else:
                todo.extend(patterns(statement))
    while todo:
        for name, args in todo:
            needed.setdefault(name, []).append(args)
        todo = []
        for statement, heads, body in rules:
            if id(statement) not in kept and any(
                    may_match(args, wanted) for name, args in heads for wanted in needed.get(name, ())):
                kept.add(id(statement))
                todo.extend(body)
    return [[s for s in statements if s.ast_type != ast.ASTType.Rule or id(s) in kept] for statements in files]

"""The rule-firing recorder: in explanation mode, each rule deciding a condition records its own firing.

Every rule of a regime file whose head is ``rempli(D, C)`` or ``non_rempli(D, C)``
gets a twin::

    applique(D, C, rempli, <id du bloc>, (Atome1, ..., AtomeN)) :- <same body>.

so the justification of a condition comes from the ground derivation itself:
which rule (hence which sentence of the guide) fired, on which facts of the
dossier and which parameters. The transformation is generic: it never looks at
what a rule says, only at the shape of its head. On the way, the recorder notes
which predicates each condition's rules read and which parameters and values
they name (what a phrase of the condition may use).

What it saves: the twins double the recorded rules, and reading them into
:class:`engine.model.RegleAppliquee` is the dearest part of reading an answer set,
so they are added in explanation mode only; a decision or a summary is grounded
without them. Measured (2026-11-26, 2-core reference machine under load, one
process, the first 250 dossiers of a generated caseload of mali-inps in one
grounding, median of 5 to 7 runs, two runs): grounding and solving 2.85 to 2.97
ms per dossier without the twins, 3.23 to 3.42 with them; decisions read
(:func:`engine.solver.evaluate_many`) 8.8 to 9.6 ms per dossier, explained
14.1 to 15.9.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import clingo
from clingo import ast

RECORDED_HEADS = {"rempli": "rempli", "non_rempli": "non_rempli"}
# Heads through which the base names values for a condition: valeur(D, C, Nom, V),
# parametre_applique(D, C, Param).
NAMING_HEADS = {"valeur": 4, "parametre_applique": 3}
# Body atoms through which a rule reads a parameter: en_vigueur(D, Param, V), parametre_du_mois(Param, K, V).
_PARAMETER_READS = {"en_vigueur": 1, "parametre_du_mois": 0}


class _NameAnonymous(ast.Transformer):
    """Gives each anonymous variable ``_`` its own name, so a copied body atom stays safe in a head."""

    def __init__(self):
        self.count = 0

    def visit_Variable(self, node: ast.AST) -> ast.AST:
        if node.name != "_":
            return node
        self.count += 1
        return node.update(name=f"Anonyme{self.count}")


class FiringRecorder:
    """Adds, beside each recorded rule of a regime file, the rule recording its firing.

    Called on each statement of one file (``ast.parse_string(text, recorder)``); the statements to ground
    are then in :attr:`statements`.
    """

    def __init__(self, block_of_line: Callable[[int], str], reads: dict[str, set[str]],
                 names: dict[str, set[str]]):
        self.block_of_line = block_of_line
        self.statements: list[ast.AST] = []
        self.reads = reads  # condition name -> predicates its rules read
        self.names = names  # condition name -> parameters and values its rules name

    @staticmethod
    def _condition_name(term: ast.AST) -> str:
        # A condition is a constant (salarie) or a term on an entity (age(enfant(E))).
        return term.name if term.ast_type == ast.ASTType.Function else str(term)

    @classmethod
    def _keys(cls, term: ast.AST) -> list[str]:
        """The condition's name, and its full node when ground (delai_demande(conge_naissance))."""
        name = cls._condition_name(term)
        full = str(term)
        return [name, full] if full != name and not re.search(r"\b[A-Z_]", full) else [name]

    def _record_naming(self, statement: ast.AST) -> None:
        """valeur/4 and parametre_applique/3 heads name values a condition provides."""
        for rule in statement.unpool():
            term = rule.head.atom.symbol
            args = term.arguments
            if len(args) == NAMING_HEADS[term.name] and args[2].ast_type == ast.ASTType.SymbolicTerm:
                for key in self._keys(args[1]):
                    self.names.setdefault(key, set()).add(str(args[2].symbol))

    def __call__(self, statement: ast.AST) -> None:
        self.statements.append(statement)
        if statement.ast_type != ast.ASTType.Rule:
            return
        head = statement.head
        if head.ast_type != ast.ASTType.Literal or head.atom.ast_type != ast.ASTType.SymbolicAtom:
            return
        term = head.atom.symbol
        if term.ast_type != ast.ASTType.Function:
            return
        if term.name in NAMING_HEADS:
            self._record_naming(statement)
            return
        if term.name not in RECORDED_HEADS or len(term.arguments) != 2:
            return
        keys = self._keys(term.arguments[1])
        atoms = [
            lit.atom.symbol
            for lit in statement.body
            if lit.ast_type == ast.ASTType.Literal
            and lit.atom.ast_type == ast.ASTType.SymbolicAtom
            and lit.atom.symbol.ast_type == ast.ASTType.Function
        ]
        for key in keys:
            self.reads.setdefault(key, set()).update(atom.name for atom in atoms)
        for atom in atoms:
            position = _PARAMETER_READS.get(atom.name)
            if position is not None and len(atom.arguments) > position:
                argument = atom.arguments[position]
                if argument.ast_type == ast.ASTType.SymbolicTerm:
                    for key in keys:
                        self.names.setdefault(key, set()).add(str(argument.symbol))
        for rule in statement.unpool():
            self.statements.append(self._twin(self._name_copied_anonymous(rule), RECORDED_HEADS[term.name]))

    @staticmethod
    def _name_copied_anonymous(rule: ast.AST) -> ast.AST:
        """Name the ``_`` of positive body atoms (they are copied into the twin's head);
        ``_`` in a negated atom stays anonymous, where a named variable would be unsafe."""
        namer = _NameAnonymous()
        body = [namer(lit) if lit.ast_type == ast.ASTType.Literal and lit.sign == ast.Sign.NoSign else lit
                for lit in rule.body]
        return rule.update(body=body)

    def _twin(self, rule: ast.AST, state: str) -> ast.AST:
        loc = rule.location
        d, c = rule.head.atom.symbol.arguments
        used = [
            lit.atom.symbol
            for lit in rule.body
            if lit.ast_type == ast.ASTType.Literal
            and lit.sign == ast.Sign.NoSign
            and lit.atom.ast_type == ast.ASTType.SymbolicAtom
        ]
        block = self.block_of_line(loc.begin.line)
        head = ast.Function(
            loc,
            "applique",
            [d, c, ast.SymbolicTerm(loc, clingo.Function(state)),
             ast.SymbolicTerm(loc, clingo.Function(block)),
             ast.Function(loc, "", used, False)],
            False,
        )
        return ast.Rule(loc, ast.Literal(loc, ast.Sign.NoSign, ast.SymbolicAtom(head)), rule.body)

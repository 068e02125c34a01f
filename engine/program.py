"""Build the clingo program of a regime in one of three modes: its rules and its parameter facts.

:func:`build_program` reads the regime's files (:meth:`engine.regime.Regime.program_texts`)
and returns a :class:`Program`: the text of each file, the rule blocks, the
parameters as symbols, and what the explanations need to know of the rules. The
:class:`Mode` says what the program is for:

- ``DECISION``: the decisions, read into a :class:`engine.model.Decision` without the rules that fired;
- ``EXPLANATION``: the same, and every rule deciding a condition records its firing (:mod:`engine.firings`);
- ``SUMMARY``: statuses, amounts and the state of each prestation's conditions, for caseloads
  (:mod:`engine.speedups.summary_cut`, read by :mod:`engine.resume`).

The optimisations plug in behind the builder, each in its own module:
:mod:`engine.speedups.slices` (one part per file; a batch is grounded with the files of
the prestations it demands), :mod:`engine.speedups.summary_cut` (a summary grounds only
what its shows depend on), :mod:`engine.speedups.cache` (the built program kept in memory
and on disk per base version), and :mod:`engine.firings` (firings recorded in explanation
mode only).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import clingo
from clingo import ast

from engine.analysis import names
from engine.blocks import RuleBlock, block_locator, read_blocks
from engine.facts import SchemaFacts, parameter_facts
from engine.firings import FiringRecorder
from engine.regime import Regime, kb_root
from engine.speedups import cache, slices
from engine.speedups.slices import Part, make_part
from engine.speedups.summary_cut import SUMMARY_SHOWS, serves_explanations, shown_only


class Mode(enum.Enum):
    """What a program is built for: a decision, an explained decision, or a caseload's summary."""

    DECISION = "decision"
    EXPLANATION = "explanation"
    SUMMARY = "summary"


# Predicates through which a rule depends on other conditions: the search for the
# dossier fields a condition reads stops there.
_CONDITION_STATES = {"rempli", "non_rempli", "vrai", "faux", "etat", "par_exception", "evalue"}

# What each mode shows beside the common output file (kb/commun/sortie.lp); a summary replaces that file.
_SHOWS = {
    Mode.DECISION: "#show source/3.",
    Mode.EXPLANATION: "#show applique/5. #show source/3. #show mode(D, C, toutes) : toutes(C), evalue(D, C)."
                      "#show mode(D, C, une_parmi) : une_parmi(C), evalue(D, C).",
    Mode.SUMMARY: "",
}


@dataclass
class Program:
    """A regime's program, ready to be given facts and grounded.

    ``parts`` are its files (:mod:`engine.speedups.slices`): a dossier that demands some
    prestations only is grounded with the files of those prestations and the shared
    ones (:meth:`text_for`).
    """

    regime: Regime
    mode: Mode
    parts: list[Part]
    blocks: dict[str, RuleBlock]
    inputs: SchemaFacts
    parameter_symbols: list[clingo.Symbol]
    reads: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    deps: dict[str, set[str]] = field(default_factory=dict)
    library: set[str] = field(default_factory=set)  # calendar and parameter helpers of kb/commun
    # fields_read's answers: asked for every unknown node of every decision read, they never change once built.
    _fields_read: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def fields_read(self, condition: str) -> frozenset[str]:
        """Input predicates a condition's rules read, directly or through intermediate predicates.

        The search does not go through the calendar and parameter helpers: they
        serve every prestation, and what a rule gives them it already reads itself.
        """
        found = self._fields_read.get(condition)
        if found is None:
            found = self._fields_read[condition] = frozenset(self._search_fields(condition))
        return found

    def _search_fields(self, condition: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.reads.get(condition, ()))
        while todo:
            predicate = todo.pop()
            if predicate in seen or predicate in _CONDITION_STATES or predicate in self.library:
                continue
            seen.add(predicate)
            todo.extend(self.deps.get(predicate, ()))
        return {p for p in seen if p in self.inputs.fields}

    def provides(self, condition: str) -> set[str]:
        """Names a phrase of ``condition`` (a name or a full node) may use: fields its rules read,
        parameters and values they name."""
        key = condition if condition in self.reads or condition in self.names else condition.split("(")[0]
        fields = {self.inputs.fields[p].path[-1] for p in self.reads.get(key, ()) if p in self.inputs.fields}
        return fields | self.names.get(key, set()) | {"objet"}

    @property
    def conditions(self) -> set[str]:
        """Names of the conditions decided by rules of the regime."""
        return {key for key in self.reads if "(" not in key}

    @property
    def text(self) -> str:
        """The whole program as text: clingo's parser reads it far faster than statements added one by one."""
        return self.text_for(None)

    def text_for(self, prestations: frozenset[str] | None) -> str:
        """The program for dossiers that demand ``prestations`` only (None: every prestation).

        Not kept once made: joining the parts costs 0.03 to 0.1 ms, under 0.2 % of a single decision
        (bench/caches.py, docs/performances.md); the warm solver keeps what it parses itself."""
        kept = self.parts if slices.is_whole(self.parts, prestations) else slices.select(self.parts, prestations)
        return "\n".join(part.text for part in kept) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """What :meth:`from_dict` needs, as JSON data: the parts, blocks and analyses (the inputs and
        parameters are the regime's, read again from it)."""
        return {
            "parts": [part.to_dict() for part in self.parts],
            "blocks": [block.to_dict(kb_root()) for block in self.blocks.values()],
            "reads": {k: sorted(v) for k, v in self.reads.items()},
            "names": {k: sorted(v) for k, v in self.names.items()},
            "deps": {k: sorted(v) for k, v in self.deps.items()},
            "library": sorted(self.library),
        }

    @classmethod
    def from_dict(cls, regime: Regime, mode: Mode, data: dict[str, Any]) -> Program:
        """The program of ``regime`` in ``mode`` that :meth:`to_dict` gave."""
        blocks = [RuleBlock.from_dict(kb_root(), b) for b in data["blocks"]]
        sets = {k: {name: set(v) for name, v in data[k].items()} for k in ("reads", "names", "deps")}
        return cls(regime, mode, [Part.from_dict(p) for p in data["parts"]], {b.id: b for b in blocks},
                   SchemaFacts(regime.schema), list(parameter_facts(regime.parameters)),
                   sets["reads"], sets["names"], sets["deps"], set(data["library"]))

    def load_into(self, control: clingo.Control, prestations: frozenset[str] | None = None) -> None:
        control.add("base", [], self.text_for(prestations))
        self.add_parameters(control)

    def add_parameters(self, control: clingo.Control) -> None:
        """The parameters as facts, through the backend: already symbols, they need no parsing."""
        with control.backend() as backend:
            for symbol in self.parameter_symbols:
                backend.add_rule([backend.add_atom(symbol)])


def build_program(regime: Regime, mode: Mode = Mode.EXPLANATION) -> Program:
    """The regime's program, built once per process and mode, and kept on disk per base version
    (:mod:`engine.speedups.cache`)."""
    mode = Mode(mode)
    return cache.program_for(regime, mode.value, lambda: _build(regime, mode),
                             lambda data: Program.from_dict(regime, mode, data))


def _build(regime: Regime, mode: Mode) -> Program:
    """Parse the regime's files, and shape them for ``mode``."""
    files: list[list[ast.AST]] = []
    blocks: dict[str, RuleBlock] = {}
    reads: dict[str, set[str]] = {}
    names_: dict[str, set[str]] = {}
    deps: dict[str, set[str]] = {}
    for path, text in regime.program_texts():
        statements: list[ast.AST] = []
        files.append(statements)
        if mode is Mode.SUMMARY and path.name == "sortie.lp" and path.parent.name == "commun":
            ast.parse_string(SUMMARY_SHOWS, statements.append)
            continue
        file_blocks = read_blocks(path, text)
        for block in file_blocks:
            if block.id in blocks:
                raise ValueError(f"{path}:{block.line}: identifiant de règle en double « {block.id} »")
            blocks[block.id] = block
        if mode is Mode.SUMMARY:
            ast.parse_string(text, lambda s, out=statements: None if serves_explanations(s) else out.append(s))
        elif mode is Mode.EXPLANATION and regime.is_regime_file(path):
            recorder = FiringRecorder(block_locator(path, file_blocks, kb_root()), reads, names_)
            ast.parse_string(text, recorder)
            statements.extend(recorder.statements)
        else:
            ast.parse_string(text, statements.append)
    library: set[str] = set()
    for path, text in regime.program_texts():
        if path.name in ("calendrier.lp", "parametres.lp") and path.parent.name == "commun":
            ast.parse_string(text, lambda s: library.update(names(s.head)) if s.ast_type == ast.ASTType.Rule else None)
    inputs = SchemaFacts(regime.schema)
    closing: list[ast.AST] = []
    files.append(closing)
    ast.parse_string(inputs.declarations(), closing.append)
    if _SHOWS[mode]:
        ast.parse_string(_SHOWS[mode], closing.append)
    if mode is Mode.SUMMARY:
        files = shown_only(files)
    parts = [make_part(statements, deps) for statements in files]
    return Program(regime, mode, parts, blocks, inputs, list(parameter_facts(regime.parameters)),
                   reads, names_, deps, library)

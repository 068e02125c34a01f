"""Build the clingo program of a regime: its rules, parameter facts, and rule-firing records.

The rules of ``kb/`` are grouped in blocks opened by a ``% @regle <id>`` comment
followed by the sentence of law they encode. In explanation mode every rule of
a regime whose head is ``rempli(D, C)`` or ``non_rempli(D, C)`` gets a twin that
records its firing::

    applique(D, C, rempli, <id du bloc>, (Atome1, ..., AtomeN)) :- <same body>.

so the justification of a condition comes from the ground derivation itself:
which rule (hence which sentence of the guide) fired, on which facts of the
dossier and which parameters. The transformation is generic: it never looks at
what a rule says, only at the shape of its head.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import clingo
from clingo import ast

from engine.facts import SchemaFacts, parameter_facts
from engine.regime import Regime, kb_root

_TAG = re.compile(r"^\s*%\s*@regle\s+([a-z][a-z0-9_]*)\s*$")
_RECORDED_HEADS = {"rempli": "rempli", "non_rempli": "non_rempli"}
# Heads through which the base names values for a condition: valeur(D, C, Nom, V),
# parametre_applique(D, C, Param).
_NAMING_HEADS = {"valeur": 4, "parametre_applique": 3}
# Body atoms through which a rule reads a parameter: en_vigueur(D, Param, V), parametre_du_mois(Param, K, V).
_PARAMETER_READS = {"en_vigueur": 1, "parametre_du_mois": 0}


@dataclass
class RuleBlock:
    """A block of rules encoding one sentence of law."""

    id: str
    file: Path
    line: int
    comment: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        """The quoted sentence of law (« … ») the block encodes, as one line."""
        text = " ".join(self.comment)
        quotes = re.findall(r"«(.*?)»", text, flags=re.S)
        return " … ".join(" ".join(q.split()) for q in quotes)

    @property
    def note(self) -> str:
        """The block's comment outside the quoted sentence: the reading chosen."""
        text = " ".join(self.comment)
        return " ".join(re.sub(r"«.*?»", "", text, flags=re.S).split())


def read_blocks(path: Path, text: str | None = None) -> list[RuleBlock]:
    """Split a ``.lp`` file (or its given text) into its ``@regle`` blocks (the preamble has no block)."""
    blocks: list[RuleBlock] = []
    current: RuleBlock | None = None
    in_comment = False
    text = path.read_text(encoding="utf-8") if text is None else text
    for number, line in enumerate(text.splitlines(), start=1):
        tag = _TAG.match(line)
        if tag:
            current = RuleBlock(tag.group(1), path, number)
            blocks.append(current)
            in_comment = True
            continue
        if current is None:
            continue
        stripped = line.strip()
        if stripped.startswith("%"):
            if in_comment:
                current.comment.append(stripped.lstrip("%").strip())
        else:
            in_comment = False
            if stripped:
                current.lines.append(line)
    return blocks


class _NameAnonymous(ast.Transformer):
    """Gives each anonymous variable ``_`` its own name, so a copied body atom stays safe in a head."""

    def __init__(self):
        self.count = 0

    def visit_Variable(self, node: ast.AST) -> ast.AST:
        if node.name != "_":
            return node
        self.count += 1
        return node.update(name=f"Anonyme{self.count}")


class _AtomPatterns(ast.Transformer):
    """Collects every atom of a piece of AST as (name, arguments): a constant argument as its text,
    any other (variable, pool, function of variables, arithmetic) as None, which matches anything."""

    def __init__(self):
        self.patterns: set[tuple[str, tuple[str | None, ...]]] = set()

    def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:
        if node.symbol.ast_type == ast.ASTType.Function:
            self.patterns.add((node.symbol.name, tuple(
                str(a.symbol) if a.ast_type == ast.ASTType.SymbolicTerm else None for a in node.symbol.arguments)))
        return node


def _patterns(*pieces: ast.AST) -> set[tuple[str, tuple[str | None, ...]]]:
    """The atoms of some AST, as :class:`_AtomPatterns` collects them."""
    collector = _AtomPatterns()
    for piece in pieces:
        collector(piece)
    return collector.patterns


def _names(*pieces: ast.AST) -> set[str]:
    """The predicate names of every atom in some AST (aggregates and conditions included)."""
    return {name for name, _ in _patterns(*pieces)}


# Predicates through which a rule depends on other conditions: the search for the
# dossier fields a condition reads stops there.
_CONDITION_STATES = {"rempli", "non_rempli", "vrai", "faux", "etat", "par_exception", "evalue"}


def _dependencies(statement: ast.AST, deps: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    """Record which predicates the head of a rule depends on; return (head predicates, body predicates)."""
    if statement.ast_type != ast.ASTType.Rule:
        return set(), set()
    heads, body = _names(statement.head), _names(*statement.body)
    for head in heads:
        deps.setdefault(head, set()).update(body)
    return heads, body


class _FiringRecorder:
    """Adds, beside each recorded rule of a regime file, the rule recording its firing."""

    def __init__(self, block_of_line, reads: dict[str, set[str]], names: dict[str, set[str]]):
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
            if len(args) == _NAMING_HEADS[term.name] and args[2].ast_type == ast.ASTType.SymbolicTerm:
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
        if term.name in _NAMING_HEADS:
            self._record_naming(statement)
            return
        if term.name not in _RECORDED_HEADS or len(term.arguments) != 2:
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
            self.statements.append(self._twin(self._name_copied_anonymous(rule), _RECORDED_HEADS[term.name]))

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


@dataclass
class Part:
    """The statements of one file of the program, and what slicing needs to know of them."""

    text: str
    prestations: frozenset[str]  # the benefits the file declares (prestation(P).); empty: a shared file
    heads: frozenset[str]  # predicates its rules define
    reads: frozenset[str]  # predicates its rules read


@dataclass
class Program:
    """A regime's program, ready to be given facts and grounded.

    ``parts`` are its files. A dossier that demands some benefits only is grounded
    with the files of those benefits and the shared ones (:meth:`text_for`): the
    grounder's cost per call grows with the number of rules, whether they fire or
    not, and most dossiers demand one benefit of six.
    """

    regime: Regime
    explain: bool
    parts: list[Part]
    blocks: dict[str, RuleBlock]
    inputs: SchemaFacts
    parameter_symbols: list[clingo.Symbol]
    reads: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    deps: dict[str, set[str]] = field(default_factory=dict)
    library: set[str] = field(default_factory=set)  # calendar and parameter helpers of kb/commun
    _slices: dict[frozenset[str] | None, str] = field(default_factory=dict, repr=False)

    def fields_read(self, condition: str) -> set[str]:
        """Input predicates a condition's rules read, directly or through intermediate predicates.

        The search does not go through the calendar and parameter helpers: they
        serve every benefit, and what a rule gives them it already reads itself.
        """
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
        """The program for dossiers that demand ``prestations`` only (None: every benefit).

        Kept: the shared files, the files of those benefits, and, transitively,
        the benefit files they build on (:func:`_closure`). A property test
        (tests/test_tranches.py) checks that the slice decides every dossier
        as the whole program does.
        """
        if prestations is not None and not any(part.prestations - prestations for part in self.parts):
            prestations = None  # the slice would be the whole program
        text = self._slices.get(prestations)
        if text is None:
            kept = [part for part in self.parts if prestations is None or not part.prestations
                    or part.prestations & prestations]
            if prestations is not None:
                kept = _closure(kept, self.parts)
            text = self._slices[prestations] = "\n".join(part.text for part in kept) + "\n"
        return text

    def load_into(self, control: clingo.Control, prestations: frozenset[str] | None = None) -> None:
        control.add("base", [], self.text_for(prestations))
        with control.backend() as backend:
            for symbol in self.parameter_symbols:
                backend.add_rule([backend.add_atom(symbol)])


def _part(statements: list[ast.AST], deps: dict[str, set[str]]) -> Part:
    """One file's statements as text, with the benefits it declares and the predicates it defines and
    reads; records the dependencies of its rules in ``deps`` on the way."""
    heads: set[str] = set()
    reads: set[str] = set()
    prestations = set()
    for statement in statements:
        defined, read = _dependencies(statement, deps)
        heads |= defined
        reads |= read
        if statement.ast_type != ast.ASTType.Rule:
            continue
        for rule in statement.unpool():
            atom = rule.head.atom if rule.head.ast_type == ast.ASTType.Literal else None
            if (not rule.body and atom is not None and atom.ast_type == ast.ASTType.SymbolicAtom
                    and atom.symbol.ast_type == ast.ASTType.Function and atom.symbol.name == "prestation"
                    and len(atom.symbol.arguments) == 1):
                prestations.add(str(atom.symbol.arguments[0]))
    return Part("\n".join(str(statement) for statement in statements), frozenset(prestations),
                frozenset(heads), frozenset(reads))


def _closure(kept: list[Part], parts: list[Part]) -> list[Part]:
    """``kept``, with every benefit file defining a predicate that a kept benefit file reads and that no
    shared file defines (one benefit built on another's rules).

    What the shared files read from benefit files (``mois_utile``, ``plus_mois_demande``,
    ``prestation``) are hooks each benefit fills for its own dossiers only: they pull nothing in.
    """
    shared = frozenset().union(*(part.heads for part in parts if not part.prestations))
    chosen = {id(part) for part in kept}
    changed = True
    while changed:
        changed = False
        wanted = frozenset().union(*(part.reads for part in parts if id(part) in chosen and part.prestations))
        wanted -= shared
        for part in parts:
            if id(part) not in chosen and part.heads & wanted:
                chosen.add(id(part))
                changed = True
    return [part for part in parts if id(part) in chosen]


# Heads that only serve explanations: a summary does without them.
_EXPLANATION_HEADS = {"valeur", "parametre_applique", "parametre_utilise", "libelle"}

_SUMMARY_SHOWS = """
#show. #show decision/3. #show montant/4. #show source/3.
#show etat_resume(D, P, C, E) : sous_condition(D, droit(P), C), etat(D, C, E), examinee(D, P).
"""


def _may_match(a: tuple[str | None, ...], b: tuple[str | None, ...]) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _shown_only(files: list[list[ast.AST]]) -> list[list[ast.AST]]:
    """The statements that what the program shows depends on: the others are never grounded.

    Roots are the shown predicates, the atoms of conditional shows and the bodies of integrity
    constraints. A rule stays when one of its head atoms may match a needed atom; its body atoms
    (negated ones included) are then needed in turn. Atoms are compared by name and constant
    arguments, so that the family allowances' payment schedule, ``echeance(D, allocations_familiales,
    ...)``, is left out of a summary although the maternity amounts read their own ``echeance`` atoms.
    Anything not a constant matches anything: the slice can only keep too much, never too little.
    """
    needed: dict[str, list[tuple[str | None, ...]]] = {}
    rules: list[tuple[ast.AST, set, set]] = []
    todo: list[tuple[str, tuple[str | None, ...]]] = []
    kept: set[int] = set()  # ids of the rules kept, integrity constraints from the start
    for statements in files:
        for statement in statements:
            if statement.ast_type == ast.ASTType.Rule:
                heads, body = _patterns(statement.head), _patterns(*statement.body)
                if heads:
                    rules.append((statement, heads, body))
                else:
                    kept.add(id(statement))
                    todo.extend(body)
            elif statement.ast_type == ast.ASTType.ShowSignature:
                todo.append((statement.name, (None,) * statement.arity))
            else:
                todo.extend(_patterns(statement))
    while todo:
        for name, args in todo:
            needed.setdefault(name, []).append(args)
        todo = []
        for statement, heads, body in rules:
            if id(statement) not in kept and any(
                    _may_match(args, wanted) for name, args in heads for wanted in needed.get(name, ())):
                kept.add(id(statement))
                todo.extend(body)
    return [[s for s in statements if s.ast_type != ast.ASTType.Rule or id(s) in kept] for statements in files]


def _cache_file(regime: Regime, explain: bool, summary: bool) -> Path | None:
    """Where the built program of this base version is kept between runs (None: no cache)."""
    root = os.environ.get("PREVOYANCE_CACHE", str(Path.home() / ".cache" / "prevoyance"))
    if root in ("", "0", "off"):
        return None
    key = hashlib.sha256("|".join([
        regime.version, str(explain), str(summary), clingo.__version__,
        hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        hashlib.sha256(json.dumps(regime.schema, sort_keys=True).encode()).hexdigest(),
    ]).encode()).hexdigest()[:24]
    return Path(root) / f"programme-{key}.json"


def _from_cache(regime: Regime, explain: bool, path: Path) -> Program | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # Paths are kept relative to the knowledge base: the same version may live in another checkout.
    blocks = {b["id"]: RuleBlock(b["id"], kb_root() / b["file"], b["line"], b["comment"], b["lines"])
              for b in data["blocks"]}
    sets = {k: {name: set(v) for name, v in data[k].items()} for k in ("reads", "names", "deps")}
    parts = [Part(p["text"], frozenset(p["prestations"]), frozenset(p["heads"]), frozenset(p["reads"]))
             for p in data["parts"]]
    return Program(regime, explain, parts, blocks, SchemaFacts(regime.schema),
                   list(parameter_facts(regime.parameters)), sets["reads"], sets["names"], sets["deps"],
                   set(data["library"]))


def _to_cache(program: Program, path: Path) -> None:
    data = {
        "parts": [{"text": p.text, "prestations": sorted(p.prestations), "heads": sorted(p.heads),
                   "reads": sorted(p.reads)} for p in program.parts],
        "blocks": [{"id": b.id, "file": str(b.file.relative_to(kb_root())), "line": b.line, "comment": b.comment,
                    "lines": b.lines} for b in program.blocks.values()],
        "reads": {k: sorted(v) for k, v in program.reads.items()},
        "names": {k: sorted(v) for k, v in program.names.items()},
        "deps": {k: sorted(v) for k, v in program.deps.items()},
        "library": sorted(program.library),
    }
    try:  # a cache that cannot be written is no cache, not an error
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


@functools.cache
def build_program(regime: Regime, explain: bool = True, summary: bool = False) -> Program:
    """The regime's program, built once per process, and kept on disk per base version (``PREVOYANCE_CACHE``)."""
    cache = _cache_file(regime, explain, summary)
    if cache is not None and cache.exists():
        cached = _from_cache(regime, explain and not summary, cache)
        if cached is not None:
            return cached
    program = _build_program(regime, explain, summary)
    if cache is not None:
        _to_cache(program, cache)
    return program


def _build_program(regime: Regime, explain: bool = True, summary: bool = False) -> Program:
    """Parse the regime's files once per process (and per mode).

    ``summary`` keeps only what a caseload needs (statuses, amounts, the state of
    each benefit's own conditions): the common output file is replaced by
    three shows, and nothing is recorded for explanations.
    """
    explain = explain and not summary
    files: list[list[ast.AST]] = []
    blocks: dict[str, RuleBlock] = {}
    reads: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    deps: dict[str, set[str]] = {}
    for path, text in regime.program_texts():
        statements: list[ast.AST] = []
        files.append(statements)
        if summary and path.name == "sortie.lp" and path.parent.name == "commun":
            ast.parse_string(_SUMMARY_SHOWS, statements.append)
            continue
        file_blocks = read_blocks(path, text)
        for block in file_blocks:
            if block.id in blocks:
                raise ValueError(f"{path}:{block.line}: identifiant de règle en double « {block.id} »")
            blocks[block.id] = block
        if summary:
            def keep(statement: ast.AST, out=statements) -> None:
                if statement.ast_type != ast.ASTType.Rule or not _names(statement.head) & _EXPLANATION_HEADS:
                    out.append(statement)
            ast.parse_string(text, keep)
        elif explain and regime.is_regime_file(path):
            def block_of_line(line: int, file_blocks=file_blocks, path=path) -> str:
                owner = [b.id for b in file_blocks if b.line <= line]
                if not owner:
                    raise ValueError(f"{path.relative_to(kb_root())}:{line}: règle hors de tout bloc @regle")
                return owner[-1]
            recorder = _FiringRecorder(block_of_line, reads, names)
            ast.parse_string(text, recorder)
            statements.extend(recorder.statements)
        else:
            ast.parse_string(text, statements.append)
    library: set[str] = set()
    for path, text in regime.program_texts():
        if path.name in ("calendrier.lp", "parametres.lp") and path.parent.name == "commun":
            ast.parse_string(text, lambda s: library.update(_names(s.head)) if s.ast_type == ast.ASTType.Rule else None)
    inputs = SchemaFacts(regime.schema)
    closing: list[ast.AST] = []
    files.append(closing)
    ast.parse_string(inputs.declarations(), closing.append)
    if explain:
        ast.parse_string("#show applique/5. #show source/3. #show mode(D, C, toutes) : toutes(C), evalue(D, C)."
                         "#show mode(D, C, une_parmi) : une_parmi(C), evalue(D, C).", closing.append)
    elif not summary:
        ast.parse_string("#show source/3.", closing.append)
    if summary:
        files = _shown_only(files)
    parts = [_part(statements, deps) for statements in files]
    return Program(regime, explain, parts, blocks, inputs, list(parameter_facts(regime.parameters)),
                   reads, names, deps, library)

"""Consistency checks of a regime's knowledge base (``prevoyance check``).

Two kinds of findings:

- *défauts* of the base, which make the command fail: a condition without a
  source or without a phrase for one of its states, a rule block without the
  sentence it encodes, a program the grounder does not decide alone;
- *incohérences du guide*, which the base records with the reading it chose
  (``kb/<régime>/verifications.lp``): they are reported, never hidden, and do not
  make the command fail.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction

import clingo

from engine.atomes import AtomeSource
from engine.facts import date_symbol, to_python
from engine.program import Mode, build_program
from engine.regime import Regime, default_regime_id, kb_root
from engine.tools.langue import check_french

STATES = ("libelle", "rempli", "non_rempli", "inconnu")


def _exception_names(text: str) -> set[str]:
    """Names of the exceptions a program declares: the last argument of each ``exception(...)`` head,
    static (``exception(smig, apprenti).``) or per dossier (``exception(D, C, X) :- ...``)."""
    names = set()
    for match in re.finditer(r"^exception\(", text, flags=re.M):
        depth, start, args = 1, match.end(), []
        for i in range(match.end(), len(text)):
            char = text[i]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    args.append(text[start:i])
                    break
            elif char == "," and depth == 1:
                args.append(text[start:i])
                start = i + 1
        name = args[-1].strip().split("(")[0] if args else ""
        if name[:1].islower():  # a variable (the common machinery's own rules) names no exception
            names.add(name)
    return names


@dataclass
class Verification:
    """A published amount confronted with its rate."""

    id: str
    section: str
    texte: str
    publie: int
    selon_taux: int | Fraction | None
    retenu: int | None
    en_lettres: int | None = None
    lecture: str = ""

    @property
    def coherent(self) -> bool:
        return self.selon_taux == self.publie and self.en_lettres in (None, self.publie)


@dataclass
class Report:
    """Everything ``prevoyance check`` found."""

    regime: Regime
    date: dt.date
    defauts: list[str] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    lacunes: list[str] = field(default_factory=list)  # parameters without a value over some period
    # Benefit types the regime's text names with no condition (regime.yaml, prestations_sans_regle)
    sans_regle: list[dict[str, str]] = field(default_factory=list)
    echantillon: int = 0  # generated dossiers decided, each with exactly one answer set
    conditions: int = 0
    parametres: int = 0
    regles: int = 0

    @property
    def ok(self) -> bool:
        return not self.defauts


def _ground(regime: Regime, extra: list[clingo.Symbol]) -> clingo.Control:
    control = clingo.Control(["--warn=none"])
    build_program(regime, Mode.EXPLANATION).load_into(control)
    with control.backend() as backend:
        for symbol in extra:
            backend.add_rule([backend.add_atom(symbol)])
    control.ground([("base", [])])
    return control


def _atoms(control: clingo.Control, name: str, arity: int) -> list[list]:
    return [[to_python(a) for a in atom.symbol.arguments] for atom in control.symbolic_atoms.by_signature(name, arity)]


def _parameter_gaps(regime: Regime) -> list[str]:
    """Periods without a value: before the first effective date (when later than the regime's origin),
    and after a repeal. Reported, not defects: the law may simply not be known then."""
    origin = min(v.debut for p in regime.parameters.values() for v in p.values)
    gaps = []
    for param in sorted(regime.parameters.values(), key=lambda p: p.nom):
        first = param.values[0].debut
        if first > origin:
            gaps.append(f"{param.nom} : sans valeur avant le {first.isoformat()}")
        for before, after in zip(param.values, param.values[1:], strict=False):
            if before.value is None:
                gaps.append(f"{param.nom} : abrogé du {before.debut.isoformat()} au {after.debut.isoformat()}")
        if param.values[-1].value is None:
            gaps.append(f"{param.nom} : abrogé depuis le {param.values[-1].debut.isoformat()}")
    return gaps


def check_sample(regime: Regime, size: int, seed: int = 0) -> list[str]:
    """Decide ``size`` generated dossiers: each must get exactly one answer set and no incoherence."""
    from engine.dossier import validate
    from engine.solver import EvaluationError, evaluate_many
    from engine.tools.generation import generate

    problems = []
    batch = [validate(data, "échantillon", regime=regime) for data in generate(size, seed)]
    for start in range(0, len(batch), 100):
        chunk = batch[start:start + 100]
        try:
            decisions = evaluate_many(chunk, Mode.DECISION)
        except EvaluationError as exc:
            problems.append(str(exc))
            continue
        for decision in decisions:
            if decision.incoherences:
                problems.append(f"{decision.dossier} : condition à la fois remplie et non remplie "
                                f"({', '.join(decision.incoherences)})")
    return problems


def _check_sans_regle(regime: Regime, control: clingo.Control, report: Report) -> list[str]:
    """List the benefit types the regime declares without rules; a defect if one is declared incompletely
    or if a rule of the base decides it after all (prestation/1)."""
    decided = {str(a.symbol.arguments[0]) for a in control.symbolic_atoms.by_signature("prestation", 1)}
    problems = []
    for entry in regime.prestations_sans_regle:
        missing = [key for key in ("id", "libelle", "source", "raison") if not entry.get(key)]
        if missing:
            problems.append(f"prestation sans règle « {entry.get('id', '?')} » : {', '.join(missing)} manquant")
            continue
        if entry["id"] in decided:
            problems.append(f"prestation « {entry['id']} » déclarée sans règle, mais la base la décide (prestation/1)")
        report.sans_regle.append(entry)
    return problems


def check_regime(regime: Regime, date: dt.date | None = None, sample: int = 0) -> Report:
    """Check a regime's base; published amounts are computed with the parameters in force at ``date``."""
    date = date or dt.date.today()
    report = Report(regime, date)
    program = build_program(regime, Mode.EXPLANATION)
    report.regles = len(program.blocks)
    report.parametres = len(regime.parameters)
    report.lacunes = _parameter_gaps(regime)
    # The generator (engine/generation.py) draws dossiers of the default regime only (they name no
    # base): another regime's schema would reject them, so its base is checked without a sample.
    if sample and regime.id == default_regime_id():
        report.defauts += check_sample(regime, sample)
        report.echantillon = sample
    # What a person reads is French: catalogues, letterhead, rule quotations, templates (engine/tools/langue.py).
    report.defauts += check_french(regime.folder, regime.program_files, kb_root())
    for block in program.blocks.values():
        if not block.sentence:
            where = f"{block.file.name}:{block.line}"
            report.defauts.append(f"{where} : le bloc « {block.id} » ne cite aucune phrase du guide")

    control = _ground(regime, [clingo.Function("date_verification", [date_symbol(date)])])
    undecided = [str(a.symbol) for a in control.symbolic_atoms if not a.is_fact]
    if undecided:
        report.defauts.append(f"programme non stratifié : {len(undecided)} atomes non décidés par le grounding "
                              f"({', '.join(undecided[:3])}…)")

    sources = {AtomeSource.read(s.symbol.arguments).noeud for s in control.symbolic_atoms.by_signature("source", 3)}
    source_names = {s.split("(")[0] for s in sources}
    catalogue = regime.phrases.get("conditions", {})
    names = program.conditions
    report.conditions = len(names)
    for name in sorted(names):
        if name not in source_names:
            report.defauts.append(f"condition « {name} » sans source")
        entries = [v for k, v in catalogue.items() if k == name or k.startswith(f"{name}(")]
        if not entries:
            report.defauts.append(f"condition « {name} » sans phrase")
        for entry in entries:
            for state in STATES:
                if not entry.get(state):
                    report.defauts.append(f"condition « {name} » : phrase « {state} » manquante")

    # An exception applies only when the dossier invokes it (docs/ambiguites.md): one that no
    # rule invokes could never apply, and its silence must be worded for the explanation.
    for name in sorted(_exception_names(program.text)):
        if not re.search(rf"^invoquee\(D,\s*{name}\b", program.text, flags=re.M):
            report.defauts.append(f"exception « {name} » : aucun fait du dossier ne l'invoque (invoquee/2)")
        entries = [v for k, v in catalogue.items() if k == name or k.startswith(f"{name}(")]
        if entries and not all(entry.get("non_invoquee") for entry in entries):
            report.defauts.append(f"exception « {name} » : phrase « non_invoquee » manquante")

    report.defauts += _check_sans_regle(regime, control, report)

    published = {row[0]: row for row in _atoms(control, "publie", 4)}
    by_rate = {row[0]: row[1] for row in _atoms(control, "selon_taux", 2)}
    kept = {row[0]: row[1] for row in _atoms(control, "retenu", 2)}
    words = {row[0]: row[1] for row in _atoms(control, "en_lettres", 2)}
    readings = {row[0]: row[1] for row in _atoms(control, "lecture", 2)}
    for ident, (_, section, texte, amount) in sorted(published.items()):
        rate = by_rate.get(ident)
        if isinstance(rate, Fraction) and rate.denominator == 1:
            rate = int(rate)
        check = Verification(ident, section, texte, amount, rate, kept.get(ident), words.get(ident),
                             readings.get(ident, ""))
        if not check.coherent and not check.lecture:
            report.defauts.append(f"incohérence du guide sans lecture retenue : {ident}")
        report.verifications.append(check)
    return report

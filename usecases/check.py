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
import yaml
from num2words import num2words

from engine.atomes import AtomeSource
from engine.facts import date_symbol, to_python
from engine.program import Mode, build_program
from engine.regime import Parameter, Regime, default_regime_id, kb_root
from usecases.langue import check_french

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
    # Prestation types the regime's text names with no condition (regime.yaml, prestations_sans_regle)
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
    from engine.solver import EvaluationError, evaluate_many
    from engine.validation import validate
    from usecases.generation import generate

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
    """List the prestation types the regime declares without rules; a defect if one is declared incompletely
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


# -- numbers of the law written by hand ---------------------------------------------------------------
# A sentence, label, question, letter or report never writes a number of the law itself: it names the
# parameter in force (``{{ stage_duree_mois | lettres_chiffres }} mois``), so that it follows an amendment.
# The check reads the text a reader sees — a template's prose and the strings inside its expressions
# (a Jinja dict of words is prose too), not its code — and refuses a value of one of the regime's
# parameters written in digits or in French words next to that parameter's unit, in the guide's
# « words (digits) » form, as an ordinal month (« sixième mois »), or as a Jinja ``default(N)``.

# Where a reader's text is: the regime's catalogue, and the templates of the reports, letters and console.
TEMPLATE_FOLDERS = ("explain/templates", "explain/lettres", "console/templates")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_JINJA_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_LIBELLE = re.compile(r'\blibelle\([^,()]+(?:\([^()]*\))?,\s*[^,()]+(?:\([^()]*\))?,\s*"([^"]*)"\)')
_DEFAULT = re.compile(r"default\(\s*(\d+)\s*\)")
# The words a unit is written with (the first word of a parameter's ``unit``).
_UNITES = {"mois": "mois", "ans": "ans?", "an": "ans?", "jours": "jours?", "heures": "heures?",
           "semaines": "semaines?", "FCFA": "(?:FCFA|F CFA|francs?)", "mensualités": "mensualités?"}
_ENTRE = r"(?:\s+(?:premiers|premières|derniers|dernières|pleins|pleines|entiers|entières|consécutifs|révolus))?"
_SEP = "[ .\u00a0\u202f]?"


def _prose(text: str) -> str:
    """What a reader reads of a template: its text, and the string literals of its expressions and statements."""
    return _JINJA.sub(lambda m: " ¦ ".join(a or b for a, b in _JINJA_STRING.findall(m.group(0))) or " ", text)


def _patterns(param: Parameter) -> list[tuple[re.Pattern, int | Fraction]]:
    """The ways a hand could write one of the parameter's values in prose."""
    unit = (param.unit or "").split()
    if unit and unit[0] in ("booléen", "booleen"):
        return []  # a switch (0/1), not a number a sentence states
    out = []
    for value in {v.value for v in param.values if v.value is not None}:
        if isinstance(value, Fraction) and value.denominator != 1:
            pct = value * 100
            forms = [rf"(?<![\d/]){value.numerator}\s*/\s*{value.denominator}(?![\d/])"]
            if pct.denominator == 1:
                forms.append(rf"(?<![\d,]){pct.numerator}\s*%")
            out += [(re.compile(f), value) for f in forms]
            continue
        n = int(value)
        if n <= 0:
            continue
        if unit and unit[0] == "taux":
            out.append((re.compile(rf"(?<![\d,]){n * 100}\s*%"), value))
            continue
        groups = f"{n:,}".split(",")
        digits = ("0?" if n < 10 else "") + _SEP.join(groups)
        words = [num2words(n, lang="fr")] + (["une"] if n == 1 else [])
        # A number in words starts a word: « neuf », not the end of « cent trente-neuf ».
        forms = [rf"(?<![\w-]){re.escape(w)}\s*\(\s*0?{n}\s*\)" for w in words]  # the guide's « neuf (09) »
        if n < 10:
            forms.append(rf"\(\s*0{n}\s*\)")  # « (09) » alone: the guide's way, a number of the law
        if unit and unit[0] in _UNITES:
            unite = _UNITES[unit[0]]
            forms.append(rf"(?<![\d,/]){digits}{_ENTRE}\s*{unite}\b")
            forms += [rf"(?<![\w-]){re.escape(w)}{_ENTRE}\s+{unite}\b" for w in words]
            if unit[0] == "mois" and n > 1:
                forms.append(rf"(?<![\w-]){re.escape(num2words(n, lang='fr', to='ordinal'))}\s+mois\b")
        out += [(re.compile(f, re.I), value) for f in forms]
    return out


def _texts(data, where: str):
    """Every string of a parsed catalogue, with the keys that lead to it."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _texts(value, f"{where}[{i}]")
    elif isinstance(data, str):
        yield where, data


def reader_texts(regime: Regime) -> list[tuple[str, str, str]]:
    """(file, key or line, text) of everything a reader reads that the base or the project writes by hand:
    the regime's catalogue entries, and the lines of the report, letter and console templates."""
    out = []
    for path in sorted((regime.folder / "explications").glob("*.yaml")):
        where = f"kb/{path.relative_to(kb_root())}" if path.is_relative_to(kb_root()) else str(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out += [(where, key, text) for key, text in _texts(data, "")]
    # The names the rules give to objects (libelle/3: « fraction du sixième mois ») are read too, unless the
    # catalogue words them itself (its ``objets``, rendered with the parameters in force).
    objets = regime.phrases.get("objets", {})
    for path, text in regime.program_texts():
        where = f"kb/{path.relative_to(kb_root())}" if path.is_relative_to(kb_root()) else str(path)
        for number, line in enumerate(text.splitlines(), start=1):
            for name in _LIBELLE.findall(line.split("%")[0]):
                if name not in objets:
                    out.append((where, f"ligne {number}, libelle/3", name))
    root = kb_root().parent
    for folder in TEMPLATE_FOLDERS:
        for path in sorted((root / folder).glob("*")):
            if path.suffix not in (".j2", ".html"):
                continue
            text = path.read_text(encoding="utf-8")
            # Style sheets and scripts are code: their numbers are sizes, not law.
            text = re.sub(r"<(style|script)\b.*?</\1>", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
            out += [(f"{folder}/{path.name}", f"ligne {i}", line)
                    for i, line in enumerate(text.splitlines(), start=1)]
    return out


def hand_written_numbers(regime: Regime) -> list[str]:
    """Each value of one of ``regime``'s parameters written by hand in a text a reader reads (a défaut)."""
    patterns = [(param.nom, pattern, value) for param in sorted(regime.parameters.values(), key=lambda p: p.nom)
                for pattern, value in _patterns(param)]
    values = {param.nom: {v.value for v in param.values if v.value is not None} for param in regime.parameters.values()}
    found = []
    for fichier, key, text in reader_texts(regime):
        prose = _prose(text)
        hits: dict[str, list[str]] = {}  # the text written by hand → the parameters whose value it is
        for name, pattern, _value in patterns:
            for match in pattern.finditer(prose):
                names = hits.setdefault(match.group(0).strip(), [])
                if name not in names:
                    names.append(name)
        for match in _DEFAULT.finditer(text):
            names = sorted(name for name, vals in values.items() if int(match.group(1)) in vals)
            if names:
                hits.setdefault(match.group(0), names)
        for written, names in hits.items():
            which = (f"valeur du paramètre {names[0]}" if len(names) == 1
                     else f"valeur des paramètres {', '.join(names)}")
            remedy = (f"le dire dans la section « objets » du catalogue, avec {{{{ {names[0]} }}}}"
                      if key.endswith("libelle/3") else
                      f"nommer le paramètre en vigueur, {{{{ {names[0]} }}}}, avec au besoin un filtre (lettres, "
                      f"lettres_chiffres, ordinal, fcfa)")
            found.append(f"{fichier} : « {key} » écrit « {written} » à la main ({which}) : {remedy} "
                         f"(docs/explications.md)")
    return found


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
    # What a person reads is French: catalogues, letterhead, rule quotations, templates (usecases/langue.py).
    report.defauts += check_french(regime.folder, regime.program_files, kb_root())
    # No number of the law written by hand: each comes from the parameter in force.
    report.defauts += hand_written_numbers(regime)
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

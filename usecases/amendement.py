"""Amendments of the law as files: changed parameters, replaced or added rules, an effective date.

An amendment is a YAML file::

    titre: Allocations familiales portées à 3 500 FCFA par enfant et par mois
    source: Site de l'INPS (montant annoncé, sans texte ni date)
    date_effet: 2027-01-01        # or null: then `--date-effet` must give it
    parametres:                   # existing parameters: a value from date_effet, or dated values
      af_montant_par_enfant: 3500
    nouveaux_parametres:          # parameters the base does not have yet (OpenFisca style)
      nom: {description: ..., reference: ..., unit: ..., values: {2027-01-01: {value: 1}}}
    regles:
      remplace:                   # blocks of the base, by their @regle id
        exception_veuve: |
          % « ... the new sentence ... »
          exception(...).
      ajoute:                     # new blocks, by a new id
        mon_bloc: |
          ...

The amended base is a regime of its own, with its own ``version_base``
(``mali-inps@<hash>+<amendment>@<hash>``); the base on disk is never changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from clingo import ast

from engine.blocks import read_blocks
from engine.domaine import iso_date
from engine.dossier import Dossier, DossierError
from engine.parsing import parse_text, read_input
from engine.regime import (
    AUXILIAIRES_DE_GROUNDING,
    Parameter,
    ParameterValue,
    Regime,
    RegimeError,
    bounded,
    enregistrer_amende,
    load_parameter,
    parse_value,
)
from usecases.predicate_graph import unbounded_recursions, unstratified
from usecases.verification import CheckError, check_comment_text, check_identifier, check_rules

_TAG = re.compile(r"^\s*%\s*@regle\s+([a-z][a-z0-9_]*)\s*$", re.M)


class AmendmentError(Exception):
    """An amendment file that cannot be applied; the message names the key at fault."""


@dataclass
class Amendment:
    """A change of the law, read from a YAML file."""

    path: Path
    titre: str
    source: str
    date_effet: dt.date | None
    parametres: dict[str, Any] = field(default_factory=dict)
    nouveaux_parametres: dict[str, Any] = field(default_factory=dict)
    remplace: dict[str, str] = field(default_factory=dict)
    ajoute: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def slug(self) -> str:
        return self.path.stem


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    day = iso_date(value)  # AAAA-MM-JJ exactly: not 20270101, not a week date
    if day is None:
        raise AmendmentError(f"{where} : date invalide {value!r} (AAAA-MM-JJ)")
    return day


def load_amendment(path: str | Path, date_effet: dt.date | None = None) -> Amendment:
    """Read an amendment; ``date_effet`` (the CLI's --date-effet) overrides the file's."""
    path = Path(path)
    try:
        # A regular file of at most 1 MiB (not a FIFO, not /dev/zero), read by YAML 1.2's core schema;
        # dates stay text: an impossible date is reported, not raised.
        text = read_input(path, what="un amendement")
        data = parse_text(text, str(path))
    except DossierError as exc:
        raise AmendmentError(str(exc)) from exc
    if not isinstance(data, dict):
        raise AmendmentError(f"{path} : un amendement est un objet (titre, source, date_effet, …)")
    known = {"titre", "source", "date_effet", "description", "parametres", "nouveaux_parametres", "regles"}
    for key in data:
        if key not in known:
            raise AmendmentError(f"{path} : champ inconnu « {key} » (champs admis : {', '.join(sorted(known))})")
    for key in ("titre", "source"):
        if not data.get(key):
            raise AmendmentError(f"{path} : « {key} » manque")
    when = date_effet or (_date(data["date_effet"], f"{path} : date_effet") if data.get("date_effet") else None)
    regles = data.get("regles") or {}
    for key in regles:
        if key not in ("remplace", "ajoute"):
            raise AmendmentError(f"{path} : regles.{key} inconnu (remplace ou ajoute)")
    try:
        for key in ("titre", "source"):
            if not isinstance(data[key], str):
                raise CheckError(f"« {key} » doit être un texte")
            check_comment_text(data[key], key)
        for key in ("parametres", "nouveaux_parametres", "regles"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise CheckError(f"« {key} » doit être un objet (nom: valeur)")
        for kind in ("remplace", "ajoute"):
            section = regles.get(kind) or {}
            if not isinstance(section, dict):
                raise CheckError(f"« regles.{kind} » doit être un objet (identifiant de bloc: règles)")
            for block_id, body in section.items():
                check_identifier(block_id, f"regles.{kind}.{block_id}")
                if not isinstance(body, str):
                    raise CheckError(f"« regles.{kind}.{block_id} » doit être un texte de règles")
                check_rules(body, f"regles.{kind}.{block_id}", recursion=kind == "ajoute")
        for name in data.get("nouveaux_parametres") or {}:
            check_identifier(name, f"nouveaux_parametres.{name}")
    except CheckError as exc:
        raise AmendmentError(f"{path} : {exc}") from exc
    return Amendment(
        path=path, titre=data["titre"], source=data["source"], date_effet=when,
        parametres=data.get("parametres") or {}, nouveaux_parametres=data.get("nouveaux_parametres") or {},
        remplace=regles.get("remplace") or {}, ajoute=regles.get("ajoute") or {},
        text=text + f"\n#date_effet={when}",
    )


def _amended_parameter(param: Parameter, change: Any, amendment: Amendment) -> Parameter:
    where = f"{amendment.path.name} : parametres.{param.nom}"
    values = {v.debut: v for v in param.values}
    reference = f"{amendment.titre} ({amendment.source})"
    if isinstance(change, dict):
        entries = {_date(k, where): v for k, v in change.items()}
    else:
        if amendment.date_effet is None:
            raise AmendmentError(f"{where} : une valeur sans date demande une date_effet (--date-effet)")
        entries = {amendment.date_effet: change}
    for when, raw in entries.items():
        value = raw.get("value") if isinstance(raw, dict) else raw
        try:
            parsed = parse_value(value, where)
        except RegimeError as exc:
            raise AmendmentError(str(exc)) from exc
        problem = None if parsed is None or param.bornes is None else param.bornes.problem(parsed)
        if problem:  # a product of the rules would leave clingo's 32-bit integers, or the law has no such value
            unit = f" {param.unit}" if param.unit else ""
            raise AmendmentError(f"{where} : valeur {problem}{unit} (bornes du paramètre « {param.nom} », "
                                 f"{_bounds_source(param)})")
        values[when] = ParameterValue(when, parsed, reference, "amendement", amendment.titre,
                                      value if isinstance(value, str) else None)
    return dataclasses.replace(param, values=tuple(values[k] for k in sorted(values)))


def _bounds_source(param: Parameter) -> str:
    """Where a parameter's bounds are declared, for the message that refuses a value outside them."""
    if param.path.is_file() and "bornes:" in param.path.read_text(encoding="utf-8"):
        return f"déclarées dans {param.path.name}"
    return f"celles de l'unité « {param.unit} » dans regime.yaml"


def _rewrite(text: str, path: Path, replacements: dict[str, str], done: set[str]) -> str:
    """The file's text with the blocks named in ``replacements`` replaced (from their tag to the next,
    the last one up to the grounding helpers gathered at the end of the file, which it keeps)."""
    blocks = read_blocks(path, text)
    if not any(b.id in replacements for b in blocks):
        return text
    lines = text.splitlines()
    helpers = [i for i, line in enumerate(lines) if line.strip() == AUXILIAIRES_DE_GROUNDING]
    starts = [b.line - 1 for b in blocks] + [helpers[0] if helpers else len(lines)]
    out, cursor = [], 0
    for block, start, end in zip(blocks, starts, starts[1:], strict=False):
        if block.id not in replacements:
            continue
        out += lines[cursor:start]
        new = replacements[block.id].rstrip("\n")
        if not _TAG.search(new):
            new = f"% @regle {block.id}\n{new}"
        out += [*new.splitlines(), ""]
        cursor = end
        done.add(block.id)
    out += lines[cursor:]
    return "\n".join(out) + "\n"


def amend(regime: Regime, amendment: Amendment) -> Regime:
    """The regime with the amendment applied (a new object; the base is untouched)."""
    parameters = dict(regime.parameters)
    for name, change in amendment.parametres.items():
        if name not in parameters:
            raise AmendmentError(f"{amendment.path.name} : parametres.{name} n'existe pas dans {regime.id} "
                                 f"(un paramètre nouveau va dans nouveaux_parametres)")
        parameters[name] = _amended_parameter(parameters[name], change, amendment)
    for name, definition in amendment.nouveaux_parametres.items():
        if name in parameters:
            raise AmendmentError(f"{amendment.path.name} : nouveaux_parametres.{name} existe déjà")
        virtual = amendment.path.parent / f"{name}.yaml"
        try:
            parsed = yaml.safe_dump(definition, allow_unicode=True)
            tmp = _VirtualFile(virtual, parsed)
            parameter = dataclasses.replace(load_parameter(tmp), nom=name, path=virtual)
            parameters[name] = bounded(parameter, regime.bornes_parametres, f"nouveaux_parametres.{name}")
        except RegimeError as exc:
            raise AmendmentError(f"{amendment.path.name} : nouveaux_parametres.{name} : {exc}") from exc
    rewritten = dict(regime.rewritten)
    done: set[str] = set()
    for path, text in regime.program_texts():
        new = _rewrite(text, path, amendment.remplace, done)
        if new != text:
            rewritten[path] = new
    missing = set(amendment.remplace) - done
    if missing:
        raise AmendmentError(f"{amendment.path.name} : regles.remplace nomme des blocs inconnus : {sorted(missing)}")
    added = list(regime.added)
    if amendment.ajoute:
        existing = {b.id for path, text in regime.program_texts() for b in read_blocks(path, text)}
        parts = []
        for block_id, body in amendment.ajoute.items():
            if block_id in existing:
                raise AmendmentError(
                    f"{amendment.path.name} : regles.ajoute.{block_id} existe déjà (utiliser remplace)")
            parts.append(body if _TAG.search(body) else f"% @regle {block_id}\n{body}")
        # Title and source were checked to hold no line break (load_amendment): each stays one comment line.
        header = f"% {'=' * 77}\n% Amendement : {amendment.titre}\n% Source : {amendment.source}\n% {'=' * 77}\n\n"
        added.append((regime.folder / "amendements" / f"{amendment.slug}.lp", header + "\n".join(parts)))
    digest = hashlib.sha256(amendment.text.encode()).hexdigest()[:8]
    amended = dataclasses.replace(
        regime, parameters=parameters, rewritten=rewritten, added=added,
        amendment_tag=f"{regime.amendment_tag or ''}+{amendment.slug}@{digest}",
        amendements=(*regime.amendements, amendment),
    )
    _check_stratified(regime, amended, amendment)
    enregistrer_amende(amended)  # its decisions are worded with its own parameters (explain/phrases.py)
    return amended


def _check_stratified(regime: Regime, amended: Regime, amendment: Amendment) -> None:
    """Refuse an amendment whose rules make a predicate depend on itself through a negation."""
    bodies = {f"regles.remplace.{k}": v for k, v in amendment.remplace.items()}
    bodies.update({f"regles.ajoute.{k}": v for k, v in amendment.ajoute.items()})
    if not bodies:
        return
    before = "\n".join(text for _, text in regime.program_texts())
    after = "\n".join(text for _, text in amended.program_texts())
    growing = unbounded_recursions(before, after)
    if growing:
        rules = {str(r): key for key, body in bodies.items() for r in _rules_of(body)}
        keys = sorted({rules[g] for g in growing if g in rules}) or sorted(bodies)
        raise AmendmentError(f"{amendment.path.name} : {', '.join(keys)} : récursion qui calcule de nouveaux termes "
                             f"({' ; '.join(growing)}) : son instanciation pourrait ne jamais finir. Dans un "
                             "amendement, une règle récursive ne recopie que des termes de son corps")
    bad = unstratified(before, after)
    if bad:
        raise AmendmentError(f"{amendment.path.name} : {', '.join(sorted(bodies))} : le programme amendé n'est plus "
                             f"stratifié ({' ; '.join(bad)} dans une récursion) : "
                             "la décision ne serait plus unique")


def _rules_of(text: str) -> list[ast.AST]:
    statements: list[ast.AST] = []
    ast.parse_string(text, statements.append)
    return [s for s in statements if s.ast_type == ast.ASTType.Rule]


class _VirtualFile:
    """A parameter definition given inline by an amendment, read like a file."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text
        self.stem = path.stem
        self.name = path.name

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.text

    def __str__(self) -> str:
        return str(self.path)


@functools.lru_cache(maxsize=64)
def _amended(regime: Regime, path: str, date_effet: dt.date | None, mtime: float) -> Regime:
    return amend(regime, load_amendment(path, date_effet))


def amended_regime(regime: Regime, path: str | Path, date_effet: dt.date | None = None) -> Regime:
    """``regime`` under the amendment file ``path`` (``date_effet`` over the file's, as ``--date-effet``); read and
    applied once per process while the file is unchanged (a caseload's letters, the console's pages)."""
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        mtime = 0.0  # load_amendment says why the file cannot be read
    return _amended(regime, str(path), date_effet, mtime)


def under_amendment(dossier: Dossier, path: str | Path | None, date_effet: dt.date | None = None) -> Dossier:
    """The dossier to be decided under the amendment ``path`` (itself when None): `evaluate`, `why`, `letter`."""
    if path is None:
        if date_effet is not None:
            raise AmendmentError("--date-effet n'a de sens qu'avec --amendement (le fichier de l'amendement)")
        return dossier
    return dataclasses.replace(dossier, regime=amended_regime(dossier.regime, path, date_effet))

"""Regression cases: YAML files of dossiers with the outputs expected of them.

A case file holds a list of cases (or one case)::

    - nom: stage accompli à neuf mois exactement
      description: la borne est incluse (« neuf mois consécutifs »)
      modele: ../modeles/salarie.yaml   # optional: a dossier the case starts from
      dossier:                          # merged onto the model (lists replace; « enfants+: » appends)
        demandeur: {mois_consecutifs: 9}
      attendu:
        allocations_familiales:
          statut: accorde
          montant_mensuel: 3000
          enfants_ouvrant_droit: [Awa]
          conditions: {stage: rempli, "age[Awa]": rempli}

Only the keys written under ``attendu`` are compared. Condition keys are the
condition id, followed by ``[objet]`` for a condition on a child. A case may
name an amendment (``amendement: ../../kb/mali/inps/amendements/af_3500.yaml``,
with ``date_effet`` when the amendment leaves it open): it is then evaluated
under the amended base. A case that expects bad input writes ``erreur:`` (a
fragment of the expected message) instead of ``attendu:``.

What is compared, and how: :mod:`usecases.attendu`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.domaine import iso_date
from engine.dossier import DossierError
from engine.model import Decision
from engine.regime import Regime, load_regime
from engine.solver import evaluate_many
from engine.validation import parse_text, read_input, validate
from usecases.amendement import AmendmentError, amend, load_amendment
from usecases.attendu import compare
from usecases.caseload import each_alone_on_failure


@dataclass
class Case:
    """One regression case."""

    nom: str
    fichier: Path
    dossier: dict[str, Any]
    attendu: dict[str, Any]
    description: str = ""
    erreur_attendue: str | None = None
    amendement: Path | None = None
    date_effet: dt.date | None = None
    erreur_lecture: str | None = None  # the case file could not be read: the case fails with this message


@dataclass
class CaseResult:
    """The outcome of one case: its differences with the expectation (empty when it passes)."""

    case: Case
    differences: list[str] = field(default_factory=list)
    decision: Decision | None = None

    @property
    def ok(self) -> bool:
        return not self.differences


def _merge(base: Any, override: Any) -> Any:
    """``override`` over the model ``base``: objects merge, lists replace, and a key written ``name+``
    appends its list to the model's (a case adds a child to the model's rather than repeating it)."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if isinstance(key, str) and key.endswith("+") and isinstance(value, list):
                merged[key[:-1]] = [*(base.get(key[:-1]) or []), *value]
            else:
                merged[key] = _merge(base.get(key), value) if key in base else value
        return merged
    return override


def _date_effet(value: Any, path: Path, number: int) -> dt.date | None:
    """A case's ``date_effet``, AAAA-MM-JJ exactly (DossierError naming the case otherwise)."""
    if not value:
        return None
    day = iso_date(value)
    if day is None:
        raise DossierError.de(str(path), [("date_effet", f"cas n°{number} : « date_effet » : date impossible ou mal "
                                                         f"écrite {value!r} (attendu AAAA-MM-JJ)")])
    return day


def load_cases(path: Path) -> list[Case]:
    """Cases of one file, or of every ``*.yaml`` below a folder (models excluded)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.yaml") if "modeles" not in p.parts)
        cases = []
        for file in files:
            try:
                cases += load_cases(file)
            except (DossierError, OSError, UnicodeDecodeError, ValueError) as exc:
                # One unreadable file costs only itself: a failed case that says why.
                cases.append(Case(nom=file.name, fichier=file, dossier={}, attendu={}, erreur_lecture=str(exc)))
        return cases
    raw = parse_text(read_input(path, what="un fichier de cas"), str(path))
    entries = raw if isinstance(raw, list) else [raw]
    cases = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or ("attendu" not in entry and "erreur" not in entry):
            raise DossierError.de(str(path), [("attendu", f"cas n°{number} : « attendu » (ou « erreur ») manque")])
        dossier = entry.get("dossier") or {}
        if "modele" in entry:
            model_path = (path.parent / entry["modele"]).resolve()
            try:
                model_text = read_input(model_path)
            except DossierError as exc:
                raise DossierError.racine(str(path), f"cas n°{number} : modèle {entry['modele']} : {exc}") from exc
            model = parse_text(model_text, str(model_path))
            dossier = _merge(model, dossier)
        dossier.setdefault("id", f"{path.stem}-{number}")
        cases.append(Case(
            nom=str(entry.get("nom", f"{path.stem} n°{number}")),
            fichier=path,
            dossier=dossier,
            attendu=entry.get("attendu") or {},
            description=str(entry.get("description", "")),
            erreur_attendue=entry.get("erreur"),
            amendement=(path.parent / entry["amendement"]).resolve() if entry.get("amendement") else None,
            date_effet=_date_effet(entry.get("date_effet"), path, number),
        ))
    return cases


def case_regime(case: Case, amended: dict[tuple[Path, dt.date | None], Regime]) -> Regime | None:
    """The regime a case is decided under: None for its own base, else the amended base, built once per
    amendment and date in ``amended``; AmendmentError when the amendment cannot be applied."""
    if case.amendement is None:
        return None
    key = (case.amendement, case.date_effet)
    if key not in amended:
        amended[key] = amend(load_regime(case.dossier.get("base")), load_amendment(case.amendement, case.date_effet))
    return amended[key]


def run_cases(cases: list[Case], today: dt.date | None = None) -> list[CaseResult]:
    """Evaluate the cases in one batch and compare each with its expectation."""
    results: list[CaseResult] = []
    valid, positions = [], []
    amended: dict[tuple[Path, dt.date | None], Regime] = {}
    for case in cases:
        result = CaseResult(case)
        results.append(result)
        if case.erreur_lecture is not None:
            result.differences.append(f"fichier de cas illisible : {case.erreur_lecture}")
            continue
        try:
            regime = case_regime(case, amended)
        except AmendmentError as exc:
            if case.erreur_attendue is None or case.erreur_attendue not in str(exc):
                result.differences.append(f"amendement inapplicable : {exc}")
            continue
        try:
            dossier = validate(case.dossier, f"{case.fichier}: {case.nom}", today=today, regime=regime)
        except DossierError as exc:
            if case.erreur_attendue is None:
                result.differences.append(f"dossier refusé : {exc}")
            elif case.erreur_attendue not in str(exc):
                result.differences.append(f"erreur attendue « {case.erreur_attendue} », obtenue : {exc}")
            continue
        if case.erreur_attendue is not None:
            result.differences.append(f"erreur attendue « {case.erreur_attendue} », le dossier a été accepté")
            continue
        valid.append(dossier)
        positions.append(len(results) - 1)
    for position, decision in zip(positions, each_alone_on_failure(evaluate_many, valid), strict=True):
        if isinstance(decision, Exception):  # this case alone fails in the solver: the others are decided
            results[position].differences = [f"erreur interne en décidant ce cas ({type(decision).__name__} : "
                                              f"{decision})"]
            continue
        results[position].decision = decision
        results[position].differences = compare(decision, results[position].case.attendu)
    return results


def run_case_files(path: str | Path, today: dt.date | None = None) -> list[CaseResult]:
    """The cases of a file, or of every case file below a folder (:func:`load_cases`), run (:func:`run_cases`)."""
    return run_cases(load_cases(Path(path)), today)

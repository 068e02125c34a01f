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

Structured outputs are compared on what the case writes, whatever container the
decision uses (a list of entries, or a mapping keyed by name):

- ``enfants_en_attente`` (``membres_en_attente`` too): ``{Kadiatou: [enfants[2].date_naissance]}``,
  the pending children by name, each with paths that must be among its missing facts; the names
  must be exactly those pending. ``{}`` expects none. For household members the decision may
  call the list ``membres_en_attente``.
- ``fractions_en_attente``, ``verse_a``: a list of partial entries (``[{date: 2026-12-01, montant:
  4095}]``); each written entry must match an entry of the decision on the keys it writes, and each
  entry of the decision must match a written one. ``[]`` expects none.
- ``membres_orientes``, ``enfants_ouvrant_droit``, ``enfants_regime_convention``: lists of names, in any
  order.
- ``echeances_suspendues``: the dates of the instalments marked suspended (an entry of the
  échéancier whose ``suspendu`` is true, or whose ``statut``/``etat`` says ``suspendu``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.domaine import iso_date
from engine.dossier import DossierError
from engine.model import Decision, Prestation
from engine.parsing import parse_text, read_input
from engine.regime import Regime, load_regime
from engine.solver import evaluate_many
from engine.validation import validate
from usecases.amendement import AmendmentError, amend, load_amendment
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


def observed(prestation: Prestation) -> dict[str, Any]:
    """The comparable outputs of one benefit."""
    conditions = {}
    for node in prestation.droit.walk():
        if node is prestation.droit:
            continue
        key = f"{node.id}[{node.objet}]" if node.objet else node.id
        conditions.setdefault(key, node.etat)
    out: dict[str, Any] = {
        "statut": prestation.statut,
        "enfants_ouvrant_droit": prestation.enfants_ouvrant_droit,
        "conditions": conditions,
        "pieces_manquantes": prestation.pieces_manquantes,
        "pertes": [p.montant for p in prestation.pertes],
        "echeancier": [
            {"date": e.date.isoformat(), "montant": e.montant, **e.paiement()} for e in prestation.echeancier
        ],
        "verse_a": _verse_a(prestation),
        "echeances_suspendues": [e.date.isoformat() for e in prestation.echeancier if e.suspendue],
    }
    out.update(_en_attente_observed(prestation))
    out.update({f"montant_{kind}": value for kind, value in prestation.montants.items()})
    out.update({k: _plain(v) for k, v in prestation.informations.items()})
    # The lists the base names (membres_orientes), and the entities left pending, by name, with what they wait on.
    out.update({k: [str(x) for x in v] for k, v in prestation.elements.items()})
    for sortie, items in prestation.membres_en_attente.items():
        out[sortie] = {e.nom: list(e.informations_manquantes) for e in items}
        out[f"{sortie}_informations"] = {e.nom: list(e.informations_manquantes) for e in items}
    return out


def _plain(value: Any) -> Any:
    """A decision's value as plain data: dates as ISO strings, dataclasses and objects as mappings."""
    if value is None or isinstance(value, (str, int, float)):  # str and int enums stay as they are
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return value


# Where a pending entry keeps its name and its missing facts, in the order they are looked for.
_NAME_KEYS = ("prenom", "nom", "enfant", "membre", "objet", "id")
_MISSING_KEYS = ("informations_manquantes", "manquants", "faits_manquants", "champs", "chemins")


def _entries(value: Any) -> list[Any]:
    """A list of entries from a list, a single entry, or a mapping keyed by name (the name kept as ``enfant``)."""
    if value is None or value == "absent":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) for v in value.values()):
            return [{"enfant": k, **v} for k, v in value.items()]
        return [value]
    return [value]


def _pending_by_name(value: Any) -> dict[str, set[str]]:
    """Pending children (or members) as name -> the paths of their missing facts."""
    if isinstance(value, dict) and not any(k in value for k in _NAME_KEYS):
        items = [(str(k), v) for k, v in value.items()]
    else:
        items = []
        for entry in _entries(value):
            if isinstance(entry, dict):
                name = next((entry[k] for k in _NAME_KEYS if isinstance(entry.get(k), str)), None)
                items.append((str(name), entry))
            else:
                items.append((str(entry), None))
    pending: dict[str, set[str]] = {}
    for name, facts in items:
        if isinstance(facts, dict):
            facts = next((facts[k] for k in _MISSING_KEYS if k in facts), [])
        paths = set()
        for fact in facts if isinstance(facts, list) else [facts] if facts else []:
            if isinstance(fact, dict):
                fact = fact.get("champ", fact.get("chemin"))
            if fact is not None:
                paths.add(str(fact))
        pending.setdefault(name, set()).update(paths)
    return pending


def _entry_matches(want: Any, got: Any) -> bool:
    """A written entry matches a decision's entry on the keys it writes (a name matches a text containing it;
    a key the decision spells otherwise matches when its value is among the entry's values)."""
    if isinstance(want, dict):
        if isinstance(got, str):
            return all(str(v) in got for v in want.values())
        return isinstance(got, dict) and all(
            _entry_matches(v, got[k]) if k in got else any(_entry_matches(v, g) for g in got.values())
            for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and sorted(map(str, want)) == sorted(map(str, got))
    return _plain(want) == got


def _compare_pending(pid: str, key: str, want: dict[str, Any], got: Any) -> list[str]:
    actual = _pending_by_name(got)
    # Written either as the names alone or as name -> the paths of the missing facts.
    pairs = [(name, []) for name in want] if isinstance(want, list) else (want or {}).items()
    expected = {str(name): {str(p) for p in (paths or [])} for name, paths in pairs}
    if set(actual) != set(expected):
        return [f"{pid}.{key}: attendu {sorted(expected)}, obtenu {sorted(actual)}"]
    return [f"{pid}.{key}[{name}]: faits manquants attendus {sorted(paths)}, obtenus {sorted(actual[name])}"
            for name, paths in expected.items() if not paths <= actual[name]]


def _compare_entries(pid: str, key: str, want: list[Any], got: Any) -> list[str]:
    actual, expected = _entries(got), _entries(want)
    unmatched = [w for w in expected if not any(_entry_matches(w, g) for g in actual)]
    unexpected = [g for g in actual if not any(_entry_matches(w, g) for w in expected)]
    if unmatched or unexpected:
        return [f"{pid}.{key}: attendu {_plain(want)!r}, obtenu {got!r}"]
    return []


def _compare_names(pid: str, key: str, want: list[Any], got: Any) -> list[str]:
    """A list of names compared without regard to order."""
    actual = sorted(str(n) for n in _entries(got))
    expected = sorted(str(n) for n in want or [])
    return [] if actual == expected else [f"{pid}.{key}: attendu {expected}, obtenu {actual}"]


def _suspended_dates(actual: dict[str, Any], echeancier: list[Any]) -> list[str]:
    if "echeances_suspendues" in actual:
        return sorted(str(d) for d in _plain(actual["echeances_suspendues"]) or [])
    marked = []
    for entry in map(_plain, echeancier):
        if isinstance(entry, dict) and (entry.get("suspendu") is True
                                        or entry.get("statut") in ("suspendu", "suspendue")
                                        or entry.get("etat") in ("suspendu", "suspendue")):
            marked.append(str(entry.get("date")))
    return sorted(marked)


_STRUCTURED = {
    "verse_a": _compare_entries,
    "membres_orientes": _compare_names,
    "enfants_ouvrant_droit": _compare_names,
    "enfants_regime_convention": _compare_names,
}
# The lists of pending items the base declares (liste_attente, membre_en_attente) end in this suffix: persons
# are compared by name and missing facts, instalments as partial entries. The contract calls a household's
# pending members by the children's word too: a case may write either list name for persons.
_EN_ATTENTE = "_en_attente"


def _structured(key: str, want: Any):
    """How to compare one structured output, None for a plain value."""
    if key.endswith(_EN_ATTENTE):
        entries = isinstance(want, list) and want and all(isinstance(w, dict) for w in want)
        return _compare_entries if entries else _compare_pending
    return _STRUCTURED.get(key)


def _pending_got(key: str, actual: dict[str, Any], prestation: Prestation) -> Any:
    """The decision's list for ``key``, or for persons its other pending list of persons (members/children)."""
    if key in actual:
        return actual[key]
    if key.endswith(_EN_ATTENTE):
        for other, value in actual.items():
            if other.endswith(_EN_ATTENTE) and isinstance(value, dict):
                return value
    return _plain(getattr(prestation, key, None))


def _verse_a(prestation: Prestation) -> list[dict[str, Any]]:
    """Per child, who receives its allowance instead of the worker, as a case writes it."""
    return [v.as_dict() for v in prestation.verse_a]


def _en_attente_observed(prestation: Prestation) -> dict[str, list[dict[str, Any]]]:
    """The pending children and instalments, as a case writes them: a child by its first name, an
    instalment by its word with its date and amount; then the missing facts (paths) and documents."""
    out: dict[str, list[dict[str, Any]]] = {liste: [] for liste in prestation.listes_attente}
    for item in prestation.en_attente:
        entry: dict[str, Any] = {"prenom": item.libelle} if item.chemin is not None else {"fraction": item.nom}
        entry.update({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in item.valeurs.items()})
        entry.update(informations_manquantes=item.informations_manquantes, pieces=item.pieces)
        out.setdefault(item.liste, []).append(entry)
    return out


def compare(decision: Decision, attendu: dict[str, Any]) -> list[str]:
    """Differences between a decision and what a case expects of it."""
    diffs = []
    for pid, expected in attendu.items():
        if pid not in decision.prestations:
            diffs.append(f"{pid}: prestation absente de la décision")
            continue
        prestation = decision.prestations[pid]
        actual = observed(prestation)
        for key, want in expected.items():
            compare_with = _structured(key, want)
            if compare_with is not None:
                # An output the decision keeps outside its informations is read from the benefit itself.
                diffs += compare_with(pid, key, want, _pending_got(key, actual, prestation))
                continue
            if key == "echeances_suspendues":
                got_dates = _suspended_dates(actual, list(prestation.echeancier))
                want_dates = sorted(str(_plain(d)) for d in want or [])
                if got_dates != want_dates:
                    diffs.append(f"{pid}.{key}: attendu {want_dates}, obtenu {got_dates}")
                continue
            if key == "conditions":
                for cid, etat in want.items():
                    got = actual["conditions"].get(cid, "absente")
                    if got != etat:
                        diffs.append(f"{pid}.conditions.{cid}: attendu {etat}, obtenu {got}")
                continue
            got = actual.get(key, "absent")
            if isinstance(want, dt.date):
                want = want.isoformat()
            if got != want:
                diffs.append(f"{pid}.{key}: attendu {want!r}, obtenu {got!r}")
    return diffs


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

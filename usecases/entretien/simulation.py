"""An interview answered from a complete dossier, as the benchmark (``bench/entretien.py``) and the tests run
it: the counter starts from what it knows before the first question (:func:`depart`), each question is answered
from the dossier, « je ne sais pas » when it lacks the fact, until the decision.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from engine.paths import follow
from engine.regime import Regime
from engine.solver import COLD, Solver
from usecases.entretien.questions import blocked, field_schema, resolve_ref, schema_branches, schema_node, split_path
from usecases.entretien.recherche import Etape, prochaine_etape
from usecases.entretien.reponses import repondre


def depart(regime: Regime, complet: dict[str, Any]) -> dict[str, Any]:
    """What a counter knows before the first question: the claims and their dates, the reference date, the
    applicant's identity, the documents handed in, what the institution itself established, and each listed
    person by the fields the schema requires (a child's first name)."""
    props = regime.schema.get("properties", {})
    start: dict[str, Any] = {k: copy.deepcopy(complet[k]) for k in ("id", "base", "date_reference", "demandes",
                                                                     "pieces") if k in complet}
    demandeur = props.get("demandeur", {}).get("properties", {})
    identite = {k: v for k, v in (complet.get("demandeur") or {}).items() if demandeur.get(k, {}).get("x-identite")}
    # What the institution itself established (its own error or delay, a finding that the allowances are not
    # used for the child: the schema's ``x-institution``) is on the office's record, never asked at the counter.
    identite.update({k: copy.deepcopy(v) for k, v in (complet.get("demandeur") or {}).items()
                     if demandeur.get(k, {}).get("x-institution")})
    if identite:
        start["demandeur"] = identite
    start.update({k: copy.deepcopy(v) for k, v in complet.items() if props.get(k, {}).get("x-institution")})
    for key, value in complet.items():
        node = props.get(key, {})
        if key in start or node.get("type") != "array" or not isinstance(value, list):
            continue
        required = resolve_ref(regime.schema, node.get("items", {})).get("required", [])
        if required:
            start[key] = [{r: item[r] for r in required if r in item} for item in value if isinstance(item, dict)]
    return start


def _value_at(data: Any, champ: str) -> tuple[bool, Any]:
    parts = split_path(champ)
    position, node = follow(data, parts)
    return (True, node) if position == len(parts) else (False, None)


def faits(data: Any, prefix: str = "") -> set[str]:
    """The paths of the facts a dossier holds (a list of dates is one fact, as it is one question)."""
    if isinstance(data, dict):
        out: set[str] = set()
        for key, value in data.items():
            out |= faits(value, f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return set().union(*(faits(v, f"{prefix}[{i}]") for i, v in enumerate(data)))
    return {prefix}


@dataclass
class Simulation:
    """An interview answered from a complete dossier: the questions asked, the facts it held, the last step."""

    posees: list[str]
    faits: int
    etape: Etape
    inconnus: list[str]
    durees: list[float] = field(default_factory=list)  # seconds per step


def simuler(regime: Regime, complet: dict[str, Any], limite: int = 200,
            inconnus_depart: list[str] | tuple[str, ...] = (), solver: Solver = COLD) -> Simulation:
    """Run an interview whose answers come from ``complet``; a field it lacks is answered « je ne sais pas »
    (``inconnus_depart``: fields the claimant says at once they do not know)."""
    data = depart(regime, complet)
    nombre = len(faits(complet) - faits(data))
    posees: list[str] = []
    inconnus: list[str] = list(inconnus_depart)
    durees: list[float] = []
    for _ in range(limite):
        started = time.perf_counter()
        etape = prochaine_etape(regime, data, inconnus, solver=solver)
        durees.append(time.perf_counter() - started)
        if etape.question is None:
            return Simulation(posees, nombre, etape, inconnus, durees)
        champ = etape.question.champ
        if champ in posees or blocked(champ, set(inconnus)):
            raise AssertionError(f"question posée deux fois, ou déclarée inconnue : {champ}")
        posees.append(champ)
        known, value = _value_at(complet, champ)
        if not known:
            inconnus.append(champ)
            continue
        if isinstance(value, dict):  # a scalar question on a field the case gives as an object
            required = resolve_ref(regime.schema, schema_node(regime, champ)).get("required") or []
            objects = [b for b in schema_branches(regime.schema, field_schema(regime, champ)) if "properties" in b]
            required = objects[0].get("required", []) if objects else required
            value = value.get(required[0]) if required else value
        data = repondre(regime, data, champ, value)
    raise AssertionError(f"l'entretien ne s'arrête pas après {limite} questions")

"""The two schema validators agree: fastjsonschema decides, jsonschema words the errors.

``engine.validation.validate`` accepts a dossier when the compiled fastjsonschema
check passes, and asks jsonschema for the errors only when it fails. Were the
two to disagree, a dossier jsonschema refuses could slip through, or a valid
one be refused with no message. Hypothesis draws valid dossiers of each
regime, damages them (a field dropped, a value of the wrong type, a date that
does not exist, an unknown field, a value out of its enumeration) and checks
that both validators give the same verdict.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
import strategies
from hypothesis import example, given
from hypothesis import strategies as st

from engine.regime import load_regime
from engine.validation import _validators, load_dossier, schema_errors

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REGIMES = {"mali-inps": "famille-diarra.yaml", "senegal-css": "senegal-pmi.yaml",
           "mali-couverture-maladie": "mali-orientation.yaml"}

VALEURS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=12),
                    st.sampled_from(["2015-02-30", "2024-13-01", "2024-1-01", "20240101", "2024-02-29", "Mali", "M",
                                     "salarie", "mariage"]),
                    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(),
                                                                         max_size=2))


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside the dossier (the root excepted)."""
    out = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        out.append((*prefix, key))
        out += _paths(child, (*prefix, key))
    return out


@st.composite
def abimes(draw, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with one to three damages."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["supprimer", "remplacer", "ajouter"]))
        if action == "supprimer":
            del parent[path[-1]]
        elif action == "remplacer":
            parent[path[-1]] = draw(VALEURS)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=6))] = draw(VALEURS)
    return data


def _verdicts(schema: dict[str, Any], data: Any) -> tuple[bool, bool]:
    fast, full = _validators(schema)
    try:
        fast(data)
        fast_ok = True
    except fastjsonschema.JsonSchemaException:
        fast_ok = False
    return fast_ok, not list(full.iter_errors(data))


@pytest.mark.parametrize("regime_id", sorted(REGIMES))
@given(data=st.data())
def test_the_two_validators_agree_on_damaged_dossiers(regime_id, data):
    regime = load_regime(regime_id)
    base = load_dossier(EXAMPLES / REGIMES[regime_id]).data
    dossier = data.draw(abimes(base))
    fast_ok, full_ok = _verdicts(regime.schema, dossier)
    assert fast_ok == full_ok, dossier


@given(strategies.dossiers())
@example({"id": "x", "date_reference": "2015-02-29"})  # a day that does not exist
@example({"id": "x", "date_reference": "2016-02-29"})
def test_the_two_validators_agree_on_drawn_dossiers(dossier):
    schema = load_regime("mali-inps").schema
    fast_ok, full_ok = _verdicts(schema, dossier)
    assert fast_ok == full_ok


def test_a_refused_dossier_gets_every_error_with_its_path():
    schema = load_regime("mali-inps").schema
    errors = schema_errors(schema, {"id": "x", "date_reference": "2015-02-30", "enfants": [{"prenom": 3}]})
    paths = [list(e.absolute_path) for e in errors]
    assert ["date_reference"] in paths and ["enfants", 0, "prenom"] in paths
    assert all(isinstance(e, jsonschema.ValidationError) for e in errors)
    assert schema_errors(schema, load_dossier(EXAMPLES / "famille-diarra.yaml").data) == []


def test_a_refusal_carries_each_field_and_its_message_as_records():
    """DossierError says each field's path and message (issue 24): the console reads them, no regex."""
    import pickle

    from engine.dossier import DossierError, ErreurChamp
    from engine.parsing import parse_json, parse_text
    from engine.validation import validate

    data = load_dossier(EXAMPLES / "famille-diarra.yaml").data
    bad = {**copy.deepcopy(data), "inconnu": 1}
    bad["enfants"][0]["date_naissance"] = "2015-02-30"
    with pytest.raises(DossierError) as refused:
        validate(bad, "d.yaml")
    chemins = [e.chemin for e in refused.value.erreurs]
    assert "enfants[0].date_naissance" in chemins and "inconnu" in chemins
    assert str(refused.value) == "\n".join(f"d.yaml: {e.message}" for e in refused.value.erreurs)
    copie = pickle.loads(pickle.dumps(refused.value))
    assert copie.erreurs == refused.value.erreurs and str(copie) == str(refused.value)
    for text, reader, chemin in [("a: 1\na: 2\n", parse_text, "a"), ('{"a": 1, "a": 2}', parse_json, "a"),
                                 ("a: b: c\n", parse_text, "(racine)"), ("a: &x 1\nb: *x\n", parse_text, "(racine)"),
                                 ('{"a": {"b": 1.5}}', parse_json, "a.b")]:
        with pytest.raises(DossierError) as refused:
            reader(text, "t")
        assert [e.chemin for e in refused.value.erreurs] == [chemin], text
        assert isinstance(refused.value.erreurs[0], ErreurChamp)

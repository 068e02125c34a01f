"""The phrase catalogue against the knowledge base: every phrase renders with values its condition provides.

A phrase names values with Jinja2 variables. The knowledge base says, through
its rules, which values each condition provides (fields of the dossier its rules
read, parameters they apply, values they name with ``valeur/4``), and every
parameter of the regime is given in force at the decision's date; a phrase that
names anything else would fail at run time, so it fails here first.
"""

from __future__ import annotations

import jinja2
import pytest
from jinja2 import meta

from engine.program import Mode, build_program
from engine.regime import load_regime
from explain.phrases import environment

REGIME = load_regime("mali-inps")
PROGRAM = build_program(REGIME, Mode.EXPLANATION)
COMPOSITES = {"droit", "enfant_ouvrant_droit", "enfant_beneficiaire"}
ENTRIES = sorted(REGIME.phrases["conditions"].items())


def test_every_condition_of_the_rules_has_phrases_for_the_three_states():
    catalogue = REGIME.phrases["conditions"]
    for name in PROGRAM.conditions | COMPOSITES:
        entries = [e for k, e in catalogue.items() if k == name or k.startswith(f"{name}(")]
        assert entries, f"aucune phrase pour « {name} »"
        for entry in entries:
            for state in ("libelle", "rempli", "non_rempli", "inconnu"):
                assert entry.get(state), f"« {name} » : phrase « {state} » manquante"


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[k for k, _ in ENTRIES])
def test_phrases_name_only_values_the_condition_provides(key, entry):
    # Every parameter of the regime is in force for every phrase (explain/phrases.py, Catalogue.en_vigueur):
    # a sentence names the parameter rather than writing its number.
    provided = PROGRAM.provides(key) | set(REGIME.parameters)
    env = environment()
    for state in ("rempli", "non_rempli", "inconnu"):
        names = meta.find_undeclared_variables(env.parse(entry[state]))
        unknown = names - provided
        assert not unknown, f"{key} ({state}) nomme {sorted(unknown)} ; la condition fournit {sorted(provided)}"


def test_the_static_check_catches_a_phrase_naming_an_unknown_value():
    env = environment()
    names = meta.find_undeclared_variables(env.parse("Vous avez {{ nombre_de_chameaux }} chameaux."))
    assert names - PROGRAM.provides("stage") == {"nombre_de_chameaux"}


def test_rendering_rejects_undefined_values():
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ absent }}").render()

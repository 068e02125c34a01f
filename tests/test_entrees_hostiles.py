"""Hostile and clumsy input (issue 14): each dossier is refused with its field's path, or decided as its clean twin.

The corpus covers the kinds found by trying the project as an attacker would:
numbers beyond clingo's 32-bit integers, whole-number floats, duplicate keys,
YAML alias bombs, deep nesting, huge integers, control and invisible
characters, non-UTF-8 bytes, dates far from the window. Hypothesis then walks
the bounds of every integer field, and checks that no text field's content
changes a decision.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.dossier import DossierError
from engine.parsing import parse_json, parse_text
from engine.program import Mode
from engine.regime import load_regime
from engine.resume import summarize_many
from engine.solver import evaluate
from engine.validation import load_dossier, validate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def propre() -> dict:
    return copy.deepcopy(load_dossier(EXAMPLES / "famille-diarra.yaml").data)


def _avec(data: dict, path: str, value) -> dict:
    """A copy of ``data`` with the field at ``a.b[1].c`` set to ``value``."""
    out = copy.deepcopy(data)
    node = out
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    last = parts[-1]
    node[int(last) if last.isdigit() else last] = value
    return out


def _refus(data, fragment: str) -> str:
    with pytest.raises(DossierError) as caught:
        validate(data, "hostile")
    message = str(caught.value)
    assert fragment in message, message
    assert "Traceback" not in message
    return message


# -- values the schema or the domain refuses, each with its path ---------------------------------------
REFUSES = {
    "salaire au-delà de 2**31": ("demandeur.salaire_mensuel", 2**31, "demandeur.salaire_mensuel"),
    "salaire de 10**30": ("demandeur.salaire_mensuel", 10**30, "demandeur.salaire_mensuel"),
    "salaire négatif": ("demandeur.salaire_mensuel", -1, "demandeur.salaire_mensuel"),
    "mois consécutifs 10**12": ("demandeur.mois_consecutifs", 10**12, "demandeur.mois_consecutifs"),
    "salaire journalier énorme": ("conge_maternite.salaire_journalier", 10**10, "conge_maternite.salaire_journalier"),
    "flottant non entier": ("demandeur.salaire_mensuel", 85000.5, "demandeur.salaire_mensuel"),
    "NaN": ("demandeur.salaire_mensuel", float("nan"), "demandeur.salaire_mensuel"),
    "infini": ("demandeur.salaire_mensuel", float("inf"), "demandeur.salaire_mensuel"),
    "octet NUL dans un prénom": ("enfants[0].prenom", "A\x00wa", "enfants[0].prenom"),
    "saut de ligne dans un prénom": ("enfants[1].prenom", "Moussa\n- item", "enfants[1].prenom"),
    "espace de largeur nulle": ("enfants[0].prenom", "A\u200bwa", "enfants[0].prenom"),
    "inversion bidirectionnelle": ("demandeur.residence", "\u202eilaM", "demandeur.residence"),
    "surrogate isolé": ("enfants[0].prenom", "A\udc80", "enfants[0].prenom"),
    "tabulation dans l'id": ("id", "a\tb", "« id »"),
    "texte trop long": ("enfants[0].prenom", "A" * 5000, "enfants[0].prenom"),
    "référence en 9999": ("date_reference", "9999-12-31", "date_reference"),
    "référence en 2300": ("date_reference", "2300-03-15", "date_reference"),
    "demande en l'an 1": ("demandes[0].date", "0001-01-01", "demandes[0].date"),
    "demande en 9999": ("demandes[0].date", "9999-12-31", "demandes[0].date"),
    "naissance en l'an 3000": ("enfants[0].date_naissance", "3000-01-01", "enfants[0].date_naissance"),
    "naissance dix ans après la référence": ("enfants[0].date_naissance", "2036-01-01", "enfants[0].date_naissance"),
    "demande cent ans avant la référence": ("demandes[0].date", "1926-03-15", "demandes[0].date"),
    "trop d'enfants": ("enfants", [{"prenom": f"E{i}"} for i in range(31)], "enfants"),
    "imbrication profonde": ("demandeur.residence", json.loads("[" * 40 + "]" * 40), "imbrication trop profonde"),
}


@pytest.mark.parametrize("nom", sorted(REFUSES))
def test_each_hostile_value_is_refused_with_its_path(propre, nom):
    path, value, fragment = REFUSES[nom]
    _refus(_avec(propre, path, value), fragment)


def test_a_control_character_in_a_key_is_refused_with_its_parent(propre):
    data = copy.deepcopy(propre)
    data["demandeur"]["sal\x00aire"] = 1
    _refus(data, "« demandeur » : nom de champ")


# -- values decided as their clean twin ---------------------------------------------------------------
def _statuts(data: dict) -> dict:
    return {p: (x.statut, x.montants) for p, x in evaluate(validate(data), Mode.DECISION).prestations.items()}


def test_a_whole_number_float_is_the_integer(propre):
    twin = _avec(propre, "demandeur.salaire_mensuel", 85000.0)
    assert validate(twin).data["demandeur"]["salaire_mensuel"] == 85000
    assert _statuts(twin) == _statuts(propre)


def test_bounds_are_inclusive_and_decided(propre):
    top = _avec(propre, "demandeur.salaire_mensuel", 100_000_000)
    top = _avec(top, "demandeur.mois_consecutifs", 1200)
    assert _statuts(top)["allocations_familiales"][0] == "accorde"


# -- text and files ------------------------------------------------------------------------------------
def test_duplicate_keys_are_refused_in_yaml_and_json():
    with pytest.raises(DossierError, match=r"salaire_mensuel.*en double"):
        parse_text("id: x\ndemandeur:\n  salaire_mensuel: 85000\n  salaire_mensuel: 10\n", "double.yaml")
    with pytest.raises(DossierError, match="en double"):
        parse_json('{"id": "x", "id": "y"}', "double.json")


def test_an_alias_bomb_is_refused_before_it_grows():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    start = time.perf_counter()
    with pytest.raises(DossierError, match="alias YAML"):
        parse_text(bomb, "bombe.yaml")
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("text, fragment", [
    ("[" * 3000 + "]" * 3000, "imbrication"),
    ('{"id": "x", "n": ' + "9" * 5000 + "}", "JSON refusé"),
    ('{"id": "x", "n": NaN}', "NaN"),
])
def test_pathological_json_is_refused_with_a_message(text, fragment):
    with pytest.raises(DossierError, match=fragment):
        parse_json(text, "hostile.json")


def test_pathological_yaml_is_refused_with_a_message():
    with pytest.raises(DossierError, match="imbrication"):
        parse_text("a:\n" + "".join("  " * i + "- \n" for i in range(1, 60)), "profond.yaml")
    with pytest.raises(DossierError, match="illisible"):
        parse_text("n: " + "9" * 5000, "chiffres.yaml")


def test_a_file_not_in_utf8_or_too_large_is_refused(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("id: x\nenfants: [{prenom: Ad\xe8le}]\n".encode("latin-1"))
    with pytest.raises(DossierError, match="UTF-8"):
        load_dossier(latin)
    big = tmp_path / "gros.yaml"
    big.write_bytes(b"id: x\n" + b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(DossierError, match="octets"):
        load_dossier(big)


# -- time at the edges of the date window --------------------------------------------------------------
def test_the_extreme_dates_of_the_window_are_decided_in_under_a_second(propre):
    """The issue's bound: any valid dossier is decided quickly, however far apart its dates."""
    evaluate(validate(propre))  # the program is built once per process: not what is measured
    cases = []
    for reference in ("2100-12-31", "1900-01-01", "1910-12-31"):
        data = _avec(propre, "date_reference", reference)
        ten_years_before = f"{int(reference[:4]) - 10}{reference[4:]}"  # the window's bound for a claim
        earliest = max(ten_years_before, "1900-01-01")
        data["demandes"] = [{"prestation": "allocations_familiales", "date": earliest}]
        data["enfants"] = [dict(e, date_naissance=earliest) for e in data["enfants"]]
        data["mariage"]["date"] = "1900-01-01"
        cases.append(validate(data))
    for dossier in cases:
        best = float("inf")
        for _ in range(3):  # the best of three: another process on the machine must not fail the test
            start = time.perf_counter()
            evaluate(dossier)
            best = min(best, time.perf_counter() - start)
        assert best < 1.0  # measured 0.1 to 0.2 s (bench/run.py reports the worst case, with 30 children)
        summarize_many([dossier])


# -- Hypothesis: integers at and beyond their bounds, and text that decides nothing ---------------------
def _integer_fields(schema: dict, path: str = ""):
    for name, node in schema.get("properties", {}).items():
        here = f"{path}.{name}" if path else name
        if node.get("type") == "integer":
            yield here, node["minimum"], node["maximum"]
        elif node.get("type") == "object":
            yield from _integer_fields(node, here)


# Every integer field of every regime, with a valid dossier of that regime to put it in.
EXEMPLES = {"mali-inps": "famille-diarra.yaml", "senegal-css": "senegal-pmi.yaml",
            "mali-couverture-maladie": "mali-orientation.yaml"}
INTEGERS = sorted((regime, *field) for regime in EXEMPLES for field in _integer_fields(load_regime(regime).schema))


def test_the_bounds_property_covers_the_regimes_with_integers():
    assert {r for r, *_ in INTEGERS} >= {"mali-inps", "senegal-css"}


@settings(max_examples=60)
@given(field=st.sampled_from(INTEGERS), offset=st.sampled_from([-(2**40), -2, -1, 0, 1, 2, 2**40]),
       at_top=st.booleans())
def test_integers_at_and_beyond_their_bounds(field, offset, at_top):
    regime, path, low, high = field
    value = (high if at_top else low) + offset
    data = _avec(load_dossier(EXAMPLES / EXEMPLES[regime]).data, path, value)
    if low <= value <= high:
        decision = evaluate(validate(data))  # decided, never a traceback nor a wrapped-around number
        for prestation in decision.prestations.values():
            for amount in prestation.montants.values():
                assert amount is None or not isinstance(amount, int) or 0 <= amount < 2**31
    else:
        _refus(data, path)


PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Zl", "Zp")), min_size=1,
                    max_size=40)


@settings(max_examples=25)
@given(prenoms=st.lists(PRINTABLE, min_size=2, max_size=2), ident=PRINTABLE)
def test_no_text_field_changes_a_decision(propre, prenoms, ident):
    twin = copy.deepcopy(propre)
    twin["id"] = ident
    for child, name in zip(twin["enfants"], prenoms, strict=True):
        child["prenom"] = name
    assert _statuts(twin) == _statuts(propre)

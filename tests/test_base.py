"""The knowledge base as a whole: completeness of sources and phrases, calendar, translation.

These tests read the knowledge base and the engine's boundary; they decide no
dossier by hand.
"""

from __future__ import annotations

import datetime as dt
import re

import clingo
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.facts import SchemaFacts
from engine.program import Mode, build_program
from engine.regime import kb_root, load_regime, regimes
from engine.solver import evaluate, evaluate_many, solve_symbols
from engine.validation import validate

REGIME = load_regime("mali-inps")


def test_every_lp_file_opens_with_a_header_naming_the_guide_section():
    for path in kb_root().rglob("*.lp"):
        head = path.read_text(encoding="utf-8").splitlines()[:4]
        assert head[0].startswith("% ====="), path
        if "commun" not in path.parts:
            assert any("Guide" in line for line in head), path


def test_no_law_amount_in_python():
    amounts = re.compile(r"\b(13 ?650|1 ?500|40 ?000|35 ?000|28 ?460)\b")
    for package in ("engine", "explain"):
        for path in (kb_root().parent / package).rglob("*.py"):
            code = [line for line in path.read_text(encoding="utf-8").splitlines()
                    if not line.strip().startswith("#")]
            assert not amounts.search("\n".join(code)), f"montant de la loi dans {path}"


def test_parameters_are_dated_without_duplicates():
    for param in REGIME.parameters.values():
        dates = [v.debut for v in param.values]
        assert dates == sorted(set(dates)), param.nom
        assert param.description and param.reference, param.nom


def test_every_parameter_is_used_by_the_rules():
    text = "\n".join(p.read_text(encoding="utf-8") for p in REGIME.program_files)
    for name in REGIME.parameters:
        if name in ("af_taux_par_enfant", "salaire_mensuel_forfaitaire"):
            continue  # rates and bases published beside the amounts, checked by `prevoyance check`
        assert re.search(rf"\b{name}\b", text), f"paramètre inutilisé : {name}"


def test_grounding_alone_decides(tmp_path):
    """The program is stratified: the grounder derives every atom, the solver never guesses."""
    dossier = validate({"id": "x", "date_reference": "2026-03-15", "enfants": [{"prenom": "A"}]})
    control_symbols = solve_symbols(REGIME, [dossier], Mode.EXPLANATION)
    assert control_symbols  # one answer set
    control = clingo.Control(["--warn=none"])
    program = build_program(REGIME, Mode.EXPLANATION)
    program.load_into(control)
    with control.backend() as backend:
        for symbol in program.inputs.facts(0, dossier.data):
            backend.add_rule([backend.add_atom(symbol)])
    control.ground([("base", [])])
    undecided = [a.symbol for a in control.symbolic_atoms if not a.is_fact]
    assert undecided == []


def test_regimes_are_discovered():
    assert "mali-inps" in regimes()
    assert REGIME.version.startswith("mali-inps@")


def test_batch_equals_single_evaluations():
    data = [
        {"id": f"d{i}", "date_reference": "2026-03-15",
         "demandeur": {"statut": "salarie", "premiere_demande": False, "jours_mois": 20 - i,
                       "salaire_mensuel": 45000, "residence": "Mali", "sexe": "F"},
         "enfants": [{"prenom": "A", "date_naissance": f"20{10 + i}-05-01", "categorie": "adoption",
                      "declare_etat_civil": True, "a_charge": True, "residence": "Mali",
                      "visite_medicale": True}]}
        for i in range(5)
    ]
    dossiers = [validate(d) for d in data]
    batch = evaluate_many(dossiers)
    for dossier, decided in zip(dossiers, batch, strict=True):
        alone = evaluate(dossier).prestations["allocations_familiales"]
        together = decided.prestations["allocations_familiales"]
        assert (alone.statut, alone.montants) == (together.statut, together.montants)
    assert [d.dossier for d in batch] == [f"d{i}" for i in range(5)]


# -- calendar -------------------------------------------------------------------------
def _calendar(facts: str) -> clingo.Control:
    control = clingo.Control(["--warn=none"])
    control.add("base", [], (kb_root() / "commun" / "calendrier.lp").read_text(encoding="utf-8") + facts)
    control.ground([("base", [])])
    return control


def _d(day: dt.date) -> str:
    return f"d({day.year},{day.month},{day.day})"


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


@given(st.lists(dates, min_size=1, max_size=20))
def test_day_numbers_match_the_gregorian_calendar(days):
    facts = "".join(f"date_a_numeroter({_d(x)}). numero_a_dater(N) :- numero_jour({_d(x)}, N).\n" for x in days)
    control = _calendar(facts)
    numbers = {str(a.symbol.arguments[0]): a.symbol.arguments[1].number
               for a in control.symbolic_atoms.by_signature("numero_jour", 2)}
    back = {a.symbol.arguments[0].number: str(a.symbol.arguments[1])
            for a in control.symbolic_atoms.by_signature("date_du_numero", 2)}
    for x in days:
        assert numbers[_d(x)] - numbers[_d(days[0])] == (x - days[0]).days
        assert back[numbers[_d(x)]] == _d(x)


@given(dates, dates)
def test_age_in_completed_years(birth, when):
    if birth > when:
        birth, when = when, birth
    control = _calendar(f"age_demande({_d(birth)}, {_d(when)}).")
    (atom,) = control.symbolic_atoms.by_signature("age_a", 3)
    expected = when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))
    assert atom.symbol.arguments[2].number == expected


@pytest.mark.parametrize(("rank", "first_day"), [(2026 * 12 + 0, "d(2026,1,1)"), (2025 * 12 + 11, "d(2025,12,1)")])
def test_first_day_of_month_rank(rank, first_day):
    control = _calendar(f"mois_utile({rank}).")
    (atom,) = control.symbolic_atoms.by_signature("premier_du_mois", 2)
    assert str(atom.symbol.arguments[1]) == first_day


# -- the boundary ------------------------------------------------------------------------
def test_translation_is_driven_by_the_schema():
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {
                "b": {"type": "integer"}, "quand": {"type": "string", "format": "date"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "nom": {"type": "string"}, "choix": {"enum": ["oui_mais", "Non"]},
                "lieu": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"pays": {"type": "string"}}}]},
                "dates": {"type": "array", "items": {"type": "string", "format": "date"}}}}},
            "drapeau": {"type": "boolean"},
        },
    }
    translator = SchemaFacts(schema)
    facts = {str(s) for s in translator.facts(7, {
        "a": {"b": 3, "quand": "2024-02-29"}, "drapeau": False,
        "items": [{"nom": "x", "choix": "oui_mais", "lieu": "Mali", "dates": ["2020-01-02"]},
                  {"choix": "Non", "lieu": {"pays": "France"}}],
    })}
    assert facts == {
        "dossier(7)", "a_b(7,3)", "a_quand(7,d(2024,2,29))", "drapeau(7,false)",
        "nombre_items(7,2)", "nombre_items_dates(7,0,1)",
        "items(7,0)", 'items_nom(7,0,"x")', "items_choix(7,0,oui_mais)", 'items_lieu(7,0,"Mali")',
        "items_dates(7,0,0,d(2020,1,2))",
        "items(7,1)", 'items_choix(7,1,"Non")', 'items_lieu_pays(7,1,"France")',
    }
    arities = {f.predicate: f.arity for f in translator.fields.values()}
    assert arities["items_dates"] == 4 and arities["items"] == 2 and arities["a_b"] == 2
    assert arities["nombre_items"] == 2 and arities["nombre_items_dates"] == 3


@given(dates, st.integers(min_value=0, max_value=40))
def test_adding_months_keeps_the_day_or_ends_the_month(start, months):
    control = _calendar(f"plus_mois_demande({_d(start)}, {months}).")
    (atom,) = control.symbolic_atoms.by_signature("plus_mois", 3)
    rank = start.year * 12 + start.month - 1 + months
    year, month = divmod(rank, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    assert str(atom.symbol.arguments[2]) == _d(dt.date(year, month, min(start.day, last)))


@given(dates, st.integers(min_value=0, max_value=800), dates)
def test_adding_days_and_day_gaps(start, days, other):
    control = _calendar(f"plus_jours_demande({_d(start)}, {days}). ecart_demande({_d(start)}, {_d(other)}).")
    (added,) = control.symbolic_atoms.by_signature("plus_jours", 3)
    (gap,) = control.symbolic_atoms.by_signature("ecart_jours", 3)
    assert str(added.symbol.arguments[2]) == _d(start + dt.timedelta(days=days))
    assert gap.symbol.arguments[2].number == (other - start).days

"""Several regimes in one knowledge base, and a Python layer that names none of them.

Two checks of the architecture, then the two regimes added beside the INPS
(``kb/senegal/css``: the follow-up of mother and child at the PMI of the
Caisse de sécurité sociale; ``kb/mali/couverture_maladie``: orientation of a
household towards AMO, RAMED or the voluntary mutual insurance), driven only
through the public entry points (``prevoyance evaluate``, ``why``, ``check``,
``test``, ``letter``).

**What "naming a regime" means** (:func:`regime_mentions`, applied to every
``.py`` file of ``engine/`` and ``explain/``). The vocabulary comes from the
knowledge base itself, so a new regime extends it without editing this test:

- the folders of each regime under ``kb/`` (``mali``, ``inps``, ``senegal``,
  ``css``, ``couverture_maladie``) and each regime id (``mali-inps``,
  ``senegal-css``, ``mali-couverture-maladie``), in identifiers and strings;
- the prestation ids (``prestation/1``) and the condition ids (conditions decided
  by rules of a regime file, and every node a regime gives a ``source/3``) of
  every regime, in string literals only.

Text is compared lower-cased and without accents (« Sénégal » is ``senegal``).
A folder name is found as a word of its own, identifiers being split at ``_``
(``mali_x`` names ``mali``); an id, as a whole identifier-word of a string
(``"non_salarie"`` is not ``salarie``). Comments and docstrings are ignored: they
document and cite examples; only what the code does or prints at run time counts.
Condition and prestation ids are looked for in strings only: a Python variable is
the code's own vocabulary, while a regime's words reach Python as data (ASP
names, dossier paths, output keys), always in strings. Names of the shared
machinery (every word of ``kb/commun/*.lp``: ``droit``, ``toutes``…) are not a
regime's.

The code written before this test already names the first regime in a few
places (:data:`DETTE`); they are listed with their reason, reported, and left
as they are. The list can only shrink: a place that no longer names a regime
must leave it, and any new place fails the test.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

import clingo
import pytest
import yaml
from click.testing import CliRunner
from jinja2 import meta

from cli import main
from engine.program import Mode, build_program
from engine.regime import kb_root, load_regime, regimes
from engine.solver import evaluate, evaluate_many, solve_symbols
from engine.validation import load_dossier, validate
from explain.phrases import environment
from explain.render import decision_json
from usecases.cases import load_cases, run_cases
from usecases.check import check_regime

ROOT = Path(__file__).resolve().parent.parent
CAS = Path(__file__).parent / "cas"
NOUVEAUX = {"senegal-css": "senegal_css", "mali-couverture-maladie": "mali_couverture_maladie"}
EXEMPLES = {"senegal-css": ROOT / "examples" / "senegal-pmi.yaml",
            "mali-couverture-maladie": ROOT / "examples" / "mali-orientation.yaml"}

# Places of engine/ and explain/ that named the first regime before this test
# was written: file → the words found there. Reported, not rewritten here.
DETTE: dict[str, set[str]] = {
    # `prevoyance generate`: synthetic dossiers of the INPS schema, its prestations and field values.
    "usecases/generation.py": {
        "allocations_familiales", "allocations_maternite", "allocations_prenatales", "apprenti", "beneficiaire",
        "categorie", "conge_naissance", "convention_reciprocite", "indemnites_journalieres_maternite", "mali",
        "premier_mariage", "prime_premier_etablissement", "residence", "salarie", "senegal", "veuve_allocataire",
        "visite_medicale",
    },
    # A coincidence: the JSON key "categorie" of a change (hausse, baisse…), not the INPS condition.
    "explain/rapport_impact.py": {"categorie"},
}


# -- the vocabulary of the regimes ------------------------------------------------------
def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


@cache
def vocabulaire() -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    """(regime ids, folder words, prestation and condition ids), each word with the regime(s) it comes from."""
    commun = set(re.findall(r"[a-z0-9_]+", " ".join(
        p.read_text(encoding="utf-8") for p in (kb_root() / "commun").glob("*.lp"))))
    ids: dict[str, str] = {}
    dossiers: dict[str, str] = {}
    termes: dict[str, set[str]] = defaultdict(set)
    for regime in regimes().values():
        ids[regime.id] = regime.id
        for part in regime.folder.relative_to(kb_root()).parts:
            dossiers[part] = regime.id
        program = build_program(regime, Mode.EXPLANATION)
        control = clingo.Control(["--warn=none"])
        program.load_into(control)
        control.ground([("base", [])])
        names = {a.symbol.arguments[0].name for a in control.symbolic_atoms.by_signature("prestation", 1)}
        names |= {a.symbol.arguments[0].name for a in control.symbolic_atoms.by_signature("source", 3)}
        for name in (names | program.conditions) - commun:
            termes[name].add(regime.id)
    return ids, dossiers, dict(termes)


def _docstrings(tree: ast.AST) -> set[tuple[int, int]]:
    starts = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                starts.add((first.lineno, first.col_offset))
    return starts


def regime_mentions(source: str) -> dict[str, list[int]]:
    """Words of the regimes that a piece of Python code names, with their lines (rules: module docstring)."""
    ids, dossiers, termes = vocabulaire()
    docstrings = _docstrings(ast.parse(source))
    found: dict[str, list[int]] = defaultdict(list)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.NAME, tokenize.STRING) or token.start in docstrings:
            continue
        text = _fold(token.string)
        parts = set(re.findall(r"[a-z0-9]+", text))
        words = set(re.findall(r"[a-z0-9_]+", text))
        hits = {w for w in dossiers if (w in words if "_" in w else w in parts)}
        hits |= {i for i in ids if re.search(rf"(?<![a-z0-9_-]){re.escape(i)}(?![a-z0-9_-])", text)}
        if token.type == tokenize.STRING:
            hits |= words & set(termes)
        for word in hits:
            found[word].append(token.start[0])
    return dict(found)


def _python_files() -> list[Path]:
    return sorted(p for package in ("engine", "explain") for p in (ROOT / package).rglob("*.py"))


def test_engine_and_explain_name_no_regime():
    nouveaux, restes = [], []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        found = regime_mentions(path.read_text(encoding="utf-8"))
        allowed = DETTE.get(rel, set())
        nouveaux += [f"{rel}:{lines[0]} nomme « {word} »" for word, lines in sorted(found.items())
                     if word not in allowed]
        restes += [f"{rel} : « {word} » n'y est plus, à retirer de DETTE" for word in sorted(allowed - set(found))]
    assert not nouveaux, "le code Python nomme un régime :\n" + "\n".join(nouveaux)
    assert not restes, "\n".join(restes)


def test_the_scanner_sees_what_it_must_and_only_that():
    code = '''"""Docstring: allocations_familiales, kb/mali/inps, Sénégal."""
# commentaire : smig, senegal-css
x = "allocations_familiales"
mali_regime = 1
y = f"droit({pid})"
z = "Sénégal"
w = "non_salarie"
base = "mali-couverture-maladie"
smig = 3
'''
    found = regime_mentions(code)
    assert found == {"allocations_familiales": [3], "mali": [4, 8], "senegal": [6],
                     "mali-couverture-maladie": [8]}, found


def test_the_vocabulary_comes_from_the_base():
    ids, dossiers, termes = vocabulaire()
    assert set(ids) >= {"mali-inps", *NOUVEAUX}
    assert set(dossiers) >= {"mali", "inps", "senegal", "css", "couverture_maladie"}
    for word in ("allocations_familiales", "suivi_pmi", "amo", "ramed", "amv", "stage", "personne_visee",
                 "hors_amo", "releve_amv", "beneficiaire"):
        assert word in termes, word
    assert "droit" not in termes  # the shared machinery's


# -- every regime: a closed French schema of its own --------------------------------------
def _objets(node, path="#"):
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield path, node
        for key, value in node.items():
            yield from _objets(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objets(value, f"{path}/{i}")


@pytest.mark.parametrize("regime_id", sorted(regimes()))
def test_each_regime_has_its_own_closed_schema(regime_id):
    regime = load_regime(regime_id)
    schema = regime.schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["base"].get("const") == regime_id
    for path, node in _objets(schema):
        assert node.get("additionalProperties") is False, f"{regime_id} {path} : additionalProperties"
        for name in node.get("properties", {}):
            assert re.fullmatch(r"[a-z][a-z0-9_]*", name), f"{regime_id} {path} : champ « {name} »"
    program = build_program(regime, Mode.EXPLANATION)
    control = clingo.Control(["--warn=none"])
    program.load_into(control)
    control.ground([("base", [])])
    prestations = {a.symbol.arguments[0].name for a in control.symbolic_atoms.by_signature("prestation", 1)}
    asked = schema["properties"]["demandes"]["items"]["properties"]["prestation"]["enum"]
    assert set(asked) == prestations


@pytest.mark.parametrize("regime_id", sorted(NOUVEAUX))
def test_new_regimes_are_not_the_default_and_need_their_base(regime_id):
    regime = load_regime(regime_id)
    assert regime.meta["defaut"] is False
    assert "base" in regime.schema["required"]
    assert validate({"id": "x", "base": regime_id}).regime is regime


@pytest.mark.parametrize("regime_id", sorted(NOUVEAUX))
def test_the_regime_doc_section_names_every_field(regime_id):
    """docs/regimes.md describes each dossier: every path of the schema appears there."""
    doc = (ROOT / "docs" / "regimes.md").read_text(encoding="utf-8")
    schema = load_regime(regime_id).schema

    def paths(node, prefix=""):
        for name, sub in node.get("properties", {}).items():
            here = f"{prefix}{name}"
            yield here
            if sub.get("type") == "array" and "properties" in sub.get("items", {}):
                yield from paths(sub["items"], f"{here}[].")
            elif "properties" in sub:
                yield from paths(sub, f"{here}.")

    missing = [p for p in paths(schema) if f"`{p}`" not in doc]
    assert not missing, f"docs/regimes.md ne décrit pas : {missing}"


# -- the new regimes through the common checks ----------------------------------------------
@pytest.mark.parametrize("regime_id", sorted(NOUVEAUX))
def test_check_finds_no_defect(regime_id):
    report = check_regime(load_regime(regime_id), sample=200)
    assert report.defauts == []
    assert report.conditions >= 3 and report.regles >= 4
    result = CliRunner().invoke(main, ["check", "--base", regime_id])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("regime_id", sorted(NOUVEAUX))
def test_phrases_exist_for_every_node_and_name_only_provided_values(regime_id):
    regime = load_regime(regime_id)
    program = build_program(regime, Mode.EXPLANATION)
    catalogue = regime.phrases["conditions"]
    _, _, termes = vocabulaire()
    nodes = {name for name, owners in termes.items() if regime_id in owners} | {"droit"}
    prestations = set(regime.phrases["prestations"])
    env = environment()
    for name in sorted(nodes - prestations):
        entries = {k: e for k, e in catalogue.items() if k == name or k.startswith(f"{name}(")}
        assert entries, f"aucune phrase pour « {name} »"
        for key, entry in entries.items():
            provided = program.provides(key)
            for state in ("libelle", "rempli", "non_rempli", "inconnu"):
                assert entry.get(state), f"« {key} » : phrase « {state} » manquante"
                if state != "libelle":
                    unknown = meta.find_undeclared_variables(env.parse(entry[state])) - provided
                    assert not unknown, f"{key} ({state}) nomme {sorted(unknown)}"


@pytest.mark.parametrize("regime_id", sorted(NOUVEAUX))
def test_grounding_alone_decides(regime_id):
    dossier = load_dossier(EXEMPLES[regime_id])
    control = clingo.Control(["--warn=none"])
    program = build_program(dossier.regime, Mode.EXPLANATION)
    program.load_into(control)
    with control.backend() as backend:
        for symbol in program.inputs.facts(0, dossier.data):
            backend.add_rule([backend.add_atom(symbol)])
    control.ground([("base", [])])
    assert [a.symbol for a in control.symbolic_atoms if not a.is_fact] == []
    assert solve_symbols(dossier.regime, [dossier], Mode.EXPLANATION)


def test_every_lp_block_of_the_new_regimes_quotes_its_source():
    for regime_id in NOUVEAUX:
        program = build_program(load_regime(regime_id), Mode.EXPLANATION)
        own = [b for b in program.blocks.values() if load_regime(regime_id).is_regime_file(b.file)]
        assert own and all(b.sentence for b in own), regime_id


def test_a_batch_mixing_regimes_decides_each_under_its_own():
    dossiers = [load_dossier(EXEMPLES["senegal-css"]), load_dossier(ROOT / "examples" / "famille-diarra.yaml"),
                load_dossier(EXEMPLES["mali-couverture-maladie"])]
    decisions = evaluate_many(dossiers)
    assert [d.base for d in decisions] == ["senegal-css", "mali-inps", "mali-couverture-maladie"]
    assert set(decisions[0].prestations) == {"suivi_pmi"}
    assert set(decisions[2].prestations) == {"amo", "ramed", "amv"}


# -- the command line on the new regimes --------------------------------------------------
@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_evaluate_and_why_on_the_pmi_example(run):
    result = run("evaluate", EXEMPLES["senegal-css"])
    assert result.exit_code == 0
    assert "ACCORDÉ" in result.output and "Coût total du plan de suivi : 1\u00a0700\u00a0FCFA" in result.output
    why = run("why", EXEMPLES["senegal-css"], "suivi_pmi")
    assert why.exit_code == 0
    assert "carnet 500\u00a0FCFA + 6 consultations × 200\u00a0FCFA = 1\u00a0700\u00a0FCFA" in why.output
    assert "Centre de protection maternelle et infantile (PMI) de Colobane" in why.output
    data = json.loads(run("evaluate", EXEMPLES["senegal-css"], "--format", "json").output)
    pmi = data["prestations"]["suivi_pmi"]
    assert data["base"] == "senegal-css"
    assert (pmi["montant_total"], pmi["montant_carnet"], pmi["montant_consultation"]) == (1700, 500, 200)
    assert pmi["lieux"] == ["Centre de protection maternelle et infantile (PMI) de Colobane",
                            "Clinique modèle de Guédiawaye"]
    assert pmi["delai_delivrance"] == "immédiat"
    assert pmi["en_cas_de_perte"] == "se rapprocher de la Caisse de sécurité sociale"
    assert pmi["pieces_requises"] == ["ticket", "carnet_sante"]  # in the order the source names them


def test_evaluate_and_why_on_the_orientation_example(run):
    data = json.loads(run("evaluate", EXEMPLES["mali-couverture-maladie"], "--format", "json").output)
    orientes = {p: v.get("membres_orientes", []) for p, v in data["prestations"].items()}
    # Members in the order the dossier lists them.
    assert orientes == {"amo": ["Rokia", "Adama", "Hawa"], "amv": ["Bakary"], "ramed": ["Assitan"]}
    assert data["prestations"]["ramed"]["organisme"] == "Agence nationale d'assistance médicale (ANAM)"
    for prestation in ("amo", "ramed", "amv"):
        assert "source secondaire" in data["prestations"][prestation]["statut_source"]
    why = run("why", EXEMPLES["mali-couverture-maladie"], "amv")
    assert why.exit_code == 0
    assert "Bakary est orienté vers l'assurance maladie volontaire" in why.output  # membres[].sexe: M
    assert "source secondaire" in why.output


def test_why_rejects_a_prestation_of_another_regime(run):
    result = CliRunner().invoke(main, ["why", str(EXEMPLES["senegal-css"]), "allocations_familiales"])
    assert result.exit_code == 1
    assert "examinées : suivi_pmi" in result.output


def test_prevoyance_test_runs_the_cases_of_each_new_regime(run):
    for folder in NOUVEAUX.values():
        result = CliRunner().invoke(main, ["test", str(CAS / folder)])
        assert result.exit_code == 0, result.output
        assert " passed, 0 failed" in result.output


def test_why_what_if_on_a_refusal_without_counterfactuals(run, tmp_path):
    dossier = tmp_path / "refus.yaml"
    dossier.write_text(yaml.safe_dump({"id": "r", "base": "senegal-css", "date_reference": "2026-03-15",
                                       "personne": {"qualite": "autre", "categorie": "allocataire"},
                                       "suivi": {"motif": "grossesse"}}), encoding="utf-8")
    result = run("why", dossier, "suivi_pmi", "--what-if")
    assert result.exit_code == 0
    assert "Décision : refusé" in result.output


# What each example's letters must say: an amount in words where the regime computes one; the
# orientation computes none, and writes one letter per scheme.
LETTRES_ATTENDUES = {
    "senegal-css": ["mille sept cents (1 700) francs CFA"],
    # One letter for the household: who goes to which scheme, and why (issue 22, point 3).
    "mali-couverture-maladie": ["Objet : Orientation de votre ménage vers la couverture maladie",
                                "Rokia, Adama et Hawa relèvent de l'assurance maladie obligatoire (AMO)",
                                "Assitan relève du régime d'assistance médicale (RAMED)",
                                "Bakary peut adhérer à l'assurance maladie volontaire (AMV)",
                                "Rokia est salariée", "Certificat d'indigence"],
}
# Words an orientation letter never says of a member another scheme covers.
JAMAIS_DANS_L_ORIENTATION = ["Ce qui n'est pas accordé", "refus", "décision d'attribution", "lecture de la base"]


def test_letter_on_the_new_regimes(run):
    assert set(EXEMPLES) <= set(LETTRES_ATTENDUES)
    for regime_id, path in EXEMPLES.items():
        result = run("letter", path)
        assert result.exit_code == 0, regime_id
        text = result.output.replace("\u00a0", " ")  # amounts keep their non-breaking spaces
        for words in LETTRES_ATTENDUES[regime_id]:
            assert words in text, (regime_id, words)
        if regime_id == "mali-couverture-maladie":
            assert text.count("**Objet :") == 1  # one letter, not one per scheme
            for words in JAMAIS_DANS_L_ORIENTATION:
                assert words not in text, words


# -- what the sources are -------------------------------------------------------------------
def test_every_rule_of_the_orientation_says_it_comes_from_a_secondary_source():
    regime = load_regime("mali-couverture-maladie")
    decision = evaluate(load_dossier(EXEMPLES["mali-couverture-maladie"]))
    for prestation, prestation in decision.prestations.items():
        for node in prestation.droit.walk():
            assert "secondaire" in node.source, (prestation, node.noeud, node.source)
    for param in regime.parameters.values():
        assert "source secondaire" in param.reference
        assert all(v.statut == "secondaire" for v in param.values)
    assert "source secondaire" in load_regime("mali-couverture-maladie").phrases["conditions"]["assure_amo"]["rempli"]


def test_the_pmi_tariffs_are_those_of_the_fiche():
    report = check_regime(load_regime("senegal-css"))
    assert {v.id: (v.publie, v.retenu) for v in report.verifications} == {
        "pmi_consultation_allocataire": (100, 100), "pmi_consultation_non_allocataire": (200, 200),
        "pmi_carnet_allocataire": (300, 300), "pmi_carnet_non_allocataire": (500, 500)}
    assert all(v.coherent for v in report.verifications)


# -- the golden cases of the new regimes ---------------------------------------------------------
@pytest.mark.parametrize(("regime_id", "folder"), sorted(NOUVEAUX.items()))
def test_cases_exercise_every_condition_in_each_state(regime_id, folder):
    cases = load_cases(CAS / folder)
    assert len(cases) >= 30, f"{len(cases)} cas pour {regime_id}"
    assert all(c.description.strip() for c in cases)
    states: dict[str, set[str]] = defaultdict(set)
    for case in cases:
        for expected in case.attendu.values():
            for key, state in expected.get("conditions", {}).items():
                states[key.split("[")[0]].add(state)
    program = build_program(load_regime(regime_id), Mode.EXPLANATION)
    never_fails = {"categorie_tarifaire"}  # the cost condition only says whether the cost is known
    # An exception is invoked by its facts: silent, it is not invoked rather than unknown.
    exceptions = set(re.findall(r"^invoquee\(D,\s*(\w+)", program.text, flags=re.M))
    for condition in sorted(program.conditions):
        wanted = {"rempli", "non_invoquee" if condition in exceptions else "inconnu"}
        wanted |= set() if condition in never_fails else {"non_rempli"}
        assert wanted <= states[condition], f"{condition} : états attendus {sorted(states[condition])}"
    results = run_cases(cases)
    assert all(r.ok for r in results), [r.differences for r in results if not r.ok]


def test_a_case_of_each_regime_explains_itself_in_json():
    for path in EXEMPLES.values():
        data = decision_json(evaluate(load_dossier(path)))
        for prestation in data["prestations"].values():
            for condition in prestation["conditions"]:
                assert condition["source"] and condition["explication"]

"""The typed output boundary and the program's modes (issue 15).

Every atom a program shows has a record that names its arguments
(engine/atomes.py); states and statuses are string enumerations that read as
the words they are; the disk cache's key covers every module that shapes a
built program.
"""

from __future__ import annotations

import ast as python_ast
import json
import shutil
from pathlib import Path

import clingo
import pytest
from clingo import ast

from engine import atomes
from engine.atomes import READERS, SEARCH_READERS, AtomeApplique, AtomeMontant, read
from engine.model import Etat, Statut
from engine.program import Mode, build_program
from engine.regime import regimes
from engine.solver import evaluate_many
from engine.speedups import cache
from engine.validation import load_dossier

ENGINE = Path(__file__).resolve().parent.parent / "engine"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "famille-diarra.yaml"


def _shown(text: str) -> set[tuple[str, int]]:
    """(name, arity) of every predicate a program text shows."""
    shown: set[tuple[str, int]] = set()

    def collect(statement: ast.AST) -> None:
        if statement.ast_type == ast.ASTType.ShowSignature and statement.name:  # "#show." hides the rest
            shown.add((statement.name, statement.arity))
        elif statement.ast_type == ast.ASTType.ShowTerm and statement.term.ast_type == ast.ASTType.Function:
            shown.add((statement.term.name, len(statement.term.arguments)))

    ast.parse_string(text, collect)
    return shown


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("regime_id", sorted(regimes()))
def test_every_shown_atom_has_a_record_of_its_arity(regime_id, mode):
    program = build_program(regimes()[regime_id], mode)
    assert program.mode is mode
    shown = _shown(program.text)
    assert ("decision", 3) in shown and ("source", 3) in shown
    records = {record.read: record for record in vars(atomes).values()
               if isinstance(record, type) and issubclass(record, tuple) and hasattr(record, "read")}
    for name, arity in shown:
        assert name in READERS, f"{name}/{arity} : aucun enregistrement"
        assert len(records[READERS[name]]._fields) == arity, (name, records[READERS[name]]._fields)


def test_a_record_names_the_arguments_and_converts_them():
    montant = read(clingo.parse_term("montant(3, allocations_familiales, mensuel, 4500)"))
    assert montant == AtomeMontant(3, "allocations_familiales", "mensuel", 4500)
    assert (montant.dossier, montant.prestation, montant.nature, montant.valeur) == (
        3, "allocations_familiales", "mensuel", 4500)
    applique = read(clingo.parse_term("applique(0, age(enfant(1)), non_rempli, age_limite, (a(0), b(0, 1)))"))
    assert isinstance(applique, AtomeApplique)
    assert applique.etat is Etat.non_rempli and applique.bloc == "age_limite"
    assert str(applique.condition) == "age(enfant(1))" and [str(a) for a in applique.atomes] == ["a(0)", "b(0,1)"]
    assert read(clingo.parse_term("decision(1, pmi, incomplet)")).statut is Statut.incomplet
    source = read(clingo.parse_term('source(delai(p), "Section 2", "art. 4")'))
    assert source.noeud == "delai(p)" and (source.section, source.article) == ("Section 2", "art. 4")
    assert set(SEARCH_READERS) == {"modification", "mode"}


def test_one_record_per_name():
    records = [(name, value) for name, value in vars(atomes).items()
               if isinstance(value, type) and issubclass(value, tuple) and hasattr(value, "read")]
    assert len(records) == len(READERS) + len(SEARCH_READERS)
    assert all(value.__name__ == name and value.__module__ == "engine.atomes" for name, value in records)


def test_states_and_statuses_read_as_their_words():
    assert [e.value for e in Etat] == ["rempli", "non_rempli", "inconnu", "non_invoquee"]
    assert [s.value for s in Statut] == ["accorde", "refuse", "incomplet"]
    assert Etat.non_rempli == "non_rempli" and f"{Statut.accorde}" == "accorde" and str(Etat.inconnu) == "inconnu"
    assert json.dumps({"etat": Etat.rempli, Statut.refuse: 1}) == '{"etat": "rempli", "refuse": 1}'
    decision = evaluate_many([load_dossier(EXAMPLE)], Mode.EXPLANATION)[0]
    for prestation in decision.prestations.values():
        assert type(prestation.statut) is Statut
        assert all(type(node.etat) is Etat for node in prestation.droit.walk())
        assert all(type(regle.etat) is Etat for node in prestation.droit.walk() for regle in node.regles)


def test_a_summary_is_not_read_as_a_decision():
    with pytest.raises(ValueError):
        evaluate_many([load_dossier(EXAMPLE)], Mode.SUMMARY)


def _imported(module: str) -> set[str]:
    """The engine modules (files) a core module imports, at its top or in a function."""
    tree = python_ast.parse((ENGINE / module).read_text(encoding="utf-8"))
    out = set()
    for node in python_ast.walk(tree):
        if isinstance(node, python_ast.ImportFrom) and node.module == "engine":
            out |= {f"{alias.name}.py" for alias in node.names}
        elif isinstance(node, python_ast.ImportFrom) and (node.module or "").startswith("engine."):
            out.add("/".join(node.module.split(".")[1:]) + ".py")
            if node.module == "engine.speedups":
                out |= {f"speedups/{alias.name}.py" for alias in node.names}
    return {name for name in out if (ENGINE / name).is_file()}


def _builder_modules() -> set[str]:
    """The engine modules engine/program.py imports, directly or not, and itself."""
    needed, todo = set(), ["program.py"]
    while todo:
        module = todo.pop()
        if module not in needed:
            needed.add(module)
            todo.extend(_imported(module))
    return needed


def test_the_cache_key_covers_every_module_that_builds_a_program():
    hashed = {path.relative_to(ENGINE).as_posix() for path in cache.code_files()}
    assert _builder_modules() <= hashed
    assert "speedups/cache.py" in _builder_modules() and "speedups/slices.py" in hashed


def test_the_cache_key_changes_with_the_code_and_the_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVOYANCE_CACHE", str(tmp_path / "cache"))
    regime = regimes()["mali-inps"]
    keys = {mode: cache.cache_file(regime, mode.value) for mode in Mode}
    assert len(set(keys.values())) == 3
    copy = tmp_path / "engine"
    shutil.copytree(ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_ENGINE", copy)
    assert cache.cache_file(regime, Mode.DECISION.value) == keys[Mode.DECISION]
    for name in sorted(_builder_modules()):
        original = (copy / name).read_bytes()
        (copy / name).write_bytes(original + b"\n# changed\n")
        assert cache.cache_file(regime, Mode.DECISION.value) != keys[Mode.DECISION], name
        (copy / name).write_bytes(original)

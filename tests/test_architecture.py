"""The layout the code promises (docs/architecture.md), checked on the source itself.

The core (``engine/*.py``) knows nothing of the tools, the command line, the explanations or the
console; no module imports another's private names; the command line walks no folder and runs no
SQL; every module says what it is for; a class name means one thing.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "usecases", "explain", "cli", "console")
MODULES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import of the file, relative imports resolved."""
    out = []
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.append((base, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
    return out


CORE = [p for p in MODULES if p.parent == ROOT / "engine"]


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_the_core_imports_nothing_above_it(path: Path) -> None:
    above = ("usecases", "cli", "explain", "console")
    wrong = [module for module, _ in imports(path) if module.split(".")[0] in above]
    assert not wrong, f"{path.name} imports {wrong}: the core must not depend on what is built on it"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_is_imported_from_another_module(path: Path) -> None:
    private = [f"{module}.{name}" for module, names in imports(path) if module.startswith(PACKAGES)
               for name in names if name.startswith("_") and not name.startswith("__")]
    assert not private, f"{path.relative_to(ROOT)} imports private names {private}"


@pytest.mark.parametrize("path", sorted((ROOT / "cli").glob("*.py")), ids=lambda p: p.name)
def test_the_command_line_walks_no_folder_and_runs_no_sql(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    walks = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
             and node.attr in {"glob", "rglob", "iterdir", "walk", "execute", "executemany", "connect"}]
    modules = [module for module, _ in imports(path) if module in {"sqlite3", "glob", "os.path"}]
    assert not walks and not modules, (f"{path.name}: {walks + modules} — a command parses, calls one library "
                                       f"function and prints")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_says_what_it_is_for(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path.relative_to(ROOT)}: no docstring"


def test_a_class_name_means_one_thing() -> None:
    where = defaultdict(list)
    for path in MODULES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                where[node.name].append(module_name(path))
    twice = {name: modules for name, modules in where.items() if len(modules) > 1}
    assert not twice, f"classes defined more than once: {twice}"


CONSOLE = sorted((ROOT / "console").rglob("*.py"))


@pytest.mark.parametrize("path", [p for p in CONSOLE if p.name != "app.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_in_the_console_imports_the_module_that_assembles_it(path: Path) -> None:
    wrong = [module for module, names in imports(path)
             if module == "console.app" or (module == "console" and "app" in names)]
    assert not wrong, f"{path.relative_to(ROOT)} imports console.app: app.py assembles, the routers and helpers " \
                      "it assembles never import it"


# -- explain/ only words ---------------------------------------------------------------------------
# What explain/ may take from the floors below besides classes (types, exceptions) and constants: helpers that
# find what to say, never decide, search, open a database or write. Each is a lookup a sentence needs.
RENDU_PERMIS = {
    "engine.regime": {"load_regime", "regime_de_decision", "kb_root"},  # the catalogue of a decision's regime
    "engine.blocks": {"read_blocks"},  # a rule's sentence, quoted
    "usecases.entete": {"entete", "entete_regime"},  # a regime's letterhead (kb/<regime>/entete.yaml), cached
}
# Never from explain/: what decides, writes files or opens a database.
INTERDITS = ("sqlite3", "engine.solver", "engine.files", "engine.speedups")
EXPLAIN = sorted((ROOT / "explain").rglob("*.py"))


def _ecritures(tree: ast.AST) -> list[str]:
    """The calls that write a file: ``write_text``/``write_bytes``, or ``open`` with a mode that writes."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in {"write_text", "write_bytes"}:
            out.append(f"{name} (ligne {node.lineno})")
        elif name == "open":
            modes = [a for a in node.args[1:2]] + [k.value for k in node.keywords if k.arg == "mode"]
            texts = [m.value for m in modes if isinstance(m, ast.Constant) and isinstance(m.value, str)]
            if any(set(t) & set("wax+") for t in texts) or (modes and not texts):
                out.append(f"open en écriture (ligne {node.lineno})")
    return out


@pytest.mark.parametrize("path", EXPLAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_explain_only_words_typed_results(path: Path) -> None:
    """explain/ takes typed results and returns text or bytes: from engine/ and usecases/ it imports classes
    and constants (a name that starts with a capital) and the few lookups of :data:`RENDU_PERMIS`; it never
    imports what decides, writes a file or opens a database, and never opens a file for writing."""
    wrong = []
    for module, names in imports(path):
        if module.startswith(INTERDITS) or module.split(".")[0] in {"cli", "console"}:
            wrong.append(module)
        elif module.split(".")[0] in {"engine", "usecases"}:
            if not names:  # ``import engine.solver``: every function of it within reach
                wrong.append(module)
            wrong += [f"{module}.{n}" for n in names if not n[:1].isupper() and n not in RENDU_PERMIS.get(module, ())]
    wrong += _ecritures(ast.parse(path.read_text(encoding="utf-8")))
    assert not wrong, f"{path.relative_to(ROOT)}: {wrong} — explain/ words what the floors below decided"

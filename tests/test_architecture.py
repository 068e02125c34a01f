"""The layout the code promises (docs/architecture.md), checked on the source itself.

One floor per package, each importing only the floors below it: ``engine`` (the core and its
speed-ups) → ``usecases`` (what orchestrates) → ``explain`` (pure rendering) → ``cli`` and
``console`` on top. No import circle, between modules or packages, counting the imports written
inside functions; no module imports another's private names; the command line walks no folder and
runs no SQL; every module says what it is for and is at most 400 lines; a class name means one thing.
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


# Each package's floor: a module imports its own floor and those below, never one above or beside.
FLOORS = {"engine": 0, "usecases": 1, "explain": 2, "console": 3, "cli": 4}  # the command line starts the server


def floor(module: str) -> int | None:
    return FLOORS.get(module.split(".")[0])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_its_floor_and_the_floors_below(path: Path) -> None:
    package = module_name(path).split(".")[0]
    wrong = [module for module, _ in imports(path) if floor(module) is not None
             and module.split(".")[0] != package and floor(module) >= FLOORS[package]]
    assert not wrong, (f"{path.relative_to(ROOT)} (floor {package}) imports {wrong}: a floor depends only on "
                       f"the floors below it")


def _graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports (a name imported from a package may be a module of it)."""
    known = {module_name(p) for p in MODULES}
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        out = set()
        for module, names in imports(path):
            out |= {f"{module}.{name}" for name in names if f"{module}.{name}" in known}
            if module in known and not all(f"{module}.{name}" in known for name in names or ["?"]):
                out.add(module)
        graph[module_name(path)] = out - {module_name(path)}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_no_import_circle_between_modules() -> None:
    graph = _graph()
    # A package's __init__ that re-exports its modules is not a circle of their code: leave out the edges
    # from a package to its own modules.
    graph = {m: {n for n in out if not n.startswith(f"{m}.")} for m, out in graph.items()}
    assert not _circles(graph), f"import circles: {_circles(graph)}"


def test_no_import_circle_between_packages() -> None:
    """Between packages, not only modules: a subpackage is a room of its parent's floor (engine.speedups
    serves engine.program and builds on engine.solver), so only the edges between a package and its own
    subpackages are left out."""
    packages = {module_name(p) for p in MODULES if p.name == "__init__.py"}

    def package(module: str) -> str:
        return module if module in packages else module.rpartition(".")[0]

    def related(a: str, b: str) -> bool:
        return a.startswith(f"{b}.") or b.startswith(f"{a}.")

    graph: dict[str, set[str]] = defaultdict(set)
    for module, out in _graph().items():
        graph[package(module)] |= {package(n) for n in out if not related(package(n), package(module))}
        graph[package(module)].discard(package(module))
    assert not _circles(graph), f"import circles between packages: {_circles(graph)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.relative_to(ROOT)}: {lines} lines — split it by job"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_is_imported_from_another_module(path: Path) -> None:
    private = [f"{module}.{name}" for module, names in imports(path) if module.startswith(PACKAGES)
               for name in names if name.startswith("_") and not name.startswith("__")]
    assert not private, f"{path.relative_to(ROOT)} imports private names {private}"


@pytest.mark.parametrize("path", sorted((ROOT / "cli").rglob("*.py")), ids=lambda p: p.name)
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
    "engine.paths": {"chemin_generique"},  # a dossier path as the catalogue keys it (enfants[].age)
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

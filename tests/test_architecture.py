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


@pytest.mark.parametrize("path", CONSOLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_console_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.relative_to(ROOT)}: {lines} lines — split it by what it does"


def test_the_console_has_no_import_circle() -> None:
    """Imports inside functions count too: a late import that closes a loop is still a loop."""
    known = {module_name(p) for p in CONSOLE}
    graph = {}
    for path in CONSOLE:
        targets = set()
        for module, names in imports(path):
            targets |= {f"{module}.{n}" for n in names if f"{module}.{n}" in known}
            if module in known and not any(f"{module}.{n}" in known for n in names):
                targets.add(module)
        graph[module_name(path)] = targets - {module_name(path)}
    state: dict[str, int] = {}

    def circle_from(node: str, stack: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt] if nxt in stack else [node, nxt]
            if nxt not in state:
                found = circle_from(nxt, [*stack, nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = circle_from(start, [start])
            assert not found, f"import circle: {' → '.join(found)}"

"""The disk cache of built programs: a process starts from the program built by an earlier one.

A program is kept per base version, mode, clingo version, schema and code of the
modules that build it (:data:`BUILDER_MODULES`): when any of them changes the key
changes, so a stale program is never served. ``PREVOYANCE_CACHE`` names the folder
(default ``~/.cache/prevoyance``; empty, ``0`` or ``off``: no cache).

What it saves: parsing the regime's files, recording rule firings, the summary
cut and the static analysis, at every start of a process. Measured
(2026-11-26, 2-core reference machine under load, mali-inps, median of 3 to 5):
building the program takes 470 ms (decision), 730 ms (explanation), 830 ms
(summary); loading it from the cache, 8 ms. The cold start of ``prevoyance
evaluate`` with the cache is 0.36 to 0.40 s (docs/performances.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import clingo

from engine.blocks import RuleBlock
from engine.facts import SchemaFacts, parameter_facts
from engine.program import Mode, Program
from engine.regime import Regime, kb_root
from engine.speedups.slices import Part

_ENGINE = Path(__file__).parent.parent
# Every module whose code shapes a built program (its text, blocks, analyses) or its form on disk: the
# modules engine.program imports, directly or not, and this one (tests/test_atomes.py checks the list).
BUILDER_MODULES = ("program.py", "analysis.py", "blocks.py", "domaine.py", "facts.py", "firings.py", "regime.py",
                   "speedups/slices.py", "speedups/summary_cut.py", "speedups/cache.py")


def cache_file(regime: Regime, mode: Mode) -> Path | None:
    """Where the built program of this base version is kept between runs (None: no cache)."""
    root = os.environ.get("PREVOYANCE_CACHE", str(Path.home() / ".cache" / "prevoyance"))
    if root in ("", "0", "off"):
        return None
    code = hashlib.sha256()
    for name in BUILDER_MODULES:
        code.update((_ENGINE / name).read_bytes())
    key = hashlib.sha256("|".join([
        regime.version, mode.value, clingo.__version__, code.hexdigest(),
        hashlib.sha256(json.dumps(regime.schema, sort_keys=True).encode()).hexdigest(),
    ]).encode()).hexdigest()[:24]
    return Path(root) / f"programme-{key}.json"


def load(regime: Regime, mode: Mode, path: Path) -> Program | None:
    """The program kept at ``path`` (None if there is none, or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # Paths are kept relative to the knowledge base: the same version may live in another checkout.
    blocks = {b["id"]: RuleBlock(b["id"], kb_root() / b["file"], b["line"], b["comment"], b["lines"])
              for b in data["blocks"]}
    sets = {k: {name: set(v) for name, v in data[k].items()} for k in ("reads", "names", "deps")}
    parts = [Part(p["text"], frozenset(p["prestations"]), frozenset(p["heads"]), frozenset(p["reads"]))
             for p in data["parts"]]
    return Program(regime, mode, parts, blocks, SchemaFacts(regime.schema),
                   list(parameter_facts(regime.parameters)), sets["reads"], sets["names"], sets["deps"],
                   set(data["library"]))


def store(program: Program, path: Path) -> None:
    """Keep ``program`` at ``path``; a cache that cannot be written is no cache, not an error."""
    data = {
        "parts": [{"text": p.text, "prestations": sorted(p.prestations), "heads": sorted(p.heads),
                   "reads": sorted(p.reads)} for p in program.parts],
        "blocks": [{"id": b.id, "file": str(b.file.relative_to(kb_root())), "line": b.line, "comment": b.comment,
                    "lines": b.lines} for b in program.blocks.values()],
        "reads": {k: sorted(v) for k, v in program.reads.items()},
        "names": {k: sorted(v) for k, v in program.names.items()},
        "deps": {k: sorted(v) for k, v in program.deps.items()},
        "library": sorted(program.library),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass

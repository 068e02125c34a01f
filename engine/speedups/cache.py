"""The built programs a process keeps: in memory for its life, on disk from one process to the next.

:func:`program_for` is the one door, two tiers:

- **memory**: one program per regime (by identity: a regime is loaded once) and mode, for the life of the
  process. What it saves: every dossier after the first would otherwise read the program back from disk.
- **disk**: the program built by an earlier process, in JSON (``Program.to_dict`` / ``from_dict``), kept
  per base version, mode, clingo version, schema and the code of the engine: every ``.py`` under
  ``engine/``, hashed at each disk look-up. A change to any module of the engine, even one that does not
  build programs, costs one rebuild, where a hand-kept list of the builder modules could go stale and
  serve a program built by old code. ``PREVOYANCE_CACHE`` names the folder (default
  ``~/.cache/prevoyance``; empty, ``0`` or ``off``: no disk tier). What it saves: parsing the regime's
  files, recording rule firings, the summary cut and the static analysis at the start of each process.

Measured in one run by ``bench/caches.py`` (2026-12-07 18:20 UTC, 2-core machine shared by five engineers,
load average 5.8, mali-inps): building the program, median of 5, 530 ms (decision), 820 ms (explanation),
1 270 ms (summary); reading it from disk with its key, median of 20, 10 to 14 ms (the key alone: 20 files,
180 kB hashed, 0.7 ms quiet, 1.0 ms under load); from memory 1.5 µs. A single decision costs 38 ms cold,
26 ms warm in the same run: without the memory tier each would cost a third more, without the disk tier
each process would start half a second to a second later.

This module knows nothing of what a program is: the caller gives how to build one and how to read one
from its JSON data, and the program gives its data (``to_dict``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import clingo

from engine.files import write_atomic
from engine.regime import Regime

_ENGINE = Path(__file__).parent.parent


class Kept(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


K = TypeVar("K", bound=Kept)

_MEMORY: dict[tuple[Regime, str], Any] = {}


def program_for(regime: Regime, mode: str, build: Callable[[], K], read: Callable[[dict[str, Any]], K]) -> K:
    """The program of ``regime`` in ``mode``: from memory, else from disk (``read`` its data), else ``build``-t
    and kept on both."""
    key = (regime, mode)
    found = _MEMORY.get(key)
    if found is None:
        found = _MEMORY[key] = _from_disk(regime, mode, build, read)
    return found


def _from_disk(regime: Regime, mode: str, build: Callable[[], K], read: Callable[[dict[str, Any]], K]) -> K:
    path = cache_file(regime, mode)
    if path is not None:
        data = read_json(path)
        if data is not None:
            return read(data)
    program = build()
    if path is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is no cache, not an error
            write_atomic(path, json.dumps(program.to_dict()).encode("utf-8"))
    return program


def code_files() -> list[Path]:
    """The modules whose code the disk key covers: every ``.py`` of the engine."""
    return sorted(_ENGINE.rglob("*.py"))


def cache_file(regime: Regime, mode: str) -> Path | None:
    """Where the program of this base version and mode is kept between runs (None: no disk tier)."""
    root = os.environ.get("PREVOYANCE_CACHE", str(Path.home() / ".cache" / "prevoyance"))
    if root in ("", "0", "off"):
        return None
    code = hashlib.sha256()
    for path in code_files():
        code.update(str(path.relative_to(_ENGINE)).encode())
        code.update(path.read_bytes())
    key = hashlib.sha256("|".join([
        regime.version, mode, clingo.__version__, code.hexdigest(),
        hashlib.sha256(json.dumps(regime.schema, sort_keys=True).encode()).hexdigest(),
    ]).encode()).hexdigest()[:24]
    return Path(root) / f"programme-{key}.json"


def read_json(path: Path) -> dict[str, Any] | None:
    """The data kept at ``path`` (None if there is none, or it cannot be read)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

"""Caseloads: many dossiers read from a folder of YAML/JSON files or from a JSON Lines file.

Reading is streamed: dossiers come one at a time, each either validated or with
the message that says why it is not, so that one bad dossier never stops the
others.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from engine.allocator import PreloadedContext
from engine.dossier import Dossier, DossierError, load_dossier, validate
from engine.regime import Regime

SUFFIXES = (".yaml", ".yml", ".json")
T = TypeVar("T")


@dataclass
class Entry:
    """One dossier of a caseload: validated, or refused with its message."""

    origine: str
    dossier: Dossier | None = None
    erreur: str | None = None


def read_caseload(path: str | Path, regime: Regime | None = None) -> Iterator[Entry]:
    """The dossiers of a folder (``*.yaml``, ``*.yml``, ``*.json``, sorted) or of a ``.jsonl`` file."""
    path = Path(path)
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
            try:
                yield Entry(str(file), load_dossier(file, regime=regime))
            except DossierError as exc:
                yield Entry(str(file), erreur=str(exc))
        return
    if not path.is_file():
        raise DossierError(f"{path}: ni dossier ni fichier JSON Lines")
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            origine = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Entry(origine, erreur=f"{origine}: JSON illisible (colonne {exc.colno}) : {exc.msg}")
                continue
            try:
                yield Entry(origine, validate(data, origine, regime=regime))
            except DossierError as exc:
                yield Entry(origine, erreur=str(exc))


# Batches a worker process decides before it is replaced by a fresh one. clingo keeps every symbol it
# has ever built (dates, names) for the life of the process, so a worker's memory grows with the number
# of distinct dossiers it has seen (about 300 MiB after 10 000, 530 MiB after 35 000); replacing it
# every 40 batches of 250 keeps it near 300 MiB whatever the caseload, for about 1 % of the time.
BATCHES_PER_WORKER = 40


def worker_pool(workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
                ) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each replaced after :data:`BATCHES_PER_WORKER` batches.

    The workers start with mimalloc preloaded when it is installed (:mod:`engine.allocator`).
    """
    return ProcessPoolExecutor(max_workers=workers, initializer=initializer, initargs=initargs,
                               max_tasks_per_child=BATCHES_PER_WORKER, mp_context=PreloadedContext())


def in_order(submit: Callable[[T], Any], batches: Iterable[T], window: int) -> Iterator[tuple[T, Any]]:
    """(batch, result) in the order of the batches, with at most ``window`` batches in flight.

    ``submit`` hands a batch to a process pool or a Dask cluster and returns a future; keeping only a
    few in flight lets the caseload stream through with flat memory.
    """
    pending: deque[tuple[T, Any]] = deque()
    for batch in batches:
        pending.append((batch, submit(batch)))
        if len(pending) >= window:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


def chunks(entries: Iterator[Entry], size: int) -> Iterator[list[Entry]]:
    """Entries grouped by ``size``, for evaluation in batches."""
    chunk: list[Entry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

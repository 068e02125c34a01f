"""Caseloads: many dossiers read from a folder of YAML/JSON files or from a JSON Lines file.

Reading is streamed: dossiers come one at a time, each either validated or with
the message that says why it is not, so that one bad dossier never stops the
others.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from engine.domaine import MAX_BYTES
from engine.dossier import Dossier, DossierError
from engine.files import atomic_writer, write_atomic
from engine.parsing import parse_json
from engine.regime import Regime
from engine.scalars import dump_yaml
from engine.validation import load_dossier, validate
from usecases.allocator import PreloadedContext

SUFFIXES = (".yaml", ".yml", ".json")
T = TypeVar("T")


@dataclass
class Entry:
    """One dossier of a caseload: validated, or refused with its message."""

    origine: str
    dossier: Dossier | None = None
    erreur: str | None = None


def is_dossier_file(path: Path) -> bool:
    """Whether ``path``'s name is a dossier's: ``.yaml``, ``.yml`` or ``.json``, in any case."""
    return path.suffix.lower() in SUFFIXES


def dossier_files(folder: str | Path, exclude: str | Path | None = None) -> list[Path]:
    """The dossier files of a caseload folder and its sub-folders, sorted: the one list every tool reads.

    Hidden files and folders (``.git/``, an editor's ``.x.yaml``) are not dossiers, nor is anything under
    ``exclude`` (the folder of letters written inside the caseload).
    """
    folder = Path(folder)
    skip = Path(exclude).resolve() if exclude is not None else None
    return sorted(path for path in folder.rglob("*")
                  if is_dossier_file(path) and not any(p.startswith(".") for p in path.relative_to(folder).parts)
                  and path.is_file() and (skip is None or skip not in path.resolve().parents))


def count_dossiers(path: str | Path) -> int:
    """How many dossiers a caseload holds: its dossier files, or the non-blank lines of its JSON Lines file."""
    path = Path(path)
    if path.is_dir():
        return len(dossier_files(path))
    if not path.is_file():  # a FIFO would block the count for ever, a device never end it
        raise DossierError(f"{path}: ni dossier ni fichier JSON Lines")
    try:
        with path.open("rb") as lines:
            return sum(1 for line in lines if line.strip())
    except OSError as exc:
        raise DossierError(f"{path} : charge illisible ({exc.strerror or exc})") from exc


def read_caseload(path: str | Path, regime: Regime | None = None) -> Iterator[Entry]:
    """The dossiers of a folder (:func:`dossier_files`) or of a ``.jsonl`` file."""
    path = Path(path)
    if path.is_dir():
        for file in dossier_files(path):
            try:
                yield Entry(str(file), load_dossier(file, regime=regime))
            except DossierError as exc:
                yield Entry(str(file), erreur=str(exc))
        return
    if not path.is_file():
        raise DossierError(f"{path}: ni dossier ni fichier JSON Lines")
    if is_dossier_file(path):
        raise DossierError(f"{path}: un fichier {path.suffix} est un dossier seul, pas une charge : donnez un "
                           "fichier .jsonl (un dossier JSON par ligne) ou un répertoire de dossiers")
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise DossierError(f"{path}: charge illisible ({exc.strerror or exc})") from exc
    with handle as lines:
        for number, raw in enumerate(_bounded_lines(lines), start=1):
            origine = f"{path}:{number}"
            if raw is None:
                yield Entry(origine, erreur=f"{origine}: ligne de plus de {MAX_BYTES} octets : dossier refusé")
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Entry(origine, erreur=f"{origine}: octet {raw[exc.start]:#04x} en position {exc.start + 1} "
                                            "n'est pas de l'UTF-8")
                continue
            if not line.strip():
                continue
            try:
                yield Entry(origine, validate(parse_json(line, origine), origine, regime=regime))
            except DossierError as exc:
                yield Entry(origine, erreur=str(exc))


def jsonl_line(data: dict[str, Any]) -> str:
    """One dossier as a line of a JSON Lines caseload."""
    return json.dumps(data, ensure_ascii=False) + "\n"


def write_caseload(dossiers: Iterable[dict[str, Any]], target: str | Path) -> int:
    """Write ``dossiers`` as a caseload: a ``.jsonl`` file, or a folder of one ``<id>.yaml`` file per dossier.

    Every file is written whole or not at all (:mod:`engine.files`): an interrupted run leaves no half file.
    The number of dossiers written.
    """
    target = Path(target)
    count = 0
    if target.suffix == ".jsonl":
        with atomic_writer(target) as out:
            for data in dossiers:
                out.write(jsonl_line(data))
                count += 1
        return count
    target.mkdir(parents=True, exist_ok=True)
    for data in dossiers:
        write_atomic(target / f"{data['id']}.yaml", dump_yaml(data).encode())
        count += 1
    return count


def _bounded_lines(handle) -> Iterator[bytes | None]:
    """The lines of a binary file; None for a line longer than :data:`MAX_BYTES` (skipped, not kept)."""
    while True:
        line = handle.readline(MAX_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # the rest of the long line
                line = handle.readline(MAX_BYTES + 1)
            yield None
            continue
        yield line


# Batches a worker process decides before it is replaced by a fresh one. clingo keeps every symbol it
# has ever built (dates, names) for the life of the process, so a worker's memory grows with the number
# of distinct dossiers it has seen (about 300 MiB after 10 000, 530 MiB after 35 000); replacing it
# every 40 batches of 250 keeps it near 300 MiB whatever the caseload, for about 1 % of the time.
BATCHES_PER_WORKER = 40


def worker_pool(workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
                ) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each replaced after :data:`BATCHES_PER_WORKER` batches.

    The workers start with mimalloc preloaded when it is installed (:mod:`usecases.allocator`), and end
    with the process that started them (:func:`_bind_to_parent`).
    """
    return ProcessPoolExecutor(max_workers=workers, initializer=_bind_to_parent,
                               initargs=(os.getpid(), initializer, initargs),
                               max_tasks_per_child=BATCHES_PER_WORKER, mp_context=PreloadedContext())


def _bind_to_parent(parent: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """Make this worker end when ``parent`` ends, then run the pool's own initializer.

    A worker blocked on the pool's queue does not notice a killed parent (its siblings keep the queue
    open), and would keep its few hundred MiB for ever. Linux kills it at once (PR_SET_PDEATHSIG);
    elsewhere, a thread sees the parent change and ends the process within a second.
    """
    import signal
    import threading
    import time

    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the call above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="surveille-parent").start()
    if initializer is not None:
        initializer(*initargs)


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


def each_alone_on_failure(decide: Callable[[list[T]], list[Any]], items: list[T]) -> list[Any]:
    """``decide(items)``; if it fails, ``decide([item])`` for each item, its exception standing for its result.

    One dossier that breaks a grounding (an internal error, a clingo error) then costs only itself; its
    exception is returned, to be reported with its origin, never dropped.
    """
    try:
        return list(decide(items))
    except Exception as exc:  # any failure: each item alone below, or this one if it is alone
        if len(items) == 1:
            return [exc]
    out: list[Any] = []
    for item in items:
        try:
            out += decide([item])
        except Exception as exc:  # the caller reports it with the dossier's origin
            out.append(exc)
    return out


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

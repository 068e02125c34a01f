"""The memory allocator of the processes that ground dossiers: mimalloc, preloaded when it is installed.

clingo allocates and frees many small C++ objects for each grounding. Under glibc's allocator a process
that has decided thousands of dossiers becomes slower at every new grounding (the heap fragments: a
single dossier goes from 15 to 25 ms after 3 000 decisions, and malloc tunables do not help); under
mimalloc it stays flat, and a batch is about 13 % faster (measured in docs/performances.md).

An allocator has to be in place before a process starts, so this module only serves processes that the
engine launches itself: the batch and diff workers are started with ``LD_PRELOAD`` naming the library
that the ``cmeel-mimalloc`` package ships. A long-lived process that decides dossiers one by one (a
service) is started the same way by whoever runs it; ``python -m usecases.allocator`` prints the path.
``PREVOYANCE_ALLOCATEUR=systeme`` keeps the system allocator everywhere.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import multiprocessing.context
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

DISTRIBUTION = "cmeel-mimalloc"
LIBRARY = "cmeel.prefix/lib/libmimalloc.so"

_environment_lock = threading.Lock()


def library_path() -> Path | None:
    """The mimalloc shared library to preload, or None (not Linux, not installed, or turned off)."""
    if not sys.platform.startswith("linux") or os.environ.get("PREVOYANCE_ALLOCATEUR") == "systeme":
        return None
    try:
        path = Path(str(importlib.metadata.distribution(DISTRIBUTION).locate_file(LIBRARY)))
    except importlib.metadata.PackageNotFoundError:
        return None
    # LD_PRELOAD separates its entries with spaces or colons: such a path cannot be named there.
    return path if path.is_file() and not any(c in str(path) for c in " :") else None


@contextlib.contextmanager
def preloaded() -> Iterator[None]:
    """While inside, processes started by this one preload mimalloc (if available)."""
    path = library_path()
    if path is None:
        yield
        return
    with _environment_lock:  # the pool may start a replacement worker from its own thread
        before = os.environ.get("LD_PRELOAD")
        if str(path) not in (before or "").split():
            os.environ["LD_PRELOAD"] = f"{path} {before}" if before else str(path)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("LD_PRELOAD", None)
            else:
                os.environ["LD_PRELOAD"] = before


class _PreloadedProcess(multiprocessing.context.SpawnProcess):
    """A spawned process that starts with mimalloc preloaded."""

    @staticmethod
    def _Popen(process_obj):
        with preloaded():
            return multiprocessing.context.SpawnProcess._Popen(process_obj)


class PreloadedContext(multiprocessing.context.SpawnContext):
    """The spawn start method, with mimalloc preloaded in each new process."""

    Process = _PreloadedProcess


def in_use() -> str:
    """The allocator of this process: ``mimalloc`` if its library is mapped, else ``système``."""
    with contextlib.suppress(OSError):
        if "libmimalloc" in Path("/proc/self/maps").read_text():
            return "mimalloc"
    return "système"


if __name__ == "__main__":  # pragma: no cover - a one-line helper for operators
    found = library_path()
    if found is None:
        sys.exit("mimalloc n'est pas disponible ici (paquet cmeel-mimalloc, Linux x86_64 ou aarch64)")
    print(found)

"""Output files written whole or not at all: through a temporary file in the same folder, then renamed.

A reader never sees a half-written file, and an interrupted or failed write leaves nothing behind.
The file gets the ordinary permissions of the user's umask (``mkstemp`` would make it private), or
those the caller asks for.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any


@functools.cache
def umask() -> int:
    """The process's umask, read once per process.

    Kept not for speed (0.1 µs either way, bench/caches.py) but because reading it sets it to 0 for an
    instant: a file another thread creates then would be world-writable; once per process narrows that window."""
    mask = os.umask(0)  # the only way to read it is to set it: put it back at once
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _through_temporary(path: Path, mode: str, permissions: int | None,
                       publish: Callable[[str, Path], None]) -> Iterator[IO[Any]]:
    """A temporary file beside ``path``, written, synced, given its permissions, then ``publish``-ed as
    ``path`` (renamed over it, or linked if absent); removed whatever happens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~umask() if permissions is None else permissions)
        publish(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w", permissions: int | None = None) -> Iterator[IO[Any]]:
    """An open file (text ``"w"`` in UTF-8, or ``"wb"``) that becomes ``path`` only when the block ends well.

    ``permissions`` (``0o600`` for a file of secrets) replaces the umask's ordinary ones; the file never
    has other permissions, not even for an instant.
    """
    with _through_temporary(Path(path), mode, permissions, os.replace) as handle:
        yield handle


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def write_new(path: str | Path, data: bytes, permissions: int | None = None) -> bool:
    """Write ``data`` to ``path`` whole, unless ``path`` exists: whether this call made it.

    Processes racing to create the same file all end up reading one whole file, the first one's.
    """
    try:
        with _through_temporary(Path(path), "wb", permissions, os.link) as handle:
            handle.write(data)
    except FileExistsError:
        return False
    return True

"""The grounding workers run under mimalloc, and the rest of the environment is left as it was."""

from __future__ import annotations

import os
import platform
import sys

import pytest

from usecases import allocator
from usecases.caseload import worker_pool

mimalloc_shipped = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "aarch64"),
    reason="cmeel-mimalloc n'a de roues que pour Linux x86_64 et aarch64")


@mimalloc_shipped
def test_the_dependency_ships_the_library():
    path = allocator.library_path()
    assert path is not None and path.name == "libmimalloc.so"


@mimalloc_shipped
def test_pool_workers_run_under_mimalloc():
    with worker_pool(1) as pool:
        assert pool.submit(allocator.in_use).result() == "mimalloc"


def test_the_system_allocator_can_be_kept(monkeypatch):
    monkeypatch.setenv("PREVOYANCE_ALLOCATEUR", "systeme")
    assert allocator.library_path() is None
    with worker_pool(1) as pool:
        assert pool.submit(allocator.in_use).result() == "système"


@mimalloc_shipped
@pytest.mark.parametrize("before", [None, "/usr/lib/autre.so"])
def test_preloading_is_undone_afterwards(monkeypatch, before):
    if before is None:
        monkeypatch.delenv("LD_PRELOAD", raising=False)
    else:
        monkeypatch.setenv("LD_PRELOAD", before)
    with allocator.preloaded():
        inside = os.environ["LD_PRELOAD"].split()
        assert str(allocator.library_path()) in inside
        assert before is None or before in inside  # what the user preloads stays preloaded
    assert os.environ.get("LD_PRELOAD") == before

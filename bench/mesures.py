"""The benchmarks' measuring helpers: percentiles and repeated timings, the machine's description, the memory
of a whole process tree sampled while a block runs, a generated caseload on disk and the share of each status
in a batch's results. They measure; the sections that print the figures are in ``bench/run.py`` and
``bench/rapports.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from usecases.generation import generate


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def timed(function, runs: int) -> list[float]:
    function()  # warm: the program is parsed once per process
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        out.append(time.perf_counter() - start)
    return out


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import clingo

    return (f"{os.cpu_count()} cœurs ({cpu}), {memory:.0f} Gio, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, clingo {clingo.__version__}")


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants, in MiB, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 2**20


class TreeMemory:
    """Samples the whole process tree's memory (workers included) while a block runs; keeps the peak."""

    def __init__(self, period: float = 0.5) -> None:
        self.period, self.peak, self._stop = period, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(os.getpid()))
            self._stop.wait(self.period)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def caseload(size: int, folder: Path) -> Path:
    path = folder / f"charge-{size}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            for data in generate(size, seed=1):
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
    return path


def status_shares(decisions: Path) -> list[str]:
    """The share of each status, prestation by prestation, in a batch's results (a Markdown table)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    with decisions.open(encoding="utf-8") as lines:
        for line in lines:
            for prestation, decided in json.loads(line)["prestations"].items():
                counts[prestation][decided["statut"]] += 1
    rows = ["| prestation | demandes | accordée | refusée | incomplète |", "| --- | ---: | ---: | ---: | ---: |"]
    for prestation, counter in sorted(counts.items()):
        total = sum(counter.values())
        rows.append(f"| {prestation} | {total} | "
                    + " | ".join(f"{100 * counter[s] / total:.0f} %" for s in ("accorde", "refuse", "incomplet"))
                    + " |")
    return rows

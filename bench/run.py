"""Benchmarks of prevoyance: they print figures and write bench/RESULTS.md; they assert nothing.

    python bench/run.py                      # quick: 10 000 dossiers
    python bench/run.py --tailles 10000 100000 1000000

Measured: explaining a refusal in-process and a what-if search (issue 4);
single-dossier latency p50/p95 and the CLI's cold start (issue 7); batch
throughput and peak memory for each size, and the ratio to a plain-Python
evaluator of the family allowances run in the same process (issue 7); the diff
of an amendment over the caseload (issue 6).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from engine.batch import run_batch  # noqa: E402
from engine.dossier import load_dossier, validate  # noqa: E402
from engine.generation import generate  # noqa: E402
from engine.impact import compute_impact  # noqa: E402
from engine.solver import evaluate  # noqa: E402
from engine.whatif import what_if  # noqa: E402
from explain.why import why  # noqa: E402


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


def caseload(size: int, folder: Path) -> Path:
    path = folder / f"charge-{size}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            for data in generate(size, seed=1):
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
    return path


def plain_python_ratio(path: Path, size: int) -> tuple[float, float]:
    """Dossiers per second of the independent plain-Python model of the family allowances, same process."""
    import modele_independant

    datas = [json.loads(line) for line, _ in zip(path.open(encoding="utf-8"), range(min(size, 20000)), strict=False)]
    datas = [validate(d).data for d in datas]
    start = time.perf_counter()
    for data in datas:
        modele_independant.evaluer(data)
    return len(datas) / (time.perf_counter() - start), len(datas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tailles", type=int, nargs="+", default=[10000])
    parser.add_argument("--diff", type=int, default=10000, help="dossiers du diff (0 : pas de diff)")
    parser.add_argument("--sortie", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    lines = [f"# Mesures — {dt.date.today().isoformat()}", "", f"Machine : {machine()}.", ""]

    refusal = load_dossier(ROOT / "examples" / "refus-stage.yaml")
    explain = timed(lambda: why(evaluate(refusal), "allocations_familiales"), 30)
    p50, p95 = percentiles(explain)
    lines += ["## Explication (issue 4)", "",
              f"- expliquer un refus en processus (décision + texte `why`) : p50 {p50:.1f} ms, p95 {p95:.1f} ms"]
    search = timed(lambda: what_if(refusal, "allocations_familiales"), 5)
    p50, p95 = percentiles(search)
    lines += [f"- recherche « et si ? » (refus du stage, vérification comprise) : p50 {p50:.0f} ms, p95 {p95:.0f} ms",
              ""]

    single = load_dossier(ROOT / "examples" / "famille-diarra.yaml")
    p50, p95 = percentiles(timed(lambda: evaluate(single, explain=False), 50))
    cold = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "engine.cli", "evaluate", str(ROOT / "examples" / "famille-diarra.yaml")],
                       check=True, capture_output=True, cwd=ROOT)
        cold.append(time.perf_counter() - start)
    lines += ["## Dossier seul (issue 7)", "",
              f"- décision d'un dossier en processus : p50 {p50:.1f} ms, p95 {p95:.1f} ms (objectif : 5 ms à p50)",
              f"- démarrage à froid de `prevoyance evaluate` : médiane {statistics.median(cold):.2f} s "
              "(objectif : 0,5 s)",
              ""]

    lines += ["## Lots (issue 7)", "", "| dossiers | secondes | dossiers/s | mémoire max (Mio) |",
              "| ---: | ---: | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in args.tailles:
            path = caseload(size, folder)
            out = folder / f"decisions-{size}.jsonl"
            report = run_batch(path, out, chunk_size=250)
            memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                      + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            lines.append(f"| {size} | {report.secondes:.1f} | {report.decides / report.secondes:.0f} | {memory:.0f} |")
            print(lines[-1], flush=True)
        rate, sample = plain_python_ratio(caseload(args.tailles[0], folder), args.tailles[0])
        engine_rate = report.decides / report.secondes
        lines += ["", f"Modèle Python indépendant des allocations familiales (tests/modele_independant.py), même "
                      f"processus, {sample} dossiers : {rate:.0f} dossiers/s ; rapport ASP (six prestations, "
                      f"tous les cœurs) / Python (une prestation, un cœur) : {engine_rate / rate:.3f}.", ""]
        if args.diff:
            path = caseload(args.diff, folder)
            start = time.perf_counter()
            impact = compute_impact(path, ROOT / "kb" / "mali" / "inps" / "amendements" / "af_3500.yaml",
                                    dt.date(2026, 1, 1))
            seconds = time.perf_counter() - start
            lines += ["## Impact d'un amendement (issue 6)", "",
                      f"- `diff` de l'amendement à 3 500 FCFA sur {impact.dossiers} dossiers (deux bases) : "
                      f"{seconds:.1f} s ({impact.dossiers / seconds:.0f} dossiers/s)", ""]
    text = "\n".join(lines) + "\n"
    args.sortie.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

"""Issue 18's ratios, measured in one run so that a loaded machine neither hides nor fakes progress
(``python bench/run.py --rapports`` prints them alone): batch rate over the facts-only floor rate, the family
allowances' summary path over the independent model on one core, the warm single-dossier path over the cold
one, the diff with and without carrying over what the amendment cannot change, and a Dask LocalCluster of two
workers against the in-process pool.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from bench.mesures import TreeMemory, caseload, percentiles, timed
from engine.program import Mode
from engine.solver import evaluate
from engine.validation import load_dossier, validate
from explain.why import why
from usecases.batch import run_batch
from usecases.generation import generate
from usecases.impact import compute_impact

ROOT = Path(__file__).resolve().parent.parent


def facts_floor_ms(size: int = 2000, chunk: int = 250) -> float:
    """ms per dossier, one core, before any rule: validation, facts as text, clingo reading, grounding and
    showing those facts alone (the floor of :func:`floors`, measured in this process)."""
    import clingo

    from engine.program import build_program

    lines = [json.dumps(d) for d in generate(size, seed=3)]
    start = time.perf_counter()
    dossiers = [validate(json.loads(line)) for line in lines]
    program = build_program(dossiers[0].regime, Mode.SUMMARY)
    for k in range(0, size, chunk):
        control = clingo.Control(["--warn=none"])
        control.add("base", [], "".join(program.inputs.facts_text(i, d.data)
                                         for i, d in enumerate(dossiers[k:k + chunk])))
        control.ground([("base", [])])
        control.solve(on_model=lambda m: m.symbols(shown=True))
    return (time.perf_counter() - start) / size * 1000


def af_summary_vs_model(size: int = 3000, chunk: int = 250) -> tuple[float, float]:
    """Dossiers per second on one core, in this process, of the summary path and of the independent model,
    on generated dossiers that demand the family allowances only."""
    import modele_independant

    from engine.resume import summarize_many

    datas = []
    for data in generate(size, seed=4):
        data["demandes"] = [d for d in data.get("demandes", []) if d["prestation"] == "allocations_familiales"]
        datas.append(data)
    dossiers = [validate(d) for d in datas]
    summarize_many(dossiers[:chunk])  # the program is built once per process
    start = time.perf_counter()
    for k in range(0, size, chunk):
        summarize_many(dossiers[k:k + chunk])
    summary = size / (time.perf_counter() - start)
    start = time.perf_counter()
    for dossier in dossiers:
        modele_independant.evaluer(dossier.data)
    return summary, size / (time.perf_counter() - start)


def warm_vs_cold(runs: int = 40) -> dict[str, float]:
    """p50 (ms) of one dossier decided, and of a refusal explained, by the cold and the warm path."""
    single = load_dossier(ROOT / "examples" / "famille-diarra.yaml")
    refusal = load_dossier(ROOT / "examples" / "refus-stage.yaml")
    out = {"froid": percentiles(timed(lambda: evaluate(single, Mode.DECISION), runs))[0],
           "froid_explication": percentiles(timed(lambda: why(evaluate(refusal), "allocations_familiales"), runs))[0]}
    try:
        from engine.speedups.warm import WarmSolver
    except ImportError:  # a tree before issue 24
        return out
    chaud = WarmSolver()
    out["chaud"] = percentiles(timed(lambda: evaluate(single, Mode.DECISION, solver=chaud), runs))[0]
    out["chaud_explication"] = percentiles(
        timed(lambda: why(evaluate(refusal, solver=chaud), "allocations_familiales"), runs))[0]
    return out


def timed_diff(path: Path, skip: bool) -> tuple[float, int, int]:
    """Seconds of the af_3500 diff over ``path``, dossiers, dossiers carried over."""
    import inspect

    options = {"skip": skip} if "skip" in inspect.signature(compute_impact).parameters else {}
    if skip and not options:
        return float("nan"), 0, 0
    start = time.perf_counter()
    impact = compute_impact(path, ROOT / "kb" / "mali" / "inps" / "amendements" / "af_3500.yaml",
                            dt.date(2026, 1, 1), **options)
    return time.perf_counter() - start, impact.dossiers, getattr(impact, "reprises", 0)


def dask_vs_pool(path: Path, folder: Path) -> list[str]:
    """The same caseload on the in-process pool and on a Dask LocalCluster of two worker processes."""
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        return ["- Dask : paquet « distributed » absent, non mesuré."]
    out = folder / "pool.jsonl"
    out.unlink(missing_ok=True)
    with TreeMemory() as tree:
        pool = run_batch(path, out, workers=2, chunk_size=250)
    pool_memory = tree.peak
    out = folder / "dask.jsonl"
    out.unlink(missing_ok=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            TreeMemory() as tree:
        dask = run_batch(path, out, chunk_size=250, scheduler=cluster.scheduler_address)
    lots = -(-dask.decides // 250)
    overhead = (dask.secondes - pool.secondes) / lots * 1000
    return [f"- {pool.decides} dossiers : pool en processus (2 processus de calcul) "
            f"{pool.decides / pool.secondes:.0f} dossiers/s, arbre ≤ {pool_memory:.0f} Mio ; "
            f"LocalCluster de 2 workers {dask.decides / dask.secondes:.0f} dossiers/s, arbre ≤ {tree.peak:.0f} Mio ; "
            f"écart par lot de 250 : {overhead:+.0f} ms.",
            f"- pour dimensionner une grappe : ≈ {dask.decides / dask.secondes / 2:.0f} dossiers/s par cœur de worker "
            f"et ≈ {tree.peak / 2:.0f} Mio par worker (arbre entier, ordonnanceur compris, divisé par deux)."]


def ratios(size: int, diff_size: int, folder: Path, batch_rate: float | None = None) -> list[str]:
    """Issue 18's figures, measured in this run."""
    cores = os.cpu_count() or 1
    path = caseload(size, folder)
    if batch_rate is None:
        out = folder / "ratios.jsonl"
        out.unlink(missing_ok=True)
        report = run_batch(path, out, chunk_size=250)
        batch_rate = report.decides / report.secondes
    floor = facts_floor_ms()
    floor_rate = cores * 1000 / floor
    summary, model = af_summary_vs_model()
    paths = warm_vs_cold()
    lines = ["## Rapports (issue 18)", "",
             f"(a) lots : {batch_rate:.0f} dossiers/s sur {cores} cœurs ; plancher des seuls faits "
             f"{floor:.3f} ms par dossier et par cœur, soit {floor_rate:.0f}/s ; rapport {batch_rate / floor_rate:.2f} "
             "(objectif ≥ 0,5).",
             f"(b) allocations familiales seules, un cœur : résumé {summary:.0f} dossiers/s, modèle indépendant "
             f"{model:.0f}/s ; rapport {summary / model:.2f} (objectif ≥ 0,5).",
             f"(c) dossier seul, p50 : décision à froid {paths['froid']:.1f} ms, explication (décision + `why`) "
             f"à froid {paths['froid_explication']:.1f} ms"]
    if "chaud" in paths:
        lines[-1] += (f" ; à chaud {paths['chaud']:.1f} ms (rapport {paths['chaud'] / paths['froid']:.2f}, "
                      f"objectif ≤ 0,5), explication à chaud {paths['chaud_explication']:.1f} ms "
                      f"({paths['chaud_explication'] / paths['froid']:.2f} de la décision à froid, objectif ≤ 1,5).")
    else:
        lines[-1] += " ; pas de chemin à chaud."
    diff_path = caseload(diff_size or 1000, folder)
    full, dossiers, _ = timed_diff(diff_path, skip=False)
    lines.append(f"(c) `diff` de l'amendement à 3 500 FCFA, {dossiers} dossiers, tout décidé deux fois : {full:.1f} s "
                 f"({dossiers / full:.0f} dossiers/s)")
    skipped, _, carried = timed_diff(diff_path, skip=True)
    if skipped == skipped:  # not NaN: the tree carries over
        lines[-1] += (f" ; en ne redécidant que ce que l'amendement peut changer : {skipped:.1f} s "
                      f"({dossiers / skipped:.0f} dossiers/s, {carried} dossiers repris sans seconde évaluation).")
    else:
        lines[-1] += "."
    lines += ["(d) Dask :", *dask_vs_pool(caseload(min(size, 10000), folder), folder), ""]
    return lines

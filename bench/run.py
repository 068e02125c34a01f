"""Benchmarks of prevoyance: they print figures and write bench/RESULTS.md; they assert nothing.

    python bench/run.py                      # quick: 10 000 dossiers
    python bench/run.py --tailles 10000 100000 1000000
    python bench/run.py --api                # the API under load (bench/api.py), its own section

Measured: explaining a refusal in-process and a what-if search (issue 4);
single-dossier latency p50/p95 and the CLI's cold start (issue 7); batch
throughput and peak memory for each size, and the ratio to a plain-Python
evaluator of the family allowances run in the same process (issue 7); the diff
of an amendment over the caseload (issue 6). Issue 18's ratios, measured in one
run so that a loaded machine neither hides nor fakes progress (``--rapports``
prints them alone): batch rate over the facts-only floor rate, the family
allowances' summary path over the independent model on one core, the warm
single-dossier path over the cold one, the diff with and without carrying over
what the amendment cannot change, and a Dask LocalCluster of two workers
against the in-process pool.

The measuring helpers are in ``bench/mesures.py``, issue 18's ratios in ``bench/rapports.py``; this script
measures the other sections, assembles them and writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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

# The measuring helpers (bench/mesures.py) and issue 18's ratios (bench/rapports.py) live beside this script;
# af_summary_vs_model stays importable from it (bench/lots.py imports it from run, of this tree or an older one).
from bench.mesures import TreeMemory, caseload, machine, percentiles, status_shares, timed  # noqa: E402
from bench.rapports import af_summary_vs_model, ratios  # noqa: E402, F401
from engine.program import Mode  # noqa: E402
from engine.solver import evaluate  # noqa: E402
from engine.validation import load_dossier, validate  # noqa: E402
from explain.why import why  # noqa: E402
from usecases.batch import run_batch  # noqa: E402
from usecases.generation import generate  # noqa: E402
from usecases.impact import compute_impact  # noqa: E402
from usecases.whatif import what_if  # noqa: E402


def plain_python_ratio(path: Path, size: int) -> tuple[float, float]:
    """Dossiers per second of the independent plain-Python model of the family allowances, same process."""
    import modele_independant

    datas = [json.loads(line) for line, _ in zip(path.open(encoding="utf-8"), range(min(size, 20000)), strict=False)]
    datas = [validate(d).data for d in datas]
    start = time.perf_counter()
    for data in datas:
        modele_independant.evaluer(data)
    return len(datas) / (time.perf_counter() - start), len(datas)


def single_latency(decided_before: int) -> tuple[float, float]:
    """p50, p95 of one dossier decided in this process, after ``decided_before`` other dossiers one by one."""
    for data in generate(decided_before, seed=11):
        evaluate(validate(data), Mode.DECISION)
    single = load_dossier(ROOT / "examples" / "famille-diarra.yaml")
    return percentiles(timed(lambda: evaluate(single, Mode.DECISION), 50))


def in_fresh_process(mimalloc: bool, *options: str) -> str:
    """What this script prints with ``options``, run in a new process, under mimalloc (when installed) or
    under the system allocator."""
    from usecases.allocator import library_path

    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    path = library_path()
    if mimalloc and path is not None:
        env["LD_PRELOAD"] = str(path)
    done = subprocess.run([sys.executable, __file__, *options], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout.rstrip("\n")


def single_latency_in(allocator: str, decided_before: int) -> str:
    """The same measure in a fresh process under the system allocator or under mimalloc."""
    from usecases.allocator import library_path

    if allocator == "mimalloc" and library_path() is None:
        return "mimalloc indisponible"
    return in_fresh_process(allocator == "mimalloc", "--latence-apres", str(decided_before))


def floors(size: int = 4000, chunk: int = 250) -> list[str]:
    """What a dossier costs before any rule of the law, step by step, in one process.

    The floor of a batch through clingo is the validation, the facts, and clingo reading, grounding and
    showing those facts with no rule at all; the floor of a single dossier is clingo reading and grounding
    the program it needs (the family allowances' slice) with no dossier.
    """
    import clingo

    from engine.program import build_program
    from engine.regime import load_regime
    from engine.resume import summarize_many
    from usecases.allocator import in_use

    program = build_program(load_regime(None), Mode.DECISION)

    def fixed() -> None:
        control = clingo.Control(["--warn=none"])
        program.load_into(control, frozenset({"allocations_familiales"}))
        control.ground([("base", [])])
        control.solve()

    empty, _ = percentiles(timed(fixed, 30))  # first: a process that has decided thousands of dossiers is slower
    lines = [json.dumps(d) for d in generate(size, seed=3)]
    start = time.perf_counter()
    dossiers = [validate(json.loads(line)) for line in lines]
    validated = time.perf_counter()
    program = build_program(dossiers[0].regime, Mode.SUMMARY)
    texts = ["".join(program.inputs.facts_text(i, d.data) for i, d in enumerate(dossiers[k:k + chunk]))
             for k in range(0, size, chunk)]
    written = time.perf_counter()
    for text in texts:
        control = clingo.Control(["--warn=none"])
        control.add("base", [], text)
        control.ground([("base", [])])
        control.solve(on_model=lambda m: m.symbols(shown=True))
    facts_only = time.perf_counter()
    for k in range(0, size, chunk):
        summarize_many(dossiers[k:k + chunk])
    whole = time.perf_counter()
    per = lambda a, b: (b - a) / size * 1000  # noqa: E731
    return ["## Planchers (issue 7)", "",
            f"Par dossier et par cœur, {size} dossiers générés, lots de {chunk}, un processus neuf "
            f"(allocateur {in_use()}) :", "",
            "| étape | ms par dossier |", "| --- | ---: |",
            f"| lecture JSON et validation | {per(start, validated):.3f} |",
            f"| faits écrits en texte | {per(validated, written):.3f} |",
            f"| clingo lit, instancie et montre les seuls faits, sans aucune règle | {per(written, facts_only):.3f} |",
            f"| le lot tel que `batch` le décide (faits, base de l'INPS, résumé lu) | {per(facts_only, whole):.3f} |",
            "",
            f"Coût fixe d'un dossier seul : clingo lit et instancie la tranche des allocations familiales "
            f"sans aucun dossier en {empty:.1f} ms (p50).", ""]


def floors_in_fresh_process() -> list[str]:
    """:func:`floors` in a new process started as the batch workers are (mimalloc when installed).

    Measured here, after everything else, the main process would show its own slowing with age instead.
    """
    return [*in_fresh_process(True, "--planchers").split("\n"), ""]


def date_edges() -> list[str]:
    """Worst-case time of a valid dossier at the edges of the date window (issue 14): a claim as far before
    the reference as the regime allows, 30 children, the reference at each end of the window."""
    import copy

    from engine.resume import summarize_many

    base = load_dossier(ROOT / "examples" / "famille-diarra.yaml")
    regime = base.regime
    window = regime.bornes
    years = window.avant_reference_ans.get("demandes[].date", 0)
    evaluate(base)
    rows = []
    for reference in (window.date_max, window.date_min.replace(year=window.date_min.year + years), window.date_min):
        for children in (2, 30):
            data = copy.deepcopy(base.data)
            claim = max(reference.replace(year=reference.year - years), window.date_min)
            data["date_reference"] = reference.isoformat()
            data["demandes"] = [{"prestation": "allocations_familiales", "date": claim.isoformat()}]
            data["enfants"] = [dict(e, date_naissance=claim.isoformat()) for e in (data["enfants"] * 15)[:children]]
            data["mariage"]["date"] = window.date_min.isoformat()
            dossier = validate(data)
            full = min(timed(lambda d=dossier: evaluate(d), 3))
            summary = min(timed(lambda d=dossier: summarize_many([d]), 3))
            rows.append((reference, claim, children, full, summary))
    worst = max(rows, key=lambda r: r[3])
    lines = ["## Dates aux bords de la fenêtre (issue 14)", "",
             f"Fenêtre de {regime.id} : {window.date_min} à {window.date_max}, demande au plus {years} ans avant la "
             "date de référence (meilleur de trois essais).", "",
             "| référence | demande | enfants | décision expliquée (ms) | résumé (ms) |",
             "| --- | --- | ---: | ---: | ---: |"]
    lines += [f"| {r} | {c} | {n} | {f * 1000:.0f} | {s * 1000:.0f} |" for r, c, n, f, s in rows]
    lines += ["", f"Pire cas : {worst[3] * 1000:.0f} ms (référence {worst[0]}, {worst[2]} enfants).", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tailles", type=int, nargs="+", default=[10000])
    parser.add_argument("--diff", type=int, default=10000, help="dossiers du diff (0 : pas de diff)")
    parser.add_argument("--sortie", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--latence-apres", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--planchers", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bornes", action="store_true", help="seulement les dates aux bords de la fenêtre")
    parser.add_argument("--api", action="store_true", help="seulement la charge de l'API (prevoyance serve)")
    parser.add_argument("--clients", type=int, default=8, help="clients simultanés de --api")
    parser.add_argument("--secondes", type=float, default=20.0, help="durée de la charge de --api")
    parser.add_argument("--rapports", action="store_true", help="les seuls rapports de l'issue 18, imprimés")
    args = parser.parse_args()
    if args.rapports:
        with tempfile.TemporaryDirectory() as tmp:
            print("\n".join([f"Machine : {machine()}.", "", *ratios(args.tailles[0], args.diff, Path(tmp))]))
        return
    if args.bornes:
        print("\n".join(date_edges()))
        return
    if args.api:  # the API's load test: its own section of RESULTS.md (bench/api.py)
        sys.path.insert(0, str(ROOT))
        from bench.api import bench_api, write_section

        section = bench_api(args.clients, args.secondes)
        print("\n".join(section))
        write_section(section, args.sortie)
        return
    if args.planchers:  # the floors, in the process floors_in_fresh_process started
        print("\n".join(floors()))
        return
    if args.latence_apres is not None:  # one measure, in the process single_latency_in started
        p50, p95 = single_latency(args.latence_apres)
        print(f"{p50:.1f}, {p95:.1f}")
        return
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

    lines += date_edges()
    lines += date_edges()
    single = load_dossier(ROOT / "examples" / "famille-diarra.yaml")
    p50, p95 = percentiles(timed(lambda: evaluate(single, Mode.DECISION), 50))
    cold = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cli", "evaluate", str(ROOT / "examples" / "famille-diarra.yaml")],
                       check=True, capture_output=True, cwd=ROOT)
        cold.append(time.perf_counter() - start)
    aged = 2000
    lines += ["## Dossier seul (issue 7)", "",
              f"- décision d'un dossier en processus : p50 {p50:.1f} ms, p95 {p95:.1f} ms (objectif : 5 ms à p50)",
              "- dans un processus neuf, puis après y avoir décidé un à un "
              f"{aged} autres dossiers (p50, p95 en ms) :",
              *(f"  - allocateur {name} : {single_latency_in(name, 0)} ; après : {single_latency_in(name, aged)}"
                for name in ("système", "mimalloc")),
              f"- démarrage à froid de `prevoyance evaluate` : médiane {statistics.median(cold):.2f} s "
              "(objectif : 0,5 s)",
              ""]

    lines += ["## Lots (issue 7)", "",
              "| dossiers | secondes | dossiers/s | mémoire max d'un processus (Mio) | mémoire max de l'arbre (Mio) |",
              "| ---: | ---: | ---: | ---: | ---: |"]
    first_rate = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in args.tailles:
            path = caseload(size, folder)
            out = folder / f"decisions-{size}.jsonl"
            with TreeMemory() as tree:
                report = run_batch(path, out, chunk_size=250)
            first_rate = first_rate or report.decides / report.secondes
            memory = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                         resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            lines.append(f"| {size} | {report.secondes:.1f} | {report.decides / report.secondes:.0f} | {memory:.0f} "
                         f"| {tree.peak:.0f} |")
            print(lines[-1], flush=True)
        shares = status_shares(folder / f"decisions-{args.tailles[0]}.jsonl")
        lines += ["", f"### Statuts d'une charge générée ({args.tailles[0]} dossiers, graine 1)", "", *shares]
        print("\n".join(shares), flush=True)
        from usecases.allocator import library_path

        lines += ["", f"Processus de calcul : allocateur {'mimalloc' if library_path() else 'du système'}."]
        rate, sample = plain_python_ratio(caseload(args.tailles[0], folder), args.tailles[0])
        engine_rate = report.decides / report.secondes
        lines += ["", f"Modèle Python indépendant des allocations familiales (tests/modele_independant.py), même "
                      f"processus, {sample} dossiers : {rate:.0f} dossiers/s ; rapport ASP (six prestations, "
                      f"tous les cœurs) / Python (une prestation, un cœur) : {engine_rate / rate:.3f}.", ""]
        small = caseload(min(args.tailles[0], 10000), folder)
        rates = {}
        for workers in (1, os.cpu_count() or 1):
            out = folder / f"passage-{workers}.jsonl"
            out.unlink(missing_ok=True)
            run = run_batch(small, out, workers=workers, chunk_size=250)
            rates[workers] = run.decides / run.secondes
        lines += [f"Passage à l'échelle ({run.decides} dossiers) : "
                  + " ; ".join(f"{w} processus de calcul : {r:.0f} dossiers/s" for w, r in rates.items())
                  + f" (×{max(rates.values()) / rates[1]:.2f}).", ""]
        if args.diff:
            path = caseload(args.diff, folder)
            start = time.perf_counter()
            impact = compute_impact(path, ROOT / "kb" / "mali" / "inps" / "amendements" / "af_3500.yaml",
                                    dt.date(2026, 1, 1))
            seconds = time.perf_counter() - start
            lines += ["## Impact d'un amendement (issue 6)", "",
                      f"- `diff` de l'amendement à 3 500 FCFA sur {impact.dossiers} dossiers (deux bases) : "
                      f"{seconds:.1f} s ({impact.dossiers / seconds:.0f} dossiers/s)", ""]
        lines += ratios(args.tailles[0], args.diff, folder, first_rate)
    lines += floors_in_fresh_process()
    text = "\n".join(lines) + "\n"
    sys.path.insert(0, str(ROOT))
    from bench.api import kept_section

    text += kept_section(args.sortie)  # the API's figures (--api) stay until measured again
    args.sortie.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

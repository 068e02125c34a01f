"""Load test of ``prevoyance serve`` on loopback (issue 16): it prints figures, it asserts nothing.

    python bench/run.py --api                 # 8 clients for 20 s, then writes the « API » section of RESULTS.md

The real server (uvicorn, one process) is started on a free loopback port
with a fresh journal. Measured in the same run:

- in-process: validate + decide + the contract's JSON, the work behind
  ``POST /api/v1/evaluate`` without HTTP nor journal, one dossier at a time;
- one client, one request at a time: the latency the API adds;
- N clients for D seconds (keep-alive connections, 3 ``evaluate`` for 1
  ``why``): requests per second, p50/p95 of each, errors; then the same load
  on one worker process per core (``--workers``).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    if not ordered:
        return float("nan"), float("nan")
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def _dossiers(count: int) -> list[bytes]:
    """Generated dossiers, each asking for the family allowances only (the case-management system's usual call)."""
    from usecases.generation import generate

    out = []
    for data in generate(count, 16):
        data["demandes"] = [{"prestation": "allocations_familiales", "date": data["date_reference"]}]
        out.append(json.dumps(data, ensure_ascii=False).encode())
    return out


def _in_process(bodies: list[bytes], runs: int) -> list[float]:
    from console.dossiers import decider, decision_bytes, parse_json, valider

    for body in bodies[:20]:  # warm: the program is built once per process
        decision_bytes(decider(valider(parse_json(body))))
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        decision_bytes(decider(valider(parse_json(bodies[i % len(bodies)]))))
        samples.append(time.perf_counter() - start)
    return samples


def _start_server(journal: Path, workers: int = 1) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), "--journal",
                                str(journal), "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/regimes")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("le serveur n'a pas démarré")


def _client(port: int, bodies: list[bytes], why_body: bytes, until: float, offset: int,
            results: dict[str, list[float]], errors: list[str], lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    local: dict[str, list[float]] = {"evaluate": [], "why": []}
    n = offset
    while time.monotonic() < until:
        kind = "why" if n % 4 == 3 else "evaluate"
        path = "/api/v1/why/allocations_familiales" if kind == "why" else "/api/v1/evaluate"
        body = why_body if kind == "why" else bodies[n % len(bodies)]
        start = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                with lock:
                    errors.append(f"{path}: {answer.status}")
        except OSError as exc:
            with lock:
                errors.append(f"{path}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local[kind].append(time.perf_counter() - start)
        n += 1
    connection.close()
    with lock:
        for kind, samples in local.items():
            results[kind].extend(samples)


def _load(port: int, bodies: list[bytes], why_body: bytes, clients: int, seconds: float):
    results: dict[str, list[float]] = {"evaluate": [], "why": []}
    errors: list[str] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(port, bodies, why_body, until, 1000 * i, results, errors, lock))
               for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors, time.perf_counter() - start


def bench_api(clients: int = 8, seconds: float = 20.0) -> list[str]:
    """The figures, as the lines of RESULTS.md's « API » section."""
    bodies = _dossiers(300)
    why_body = json.dumps(_example(), ensure_ascii=False).encode()
    local = _in_process(bodies, 300)
    with tempfile.TemporaryDirectory() as folder:
        process, port = _start_server(Path(folder) / "journal.sqlite")
        try:
            _load(port, bodies, why_body, 2, 3.0)  # warm the server's program
            single, single_errors, _ = _load(port, bodies, why_body, 1, 5.0)
            loaded, errors, elapsed = _load(port, bodies, why_body, clients, seconds)
        finally:
            process.terminate()
            process.wait(timeout=10)
        workers = os.cpu_count() or 1
        process, port = _start_server(Path(folder) / "journal.sqlite", workers)
        try:
            _load(port, bodies, why_body, 2 * workers, 3.0)  # every worker warm
            several, several_errors, several_elapsed = _load(port, bodies, why_body, clients, seconds)
        finally:
            process.terminate()
            process.wait(timeout=20)
    local_p50, local_p95 = _percentiles(local)
    one_p50, one_p95 = _percentiles(single["evaluate"])
    ev_p50, ev_p95 = _percentiles(loaded["evaluate"])
    why_p50, why_p95 = _percentiles(loaded["why"])
    total = len(loaded["evaluate"]) + len(loaded["why"])
    several_total = len(several["evaluate"]) + len(several["why"])
    sev_p50, sev_p95 = _percentiles(several["evaluate"])
    swhy_p50, _ = _percentiles(several["why"])
    return [
        f"- en processus (validation, décision, JSON du contrat ; allocations familiales) : p50 {local_p50:.1f} ms, "
        f"p95 {local_p95:.1f} ms",
        f"- `POST /api/v1/evaluate`, un client, une requête à la fois : p50 {one_p50:.1f} ms, p95 {one_p95:.1f} ms ; "
        f"rapport p50 API / en processus : **{one_p50 / local_p50:.2f}** (objectif : 1,5) ; "
        f"erreurs : {len(single_errors)}",
        f"- charge : {clients} clients pendant {seconds:.0f} s (3 `evaluate` pour 1 `why`, connexions gardées) : "
        f"{total} requêtes, **{total / elapsed:.0f} requêtes/s**, erreurs : {len(errors)}",
        f"  - `evaluate` : p50 {ev_p50:.1f} ms, p95 {ev_p95:.1f} ms (rapport p50 / en processus : "
        f"{ev_p50 / local_p50:.2f})",
        f"  - `why` : p50 {why_p50:.1f} ms, p95 {why_p95:.1f} ms",
        f"- la même charge sur `--workers {workers}` (un processus par cœur) : "
        f"**{several_total / several_elapsed:.0f} requêtes/s**, erreurs : {len(several_errors)} ; `evaluate` p50 "
        f"{sev_p50:.1f} ms, p95 {sev_p95:.1f} ms ; `why` p50 {swhy_p50:.1f} ms",
    ]


def _example() -> dict:
    from engine.parsing import parse_text

    return parse_text((ROOT / "examples" / "refus-stage.yaml").read_text(encoding="utf-8"), "refus-stage.yaml")


TITLE = "## API : `prevoyance serve` (issue 16)"


def kept_section(results: Path) -> str:
    """The « API » section of RESULTS.md as it is (empty if none), for the other benchmarks to keep it."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if TITLE not in text:
        return ""
    section = TITLE + text.partition(TITLE)[2].split("\n## ", 1)[0]
    return "\n" + section.rstrip("\n") + "\n"


def write_section(lines: list[str], results: Path) -> None:
    """Replace (or add) the « API » section of RESULTS.md, leaving the others as they are."""
    import datetime as dt

    title = TITLE
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    section = [title, "", f"Mesuré le {dt.date.today().isoformat()} sur la boucle locale ; charge de la machine à la "
               f"fin (load average 1, 5, 15 min) : {load} pour {os.cpu_count()} cœurs.", "", *lines, ""]
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if title in text:
        before, _, after = text.partition(title)
        rest = after.split("\n## ", 1)
        text = before + "\n".join(section) + ("\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section)
    results.write_text(text, encoding="utf-8")

"""Batch evaluation of a caseload: decisions as JSON Lines, resumable, on all cores or a Dask cluster.

Each dossier gives exactly one line, in the order of the caseload: a decision in
the results file, or its message in the errors file (``<results>.erreurs.jsonl``).
Lines are flushed batch by batch, so an interrupted run keeps everything
written; run again, it counts the lines already there (dropping a torn last
line) and resumes with the next dossier. A journal (SQLite) can record each
decision with the dossier's hash, the knowledge base's version and the date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.caseload import Entry, chunks, in_order, read_caseload, worker_pool
from engine.dossier import Dossier, DossierError
from engine.regime import load_regime
from engine.resume import summarize_many

_SOURCES: dict[str, tuple[str, str]] = {}


def _records(base_id: str | None, batch: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Decide a batch in summary and write each decision as a plain record (runs in a worker)."""
    regime = load_regime(base_id)
    dossiers = [Dossier(data, regime, origine) for origine, data in batch]
    summaries = summarize_many(dossiers, _SOURCES)
    records = []
    for dossier, benefits in zip(dossiers, summaries, strict=True):
        prestations = {}
        for pid, summary in sorted(benefits.items()):
            entry: dict[str, Any] = {"statut": summary.statut}
            entry.update({f"montant_{k}": v for k, v in summary.montants.items()})
            for state, key in (("non_rempli", "conditions_non_remplies"), ("inconnu", "conditions_inconnues")):
                nodes = [n for n, e in summary.etats.items() if e == state]
                if nodes:
                    entry[key] = [{"id": n, "source": " ; ".join(x for x in _source(n) if x)} for n in sorted(nodes)]
            prestations[pid] = entry
        records.append({"dossier": dossier.id, "origine": dossier.origine,
                        "date_reference": dossier.data["date_reference"], "base": regime.id,
                        "version_base": regime.version, "prestations": prestations,
                        "empreinte": fingerprint(dossier.data)})
    return records


def _source(node: str) -> tuple[str, str]:
    return _SOURCES.get(node) or _SOURCES.get(node.split("(")[0], ("", ""))


def fingerprint(data: dict[str, Any]) -> str:
    """The dossier's hash: SHA-256 of its canonical JSON."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _complete_lines(path: Path) -> int:
    """Lines already written; a torn last line (no newline: the run was cut) is removed."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        path.write_bytes(data)
    return data.count(b"\n")


@dataclass
class BatchReport:
    """What a batch run did."""

    decides: int = 0
    erreurs: int = 0
    repris: int = 0  # dossiers already done by an earlier, interrupted run
    secondes: float = 0.0


class Journal:
    """Decisions journal: one row per benefit decided, with the dossier's hash and the base's version."""

    def __init__(self, path: str | Path):
        self.connection = sqlite3.connect(str(path))
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS decisions (dossier TEXT, empreinte TEXT, version_base TEXT, base TEXT, "
            "date_evaluation TEXT, date_reference TEXT, prestation TEXT, statut TEXT, montants TEXT, "
            "conditions TEXT)")
        self.connection.execute("CREATE INDEX IF NOT EXISTS par_dossier ON decisions (dossier)")
        self.connection.execute("CREATE INDEX IF NOT EXISTS par_empreinte ON decisions (empreinte)")

    def record(self, records: list[dict[str, Any]]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = []
        for r in records:
            for pid, p in r["prestations"].items():
                montants = {k: v for k, v in p.items() if k.startswith("montant_")}
                conditions = {k: p[k] for k in ("conditions_non_remplies", "conditions_inconnues") if k in p}
                rows.append((r["dossier"], r["empreinte"], r["version_base"], r["base"], now, r["date_reference"],
                             pid, p["statut"], json.dumps(montants), json.dumps(conditions, ensure_ascii=False)))
        with self.connection:
            self.connection.executemany("INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?)", rows)

    def close(self) -> None:
        self.connection.close()


def run_batch(caseload: str | Path, results: str | Path, base_id: str | None = None, workers: int | None = None,
              chunk_size: int = 250, journal: str | Path | None = None, scheduler: str | None = None,
              progress: Callable[[int], None] | None = None) -> BatchReport:
    """Decide every dossier of ``caseload``; write results, errors, and (if asked) the journal."""
    import time

    start = time.perf_counter()
    results = Path(results)
    errors = results.with_name(results.name.removesuffix(".jsonl") + ".erreurs.jsonl")
    report = BatchReport()
    report.repris = _complete_lines(results) + _complete_lines(errors)
    entries = read_caseload(caseload, load_regime(base_id))
    for _ in range(report.repris):  # resume: those are written already
        next(entries, None)
    book = Journal(journal) if journal else None
    out = results.open("a", encoding="utf-8")
    err = errors.open("a", encoding="utf-8")
    try:
        for chunk, records in _evaluate(chunks(entries, chunk_size), base_id, workers, scheduler):
            by_origin = iter(records)
            written = []
            for entry in chunk:
                if entry.dossier is None:
                    err.write(json.dumps({"origine": entry.origine, "message": entry.erreur}, ensure_ascii=False)
                              + "\n")
                    report.erreurs += 1
                    continue
                record = next(by_origin)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written.append(record)
                report.decides += 1
            # Errors and results of a batch reach the disk before the next batch starts: a cut loses nothing.
            err.flush()
            out.flush()
            os.fsync(out.fileno())
            if book is not None:
                book.record(written)
            if progress is not None:
                progress(len(chunk))
    finally:
        out.close()
        err.close()
        if book is not None:
            book.close()
    report.secondes = time.perf_counter() - start
    return report


def _payload(chunk: list[Entry]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.origine, e.dossier.data) for e in chunk if e.dossier is not None]


def _evaluate(batches: Iterator[list[Entry]], base_id: str | None, workers: int | None, scheduler: str | None):
    """(batch, its records) in order; in this process, a process pool, or a Dask cluster."""
    workers = workers or os.cpu_count() or 1
    if scheduler:
        yield from _evaluate_dask(batches, base_id, scheduler)
        return
    if workers == 1:
        for chunk in batches:
            yield chunk, _records(base_id, _payload(chunk)) if _payload(chunk) else []
        return
    with worker_pool(workers) as pool:
        yield from in_order(lambda chunk: pool.submit(_records, base_id, _payload(chunk)), batches, 2 * workers)


def _evaluate_dask(batches: Iterator[list[Entry]], base_id: str | None, scheduler: str):
    """The same batches on a Dask distributed cluster (an existing scheduler at ``scheduler``)."""
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise DossierError("--scheduler demande le paquet « distributed » (pip install 'prevoyance[cluster]')") from exc
    with Client(scheduler) as client:
        yield from in_order(lambda chunk: client.submit(_records, base_id, _payload(chunk), pure=False), batches, 4)


def write_parquet(results: str | Path, target: str | Path) -> int:
    """The results as a Parquet table, one row per dossier and benefit (written beside, then renamed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows: dict[str, list[Any]] = {k: [] for k in ("dossier", "date_reference", "version_base", "prestation",
                                                  "statut", "montant_mensuel", "montant_total",
                                                  "conditions_non_remplies", "conditions_inconnues")}
    with Path(results).open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for pid, p in record["prestations"].items():
                rows["dossier"].append(record["dossier"])
                rows["date_reference"].append(record["date_reference"])
                rows["version_base"].append(record["version_base"])
                rows["prestation"].append(pid)
                rows["statut"].append(p["statut"])
                rows["montant_mensuel"].append(p.get("montant_mensuel"))
                rows["montant_total"].append(p.get("montant_total"))
                rows["conditions_non_remplies"].append([c["id"] for c in p.get("conditions_non_remplies", [])])
                rows["conditions_inconnues"].append([c["id"] for c in p.get("conditions_inconnues", [])])
    target = Path(target)
    temporary = target.with_name(target.name + ".tmp")
    pq.write_table(pa.table(rows), temporary)
    os.replace(temporary, target)
    return len(rows["dossier"])

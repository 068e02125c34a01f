"""Batch evaluation of a caseload: decisions as JSON Lines, on all cores or a Dask cluster; an interrupted
run is taken up where it stopped (its reprise: :mod:`usecases.reprise`).

Each dossier gives exactly one line, in the order of the caseload: a decision in
the results file, or its origin (``file:line``) and message in the errors file
(``<results>.erreurs.jsonl``). A dossier that cannot be decided (refused by
validation, or failing in the solver) costs only itself: a lot that fails is
decided again dossier by dossier, and only the dossier at fault goes to the
errors.

Each lot is written to the results and errors (synced), then to the journal (one
transaction, its rows marked with the run id and the lot's number), then the
state file of the reprise is replaced: a run killed at any instant leaves a
prefix that the state names, and a new run cuts whatever lies beyond before
going on. The journal is shared (the console, the API, other runs write to it):
a reprise removes only its own run's uncommitted rows, and refuses a journal
that lost rows the run committed. A lock on the results file itself (its inode,
whatever name or link reaches it) refuses a second run on the same output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.dossier import Dossier, DossierError
from engine.files import atomic_writer
from engine.model import Etat
from engine.regime import load_regime
from engine.resume import summarize_many
from usecases.caseload import Entry, chunks, in_order, read_caseload, worker_pool
from usecases.journal import Journal, JournalError, fingerprint, personne_of
from usecases.reprise import (
    BatchError,
    OutputLock,
    check_paths,
    errors_path,
    os_message,
    prepare_reprise,
    state_path,
    write_state,
)

_SOURCES: dict[str, tuple[str, str]] = {}


def _records(base_id: str | None, batch: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Decide a batch in summary; one record per dossier: its decision, or ``{"erreur": message}``.

    A batch that fails is decided again dossier by dossier, so that only the dossier at fault is lost;
    its message says what failed (runs in a worker).
    """
    regime = load_regime(base_id)
    dossiers = [Dossier(data, regime, origine) for origine, data in batch]
    try:
        return _decided(regime, dossiers)
    except Exception as exc:  # any failure: retried alone below, and reported
        if len(dossiers) == 1:
            return [_failure(dossiers[0], exc)]
    out = []
    for dossier in dossiers:
        try:
            out += _decided(regime, [dossier])
        except Exception as exc:  # reported in the errors file with the dossier's origin
            out.append(_failure(dossier, exc))
    return out


def _failure(dossier: Dossier, exc: Exception) -> dict[str, Any]:
    """The errors-file message of a dossier the engine failed on: what failed, and where in the code."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ; {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return {"erreur": f"{dossier.origine}: erreur interne en décidant ce dossier ({type(exc).__name__} : "
                      f"{exc}{where}) : signalez-le avec le dossier"}


def _decided(regime, dossiers: list[Dossier]) -> list[dict[str, Any]]:
    summaries = summarize_many(dossiers, _SOURCES)
    records = []
    for dossier, par_prestation in zip(dossiers, summaries, strict=True):
        prestations = {}
        for pid, summary in sorted(par_prestation.items()):
            entry: dict[str, Any] = {"statut": summary.statut}
            entry.update({f"montant_{k}": v for k, v in summary.montants.items()})
            for state, key in ((Etat.non_rempli, "conditions_non_remplies"), (Etat.inconnu, "conditions_inconnues")):
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


@dataclass
class BatchReport:
    """What a batch run did."""

    decides: int = 0
    erreurs: int = 0
    repris: int = 0  # dossiers already done by an earlier, interrupted run (taken up by this reprise)
    secondes: float = 0.0
    erreurs_en_tout: int = 0  # lines of the errors file, this run's and earlier runs' (the exit code says it)
    fichier_erreurs: Path | None = None

    def lines(self) -> list[str]:
        """What the run did, in French: decided, in error, already done before its reprise, how fast; where the
        errors are."""
        rate = self.decides / self.secondes if self.secondes else 0
        out = [f"{self.decides} dossiers décidés, {self.erreurs} en erreur"
               f"{f', {self.repris} déjà faits (reprise)' if self.repris else ''} "
               f"en {self.secondes:.1f} s ({rate:.0f} dossiers/s)."]
        if self.erreurs_en_tout:  # earlier runs' errors too: the exit code speaks for the whole output
            out.append(f"{self.erreurs_en_tout} dossier(s) en erreur en tout : voir {self.fichier_erreurs}")
        return out


def _checkpoint(stage: str, lot: int) -> None:
    """A point of the commit of a lot; the fault-injection tests stop the process here (tests/)."""


def run_batch(caseload: str | Path, results: str | Path, base_id: str | None = None, workers: int | None = None,
              chunk_size: int = 250, journal: str | Path | None = None, scheduler: str | None = None,
              progress: Callable[[int], None] | None = None, parquet: str | Path | None = None) -> BatchReport:
    """Decide every dossier of ``caseload``; write results, errors, and (if asked) the journal and a Parquet
    table of the results (:func:`write_parquet`)."""
    import time

    start = time.perf_counter()
    if parquet:
        _require_pyarrow()
    # The real file, whatever link names it: its lock, state and errors file are the same under every name.
    caseload, results = Path(caseload), Path(results).resolve()
    journal = Path(journal) if journal else None
    errors = errors_path(results)
    check_paths(caseload, results, errors, journal)
    report = BatchReport(fichier_erreurs=errors)
    lock = OutputLock(results)
    book = None
    try:
        try:
            book = Journal(journal) if journal else None
        except JournalError as exc:
            raise BatchError(str(exc)) from exc
        state = prepare_reprise(caseload, results, errors, journal, book)
        report.repris = state["entrees"]
        entries = read_caseload(caseload, load_regime(base_id))
        for _ in range(report.repris):  # a reprise: those are written already
            next(entries, None)
        try:
            out = results.open("ab")
            err = errors.open("ab")
        except OSError as exc:
            raise BatchError(os_message(results, exc)) from exc
        evaluations = _evaluate(chunks(entries, chunk_size), base_id, workers, scheduler)
        with out, err:
            try:
                for lot, (chunk, records) in enumerate(evaluations):
                    _commit(lot, chunk, records, out, err, book, state, report, results, errors)
                    if progress is not None:
                        progress(len(chunk))
            except BrokenProcessPool as exc:
                raise BatchError(f"{results} : un processus de calcul s'est arrêté brutalement (mémoire épuisée ?) : "
                                 "les lots validés sont gardés ; relancez la même commande, elle reprendra au premier "
                                 "dossier non écrit") from exc
            finally:
                # The pool is shut down now, while the interpreter is whole: left to the garbage collector at
                # exit (after a full disk, say), its shutdown met closed pipes (« Bad file descriptor »).
                evaluations.close()
        report.erreurs_en_tout = state["nombre_erreurs"]
    finally:
        if book is not None:
            book.close()
        lock.release()
    report.secondes = time.perf_counter() - start  # the decisions' time: the rate the report gives
    if parquet:
        try:
            write_parquet(results, parquet)
        except OSError as exc:
            raise BatchError(f"{parquet} : écriture impossible ({exc.strerror or exc})") from exc
    return report


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise BatchError("--parquet demande le paquet pyarrow : pip install 'prevoyance[parquet]' "
                         "(ou relancez sans --parquet)") from exc


def _commit(lot: int, chunk: list[Entry], records: list[dict[str, Any]], out, err, book: Journal | None,
            state: dict[str, Any], report: BatchReport, results: Path, errors: Path) -> None:
    """Write one lot: results and errors synced, then the journal, then the state that names them."""
    by_origin = iter(records)
    decided, lines, failures, journal_records = [], [], [], []
    for entry in chunk:
        if entry.dossier is None:
            failures.append({"origine": entry.origine, "message": entry.erreur})
            continue
        record = next(by_origin)
        if "erreur" in record:
            failures.append({"origine": entry.origine, "dossier": entry.dossier.id, "message": record["erreur"]})
            continue
        decided.append(record)
        # the journal names the person (the results file keeps the contract's fields only)
        journal_records.append({**record, "personne": personne_of(entry.dossier.data)})
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    _checkpoint("avant", lot)
    for handle, path, text in ((out, results, "".join(lines)),
                               (err, errors, "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures))):
        try:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        except OSError as exc:
            raise BatchError(os_message(path, exc)) from exc
        _checkpoint("resultats" if handle is out else "erreurs", lot)
    written = 0
    if book is not None:
        try:  # numbered by the run's count of committed lots: a reprise goes on numbering
            written = book.record(journal_records, state["execution"], state["lots"])
        except JournalError as exc:
            raise BatchError(str(exc)) from exc
        _checkpoint("journal", lot)
    state.update(entrees=state["entrees"] + len(chunk), octets_resultats=out.tell(), octets_erreurs=err.tell(),
                 nombre_erreurs=state["nombre_erreurs"] + len(failures), lots=state["lots"] + 1,
                 lignes_journal=state["lignes_journal"] + written)
    write_state(state_path(results), state)
    _checkpoint("etat", lot)
    report.decides += len(decided)
    report.erreurs += len(failures)


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
    pool = worker_pool(workers)
    try:
        yield from in_order(lambda chunk: pool.submit(_records, base_id, _payload(chunk)), batches, 2 * workers)
    finally:  # stopped early (a full disk): the lots still queued are dropped, not decided for nothing
        pool.shutdown(wait=True, cancel_futures=True)


def _evaluate_dask(batches: Iterator[list[Entry]], base_id: str | None, scheduler: str):
    """The same batches on a Dask distributed cluster (an existing scheduler at ``scheduler``)."""
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise DossierError("--ordonnanceur demande le paquet « distributed » "
                           "(pip install 'prevoyance[cluster]')") from exc
    with Client(scheduler) as client:
        yield from in_order(lambda chunk: client.submit(_records, base_id, _payload(chunk), pure=False), batches, 4)


def write_parquet(results: str | Path, target: str | Path) -> int:
    """The results as a Parquet table, one row per dossier and prestation (written beside, then renamed)."""
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
    with atomic_writer(target, "wb") as out:
        pq.write_table(pa.table(rows), out)
    return len(rows["dossier"])

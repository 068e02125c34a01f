"""Batch evaluation of a caseload: decisions as JSON Lines, resumable, on all cores or a Dask cluster.

Each dossier gives exactly one line, in the order of the caseload: a decision in
the results file, or its origin (``file:line``) and message in the errors file
(``<results>.erreurs.jsonl``). A dossier that cannot be decided (refused by
validation, or failing in the solver) costs only itself: a lot that fails is
decided again dossier by dossier, and only the dossier at fault goes to the
errors.

Resume is by identity (docs/robustesse.md). Beside the results, a state file
(``<results>.etat``) records what they were made from, the caseload's
fingerprint and every base's ``version_base``, its run id, and what is
committed: the entries of the caseload done, the length of the two files, the
lots and the journal rows of the run. Each lot is written to the results and
errors (synced), then to the journal (one transaction, its rows marked with the
run id and the lot's number), then the state file is replaced: a run killed at
any instant leaves a prefix that the state names, and a new run cuts whatever
lies beyond before going on. The journal is shared (the console, the API, other
runs write to it): a resume removes only its own run's uncommitted rows, and
refuses a journal that lost rows the run committed. A lock on the results file
itself (its inode, whatever name or link reaches it) refuses a second run on
the same output.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.dossier import Dossier, DossierError
from engine.files import atomic_writer, write_atomic
from engine.model import Etat
from engine.regime import load_regime, regimes
from engine.resume import summarize_many
from usecases.caseload import (
    Entry,
    chunks,
    dossier_files,
    in_order,
    is_dossier_file,
    read_caseload,
    worker_pool,
)
from usecases.journal import Journal, JournalError, fingerprint, personne_of, sqlite_message

_SOURCES: dict[str, tuple[str, str]] = {}
STATE_VERSION = 2  # 2: the journal's rows are the run's own (run id, lots), no longer a row id


class BatchError(Exception):
    """A run that cannot start or go on (another run, another caseload, a full disk): a French message."""


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
    for dossier, benefits in zip(dossiers, summaries, strict=True):
        prestations = {}
        for pid, summary in sorted(benefits.items()):
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


def caseload_fingerprint(path: str | Path) -> str:
    """SHA-256 of a caseload: the bytes of a JSON Lines file, or the names and bytes of a folder's dossiers."""
    path = Path(path)
    digest = hashlib.sha256()
    files = [path] if path.is_file() else dossier_files(path)
    for file in files:
        if file is not path:
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass
class BatchReport:
    """What a batch run did."""

    decides: int = 0
    erreurs: int = 0
    repris: int = 0  # dossiers already done by an earlier, interrupted run
    secondes: float = 0.0
    erreurs_en_tout: int = 0  # lines of the errors file, this run's and earlier runs' (the exit code says it)
    fichier_erreurs: Path | None = None

    def lines(self) -> list[str]:
        """What the run did, in French: decided, in error, resumed, how fast; where the errors are."""
        rate = self.decides / self.secondes if self.secondes else 0
        out = [f"{self.decides} dossiers décidés, {self.erreurs} en erreur"
               f"{f', {self.repris} déjà faits (reprise)' if self.repris else ''} "
               f"en {self.secondes:.1f} s ({rate:.0f} dossiers/s)."]
        if self.erreurs_en_tout:  # earlier runs' errors too: the exit code speaks for the whole output
            out.append(f"{self.erreurs_en_tout} dossier(s) en erreur en tout : voir {self.fichier_erreurs}")
        return out


def _os_message(path: Path, exc: OSError) -> str:
    reasons = {errno.ENOSPC: "disque plein", errno.EDQUOT: "quota dépassé", errno.EROFS: "système de fichiers en "
               "lecture seule", errno.EACCES: "permission refusée", errno.EPERM: "opération non permise",
               errno.EISDIR: "c'est un dossier", errno.ENOENT: "dossier parent introuvable"}
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return (f"{path} : écriture impossible ({reason}). Les lots déjà écrits sont gardés : corrigez puis relancez "
            "la même commande, elle reprendra au premier dossier non écrit.")


def errors_path(results: Path) -> Path:
    return results.with_name(results.name.removesuffix(".jsonl") + ".erreurs.jsonl")


def _state_path(results: Path) -> Path:
    return results.with_name(results.name + ".etat")


class _Lock:
    """An exclusive lock on the results file itself, released when the run (or its process) ends.

    ``flock`` locks the file (its inode), not a name: a second run that reaches the same file through a
    symbolic link, a hard link or another path is refused as well.
    """

    def __init__(self, results: Path):
        import fcntl

        self.path = results
        try:
            self.handle = results.open("ab")  # created when absent (empty: a fresh output), never cut here
        except OSError as exc:
            raise BatchError(_os_message(results, exc)) from exc
        try:
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self.handle.close()
            raise BatchError(f"{results} : une autre exécution de batch écrit déjà ce fichier (sous ce nom ou un "
                             "autre, par un lien) ; attendez qu'elle finisse ou choisissez un autre fichier de "
                             "sortie") from exc

    def release(self) -> None:
        self.handle.close()


def _versions() -> dict[str, str]:
    return {r.id: r.version for r in regimes().values()}


def _check_paths(caseload: Path, results: Path, errors: Path, journal: Path | None) -> None:
    source = caseload.resolve()
    outputs = {"-o": results, "fichier d'erreurs": errors, "--journal": journal, "état": _state_path(results)}
    for name, target in outputs.items():
        if target is None:
            continue
        resolved = target.resolve()
        if resolved == source or (source.is_dir() and source in resolved.parents and is_dossier_file(resolved)):
            raise BatchError(f"{target} : la sortie ({name}) serait la charge elle-même ({caseload}) ou l'un de ses "
                             "dossiers : choisissez un autre fichier")
    if journal is not None and journal.resolve() in (results.resolve(), errors.resolve()):
        raise BatchError(f"{journal} : le journal ne peut pas être le fichier des décisions ou des erreurs")


def _prepare(caseload: Path, results: Path, errors: Path, journal: Path | None, book: Journal | None
             ) -> dict[str, Any]:
    """The state to resume from: checked against this run, files cut back to it; a fresh one if none."""
    state_file = _state_path(results)
    expected = {"format": STATE_VERSION, "charge": str(caseload.resolve()),
                "empreinte_charge": caseload_fingerprint(caseload), "versions_base": _versions(),
                "journal": str(journal.resolve()) if journal else None}
    if not state_file.exists():
        for path in (results, errors):
            if path.exists() and path.stat().st_size:
                raise BatchError(f"{path} existe déjà et ne dit pas de quelle charge il vient (pas de "
                                 f"{state_file.name}) : choisissez un autre fichier de sortie, ou supprimez celui-ci")
        state = {**expected, "execution": uuid.uuid4().hex, "entrees": 0, "octets_resultats": 0,
                 "octets_erreurs": 0, "nombre_erreurs": 0, "lots": 0, "lignes_journal": 0}
        _write_state(state_file, state)
        return state
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BatchError(f"{state_file} : état de reprise illisible ({exc}) : choisissez un autre "
                         "fichier de sortie") from exc
    state = _upgraded(state, state_file)
    if state["empreinte_charge"] != expected["empreinte_charge"]:
        raise BatchError(f"{results} a été fait à partir d'une autre charge ({state['charge']}, empreinte "
                         f"{state['empreinte_charge'][:12]}) que {caseload} (empreinte "
                         f"{expected['empreinte_charge'][:12]}) : reprise refusée ; choisissez un autre "
                         "fichier de sortie")
    if state["versions_base"] != expected["versions_base"]:
        changed = sorted(k for k in set(state["versions_base"]) | set(expected["versions_base"])
                         if state["versions_base"].get(k) != expected["versions_base"].get(k))
        raise BatchError(f"{results} a été fait sous une autre version de la base ({', '.join(changed)} : "
                         f"{', '.join(str(state['versions_base'].get(k)) for k in changed)}) : reprise refusée ; "
                         "choisissez un autre fichier de sortie pour décider sous la base actuelle")
    if state["journal"] != expected["journal"]:
        raise BatchError(f"{results} a été commencé avec le journal {state['journal'] or '(aucun)'} et non "
                         f"{expected['journal'] or '(aucun)'} : reprenez avec le même --journal")
    if book is not None:  # checked before anything is cut: a refused resume changes nothing
        _check_journal(book, journal, state)
    for path, size in ((results, state["octets_resultats"]), (errors, state["octets_erreurs"])):
        try:
            with path.open("ab") as handle:  # created when absent; whatever lies past the commit is cut
                handle.truncate(size)
        except OSError as exc:
            raise BatchError(_os_message(path, exc)) from exc
    if book is not None:
        try:
            book.cut(state["execution"], state["lots"])  # this run's rows of a lot it did not commit; no other
        except JournalError as exc:
            raise BatchError(str(exc)) from exc
    return state


def _upgraded(state: dict[str, Any], state_file: Path) -> dict[str, Any]:
    """A state of this format: one of the first format is taken on when it has no journal (nothing in it
    depends on row ids); with a journal, its rows cannot be told from other writers' rows, and it is refused."""
    if state.get("format") == STATE_VERSION:
        return state
    if state.get("format") == 1 and "ligne_journal" in state:
        if state.get("journal"):
            raise BatchError(f"{state_file} : état de reprise d'une version précédente de prevoyance, qui repérait ses "
                             "lignes du journal par leur numéro : elles ne se distinguent pas de celles d'autres "
                             "écrivains, la reprise pourrait en effacer. Reprise refusée : choisissez un autre "
                             "fichier de sortie (et recommencez la charge)")
        upgraded = {k: v for k, v in state.items() if k != "ligne_journal"}
        return {**upgraded, "format": STATE_VERSION, "execution": uuid.uuid4().hex, "lots": 0, "lignes_journal": 0}
    raise BatchError(f"{state_file} : état de reprise d'un autre format : choisissez un autre fichier de sortie")


def _check_journal(book: Journal, journal: Path | None, state: dict[str, Any]) -> None:
    """Refuse a journal that does not hold every row this run committed (restored from an older copy,
    replaced, cut by hand): resuming would leave decisions in the results that the journal never has."""
    try:
        found = book.rows_of(state["execution"], state["lots"])
    except sqlite3.Error as exc:
        raise BatchError(sqlite_message(journal or book.path, exc)) from exc
    expected = state["lignes_journal"]
    if found != expected:
        what = "a perdu des lignes" if found < expected else "a des lignes en trop"
        raise BatchError(f"{journal} : le journal {what} que cette exécution de batch y a validées ({expected} "
                         f"lignes attendues, {found} trouvées) : a-t-il été remplacé, ou restauré d'une copie plus "
                         "ancienne ? Reprise refusée pour ne pas laisser dans les décisions des dossiers absents du "
                         "journal : remettez le journal qui allait avec cette sortie, ou recommencez avec un autre "
                         "fichier de sortie")


def _write_state(path: Path, state: dict[str, Any]) -> None:
    try:
        write_atomic(path, json.dumps(state, ensure_ascii=False, indent=1).encode())
    except OSError as exc:
        raise BatchError(_os_message(path, exc)) from exc


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
    _check_paths(caseload, results, errors, journal)
    report = BatchReport(fichier_erreurs=errors)
    lock = _Lock(results)
    book = None
    try:
        try:
            book = Journal(journal) if journal else None
        except JournalError as exc:
            raise BatchError(str(exc)) from exc
        state = _prepare(caseload, results, errors, journal, book)
        report.repris = state["entrees"]
        entries = read_caseload(caseload, load_regime(base_id))
        for _ in range(report.repris):  # resume: those are written already
            next(entries, None)
        try:
            out = results.open("ab")
            err = errors.open("ab")
        except OSError as exc:
            raise BatchError(_os_message(results, exc)) from exc
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
            raise BatchError(_os_message(path, exc)) from exc
        _checkpoint("resultats" if handle is out else "erreurs", lot)
    written = 0
    if book is not None:
        try:  # numbered by the run's count of committed lots: a resumed run goes on numbering
            written = book.record(journal_records, state["execution"], state["lots"])
        except JournalError as exc:
            raise BatchError(str(exc)) from exc
        _checkpoint("journal", lot)
    state.update(entrees=state["entrees"] + len(chunk), octets_resultats=out.tell(), octets_erreurs=err.tell(),
                 nombre_erreurs=state["nombre_erreurs"] + len(failures), lots=state["lots"] + 1,
                 lignes_journal=state["lignes_journal"] + written)
    _write_state(_state_path(results), state)
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
    with atomic_writer(target, "wb") as out:
        pq.write_table(pa.table(rows), out)
    return len(rows["dossier"])

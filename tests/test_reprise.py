"""Batch runs lose nothing and mix nothing (issue 14, point 3): reprise by identity, kills, locks, full disks.

The invariant checked after every kill and reprise: every entry of the caseload
is once in the results or once in the errors, in order, exactly as an
uninterrupted run writes them, and the journal holds one row per prestation of
each result, no more.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import usecases.batch
import usecases.reprise
from cli.main import EXIT_DOSSIERS_EN_ERREUR, main
from usecases.batch import BatchError, errors_path, run_batch
from usecases.generation import generate

STAGES = ("avant", "resultats", "erreurs", "journal", "etat")


def _caseload(path: Path, n: int = 30, seed: int = 3) -> Path:
    lines = [json.dumps(d, ensure_ascii=False) for d in generate(n, seed=seed)]
    lines.insert(4, '{"id": "mauvais", "demandeur": {"salaire_mensuel": 1e40}}')
    lines.insert(11, "{pas du json")
    lines.insert(17, '{"id": "futur", "date_reference": "9999-12-31"}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def caseload(tmp_path):
    return _caseload(tmp_path / "charge.jsonl")


@pytest.fixture
def reference(caseload, tmp_path):
    """An uninterrupted run: the results, errors and journal rows any interrupted run must end with."""
    results = tmp_path / "reference" / "d.jsonl"
    results.parent.mkdir()
    run_batch(caseload, results, workers=1, chunk_size=4, journal=tmp_path / "reference" / "j.sqlite")
    return results


def _journal_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return sorted(connection.execute("SELECT dossier, prestation, statut, montants FROM decisions").fetchall())


def _assert_invariant(results: Path, journal: Path, reference: Path) -> None:
    assert results.read_bytes() == reference.read_bytes()
    assert errors_path(results).read_bytes() == errors_path(reference).read_bytes()
    assert _journal_rows(journal) == _journal_rows(reference.with_name("j.sqlite"))
    decided = [json.loads(line)["dossier"] for line in results.read_text(encoding="utf-8").splitlines()]
    assert len(decided) == len(set(decided))


def _killed_at(caseload: Path, results: Path, journal: Path, stage: str, lot: int) -> int:
    """Run the batch in a forked process that dies (os._exit, no clean-up) at ``stage`` of ``lot``."""

    def target() -> None:
        def checkpoint(where: str, number: int) -> None:
            if (where, number) == (stage, lot):
                os._exit(9)

        usecases.batch._checkpoint = checkpoint
        run_batch(caseload, results, workers=1, chunk_size=4, journal=journal)
        os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=target)
    process.start()
    process.join(60)
    return process.exitcode


def test_a_kill_at_any_stage_of_a_lot_then_a_reprise_gives_the_uninterrupted_run(caseload, reference, tmp_path):
    rng = random.Random(14)
    for stage in STAGES:
        results, journal = tmp_path / stage / "d.jsonl", tmp_path / stage / "j.sqlite"
        results.parent.mkdir()
        for lot in sorted(rng.sample(range(8), 2)):  # killed twice, at two random lots, then taken up (reprise)
            assert _killed_at(caseload, results, journal, stage, lot) in (9, 0)
        report = run_batch(caseload, results, workers=1, chunk_size=4, journal=journal)
        assert report.repris > 0
        _assert_invariant(results, journal, reference)


def test_a_sigkill_at_random_instants_then_a_reprise_gives_the_uninterrupted_run(caseload, reference, tmp_path):
    results, journal = tmp_path / "d.jsonl", tmp_path / "j.sqlite"
    command = [sys.executable, "-m", "cli", "batch", str(caseload), "-o", str(results), "--journal",
               str(journal), "--processus", "2", "--lot", "2"]
    rng = random.Random(7)
    for _ in range(2):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(rng.uniform(0.8, 2.5))
        os.killpg(process.pid, signal.SIGKILL)  # the whole group: a killed batch leaves no worker either way
        process.wait()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == EXIT_DOSSIERS_EN_ERREUR, finished.stderr
    _assert_invariant(results, journal, reference)


def test_a_reprise_is_by_identity_not_by_count(caseload, tmp_path):
    results = tmp_path / "d.jsonl"
    run_batch(caseload, results, workers=1, chunk_size=4)
    other = _caseload(tmp_path / "autre.jsonl", seed=4)
    with pytest.raises(BatchError, match="autre charge"):
        run_batch(other, results, workers=1)
    with pytest.raises(BatchError, match="la charge elle-même"):
        run_batch(caseload, caseload, workers=1)
    # A results file that does not say where it comes from is not taken up either.
    stray = tmp_path / "ancien.jsonl"
    stray.write_text('{"dossier": "x"}\n', encoding="utf-8")
    with pytest.raises(BatchError, match="ne dit pas de quelle charge"):
        run_batch(caseload, stray, workers=1)
    # Another base: recorded versions differ.
    state = json.loads((tmp_path / "d.jsonl.etat").read_text(encoding="utf-8"))
    state["versions_base"]["mali-inps"] = "mali-inps@000000000000"
    (tmp_path / "d.jsonl.etat").write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(BatchError, match="autre version de la base"):
        run_batch(caseload, results, workers=1)


def test_a_second_writer_is_refused(caseload, tmp_path):
    results = tmp_path / "d.jsonl"
    started = multiprocessing.get_context("fork").Event()

    def first() -> None:
        def checkpoint(where: str, number: int) -> None:
            if (where, number) == ("avant", 0):
                started.set()
                time.sleep(30)

        usecases.batch._checkpoint = checkpoint
        run_batch(caseload, results, workers=1, chunk_size=4)

    process = multiprocessing.get_context("fork").Process(target=first)
    process.start()
    try:
        assert started.wait(60)
        with pytest.raises(BatchError, match="une autre exécution"):
            run_batch(caseload, results, workers=1)
    finally:
        process.kill()
        process.join()
    run_batch(caseload, results, workers=1, chunk_size=4)  # the lock dies with its process
    lines = results.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len({json.loads(line)["dossier"] for line in lines}) == 30


def test_workers_end_with_their_parent(caseload, tmp_path):
    code = (
        "import os, sys, time\n"
        "from usecases.caseload import worker_pool\n"
        "pool = worker_pool(2)\n"
        "pids = [pool.submit(os.getpid).result() for _ in range(4)]\n"
        "print(' '.join(map(str, set(pids))), flush=True)\n"
        "time.sleep(60)\n")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in process.stdout.readline().split()]
    assert pids
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        time.sleep(0.2)
    assert not alive


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return status != "Z"


def test_a_full_disk_ends_with_a_french_message_and_a_reprise_completes(caseload, reference, tmp_path, monkeypatch):
    results, journal = tmp_path / "d.jsonl", tmp_path / "j.sqlite"
    calls = {"n": 0}
    real = usecases.batch._checkpoint

    def full(where: str, number: int) -> None:
        if where == "avant" and number == 3:
            calls["n"] += 1
            raise BatchError(usecases.reprise.os_message(results, OSError(28, "No space left on device")))
        real(where, number)

    monkeypatch.setattr(usecases.batch, "_checkpoint", full)
    with pytest.raises(BatchError, match="disque plein"):
        run_batch(caseload, results, workers=1, chunk_size=4, journal=journal)
    monkeypatch.setattr(usecases.batch, "_checkpoint", real)
    run_batch(caseload, results, workers=1, chunk_size=4, journal=journal)
    _assert_invariant(results, journal, reference)


def test_an_unwritable_target_ends_in_french(caseload, tmp_path):
    """A target that cannot be created (its folder is a file; the same path as a read-only disk's)."""
    runner = CliRunner()
    blocker = tmp_path / "fichier"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["batch", str(caseload), "-o", str(blocker / "d.jsonl"), "--processus", "1"])
    assert result.exit_code == 1 and "écriture impossible" in result.output, result.output
    result = runner.invoke(main, ["generate", "3", "-o", str(blocker / "g.jsonl")])
    assert result.exit_code == 1 and "écriture impossible" in result.output, result.output
    amendment = Path(__file__).resolve().parent.parent / "kb/mali/inps/amendements/af_3500.yaml"
    result = runner.invoke(main, ["diff", "--amendment", str(amendment), "--date-effet", "2026-01-01", "--processus",
                                  "1", str(caseload), "-o", str(blocker / "r.txt")])
    assert result.exit_code == 1 and "écriture impossible" in result.output, result.output
    result = runner.invoke(main, ["diff", "--amendment", str(amendment), "--date-effet", "2026-01-01", "--processus",
                                  "1", str(caseload), "-o", str(caseload)])
    assert result.exit_code == 1 and "écraserait la charge" in result.output, result.output


def test_cli_file_errors_are_french_messages(caseload, tmp_path, monkeypatch):
    runner = CliRunner()
    not_a_db = tmp_path / "pas-un-journal.sqlite"
    not_a_db.write_text("bonjour\n" * 100, encoding="utf-8")
    result = runner.invoke(main, ["journal", str(not_a_db), "x"])
    assert result.exit_code == 1 and "n'est pas un journal" in result.output
    result = runner.invoke(main, ["batch", str(caseload), "-o", str(tmp_path / "d.jsonl"), "--journal", str(not_a_db)])
    assert result.exit_code == 1 and "n'est pas un journal" in result.output
    yaml_file = tmp_path / "un.yaml"
    yaml_file.write_text("id: x\n", encoding="utf-8")
    result = runner.invoke(main, ["batch", str(yaml_file), "-o", str(tmp_path / "y.jsonl")])
    assert result.exit_code == 1 and "dossier seul, pas une charge" in result.output
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    result = runner.invoke(main, ["batch", str(caseload), "-o", str(tmp_path / "p.jsonl"), "--parquet",
                                  str(tmp_path / "p.parquet")])
    assert result.exit_code == 1 and "pyarrow" in result.output
    for output in (result.output,):
        assert "Traceback" not in output


def test_a_dossier_that_breaks_its_lot_costs_only_itself(caseload, tmp_path, monkeypatch):
    """A dossier the solver fails on goes to the errors with its origin; the rest of its lot is decided."""
    from engine import resume

    real = resume.summarize_many

    def fragile(dossiers, *args, **kwargs):
        if any(d.id == "synthetique-0000005" for d in dossiers):
            raise RuntimeError("panne simulée")
        return real(dossiers, *args, **kwargs)

    monkeypatch.setattr(usecases.batch, "summarize_many", fragile)
    results = tmp_path / "d.jsonl"
    report = run_batch(caseload, results, workers=1, chunk_size=8)
    errors = [json.loads(line) for line in errors_path(results).read_text(encoding="utf-8").splitlines()]
    failed = [e for e in errors if e.get("dossier") == "synthetique-0000005"]
    assert len(failed) == 1 and "panne simulée" in failed[0]["message"] and ":" in failed[0]["origine"]
    assert report.decides == 29 and report.erreurs == 4
    result = CliRunner().invoke(main, ["batch", str(caseload), "-o", str(tmp_path / "e.jsonl"), "--processus", "1"])
    assert result.exit_code == EXIT_DOSSIERS_EN_ERREUR


def test_a_dossier_that_breaks_its_lot_in_diff_costs_only_itself(caseload, tmp_path, monkeypatch):
    import usecases.impact
    from usecases.impact import compute_impact

    real = usecases.impact.summarize_many

    def fragile(dossiers, *args, **kwargs):
        if any(d.id == "synthetique-0000005" for d in dossiers):
            raise RuntimeError("panne simulée")
        return real(dossiers, *args, **kwargs)

    monkeypatch.setattr(usecases.impact, "summarize_many", fragile)
    amendment = Path(__file__).resolve().parent.parent / "kb/mali/inps/amendements/af_3500.yaml"
    impact = compute_impact(caseload, amendment, __import__("datetime").date(2026, 1, 1), workers=1, chunk_size=8)
    failed = [m for o, m in impact.erreurs if "panne simulée" in m]
    assert len(failed) == 1 and f"{caseload}:" in failed[0]
    assert impact.dossiers == 29


def test_an_unreadable_case_file_costs_only_itself(tmp_path):
    cases = Path(__file__).resolve().parent / "cas"
    folder = tmp_path / "cas"
    (folder / "modeles").mkdir(parents=True)
    for model in (cases / "modeles").glob("*.yaml"):
        (folder / "modeles" / model.name).write_bytes(model.read_bytes())
    good = cases / "allocations_familiales" / "accord.yaml"
    (folder / "af").mkdir()
    (folder / "af" / "bon.yaml").write_bytes(good.read_bytes())  # its model is ../modeles/salarie.yaml
    (folder / "casse.yaml").write_text("nom: x\n  mal: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(folder)])
    assert result.exit_code == 1
    assert "casse.yaml" in result.output and "illisible" in result.output
    assert result.output.rstrip().endswith(" passed, 1 failed") and "\n0 passed" not in result.output, result.output


# -- the journal belongs to no single writer (issue 23, points 1 and 2) --------------------------------------
def _ids(journal: Path) -> dict[int, tuple]:
    with sqlite3.connect(journal) as connection:
        return {r[0]: r[1:] for r in connection.execute("SELECT rowid, dossier, prestation, statut, montants "
                                                        "FROM decisions")}


def test_a_reprise_keeps_the_rows_other_writers_added_and_never_reuses_an_id(caseload, reference, tmp_path):
    """Killed after lot 2 reached the journal but before the state named it; three requests to the API on the
    same journal; the reprise removes lot 2's rows and nothing else, and its new rows take new ids."""
    from fastapi.testclient import TestClient

    from console.app import create_app
    from console.reglages import Reglages

    results, journal = tmp_path / "d.jsonl", tmp_path / "j.sqlite"
    assert _killed_at(caseload, results, journal, "journal", 2) == 9
    uncommitted = set(_ids(journal))
    dossier = json.loads(caseload.read_text(encoding="utf-8").splitlines()[0])
    app = create_app(Reglages(journal=str(journal), travail=str(tmp_path / "travail")))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        for _ in range(3):
            assert client.post("/api/v1/evaluate", json=dossier).status_code == 200
    with sqlite3.connect(journal) as connection:
        api = {r[0] for r in connection.execute("SELECT decision FROM console_liens")}
    before = _ids(journal)
    assert len(api) >= 3 and api <= set(before)
    run_batch(caseload, results, workers=1, chunk_size=4, journal=journal)
    after = _ids(journal)
    assert {i: after.get(i) for i in api} == {i: before[i] for i in api}  # still there, under their ids
    assert min(set(after) - set(before)) > max(before)  # no id handed out twice
    assert set(before) - set(after) <= uncommitted  # only the killed run's own rows were removed
    batch_rows = sorted((d, p, s, m) for i, (d, p, s, m) in after.items() if i not in api)
    assert batch_rows == _journal_rows(reference.with_name("j.sqlite"))
    assert results.read_bytes() == reference.read_bytes()


def test_two_batches_sharing_a_journal_lose_no_row(caseload, reference, tmp_path):
    journal = tmp_path / "j.sqlite"
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert _killed_at(caseload, first, journal, "journal", 3) == 9  # lot 3 written, not committed
    run_batch(caseload, second, workers=1, chunk_size=4, journal=journal)  # another run, start to end
    assert _killed_at(caseload, first, journal, "etat", 5) == 9  # the first is taken up, killed again
    run_batch(caseload, first, workers=1, chunk_size=4, journal=journal)
    expected = _journal_rows(reference.with_name("j.sqlite"))
    assert _journal_rows(journal) == sorted(expected * 2)
    assert first.read_bytes() == second.read_bytes() == reference.read_bytes()


def test_a_journal_restored_from_an_older_copy_is_refused(caseload, tmp_path):
    results, journal = tmp_path / "d.jsonl", tmp_path / "j.sqlite"
    assert _killed_at(caseload, results, journal, "etat", 1) == 9
    older = journal.read_bytes()
    assert _killed_at(caseload, results, journal, "etat", 3) == 9  # two more lots committed, journal included
    journal.write_bytes(older)
    kept = results.read_bytes(), errors_path(results).read_bytes()
    with pytest.raises(BatchError, match="le journal a perdu des lignes que cette exécution de batch y a validées"):
        run_batch(caseload, results, workers=1, chunk_size=4, journal=journal)
    result = CliRunner().invoke(main, ["batch", str(caseload), "-o", str(results), "--journal", str(journal),
                                       "--processus", "1", "--lot", "4"])
    assert result.exit_code == 1 and "Reprise refusée" in result.output and "Traceback" not in result.output
    assert (results.read_bytes(), errors_path(results).read_bytes()) == kept  # a refused reprise changes nothing


_FIRST_SCHEMA = ("CREATE TABLE decisions (dossier TEXT, empreinte TEXT, version_base TEXT, base TEXT, "
                 "date_evaluation TEXT, date_reference TEXT, prestation TEXT, statut TEXT, montants TEXT, "
                 "conditions TEXT)")


def test_a_journal_of_the_first_schema_is_migrated_its_rows_keeping_their_ids(caseload, tmp_path):
    journal = tmp_path / "ancien.sqlite"
    with sqlite3.connect(journal) as connection:
        connection.execute(_FIRST_SCHEMA)
        connection.executemany("INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?)",
                               [(f"ancien-{i}", "e", "v", "mali-inps", "2026-01-01T00:00:00+00:00", "2026-01-01",
                                 "allocations_familiales", "accorde", "{}", "{}") for i in range(5)])
    run_batch(caseload, tmp_path / "d.jsonl", workers=1, chunk_size=8, journal=journal)
    rows = _ids(journal)
    assert {i: rows[i][0] for i in range(1, 6)} == {i: f"ancien-{i - 1}" for i in range(1, 6)}
    assert min(set(rows) - {1, 2, 3, 4, 5}) > 5
    with sqlite3.connect(journal) as connection:
        columns = [r[1] for r in connection.execute("PRAGMA table_info(decisions)")]
        assert columns[0] == "id" and "execution" in columns
        # From now on the last row's id is not handed out again once that row is gone.
        last = max(rows)
        connection.execute("DELETE FROM decisions WHERE id = ?", (last,))
        again = connection.execute("INSERT INTO decisions (dossier) VALUES ('nouveau')").lastrowid
        assert again > last
    # A « decisions » table that is not a journal's is refused, and left alone.
    foreign = tmp_path / "autre.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE decisions (numero INTEGER, texte TEXT)")
    with pytest.raises(BatchError, match="n'est pas un journal de décisions"):
        run_batch(caseload, tmp_path / "e.jsonl", workers=1, journal=foreign)
    with sqlite3.connect(foreign) as connection:
        assert [r[1] for r in connection.execute("PRAGMA table_info(decisions)")] == ["numero", "texte"]


def test_a_second_writer_through_a_symbolic_link_is_refused(caseload, tmp_path):
    """The lock is the file's, not the name's (issue 23, point 8)."""
    results, link = tmp_path / "d.jsonl", tmp_path / "lien.jsonl"
    link.symlink_to(results.name)
    started = multiprocessing.get_context("fork").Event()

    def first() -> None:
        def checkpoint(where: str, number: int) -> None:
            if (where, number) == ("avant", 0):
                started.set()
                time.sleep(30)

        usecases.batch._checkpoint = checkpoint
        run_batch(caseload, results, workers=1, chunk_size=4)

    process = multiprocessing.get_context("fork").Process(target=first)
    process.start()
    try:
        assert started.wait(60)
        with pytest.raises(BatchError, match="une autre exécution de batch écrit déjà ce fichier"):
            run_batch(caseload, link, workers=1)
        hard = tmp_path / "dur.jsonl"
        os.link(results, hard)
        with pytest.raises(BatchError, match="une autre exécution"):
            run_batch(caseload, hard, workers=1)
    finally:
        process.kill()
        process.join()
    run_batch(caseload, link, workers=1, chunk_size=4)  # the same output, taken up under its other name
    lines = results.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len({json.loads(line)["dossier"] for line in lines}) == 30


_DISQUE_PLEIN = """
import os, sys
if __name__ == "__main__":
    import usecases.batch as batch

    def fsync(fd):
        raise OSError(28, "No space left on device")

    batch.os = type(sys)("os_sans_place")  # this module's os only: the workers and Python itself keep theirs
    batch.os.__dict__.update(os.__dict__)
    batch.os.fsync = fsync
    from cli.main import main
    main(sys.argv[1:])
"""


def test_a_full_disk_with_two_processes_ends_in_french_and_nothing_else(caseload, tmp_path):
    script = tmp_path / "disque_plein.py"
    script.write_text(_DISQUE_PLEIN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    finished = subprocess.run([sys.executable, str(script), "batch", str(caseload), "-o", str(tmp_path / "d.jsonl"),
                               "--processus", "2", "--lot", "2"], capture_output=True, text=True, timeout=120, env=env)
    assert finished.returncode == 1
    assert "disque plein" in finished.stderr
    assert "Exception ignored" not in finished.stderr and "Traceback" not in finished.stderr, finished.stderr


def test_a_state_of_the_first_format_is_taken_up_without_a_journal_and_refused_with_one(caseload, reference, tmp_path):
    """A first-format state named its journal rows by row id: with a journal, its rows cannot be told from
    other writers' rows, and a reprise could erase them."""
    for with_journal in (False, True):
        folder = tmp_path / f"journal-{with_journal}"
        folder.mkdir()
        results, journal = folder / "d.jsonl", folder / "j.sqlite"
        assert _killed_at(caseload, results, journal if with_journal else None, "etat", 2) == 9
        state_file = folder / "d.jsonl.etat"
        state = json.loads(state_file.read_text(encoding="utf-8"))
        first = {k: v for k, v in state.items() if k not in ("execution", "lots", "lignes_journal")}
        state_file.write_text(json.dumps({**first, "format": 1, "ligne_journal": 40}), encoding="utf-8")
        if with_journal:
            with pytest.raises(BatchError, match="version précédente de prevoyance"):
                run_batch(caseload, results, workers=1, chunk_size=4, journal=journal)
        else:
            run_batch(caseload, results, workers=1, chunk_size=4)
            assert results.read_bytes() == reference.read_bytes()

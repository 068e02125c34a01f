"""Batch evaluation (issue 7): one line per dossier, errors apart, reprise, journal, Parquet, Dask."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from cli.main import EXIT_DOSSIERS_EN_ERREUR, main
from engine.program import Mode
from engine.solver import evaluate_many
from engine.validation import validate
from usecases.batch import run_batch, write_parquet
from usecases.generation import generate


@pytest.fixture
def caseload(tmp_path):
    path = tmp_path / "charge.jsonl"
    lines = [json.dumps(d, ensure_ascii=False) for d in generate(40, seed=12)]
    lines.insert(7, '{"id": "mauvais", "demandeur": {"jours_mois": "vingt"}}')
    lines.insert(20, "{pas du json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_dossier_gives_one_line_and_errors_go_apart(caseload, tmp_path):
    results = tmp_path / "decisions.jsonl"
    report = run_batch(caseload, results, workers=1, chunk_size=8)
    assert (report.decides, report.erreurs, report.repris) == (40, 2, 0)
    decisions = _lines(results)
    errors = _lines(tmp_path / "decisions.erreurs.jsonl")
    assert [d["dossier"] for d in decisions] == [d["id"] for d in generate(40, seed=12)]
    assert "demandeur.jours_mois" in errors[0]["message"] and "JSON illisible" in errors[1]["message"]
    # The batch says what the full evaluation says.
    full = evaluate_many([validate(d) for d in generate(40, seed=12)], Mode.DECISION)
    for record, decision in zip(decisions, full, strict=True):
        for pid, prestation in decision.prestations.items():
            assert record["prestations"][pid]["statut"] == prestation.statut
            failed = {c["id"] for c in record["prestations"][pid].get("conditions_non_remplies", [])}
            assert failed == {c.noeud for c in prestation.conditions if c.etat == "non_rempli"}
            for c in record["prestations"][pid].get("conditions_non_remplies", []):
                assert c["source"]


def test_an_interrupted_run_is_taken_up_where_it_stopped(caseload, tmp_path):
    complete = tmp_path / "complet.jsonl"
    run_batch(caseload, complete, workers=1, chunk_size=8)
    cut = tmp_path / "coupe.jsonl"
    # A run cut in the middle of writing its third lot: the state names two lots, the files hold more.
    def stop_at_third_lot(where, lot):
        if (where, lot) == ("resultats", 2):
            raise KeyboardInterrupt

    import usecases.batch

    real, usecases.batch._checkpoint = usecases.batch._checkpoint, stop_at_third_lot
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(caseload, cut, workers=1, chunk_size=8)
    finally:
        usecases.batch._checkpoint = real
    with cut.open("a", encoding="utf-8") as torn:
        torn.write('{"dossier": "moit')  # and a torn line past it
    report = run_batch(caseload, cut, workers=1, chunk_size=8)
    assert report.repris == 16
    assert cut.read_text(encoding="utf-8") == complete.read_text(encoding="utf-8")
    assert len(_lines(tmp_path / "coupe.erreurs.jsonl")) == 2


def test_processes_give_the_same_lines(caseload, tmp_path, monkeypatch):
    one, two = tmp_path / "un.jsonl", tmp_path / "deux.jsonl"
    run_batch(caseload, one, workers=1, chunk_size=8)
    # Each worker replaced after every batch: fresh processes decide the same way, in the same order.
    monkeypatch.setattr("usecases.caseload.BATCHES_PER_WORKER", 1)
    run_batch(caseload, two, workers=2, chunk_size=8)
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


def test_journal_and_parquet(caseload, tmp_path):
    results, journal = tmp_path / "d.jsonl", tmp_path / "journal.sqlite"
    run_batch(caseload, results, workers=1, journal=journal)
    with sqlite3.connect(journal) as connection:
        rows = connection.execute("SELECT dossier, empreinte, version_base, statut FROM decisions").fetchall()
    assert len({r[0] for r in rows}) == 40
    assert all(len(r[1]) == 64 and r[2].startswith("mali-inps@") for r in rows)
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    table = tmp_path / "d.parquet"
    count = write_parquet(results, table)
    assert pyarrow_parquet.read_table(table).num_rows == count == len(rows)
    shown = CliRunner().invoke(main, ["journal", str(journal), "synthetique-0000003"])
    assert shown.exit_code == 0 and "base mali-inps@" in shown.output
    assert CliRunner().invoke(main, ["journal", str(journal), "inconnu"]).exit_code == 1


def test_batch_command(caseload, tmp_path):
    results = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["batch", str(caseload), "-o", str(results), "--processus", "1",
                                       "--parquet", str(tmp_path / "out.parquet")])
    assert result.exit_code == EXIT_DOSSIERS_EN_ERREUR, result.output  # two dossiers of the caseload are bad
    assert "40 dossiers décidés, 2 en erreur" in result.output
    assert len(_lines(results)) == 40


def test_dask_cluster_of_processes(caseload, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        results = tmp_path / "dask.jsonl"
        report = run_batch(caseload, results, chunk_size=10, scheduler=cluster.scheduler_address)
    local = tmp_path / "local.jsonl"
    run_batch(caseload, local, workers=1, chunk_size=10)
    assert report.decides == 40
    assert results.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")

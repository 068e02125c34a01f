"""The tools' shared pieces (issue 15): one list of a caseload's dossier files, caseloads written whole, the
journal's filters, and the generator's documents read from the knowledge base's table."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from engine.regime import load_regime
from usecases import journal
from usecases.caseload import count_dossiers, dossier_files, read_caseload, write_caseload
from usecases.generation import TablePieces, generate


def test_one_list_of_dossier_files(tmp_path):
    for name in ("a.yaml", "b/c.YML", "b/d.json", ".cache/e.yaml", "b/.f.yaml", "g.txt", "sortie/h.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [str(p.relative_to(tmp_path)) for p in dossier_files(tmp_path)] == [
        "a.yaml", "b/c.YML", "b/d.json", "sortie/h.yaml"]
    assert "sortie/h.yaml" not in [str(p.relative_to(tmp_path)) for p in dossier_files(tmp_path, tmp_path / "sortie")]
    assert count_dossiers(tmp_path) == 4
    assert [e.origine for e in read_caseload(tmp_path)] == [str(p) for p in dossier_files(tmp_path)]


def test_a_caseload_is_written_as_lines_or_as_files(tmp_path):
    dossiers = list(generate(3, seed=1))
    assert write_caseload(dossiers, tmp_path / "c.jsonl") == 3
    assert (tmp_path / "c.jsonl").read_text(encoding="utf-8") == "".join(
        json.dumps(d, ensure_ascii=False) + "\n" for d in dossiers)
    assert write_caseload(iter(dossiers), tmp_path / "dossiers") == 3
    assert sorted(p.name for p in (tmp_path / "dossiers").iterdir()) == [f"{d['id']}.yaml" for d in dossiers]
    read = [e.dossier.data for e in read_caseload(tmp_path / "dossiers")]
    assert [d["id"] for d in read] == [d["id"] for d in dossiers]


def test_the_journal_filter_finds_a_condition_by_its_name_not_by_a_prefix(tmp_path):
    connection = sqlite3.connect(tmp_path / "j.sqlite")
    journal.creer(connection)
    record = {"dossier": "x_1", "empreinte": "e", "version_base": "v", "base": "b", "date_reference": "2026-01-01",
              "prestations": {"af": {"statut": "refuse", "conditions_non_remplies": [{"id": "age(enfant(0))"}]},
                              "pn": {"statut": "refuse", "conditions_non_remplies": [{"id": "stage"}]}}}
    connection.executemany(journal.INSERT, journal.rows(record, "2026-01-02T00:00:00+00:00"))

    def found(**filters):
        where, params = journal.filtre(**filters)
        return [r[0] for r in connection.execute(f"SELECT prestation FROM decisions{where}", params)]

    assert found(condition="age") == ["af"]
    assert found(condition="age(enfant(0))") == ["af"]
    assert found(condition="ag") == [] and found(condition="Age") == []
    assert found(condition="stage") == ["pn"]
    assert found(dossier_contient="x_") == ["af", "pn"] and found(dossier_contient="x%") == []
    assert found(du="2026-01-03") == [] and found(au="2026-01-02", statut="refuse", prestation="pn") == ["pn"]
    assert journal.conditions_non_remplies(connection) == ["age", "stage"]


def test_the_generator_reads_the_table_of_documents_from_the_base():
    regime = load_regime("mali-inps")
    table = TablePieces(regime)
    assert table.socle == ["demande_prestations_familiales", "acte_naissance_demandeur", "attestation_service",
                           "bulletin_presence_9_mois"]
    assert table.pieces(["conge_naissance", "prime_premier_etablissement"], ["aucune"]) == [
        *table.socle, "acte_mariage", "acte_naissance_conjoint", "acte_naissance_enfant"]
    assert table.pieces(["allocations_familiales"], ["infirmite", "etudes"])[-2:] == [
        "certificat_frequentation_scolaire", "certificat_medical_infirmite"]
    # An amendment of the table reaches the generated dossiers.
    path = next(p for p in regime.program_files if p.name == "pieces.lp")
    text = path.read_text(encoding="utf-8").replace(
        "piece_requise(D, conge_naissance, acte_naissance_enfant)",
        "piece_requise(D, conge_naissance, (acte_naissance_enfant; bulletin_naissance))")
    amended = dataclasses.replace(regime, rewritten={path: text})
    assert TablePieces(amended).pieces(["conge_naissance"], []) == [
        *table.socle, "acte_naissance_enfant", "bulletin_naissance"]


def test_a_file_made_once_is_never_replaced_nor_left_half_written(tmp_path):
    from engine.files import write_new

    target = tmp_path / "cle"
    assert write_new(target, b"premiere", permissions=0o600)
    assert not write_new(target, b"seconde", permissions=0o600)
    assert target.read_bytes() == b"premiere" and target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["cle"]

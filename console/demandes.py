"""The console's store: the SQLite journal of ``prevoyance batch --journal``, with who asked for each decision.

Rows of the ``decisions`` table (the batch's: one per prestation decided) are
written the same way for a decision taken through the console or the API, so
``prevoyance journal`` reads them too. Beside it, the console keeps its own
tables: ``console_demandes`` (who asked, through which channel, and the
dossier as decided, so that a decision can be opened again, explained and
edited), ``console_liens`` (which rows of ``decisions`` a request made) and
``console_travaux`` (impact jobs, so that every worker process sees them).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.model import Decision
from usecases import journal

PAR_PAGE = 25

_TABLES = """
CREATE TABLE IF NOT EXISTS console_demandes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, date_evaluation TEXT, auteur TEXT, canal TEXT, dossier TEXT,
  base TEXT, version_base TEXT, empreinte TEXT, donnees TEXT);
CREATE TABLE IF NOT EXISTS console_liens (decision INTEGER PRIMARY KEY, demande INTEGER);
CREATE TABLE IF NOT EXISTS console_travaux (
  id TEXT PRIMARY KEY, date TEXT, auteur TEXT, amendement TEXT, etat TEXT, fait INTEGER, total INTEGER,
  message TEXT, rapport_html TEXT, rapport_json TEXT);
CREATE INDEX IF NOT EXISTS par_date ON decisions (date_evaluation);
"""
# A journal row with the request that made it (none for the batch's rows).
_LIGNES = ("SELECT d.rowid, d.dossier, d.prestation, d.statut, d.montants, d.conditions, d.date_evaluation, "
           "d.date_reference, d.base, d.version_base, d.empreinte, c.auteur, c.canal, c.id, d.personne "
           "FROM decisions d LEFT JOIN console_liens l ON l.decision = d.rowid "
           "LEFT JOIN console_demandes c ON c.id = l.demande")


@dataclass
class Ligne:
    """One row of the journal: one prestation decided for one dossier."""

    rowid: int
    dossier: str
    prestation: str
    statut: str
    montants: dict[str, int]
    conditions: dict[str, list[dict[str, str]]]
    date_evaluation: str
    date_reference: str
    base: str
    version_base: str
    empreinte: str
    auteur: str | None
    canal: str
    demande: int | None
    personne: dict[str, str]  # the applicant's name and registration number, when the row names them


class JournalConsole:
    """The journal file, shared by the threads of one process (one connection, one lock)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.lock = threading.Lock()
        self._ouvrir()

    def _ouvrir(self) -> None:
        path = self.path
        self.connection = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        try:
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            journal.creer(self.connection)  # the batch's table and indexes, exactly as batch makes them
            self.connection.executescript(_TABLES)
        except sqlite3.DatabaseError as exc:
            self.connection.close()
            raise journal.JournalError(journal.sqlite_message(path, exc)) from exc
        except journal.JournalError as exc:  # a « decisions » table that is not a journal's
            self.connection.close()
            raise journal.JournalError(f"{path} : {exc}") from exc
        self.ouvert = True

    def rouvrir(self) -> None:
        """Open the file again after :meth:`close` (an application started again, as an in-process test does)."""
        with self.lock:
            if not self.ouvert:
                self._ouvrir()

    def close(self) -> None:
        with self.lock:
            self.connection.close()
            self.ouvert = False

    # -- decisions ---------------------------------------------------------------------
    def enregistrer(self, decision: Decision, data: dict[str, Any], auteur: str, canal: str) -> int:
        """Record a decision taken through the console or the API; its request's id."""
        now = journal.now()
        digest = journal.fingerprint(data)
        with self.lock, self.connection:
            cursor = self.connection.execute(
                "INSERT INTO console_demandes (date_evaluation, auteur, canal, dossier, base, version_base, "
                "empreinte, donnees) VALUES (?,?,?,?,?,?,?,?)",
                (now, auteur, canal, decision.dossier, decision.base, decision.version_base, digest,
                 json.dumps(data, ensure_ascii=False)))
            demande = cursor.lastrowid
            record = {**journal.record_of(decision, digest), "personne": journal.personne_of(data)}
            for row in journal.rows(record, now):
                decided = self.connection.execute(journal.INSERT, row)
                self.connection.execute("INSERT INTO console_liens VALUES (?, ?)", (decided.lastrowid, demande))
        return int(demande)

    def demande(self, ident: int) -> dict[str, Any] | None:
        """A request recorded by the console: who, when, and the dossier as decided."""
        with self.lock:
            row = self.connection.execute(
                "SELECT id, date_evaluation, auteur, canal, dossier, base, version_base, empreinte, donnees "
                "FROM console_demandes WHERE id = ?", (ident,)).fetchone()
        if row is None:
            return None
        keys = ("id", "date_evaluation", "auteur", "canal", "dossier", "base", "version_base", "empreinte", "donnees")
        out = dict(zip(keys, row, strict=True))
        out["donnees"] = json.loads(out["donnees"])
        return out

    def chercher(self, dossier: str = "", prestation: str = "", statut: str = "", condition: str | list[str] = "",
                 du: str = "", au: str = "", page: int = 1, par_page: int = PAR_PAGE,
                 personne: str = "") -> tuple[list[Ligne], int]:
        """Rows matching every filter given, newest first, one page; and how many match in all."""
        clause, params = journal.filtre(prestation, statut, condition, dossier_contient=dossier, du=du, au=au,
                                        table="d", personne_contient=personne)
        page = max(1, page)
        with self.lock:
            total = self.connection.execute(f"SELECT count(*) FROM decisions d{clause}", params).fetchone()[0]
            rows = self.connection.execute(f"{_LIGNES}{clause} ORDER BY d.date_evaluation DESC, d.rowid DESC "
                                           "LIMIT ? OFFSET ?", [*params, par_page, (page - 1) * par_page]).fetchall()
        return [_ligne(r) for r in rows], total

    def ligne(self, rowid: int) -> Ligne | None:
        with self.lock:
            row = self.connection.execute(f"{_LIGNES} WHERE d.rowid = ?", (rowid,)).fetchone()
        return _ligne(row) if row else None

    def conditions_connues(self) -> list[str]:
        """Failed conditions found in the journal (for the search form's choices)."""
        with self.lock:
            return journal.conditions_non_remplies(self.connection)

    # -- impact jobs -------------------------------------------------------------------
    def travail_creer(self, ident: str, auteur: str, amendement: str, total: int) -> None:
        now = journal.now()
        with self.lock, self.connection:
            self.connection.execute("INSERT INTO console_travaux VALUES (?,?,?,?,?,?,?,?,?,?)",
                                    (ident, now, auteur, amendement, "en_attente", 0, total, "", None, None))

    def travail_maj(self, ident: str, **values: Any) -> None:
        columns = ", ".join(f"{k} = ?" for k in values)
        with self.lock, self.connection:
            self.connection.execute(f"UPDATE console_travaux SET {columns} WHERE id = ?", [*values.values(), ident])

    def travail(self, ident: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.connection.execute(
                "SELECT id, date, auteur, amendement, etat, fait, total, message, rapport_html, rapport_json "
                "FROM console_travaux WHERE id = ?", (ident,)).fetchone()
        keys = ("id", "date", "auteur", "amendement", "etat", "fait", "total", "message", "rapport_html",
                "rapport_json")
        return dict(zip(keys, row, strict=True)) if row else None

    def travaux(self, limite: int = 20) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.connection.execute(
                "SELECT id, date, auteur, amendement, etat, fait, total FROM console_travaux "
                "ORDER BY date DESC LIMIT ?", (limite,)).fetchall()
        keys = ("id", "date", "auteur", "amendement", "etat", "fait", "total")
        return [dict(zip(keys, r, strict=True)) for r in rows]


def _ligne(row: tuple) -> Ligne:
    (rowid, dossier, prestation, statut, montants, conditions, when, reference, base, version, digest, auteur,
     canal, demande, personne) = row
    return Ligne(rowid, dossier, prestation, statut, json.loads(montants or "{}"), json.loads(conditions or "{}"),
                 when, reference, base, version, digest, auteur, canal or "batch", demande,
                 json.loads(personne or "{}"))

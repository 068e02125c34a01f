"""The console's store: the SQLite journal of ``prevoyance batch --journal``, with who asked for each decision.

Rows of the ``decisions`` table (the batch's: one per benefit decided) are
written the same way for a decision taken through the console or the API, so
``prevoyance journal`` reads them too. Beside it, the console keeps its own
tables: ``console_demandes`` (who asked, through which channel, and the
dossier as decided, so that a decision can be opened again, explained and
edited), ``console_liens`` (which rows of ``decisions`` a request made) and
``console_travaux`` (impact jobs, so that every worker process sees them).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.model import Decision
from engine.tools.batch import Journal, fingerprint

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


@dataclass
class Ligne:
    """One row of the journal: one benefit decided for one dossier."""

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


def _etats(decision: Decision) -> dict[str, dict[str, Any]]:
    """Each benefit as the batch journals it: status, amounts, failed and unknown conditions with their source
    (the branches of the condition tree in that state, as :meth:`engine.model.Prestation.failed` gives them)."""
    out = {}
    for pid, prestation in decision.prestations.items():
        entry: dict[str, Any] = {"statut": prestation.statut}
        entry.update({f"montant_{k}": v for k, v in prestation.montants.items()})
        for nodes, key in ((prestation.failed(), "conditions_non_remplies"),
                           (prestation.unknown(), "conditions_inconnues")):
            seen: dict[str, str] = {}
            for node in nodes:  # the branches that explain the status, not the exceptions of met conditions
                seen.setdefault(node.noeud, " ; ".join(x for x in (node.source, node.article) if x))
            if seen:
                entry[key] = [{"id": n, "source": s} for n, s in sorted(seen.items())]
        out[pid] = entry
    return out


class JournalConsole:
    """The journal file, shared by the threads of one process (one connection, one lock)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        Journal(self.path).close()  # the batch's table and indexes, exactly as batch makes them
        self.connection = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.executescript(_TABLES)
        self.lock = threading.Lock()

    def close(self) -> None:
        with self.lock:
            self.connection.close()

    # -- decisions ---------------------------------------------------------------------
    def enregistrer(self, decision: Decision, data: dict[str, Any], auteur: str, canal: str) -> int:
        """Record a decision taken through the console or the API; its request's id."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        digest = fingerprint(data)
        with self.lock, self.connection:
            cursor = self.connection.execute(
                "INSERT INTO console_demandes (date_evaluation, auteur, canal, dossier, base, version_base, "
                "empreinte, donnees) VALUES (?,?,?,?,?,?,?,?)",
                (now, auteur, canal, decision.dossier, decision.base, decision.version_base, digest,
                 json.dumps(data, ensure_ascii=False)))
            demande = cursor.lastrowid
            for pid, p in _etats(decision).items():
                montants = {k: v for k, v in p.items() if k.startswith("montant_")}
                conditions = {k: p[k] for k in ("conditions_non_remplies", "conditions_inconnues") if k in p}
                row = self.connection.execute(
                    "INSERT INTO decisions (dossier, empreinte, version_base, base, date_evaluation, date_reference, "
                    "prestation, statut, montants, conditions) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (decision.dossier, digest, decision.version_base, decision.base, now,
                     decision.date_reference.isoformat(), pid, p["statut"], json.dumps(montants),
                     json.dumps(conditions, ensure_ascii=False)))
                self.connection.execute("INSERT INTO console_liens VALUES (?, ?)", (row.lastrowid, demande))
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

    def chercher(self, dossier: str = "", prestation: str = "", statut: str = "", condition: str = "",
                 du: str = "", au: str = "", page: int = 1, par_page: int = PAR_PAGE) -> tuple[list[Ligne], int]:
        """Rows matching every filter given, newest first, one page; and how many match in all."""
        where, params = [], []
        if dossier:
            where.append("d.dossier LIKE ? ESCAPE '\\'")
            params.append("%" + _like(dossier) + "%")
        if prestation:
            where.append("d.prestation = ?")
            params.append(prestation)
        if statut:
            where.append("d.statut = ?")
            params.append(statut)
        if condition:
            where.append("EXISTS (SELECT 1 FROM json_each(d.conditions, '$.conditions_non_remplies') j "
                         "WHERE json_extract(j.value, '$.id') = ? OR json_extract(j.value, '$.id') LIKE ? ESCAPE '\\')")
            params += [condition, _like(condition) + "(%"]  # « age » finds age(enfant(0)) too
        if du:
            where.append("substr(d.date_evaluation, 1, 10) >= ?")
            params.append(du)
        if au:
            where.append("substr(d.date_evaluation, 1, 10) <= ?")
            params.append(au)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        page = max(1, page)
        with self.lock:
            total = self.connection.execute(f"SELECT count(*) FROM decisions d {clause}", params).fetchone()[0]
            rows = self.connection.execute(
                "SELECT d.rowid, d.dossier, d.prestation, d.statut, d.montants, d.conditions, d.date_evaluation, "
                "d.date_reference, d.base, d.version_base, d.empreinte, c.auteur, c.canal, c.id "
                f"FROM decisions d LEFT JOIN console_liens l ON l.decision = d.rowid "
                f"LEFT JOIN console_demandes c ON c.id = l.demande {clause} "
                "ORDER BY d.date_evaluation DESC, d.rowid DESC LIMIT ? OFFSET ?",
                [*params, par_page, (page - 1) * par_page]).fetchall()
        return [_ligne(r) for r in rows], total

    def ligne(self, rowid: int) -> Ligne | None:
        with self.lock:
            row = self.connection.execute(
                "SELECT d.rowid, d.dossier, d.prestation, d.statut, d.montants, d.conditions, d.date_evaluation, "
                "d.date_reference, d.base, d.version_base, d.empreinte, c.auteur, c.canal, c.id "
                "FROM decisions d LEFT JOIN console_liens l ON l.decision = d.rowid "
                "LEFT JOIN console_demandes c ON c.id = l.demande WHERE d.rowid = ?", (rowid,)).fetchone()
        return _ligne(row) if row else None

    def conditions_connues(self) -> list[str]:
        """Failed conditions found in the journal (for the search form's choices)."""
        with self.lock:
            rows = self.connection.execute(
                "SELECT DISTINCT json_extract(j.value, '$.id') FROM decisions d, "
                "json_each(d.conditions, '$.conditions_non_remplies') j").fetchall()
        return sorted({str(r[0]).split("(")[0] for r in rows if r[0]})

    # -- impact jobs -------------------------------------------------------------------
    def travail_creer(self, ident: str, auteur: str, amendement: str, total: int) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
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


def _like(text: str) -> str:
    """Text matched literally by LIKE … ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ligne(row: tuple) -> Ligne:
    (rowid, dossier, prestation, statut, montants, conditions, when, reference, base, version, digest, auteur,
     canal, demande) = row
    return Ligne(rowid, dossier, prestation, statut, json.loads(montants or "{}"), json.loads(conditions or "{}"),
                 when, reference, base, version, digest, auteur, canal or "batch", demande)

"""The decisions journal (SQLite) that ``prevoyance batch --journal`` and the console write: its schema,
its writes, its queries.

The journal keeps, for each dossier and prestation, its status, amounts, the
conditions not met and unknown, the dossier's fingerprint and the version of
the base that decided: one row of the ``decisions`` table. This module alone
knows that table: it creates it (:data:`SCHEMA`, migrating a journal of the
first schema), turns a decision into its rows (:func:`rows`), writes them
(:class:`Journal` for the batch, each row marked with its run and lot; the
console inserts them with :data:`INSERT` in its own transaction) and reads them back
(:func:`decisions_du_dossier`, :func:`rechercher`, :func:`consulter`, and the
filters :func:`filtre` that the console's paged search shares).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from engine.model import Decision


class JournalError(Exception):
    """A journal that cannot be read or written: not a database, not a journal of decisions, a full disk."""


# -- schema ------------------------------------------------------------------------------------------
COLONNES = ("dossier", "empreinte", "version_base", "base", "date_evaluation", "date_reference", "prestation",
            "statut", "montants", "conditions")
# Every writer (batch runs, the console, the API) appends to one table. A row's id is never reused
# (AUTOINCREMENT: a deleted last row's id is not handed out again, so a link to a row never points at
# another one); a batch's rows carry its run (``execution``) and the number of the lot that wrote them,
# so that a resumed run removes its own uncommitted rows and nothing else (:meth:`Journal.cut`).
SCHEMA = ("CREATE TABLE IF NOT EXISTS decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, dossier TEXT, "
          "empreinte TEXT, version_base TEXT, base TEXT, date_evaluation TEXT, date_reference TEXT, prestation TEXT, "
          "statut TEXT, montants TEXT, conditions TEXT, execution TEXT, lot INTEGER, personne TEXT)",
          "CREATE INDEX IF NOT EXISTS par_dossier ON decisions (dossier)",
          "CREATE INDEX IF NOT EXISTS par_empreinte ON decisions (empreinte)",
          "CREATE INDEX IF NOT EXISTS par_execution ON decisions (execution, lot)")
# Each row also names the person (``personne``: the applicant's name and registration number, JSON), so that
# the journal is searched as a clerk thinks, by the person; a row written before it has none.
INSERT = (f"INSERT INTO decisions ({', '.join(COLONNES)}, personne) "
          f"VALUES ({', '.join('?' * (len(COLONNES) + 1))})")
INSERT_LOT = (f"INSERT INTO decisions ({', '.join(COLONNES)}, personne, execution, lot) "
              f"VALUES ({', '.join('?' * (len(COLONNES) + 3))})")
_CONDITIONS = ("conditions_non_remplies", "conditions_inconnues")


def creer(connection: sqlite3.Connection) -> None:
    """The ``decisions`` table and its indexes, when the database has none yet; a journal of the first
    schema (no row id of its own, no run) is migrated in place, its rows keeping their ids.

    Raises :class:`sqlite3.DatabaseError` for a file that is not a database, and :class:`JournalError` for
    a ``decisions`` table that is not a journal's.
    """
    columns = [row[1] for row in connection.execute("PRAGMA table_info(decisions)")]
    if columns and "execution" not in columns:
        _migrer(connection)
    for statement in SCHEMA:
        connection.execute(statement)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(decisions)")]
    if "personne" not in columns:  # a journal written before rows named the person: its rows keep none
        with contextlib.suppress(sqlite3.OperationalError):  # another process added it a moment ago
            connection.execute("ALTER TABLE decisions ADD COLUMN personne TEXT")
            connection.commit()


def _migrer(connection: sqlite3.Connection) -> None:
    """Rewrite a first-schema ``decisions`` table under :data:`SCHEMA`, in one transaction.

    Its rows keep their ids (the console's links name them); AUTOINCREMENT starts after the largest.
    Another process may migrate at the same time: the check is made again once the write lock is held.
    """
    previous = connection.isolation_level
    connection.isolation_level = None  # explicit transaction: DDL and copy commit together or not at all
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            columns = [row[1] for row in connection.execute("PRAGMA table_info(decisions)")]
            if "execution" not in columns:
                missing = [c for c in COLONNES if c not in columns]
                if missing:
                    raise JournalError(f"la table « decisions » n'a pas les colonnes d'un journal "
                                       f"({', '.join(missing)} manquent) : ce fichier n'est pas un journal de "
                                       "décisions")
                connection.execute("ALTER TABLE decisions RENAME TO decisions_premier_schema")
                connection.execute(SCHEMA[0])
                connection.execute(f"INSERT INTO decisions (id, {', '.join(COLONNES)}) "
                                   f"SELECT rowid, {', '.join(COLONNES)} FROM decisions_premier_schema ORDER BY rowid")
                connection.execute("DROP TABLE decisions_premier_schema")  # its indexes go with it
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    finally:
        connection.isolation_level = previous


def sqlite_message(path: str | Path, exc: sqlite3.Error) -> str:
    """What went wrong with the journal file, in French, and what to do."""
    text = str(exc)
    if "not a database" in text:
        return f"{path} : ce fichier n'est pas un journal (base SQLite) : choisissez un autre nom"
    if "full" in text:
        return f"{path} : disque plein : libérez de la place puis relancez la même commande (elle reprendra)"
    if "readonly" in text or "unable to open" in text:
        return f"{path} : journal impossible à écrire ({text}) : vérifiez les droits du dossier"
    return f"{path} : journal inutilisable ({text})"


# -- writes ------------------------------------------------------------------------------------------
def fingerprint(data: dict[str, Any]) -> str:
    """The dossier's hash: SHA-256 of its canonical JSON."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def now() -> str:
    """The journal's time of a decision: UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def personne_of(data: dict[str, Any]) -> dict[str, str]:
    """Who a dossier is about, as the contract names the applicant (``demandeur``: ``nom``, ``prenoms``,
    ``numero_immatriculation``, each optional): what the journal shows and searches instead of an id."""
    demandeur = data.get("demandeur") if isinstance(data, dict) else None
    if not isinstance(demandeur, dict):
        return {}
    out = {"nom": " ".join(str(demandeur[k]).strip() for k in ("prenoms", "nom")
                          if isinstance(demandeur.get(k), str) and demandeur[k].strip()),
           "immatriculation": str(demandeur.get("numero_immatriculation") or "").strip()}
    return {k: v for k, v in out.items() if v}


def rows(record: dict[str, Any], date_evaluation: str) -> list[tuple]:
    """The journal's rows of one decided dossier, one per prestation, in :data:`COLONNES` order then the person
    (``record["personne"]``, see :func:`personne_of`; none when the record does not carry it).

    ``record`` is a dossier's decision as the batch writes it (``dossier``, ``empreinte``, ``version_base``,
    ``base``, ``date_reference``, and ``prestations``: each prestation's ``statut``, ``montant_*`` and
    conditions not met or unknown).
    """
    out = []
    for pid, p in record["prestations"].items():
        montants = {k: v for k, v in p.items() if k.startswith("montant_")}
        conditions = {k: p[k] for k in _CONDITIONS if k in p}
        out.append((record["dossier"], record["empreinte"], record["version_base"], record["base"], date_evaluation,
                    record["date_reference"], pid, p["statut"], json.dumps(montants),
                    json.dumps(conditions, ensure_ascii=False),
                    json.dumps(record["personne"], ensure_ascii=False) if record.get("personne") else None))
    return out


def record_of(decision: Decision, empreinte: str) -> dict[str, Any]:
    """A decision taken one dossier at a time (the console, the API) as the batch records it (see :func:`rows`).

    Each prestation's failed and unknown conditions are the branches of its condition tree in that state, as
    :meth:`engine.model.Prestation.failed` gives them, with their source.
    """
    prestations = {}
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
        prestations[pid] = entry
    return {"dossier": decision.dossier, "empreinte": empreinte, "version_base": decision.version_base,
            "base": decision.base, "date_reference": decision.date_reference.isoformat(), "prestations": prestations}


class Journal:
    """The journal a batch run appends to: one row per prestation decided, one transaction per lot.

    Other writers (the console, the API, other runs) append to the same table at any time: this run
    only ever counts, or removes, rows that carry its own run id (``execution``).
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            # Another writer may hold the write lock for a moment (a console request, another run's lot).
            self.connection = sqlite3.connect(self.path, timeout=60)
            creer(self.connection)
        except sqlite3.DatabaseError as exc:
            raise JournalError(sqlite_message(path, exc)) from exc
        except JournalError as exc:
            raise JournalError(f"{path} : {exc}") from exc

    def rows_of(self, execution: str, before_lot: int) -> int:
        """How many rows the run ``execution`` wrote in its lots numbered below ``before_lot``."""
        return self.connection.execute("SELECT count(*) FROM decisions WHERE execution = ? AND lot < ?",
                                       (execution, before_lot)).fetchone()[0]

    def cut(self, execution: str, from_lot: int) -> int:
        """Remove the rows of the run ``execution`` written by its lots ``from_lot`` and later (lots whose
        commit the run's state does not name); every other row stays. How many were removed."""
        try:
            with self.connection:
                return self.connection.execute("DELETE FROM decisions WHERE execution = ? AND lot >= ?",
                                               (execution, from_lot)).rowcount
        except sqlite3.Error as exc:
            raise JournalError(sqlite_message(os.path.abspath(self.path), exc)) from exc

    def record(self, records: list[dict[str, Any]], execution: str, lot: int) -> int:
        """Append the rows of ``records`` (see :func:`rows`) for lot ``lot`` of the run ``execution``, in one
        transaction; how many rows were written."""
        when = now()
        written = [(*row, execution, lot) for r in records for row in rows(r, when)]
        try:
            with self.connection:
                self.connection.executemany(INSERT_LOT, written)
            return len(written)
        except sqlite3.Error as exc:
            raise JournalError(sqlite_message(os.path.abspath(self.path), exc)) from exc

    def close(self) -> None:
        self.connection.close()


# -- queries -----------------------------------------------------------------------------------------
@dataclass
class Entree:
    """One row of the journal: one prestation of one dossier, as decided."""

    dossier: str
    empreinte: str
    version_base: str
    base: str
    date_evaluation: str
    date_reference: str
    prestation: str
    statut: str
    montants: dict[str, Any] = field(default_factory=dict)
    non_remplies: list[dict[str, str]] = field(default_factory=list)
    inconnues: list[dict[str, str]] = field(default_factory=list)


def _entree(row: tuple) -> Entree:
    conditions = json.loads(row[9] or "{}")
    return Entree(*row[:8], montants=json.loads(row[8] or "{}"),
                  non_remplies=conditions.get("conditions_non_remplies", []),
                  inconnues=conditions.get("conditions_inconnues", []))


def filtre(prestation: str | None = None, statut: str | None = None, condition: str | list[str] | None = None,
           dossier_contient: str | None = None, du: str | None = None, au: str | None = None,
           table: str = "decisions", personne_contient: str | None = None) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause (empty when no filter) and its parameters for the rows matching every filter given.

    ``condition`` is a condition not met, by its id (``age(enfant(0))``) or its name (``age`` finds every
    child's); ``dossier_contient`` a part of the dossier's id; ``du`` and ``au`` bound the day of the
    decision (``AAAA-MM-JJ``). ``table`` is the name or alias the clause refers to. ``condition`` may be a
    list (any of them: the ids whose label a clerk typed); ``personne_contient`` a part of the person's name
    or registration number.
    """
    where, params = [], []
    if dossier_contient:
        where.append(f"{table}.dossier LIKE ? ESCAPE '\\'")
        params.append("%" + _like(dossier_contient) + "%")
    if personne_contient:
        where.append(f"{table}.personne LIKE ? ESCAPE '\\'")
        params.append("%" + _like(personne_contient.strip()) + "%")
    for column, value in (("prestation", prestation), ("statut", statut)):
        if value:
            where.append(f"{table}.{column} = ?")
            params.append(value)
    if condition is not None and not isinstance(condition, str) and not condition:
        where.append("0")  # a label that names no condition: nothing matches
    elif condition:
        # The id itself, or the name before its arguments: « age » finds age(enfant(0)) too.
        ids = [condition] if isinstance(condition, str) else list(condition)
        tests = " OR ".join("json_extract(j.value, '$.id') = ? OR substr(json_extract(j.value, '$.id'), 1, ?) = ?"
                            for _ in ids)
        where.append(f"EXISTS (SELECT 1 FROM json_each({table}.conditions, '$.conditions_non_remplies') j "
                     f"WHERE {tests})")
        for one in ids:
            params += [one, len(one) + 1, one + "("]
    for bound, value in ((">=", du), ("<=", au)):
        if value:
            where.append(f"substr({table}.date_evaluation, 1, 10) {bound} ?")
            params.append(value)
    return (f" WHERE {' AND '.join(where)}" if where else ""), params


def _like(text: str) -> str:
    """Text matched literally by LIKE … ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions_non_remplies(connection: sqlite3.Connection) -> list[str]:
    """The names of the conditions found not met in the journal, sorted (``age``, not ``age(enfant(0))``)."""
    found = connection.execute("SELECT DISTINCT json_extract(j.value, '$.id') FROM decisions d, "
                               "json_each(d.conditions, '$.conditions_non_remplies') j").fetchall()
    return sorted({str(r[0]).split("(")[0] for r in found if r[0]})


def _query(path: str | Path, sql: str, params: tuple | list) -> list[Entree]:
    if not Path(path).is_file():
        raise JournalError(f"{path}: journal introuvable")
    try:
        # Read-only, by a URI whose path is quoted (a file name with « ? » or « # » stays a file name).
        connection = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
        try:
            return [_entree(row) for row in connection.execute(sql, params).fetchall()]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"{path}: ce n'est pas un journal de décisions ({exc})") from exc


_SELECT = f"SELECT {', '.join(COLONNES)} FROM decisions"


def decisions_du_dossier(path: str | Path, dossier: str) -> list[Entree]:
    """Every decision the journal kept for ``dossier``, oldest first."""
    return _query(path, f"{_SELECT} WHERE dossier = ? ORDER BY date_evaluation, prestation", (dossier,))


def rechercher(path: str | Path, prestation: str | None = None, statut: str | None = None,
               condition: str | None = None, limite: int | None = None) -> list[Entree]:
    """Decisions of a prestation, with a status, or whose ``condition`` (an id, ``stage``) is not met."""
    where, params = filtre(prestation, statut, condition)
    if limite:
        where, params = f"{where} ORDER BY dossier, prestation LIMIT ?", [*params, limite]
    else:
        where += " ORDER BY dossier, prestation"
    return _query(path, f"{_SELECT}{where}", params)


def consulter(path: str | Path, dossier: str | None = None, prestation: str | None = None,
              statut: str | None = None, condition: str | None = None, limite: int | None = None
              ) -> list[Entree]:
    """What ``prevoyance journal`` reads: the decisions of ``dossier``, or without it those that match the
    filters (:func:`rechercher`). A journal that cannot be read, or where nothing matches, raises
    :class:`JournalError` with a French message."""
    if dossier is not None:
        entrees = decisions_du_dossier(path, dossier)
        if not entrees:
            raise JournalError(f"aucune décision pour « {dossier} » dans {path}")
        return entrees
    entrees = rechercher(path, prestation, statut, condition, limite)
    if not entrees:
        raise JournalError(f"aucune décision ne répond à ces critères dans {path}")
    return entrees

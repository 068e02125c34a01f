"""Reading the decisions journal that ``prevoyance batch --journal`` writes (SQLite), and the rules behind it.

The journal keeps, for each dossier and benefit, its status, amounts, the
conditions not met and unknown, the dossier's fingerprint and the version of
the base that decided. This module only reads it: one dossier's decisions,
or the decisions of a benefit, a status or a failed condition. It also finds,
in the base's ``.lp`` files, the ``@regle`` blocks whose rules decide a
condition's state, so that a journal entry can name the rules and the
sentences of the guide behind it. Writing the journal is :mod:`engine.tools.batch`'s.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from engine.blocks import RuleBlock, read_blocks
from engine.regime import Regime, kb_root


class JournalError(Exception):
    """A journal that cannot be read: not a database, not a journal of decisions."""


@dataclass
class Entree:
    """One row of the journal: one benefit of one dossier, as decided."""

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


_COLONNES = ("dossier, empreinte, version_base, base, date_evaluation, date_reference, prestation, statut, "
             "montants, conditions")


def _entree(row: tuple) -> Entree:
    conditions = json.loads(row[9] or "{}")
    return Entree(*row[:8], montants=json.loads(row[8] or "{}"),
                  non_remplies=conditions.get("conditions_non_remplies", []),
                  inconnues=conditions.get("conditions_inconnues", []))


def _query(path: str | Path, sql: str, params: tuple) -> list[Entree]:
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


def decisions_du_dossier(path: str | Path, dossier: str) -> list[Entree]:
    """Every decision the journal kept for ``dossier``, oldest first."""
    return _query(path, f"SELECT {_COLONNES} FROM decisions WHERE dossier = ? "
                        "ORDER BY date_evaluation, prestation", (dossier,))


def rechercher(path: str | Path, prestation: str | None = None, statut: str | None = None,
               condition: str | None = None, limite: int | None = None) -> list[Entree]:
    """Decisions of a benefit, with a status, or whose ``condition`` (an id, ``stage``) is not met."""
    clauses, params = [], []
    if prestation:
        clauses.append("prestation = ?")
        params.append(prestation)
    if statut:
        clauses.append("statut = ?")
        params.append(statut)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    entries = _query(path, f"SELECT {_COLONNES} FROM decisions{where} ORDER BY dossier, prestation", tuple(params))
    if condition:
        entries = [e for e in entries if any(_identifiant(c["id"]) == condition or c["id"] == condition
                                             for c in e.non_remplies)]
    return entries[:limite] if limite else entries


def _identifiant(node: str) -> str:
    """``age(enfant(1))`` → ``age``."""
    return node.split("(")[0]


# -- the rules behind a condition --------------------------------------------------------------------
_TETE = re.compile(r"^\s*(non_rempli|rempli)\(D,\s*(.+?)\)\s*(?::-|\.)")


def _motif(term: str) -> re.Pattern[str]:
    """A rule head's condition term as a pattern of node names: its variables match any argument."""
    parts = re.split(r"\b([A-Z_][A-Za-z0-9_]*)\b", term.replace(" ", ""))
    pattern = "".join(".+?" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    return re.compile(pattern)


@dataclass(frozen=True)
class Regle:
    """A ``@regle`` block that decides a condition's state: its id, file, line and sentence of the guide."""

    id: str
    fichier: str
    ligne: int
    phrase: str
    etat: str


@functools.cache
def _tetes(regime: Regime) -> list[tuple[str, re.Pattern[str], Regle]]:
    heads = []
    root = kb_root()
    for path in regime.program_files:
        if path.parent != regime.folder:
            continue
        blocks: list[RuleBlock] = read_blocks(path)
        for block in blocks:
            for line in block.lines:
                match = _TETE.match(line)
                if match:
                    regle = Regle(block.id, str(path.relative_to(root)), block.line, block.sentence, match.group(1))
                    heads.append((match.group(1), _motif(match.group(2)), regle))
    return heads


def regles(regime: Regime, node: str, etat: str) -> list[Regle]:
    """The ``@regle`` blocks whose rules give ``node`` (``age(enfant(1))``) the state ``etat``."""
    found: dict[tuple[str, str], Regle] = {}
    for head_state, pattern, regle in _tetes(regime):
        if head_state == etat and pattern.fullmatch(node):
            found.setdefault((regle.id, regle.fichier), regle)
    return list(found.values())

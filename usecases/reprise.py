"""La reprise (restarting) of an interrupted batch run: lose nothing, mix nothing.

A reprise is by identity, never by count (docs/robustesse.md). Beside the results, a state file
(``<results>.etat``) records what they were made from — the caseload's fingerprint and every base's
``version_base``, the journal — the run's id, and what is committed: the entries of the caseload done, the
length of the results and errors files, the lots and the journal rows of the run. :func:`prepare_reprise`
checks that state against the new run and cuts whatever lies past the commit (in the files, and this run's
own rows in the shared journal), or refuses with a French message saying why (another caseload, another
version of the base, a journal that lost rows). :class:`OutputLock` refuses a second run on the same output,
whatever name or link reaches it. :mod:`usecases.batch` commits each lot and replaces the state.
"""

from __future__ import annotations

import errno
import hashlib
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from engine.files import write_atomic
from engine.regime import regimes
from usecases.caseload import dossier_files, is_dossier_file
from usecases.journal import Journal, JournalError, sqlite_message

STATE_VERSION = 2  # 2: the journal's rows are the run's own (run id, lots), no longer a row id


class BatchError(Exception):
    """A run that cannot start or go on (another run, another caseload, a full disk): a French message."""


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


def os_message(path: Path, exc: OSError) -> str:
    reasons = {errno.ENOSPC: "disque plein", errno.EDQUOT: "quota dépassé", errno.EROFS: "système de fichiers en "
               "lecture seule", errno.EACCES: "permission refusée", errno.EPERM: "opération non permise",
               errno.EISDIR: "c'est un dossier", errno.ENOENT: "dossier parent introuvable"}
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return (f"{path} : écriture impossible ({reason}). Les lots déjà écrits sont gardés : corrigez puis relancez "
            "la même commande, elle reprendra au premier dossier non écrit.")


def errors_path(results: Path) -> Path:
    return results.with_name(results.name.removesuffix(".jsonl") + ".erreurs.jsonl")


def state_path(results: Path) -> Path:
    return results.with_name(results.name + ".etat")


class OutputLock:
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
            raise BatchError(os_message(results, exc)) from exc
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


def check_paths(caseload: Path, results: Path, errors: Path, journal: Path | None) -> None:
    source = caseload.resolve()
    outputs = {"-o": results, "fichier d'erreurs": errors, "--journal": journal, "état": state_path(results)}
    for name, target in outputs.items():
        if target is None:
            continue
        resolved = target.resolve()
        if resolved == source or (source.is_dir() and source in resolved.parents and is_dossier_file(resolved)):
            raise BatchError(f"{target} : la sortie ({name}) serait la charge elle-même ({caseload}) ou l'un de ses "
                             "dossiers : choisissez un autre fichier")
    if journal is not None and journal.resolve() in (results.resolve(), errors.resolve()):
        raise BatchError(f"{journal} : le journal ne peut pas être le fichier des décisions ou des erreurs")


def prepare_reprise(caseload: Path, results: Path, errors: Path, journal: Path | None, book: Journal | None
             ) -> dict[str, Any]:
    """The state of the reprise: checked against this run, files cut back to it; a fresh one if none."""
    state_file = state_path(results)
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
        write_state(state_file, state)
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
    if book is not None:  # checked before anything is cut: a refused reprise changes nothing
        _check_journal(book, journal, state)
    for path, size in ((results, state["octets_resultats"]), (errors, state["octets_erreurs"])):
        try:
            with path.open("ab") as handle:  # created when absent; whatever lies past the commit is cut
                handle.truncate(size)
        except OSError as exc:
            raise BatchError(os_message(path, exc)) from exc
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
    replaced, cut by hand): a reprise would leave decisions in the results that the journal never has."""
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


def write_state(path: Path, state: dict[str, Any]) -> None:
    try:
        write_atomic(path, json.dumps(state, ensure_ascii=False, indent=1).encode())
    except OSError as exc:
        raise BatchError(os_message(path, exc)) from exc

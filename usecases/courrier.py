"""Letters as files: one dossier's letters (``prevoyance letter``), or every dossier's of a caseload folder
(``prevoyance letters``): decided, what would change a refusal searched (:func:`usecases.whatif.pistes`),
rendered by the writer the caller gives (:class:`Redaction`: :class:`explain.lettres.Redacteur`, handed
down by the command line or the console, since this floor is below the words) and written.

Every file is written atomically (:mod:`engine.files`), so an interrupted run
never leaves a half-written letter; a dossier that cannot be rendered writes
nothing, and in a caseload costs only itself.

Output naming (see docs/lettres.md): one file per letter. ``-o FILE`` with
one letter writes FILE; with several, one file per prestation named
``FILE-STEM-<prestation>.EXT``; ``-o FOLDER/`` (or an existing folder) writes
``FOLDER/<dossier file stem>-<prestation>.<ext>``. A caseload's letters mirror
its sub-folders in the output folder with the same names.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from engine.dossier import Dossier, DossierError
from engine.files import write_atomic
from engine.model import Decision
from engine.regime import RegimeError, load_regime
from engine.solver import EvaluationError, evaluate, evaluate_many
from engine.validation import load_dossier
from usecases.amendement import AmendmentError, load_amendment, under_amendment
from usecases.caseload import dossier_files, each_alone_on_failure
from usecases.entete import EnteteError, entete, load_bureau
from usecases.whatif import BUDGET_LETTRE, WhatIf, pistes

TAILLE_LOT = 20  # dossiers decided per clingo grounding: big enough to be quick, small enough for the bar to move
EXTENSIONS = {"markdown": ".md", "html": ".html", "pdf": ".pdf"}


class LettreError(Exception):
    """A letter cannot be made: bad letterhead, broken template, unknown prestation."""


class Document(Protocol):
    """A rendered letter, as this floor sees it: the prestation it answers (its file's name), what the clerk
    must complete before posting it, and its bytes in a format."""

    prestation: str
    avertissements: tuple[str, ...]
    titre: str

    def render(self, output_format: str) -> bytes: ...


class Redaction(Protocol):
    """Who words the letters (:class:`explain.lettres.Redacteur`): which prestations' letters say what would
    change a refusal, and the letters of a decided dossier with those answers."""

    def a_chercher(self, decision: Decision, prestation: str | None) -> list[str]: ...

    def lettres(self, dossier: Dossier | None, decision: Decision, prestation: str | None,
                pistes: Mapping[str, WhatIf | None]) -> list[Any]: ...


def load_bureau_lettres(path: str | Path | None) -> dict[str, Any]:
    """An office's letterhead file (``--entete``): the fields it puts over each regime's letterhead."""
    try:
        return load_bureau(path)
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc


def load_entete(path: str | Path | None = None, regime_id: str | None = None) -> dict[str, Any]:
    """The letterhead of ``regime_id`` (default: the default regime) with the office's file ``path`` over it."""
    try:
        return entete(load_regime(regime_id), load_bureau(path))
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc


def pistes_des_lettres(dossier: Dossier | None, decision: Decision, prestations: list[str], what_if: bool = True
                       ) -> dict[str, WhatIf | None]:
    """What would change each refusal among ``prestations`` (the one what-if policy), one budget for every
    refusal of the letters (a letter shows the first proposals, quickly); nothing without ``what_if`` or a
    dossier."""
    if not what_if or dossier is None:
        return {}
    deadline = time.monotonic() + BUDGET_LETTRE.secondes
    return {pid: pistes(dossier, decision, pid, budget=BUDGET_LETTRE, deadline=deadline) for pid in prestations}


def lettres(dossier: Dossier | None, decision: Decision, redacteur: Redaction, prestation: str | None = None,
            what_if: bool = True) -> list[Any]:
    """The letters of one decided dossier (one per prestation decided, or ``prestation``'s), a refusal saying what
    would change it when ``what_if`` (and the dossier) is given."""
    found = pistes_des_lettres(dossier, decision, redacteur.a_chercher(decision, prestation), what_if)
    return redacteur.lettres(dossier, decision, prestation, found)


class EcritureError(LettreError):
    """A letter's file that cannot be written (a full disk, a folder without rights): its path and the cause."""

    def __init__(self, path: Path, cause: OSError):
        self.path, self.cause = path, cause
        super().__init__(f"{path}: écriture impossible ({cause.strerror or cause})")


def output_paths(output: str, lettres: list[Document], output_format: str, stem: str) -> list[Path]:
    """Where each letter goes (the naming rule of the module docstring)."""
    ext = EXTENSIONS[output_format]
    target = Path(output)
    if output.endswith(("/", os.sep)) or target.is_dir():
        return [target / f"{stem}-{lt.prestation}{ext}" for lt in lettres]
    if len(lettres) == 1:
        return [target]
    suffix = target.suffix or ext
    return [target.with_name(f"{target.stem}-{lt.prestation}{suffix}") for lt in lettres]


def dossier_letters(path: str | Path, prestation: str | None, redacteur: Redaction, what_if: bool,
                    amendment: str | Path | None = None, date_effet: dt.date | None = None) -> list[Any]:
    """The letters of the dossier file ``path`` (one per prestation decided, or ``prestation``'s), decided under
    ``amendment`` when given; every failure (the dossier, the amendment, the base, and through the writer
    the catalogue or a template) raises LettreError with its French message."""
    try:
        loaded = under_amendment(load_dossier(path), amendment, date_effet)
        decision = evaluate(loaded)
    except (DossierError, RegimeError, AmendmentError) as exc:
        raise LettreError(str(exc)) from exc
    except (EvaluationError, RuntimeError) as exc:  # a defect of kb/, not of the dossier
        raise LettreError(f"erreur interne de la base de règles : {exc}") from exc
    if not decision.prestations:
        raise LettreError(f"{path}: aucune prestation examinée, aucune lettre à écrire")
    return lettres(loaded, decision, redacteur, prestation, what_if)


def avertissements(source: str | Path, lettres: list[Document]) -> list[str]:
    """One line per letter the clerk must complete before posting it (a blank addressee block), in French,
    naming the dossier file and the letter: never silent, never printed in the letter itself."""
    return [f"attention : {source}, lettre « {lt.titre} » : {warning}"
            for lt in lettres for warning in lt.avertissements]


def write_letters(lettres: list[Document], output: str, output_format: str, stem: str,
                  written: Callable[[Path], None] | None = None) -> list[Path]:
    """Write each letter to its file (:func:`output_paths`), all rendered before any is written; ``written``
    hears of each file as it is written. A file that cannot be written raises EcritureError."""
    paths = output_paths(output, lettres, output_format, stem)
    contents = [lt.render(output_format) for lt in lettres]
    for path, content in zip(paths, contents, strict=True):
        try:
            write_atomic(path, content)
        except OSError as exc:
            raise EcritureError(path, exc) from exc
        if written is not None:
            written(path)
    return paths


@dataclass
class CaseloadLetters:
    """The letters of every dossier of a caseload folder, written below ``out_dir``: :meth:`run` writes them."""

    caseload: Path
    out_dir: Path
    output_format: str
    redacteur: Redaction
    what_if: bool = True
    amendment: str | Path | None = None  # decide under this amendment file (``--amendement``)
    date_effet: dt.date | None = None
    files: list[Path] = field(default_factory=list)
    written: int = 0
    rendered: int = 0
    failures: list[str] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)  # letters written that the clerk must complete

    @classmethod
    def prepare(cls, caseload: str | Path, out_dir: str | Path, output_format: str, redacteur: Redaction,
                what_if: bool = True, amendment: str | Path | None = None, date_effet: dt.date | None = None
                ) -> CaseloadLetters:
        """The dossier files listed (the output folder is not part of the caseload); the amendment, when given,
        read once (a bad one stops before any letter)."""
        job = cls(Path(caseload), Path(out_dir), output_format, redacteur, what_if, amendment, date_effet)
        if amendment is None and date_effet is not None:
            raise LettreError("--date-effet n'a de sens qu'avec --amendement (le fichier de l'amendement)")
        if amendment is not None:
            try:
                load_amendment(amendment, date_effet)
            except AmendmentError as exc:
                raise LettreError(str(exc)) from exc
        job.files = dossier_files(job.caseload, exclude=job.out_dir)
        if not job.files:
            raise LettreError(f"{caseload}: aucun dossier (.yaml, .yml, .json)")
        return job

    def run(self, progress: Callable[[int], None] | None = None) -> CaseloadLetters:
        """Decide the dossiers by lots, write each one's letters; a dossier that fails is counted and said."""
        for start in range(0, len(self.files), TAILLE_LOT):
            batch: list[tuple[Path, Dossier]] = []
            for path in self.files[start:start + TAILLE_LOT]:
                try:
                    batch.append((path, under_amendment(load_dossier(path), self.amendment, self.date_effet)))
                except (DossierError, RegimeError, AmendmentError) as exc:
                    self.failures.append(str(exc))
                    if progress is not None:
                        progress(1)
            decisions = _decide_batch(batch) if batch else []
            for (path, dossier), decision in zip(batch, decisions, strict=True):
                self._write(path, dossier, decision)
                if progress is not None:
                    progress(1)
        return self

    def _write(self, path: Path, dossier: Dossier, decision: Decision | Exception) -> None:
        try:
            if isinstance(decision, Exception):
                raise LettreError(f"erreur interne de la base de règles : {decision}")
            if not decision.prestations:
                raise LettreError("aucune prestation examinée, aucune lettre à écrire")
            faites = lettres(dossier, decision, self.redacteur, None, self.what_if)
            folder = str(self.out_dir / path.relative_to(self.caseload).parent) + os.sep
            write_letters(faites, folder, self.output_format, path.stem, written=self._counted)
            self.rendered += 1
            self.avertissements += avertissements(path, faites)
        except EcritureError as exc:
            self.failures.append(f"{path}: écriture impossible ({exc.cause.strerror or exc.cause})")
        except LettreError as exc:
            self.failures.append(f"{path}: {exc}")
        except Exception as exc:  # one dossier's defect must not stop the caseload
            self.failures.append(f"{path}: erreur inattendue ({type(exc).__name__} : {exc})")

    def _counted(self, _path: Path) -> None:
        self.written += 1

    def summary(self) -> str:
        """How many letters were written, for how many dossiers, where."""
        return f"{self.written} lettre(s) écrite(s) pour {self.rendered} dossier(s) dans {self.out_dir}"

    def failure_lines(self) -> list[str]:
        """The dossiers not rendered, each with its reason (one line per line of the message)."""
        if not self.failures:
            return []
        return [f"{len(self.failures)} dossier(s) non rendu(s) :",
                *(f"  {part}" for line in self.failures for part in line.splitlines())]


def _decide_batch(batch: list[tuple[Path, Dossier]]) -> list[Decision | Exception]:
    """Decisions of a batch in one grounding; if the batch fails, each dossier alone, to find the culprit."""
    return each_alone_on_failure(lambda dossiers: evaluate_many([d for _, d in dossiers]), batch)

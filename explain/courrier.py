"""Letters as files: one dossier's letters (``prevoyance letter``), or every dossier's of a caseload folder
(``prevoyance letters``), decided, rendered by :mod:`explain.lettres` and written.

Every file is written atomically (:mod:`engine.files`), so an interrupted run
never leaves a half-written letter; a dossier that cannot be rendered writes
nothing, and in a caseload costs only itself.

Output naming (see docs/lettres.md): one file per letter. ``-o FILE`` with
one letter writes FILE; with several, one file per benefit named
``FILE-STEM-<benefit>.EXT``; ``-o FOLDER/`` (or an existing folder) writes
``FOLDER/<dossier file stem>-<benefit>.<ext>``. A caseload's letters mirror
its sub-folders in the output folder with the same names.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from engine.dossier import Dossier, DossierError
from engine.files import write_atomic
from engine.model import Decision
from engine.regime import RegimeError
from engine.solver import EvaluationError, evaluate, evaluate_many
from engine.validation import load_dossier
from explain.lettres import EXTENSIONS, Lettre, LettreError, html_document, letters, load_bureau_lettres, pdf_document
from explain.phrases import PhraseError
from usecases.amendement import AmendmentError, load_amendment, under_amendment
from usecases.caseload import dossier_files, each_alone_on_failure

TAILLE_LOT = 20  # dossiers decided per clingo grounding: big enough to be quick, small enough for the bar to move


class EcritureError(LettreError):
    """A letter's file that cannot be written (a full disk, a folder without rights): its path and the cause."""

    def __init__(self, path: Path, cause: OSError):
        self.path, self.cause = path, cause
        super().__init__(f"{path}: écriture impossible ({cause.strerror or cause})")


def render(dossier: Dossier, decision: Decision, benefit: str | None, entete: dict[str, Any], what_if: bool,
           date: dt.date | None, modeles: str | None) -> list[Lettre]:
    """The letters of one decided dossier; a defect of the catalogue or of a template raises LettreError."""
    try:
        return letters(dossier, decision, benefit, entete, what_if, date, modeles)
    except PhraseError as exc:
        raise LettreError(f"catalogue de phrases : {exc}") from exc
    except jinja2.TemplateError as exc:
        raise LettreError(f"gabarit : {exc}") from exc


def output_paths(output: str, lettres: list[Lettre], output_format: str, stem: str) -> list[Path]:
    """Where each letter goes (the naming rule of the module docstring)."""
    ext = EXTENSIONS[output_format]
    target = Path(output)
    if output.endswith(("/", os.sep)) or target.is_dir():
        return [target / f"{stem}-{lt.prestation}{ext}" for lt in lettres]
    if len(lettres) == 1:
        return [target]
    suffix = target.suffix or ext
    return [target.with_name(f"{target.stem}-{lt.prestation}{suffix}") for lt in lettres]


def dossier_letters(path: str | Path, benefit: str | None, entete_path: str | None, what_if: bool,
                    date: dt.date | None, modeles: str | None, amendment: str | Path | None = None,
                    date_effet: dt.date | None = None) -> list[Lettre]:
    """The letters of the dossier file ``path`` (one per benefit decided, or ``benefit``'s), decided under
    ``amendment`` when given; every failure (the letterhead, the dossier, the amendment, the base, the
    catalogue, a template) raises LettreError with its French message."""
    entete = load_bureau_lettres(entete_path)
    try:
        loaded = under_amendment(load_dossier(path), amendment, date_effet)
        decision = evaluate(loaded)
    except (DossierError, RegimeError, AmendmentError) as exc:
        raise LettreError(str(exc)) from exc
    except (EvaluationError, RuntimeError) as exc:  # a defect of kb/, not of the dossier
        raise LettreError(f"erreur interne de la base de règles : {exc}") from exc
    if not decision.prestations:
        raise LettreError(f"{path}: aucune prestation examinée, aucune lettre à écrire")
    return render(loaded, decision, benefit, entete, what_if, date, modeles)


def avertissements(source: str | Path, lettres: list[Lettre]) -> list[str]:
    """One line per letter the clerk must complete before posting it (a blank addressee block), in French,
    naming the dossier file and the letter: never silent, never printed in the letter itself."""
    return [f"attention : {source}, lettre « {lt.titre} » : {warning}"
            for lt in lettres for warning in lt.avertissements]


def document(lettres: list[Lettre], output_format: str) -> str | bytes:
    """Letters one after the other, as one document: Markdown or HTML text, or the bytes of a PDF."""
    if output_format == "markdown":
        return "\n<!-- lettre suivante -->\n\n".join(lt.markdown for lt in lettres)
    if output_format == "html":
        return html_document(lettres, lettres[0].modeles)
    return pdf_document(lettres)


def write_letters(lettres: list[Lettre], output: str, output_format: str, stem: str,
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
    entete: dict[str, Any]
    what_if: bool = True
    date: dt.date | None = None
    modeles: str | None = None
    amendment: str | Path | None = None  # decide under this amendment file (``--amendment``)
    date_effet: dt.date | None = None
    files: list[Path] = field(default_factory=list)
    written: int = 0
    rendered: int = 0
    failures: list[str] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)  # letters written that the clerk must complete

    @classmethod
    def prepare(cls, caseload: str | Path, out_dir: str | Path, output_format: str, entete_path: str | None,
                what_if: bool = True, date: dt.date | None = None, modeles: str | None = None,
                amendment: str | Path | None = None, date_effet: dt.date | None = None) -> CaseloadLetters:
        """The letterhead read and the dossier files listed (the output folder is not part of the caseload); the
        amendment, when given, read once (a bad one stops before any letter)."""
        job = cls(Path(caseload), Path(out_dir), output_format, load_bureau_lettres(entete_path), what_if, date,
                  modeles, amendment, date_effet)
        if amendment is None and date_effet is not None:
            raise LettreError("--date-effet n'a de sens qu'avec --amendment (le fichier de l'amendement)")
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
            lettres = render(dossier, decision, None, self.entete, self.what_if, self.date, self.modeles)
            folder = str(self.out_dir / path.relative_to(self.caseload).parent) + os.sep
            write_letters(lettres, folder, self.output_format, path.stem, written=self._counted)
            self.rendered += 1
            self.avertissements += avertissements(path, lettres)
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

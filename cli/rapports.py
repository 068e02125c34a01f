"""The reports of the command line, composed: a use case decides or reads, :mod:`explain` words the result,
a use case writes it. Composition only: no decision, no wording, no file format is made here."""

from __future__ import annotations

from pathlib import Path

from engine.dossier import Dossier
from engine.model import Decision
from explain.rapport_impact import impact_csv, impact_text, side_by_side
from explain.why import why_dossier
from usecases.impact import Impact, avant_apres, compute_impact, write_report
from usecases.whatif import pistes


def why_text(dossier: Dossier, decision: Decision, prestation: str, output_format: str, depth: int | None,
             what_if: bool) -> str:
    """What ``prevoyance why`` prints: the explanation of ``prestation``; with ``what_if``, for a refusal, the
    smallest changes of ``dossier`` that would grant it (the one what-if policy, :func:`usecases.whatif.pistes`)."""
    answer = pistes(dossier, decision, prestation) if what_if else None
    return why_dossier(decision, prestation, output_format, depth, answer)


def impact_report(caseload: str | Path, amendment: str | Path, date_effet=None, output_format: str = "text",
                  explications: int = 10, workers: int | None = None, progress=None) -> tuple[Impact, str]:
    """What ``prevoyance diff`` reports: the impact of ``amendment`` on ``caseload``
    (:func:`usecases.impact.compute_impact`), with its first ``explications`` changed dossiers explained
    before and after, in ``output_format`` (text, json, html, csv)."""
    impact = compute_impact(caseload, amendment, date_effet, workers=workers, progress=progress)
    return impact, impact_text(impact, side_by_side(impact, avant_apres(impact, caseload, explications)),
                               output_format)


def write_impact_report(impact: Impact, text: str, target: str | Path, output_format: str) -> list[Path]:
    """The report written to ``target`` and, beside an HTML page, the CSV of the changed dossiers."""
    return write_report(text, target, {".csv": impact_csv(impact)} if output_format == "html" else None)

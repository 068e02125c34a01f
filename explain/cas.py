"""The report of ``prevoyance test``: each regression case that failed, what differs, and the decision obtained.

A failed case (:class:`usecases.cases.CaseResult`) is shown with its file,
its name and description, each difference between the expected and the
obtained decision, then the explanation (:func:`explain.why.why`) of every
expected prestation as it was decided; a last line counts the cases passed and
failed.
"""

from __future__ import annotations

from explain.why import why
from usecases.cases import CaseResult


def cases_text(results: list[CaseResult]) -> str:
    """The failed cases of ``results`` explained, then ``N passed, M failed``."""
    failures = [r for r in results if not r.ok]
    lines = []
    for result in failures:
        case = result.case
        lines.append(f"ÉCHEC {case.fichier}: {case.nom}")
        if case.description:
            lines.append(f"  {case.description}")
        lines += [f"  - {d}" for d in result.differences]
        if result.decision is not None:
            for prestation in case.attendu:
                if prestation in result.decision.prestations:
                    text = why(result.decision, prestation)
                    lines.append("  Décision obtenue :")
                    lines += [f"    {line}" if line else "" for line in text.splitlines()]
        lines.append("")
    lines.append(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    return "\n".join(lines)

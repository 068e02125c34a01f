"""Letters to citizens: one per decision, in Markdown, HTML or PDF.

A decision on a benefit becomes one of three letters, after its status:

- ``accorde`` → **attribution**: the amounts in words and figures, the
  schedule of payments, what is not due and why, what must stay true for the
  payments to go on;
- ``refuse`` → **rejet**: every failed condition in a plain sentence with its
  source, and what would change the decision when the what-if search
  (:func:`usecases.whatif.what_if`) finds it;
- ``incomplet`` → **demande de pièces**: the missing documents and the
  missing information, where to send them and by when.

The path of a letter, one module per step:

- :mod:`explain.lettres.contexte` — what the letter says (who, which decision,
  which sentences), from the decision, the regime's phrase catalogue
  (``kb/<regime>/explications/*.yaml``, ``lettres.yaml``) and the letterhead;
- :mod:`explain.lettres.entete` — the letterhead (``kb/<regime>/entete.yaml``,
  with an office's fields over it);
- :mod:`explain.lettres.mots` — the words: amounts in letters, lists, a
  catalogue sentence made fit for a citizen;
- :mod:`explain.lettres.gabarits` — the Jinja2 templates of this folder (one
  per letter type, extending ``lettre.md.j2``, rendered sandboxed; an office
  adapts one file per type) write the context as Markdown;
- :mod:`explain.lettres.markdown` — that Markdown read by markdown-it-py and
  walked once for the two renderers:
  :mod:`explain.lettres.rendu_html` (HTML) and :mod:`explain.lettres.rendu_pdf`
  (PDF, ReportLab), so the three formats say the same thing.

This module puts them together: :func:`letters` for a decided dossier,
:class:`Lettre` in each format.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.dossier import Dossier
from engine.model import Decision
from explain.format import md
from explain.lettres import rendu_pdf
from explain.lettres.contexte import (
    LettreError,
    avertissement_destinataire,
    letter_context,
    letter_type,
    load_bureau_lettres,
    load_entete,
    manques_destinataire,
    orientation_context,
)
from explain.lettres.gabarits import render_markdown
from explain.lettres.markdown import unescape
from explain.lettres.mots import citoyen, en_lettres, liste
from explain.lettres.rendu_html import html_document, markdown_html
from explain.lettres.rendu_pdf import pdf_safe
from explain.orientation import orientation_config

FORMATS = ("markdown", "html", "pdf")
EXTENSIONS = {"markdown": ".md", "html": ".html", "pdf": ".pdf"}

__all__ = [
    "EXTENSIONS", "FORMATS", "Lettre", "LettreError", "avertissement_destinataire", "citoyen", "en_lettres",
    "html_document", "letter", "letter_context", "letter_type", "letters", "liste", "load_bureau_lettres",
    "load_entete", "manques_destinataire", "markdown_html", "md", "pdf_document", "pdf_safe", "render_markdown",
]


@dataclass
class Lettre:
    """One letter: its type, the benefit and dossier it answers, and its Markdown text."""

    type: str
    prestation: str
    dossier: str
    markdown: str
    titre: str
    auteur: str
    version: str = ""
    modeles: str | None = None  # an office's template folder, for the HTML page
    reference: str = ""  # what the foot of each page cites: the « Réf. » line (dossier, registration number)
    # What the clerk must know before posting it (a blank addressee block), in French: never printed in the letter.
    avertissements: tuple[str, ...] = ()

    def html(self) -> str:
        """A standalone HTML page (A4 when printed)."""
        return html_document([self], self.modeles)

    def pdf(self) -> bytes:
        """The letter as an A4 PDF."""
        return pdf_document([self])

    def render(self, output_format: str) -> bytes:
        if output_format == "markdown":
            return self.markdown.encode("utf-8")
        if output_format == "html":
            return self.html().encode("utf-8")
        if output_format == "pdf":
            return self.pdf()
        raise LettreError(f"format inconnu : {output_format} (formats : {', '.join(FORMATS)})")


def letter(dossier: Dossier | None, decision: Decision, benefit: str, entete: dict[str, Any] | None = None,
           answer=None, date: dt.date | None = None, modeles: str | Path | None = None) -> Lettre:
    """The letter answering one benefit of a decided dossier; ``entete``: the office's fields
    (:func:`load_bureau_lettres`) over the regime's letterhead. In a regime that orients a household among
    schemes (:mod:`explain.orientation`), the one letter of the household's orientation."""
    if orientation_config(decision.base):
        if benefit not in decision.prestations:
            known = ", ".join(decision.prestations) or "aucune"
            raise LettreError(f"prestation « {benefit} » non examinée pour ce dossier (examinées : {known})")
        return _orientation_letter(dossier, decision, entete, date, modeles)
    ctx = letter_context(dossier, decision, benefit, entete, answer, date)
    titre = f"{unescape(ctx['libelle'])} — {ctx['nom_type']}"
    return Lettre(ctx["type"], benefit, decision.dossier, render_markdown(ctx, modeles), titre,
                  ctx["_entete"]["organisme"], decision.version_base, str(modeles) if modeles else None,
                  f"Réf. : {unescape(ctx['destinataire']['ref'])}",
                  _avertissements(ctx))


def letters(dossier: Dossier | None, decision: Decision, benefit: str | None = None,
            entete: dict[str, Any] | None = None, what_if: bool = True, date: dt.date | None = None,
            modeles: str | Path | None = None) -> list[Lettre]:
    """One letter per benefit decided for the dossier (or for ``benefit`` only).

    With ``what_if`` (and the dossier), a refusal says what would change it.
    """
    # imported late: only refusals need clingo's search; a letter shows the first proposals, quickly
    from usecases.whatif import BUDGET_LETTRE, pistes

    benefits = [benefit] if benefit else list(decision.prestations)
    if orientation_config(decision.base) and benefits:
        # One letter for the household: each scheme is one part of the same orientation.
        return [letter(dossier, decision, benefits[0], entete, None, date, modeles)]
    deadline = time.monotonic() + BUDGET_LETTRE.secondes  # one budget for every refusal of the letter
    out = []
    for pid in benefits:
        answer = None
        if what_if and dossier is not None:
            answer = pistes(dossier, decision, pid, budget=BUDGET_LETTRE, deadline=deadline)
        out.append(letter(dossier, decision, pid, entete, answer, date, modeles))
    return out


ORIENTATION = "orientation"  # the name a household's orientation letter goes by (its file: d-orientation.pdf)


def _orientation_letter(dossier: Dossier | None, decision: Decision, entete: dict[str, Any] | None,
                        date: dt.date | None, modeles: str | Path | None) -> Lettre:
    ctx = orientation_context(dossier, decision, entete, date)
    return Lettre(ctx["type"], ORIENTATION, decision.dossier, render_markdown(ctx, modeles), unescape(ctx["libelle"]),
                  ctx["_entete"]["organisme"], decision.version_base, str(modeles) if modeles else None,
                  f"Réf. : {unescape(ctx['destinataire']['ref'])}",
                  _avertissements(ctx))


def _avertissements(ctx: dict[str, Any]) -> tuple[str, ...]:
    warning = avertissement_destinataire(ctx["destinataire"]["manques"])
    return (warning,) if warning else ()


def pdf_document(lettres: list[Lettre]) -> bytes:
    """The letters as one A4 PDF, each starting on a new page."""
    try:
        return rendu_pdf.pdf_document(lettres)
    except rendu_pdf.PdfError as exc:
        raise LettreError(str(exc)) from exc

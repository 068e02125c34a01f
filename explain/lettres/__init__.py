"""Letters to citizens: one per decision, in Markdown, HTML or PDF.

A decision on a prestation becomes one of three letters, after its status:

- ``accorde`` → **attribution**: the amounts in words and figures, the
  schedule of payments, what is not due and why, what must stay true for the
  payments to go on;
- ``refuse`` → **rejet**: every failed condition in a plain sentence with its
  source, and what would change the decision when the what-if search
  (:func:`usecases.whatif.pistes`, run by :mod:`usecases.courrier`) found it;
- ``incomplet`` → **demande de pièces**: the missing documents and the
  missing information, where to send them and by when.

The path of a letter, one module per step:

- :mod:`explain.lettres.contexte` — what the letter says (who, which decision,
  which sentences), from the decision, the regime's phrase catalogue
  (``kb/<regime>/explications/*.yaml``, ``lettres.yaml``) and the letterhead;
  :mod:`explain.lettres.contexte_orientation` the same for a household's
  orientation letter;
- :mod:`explain.lettres.entete` — the letterhead as a letter prints it (the
  file itself, ``kb/<regime>/entete.yaml`` with an office's fields over it, is
  read and checked by :mod:`usecases.entete`);
- :mod:`explain.lettres.mots` — the words: amounts in letters, lists, a
  catalogue sentence made fit for a citizen;
- :mod:`explain.lettres.gabarits` — the Jinja2 templates of this folder (one
  per letter type, extending ``lettre.md.j2``, rendered sandboxed; an office
  adapts one file per type) write the context as Markdown;
- :mod:`explain.lettres.markdown` — that Markdown read by markdown-it-py and
  walked once for the two renderers:
  :mod:`explain.lettres.rendu_html` (HTML) and :mod:`explain.lettres.rendu_pdf`
  (PDF, ReportLab, its fonts in :mod:`explain.lettres.polices_pdf`), so the
  three formats say the same thing.

This module puts them together: :func:`letters` for a decided dossier and its
what-if answers, :class:`Lettre` in each format, and :class:`Redacteur`, the
writer the command line and the console hand to :mod:`usecases.courrier`
(which decides, searches and writes the files: this package only words).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from engine.dossier import Dossier
from engine.model import Decision
from explain.format import md
from explain.lettres import rendu_pdf
from explain.lettres.contexte import (
    avertissement_destinataire,
    letter_context,
    letter_type,
    manques_destinataire,
)
from explain.lettres.contexte_orientation import orientation_context
from explain.lettres.gabarits import render_markdown
from explain.lettres.markdown import unescape
from explain.lettres.mots import citoyen, en_lettres, liste
from explain.lettres.polices_pdf import PdfError, pdf_safe
from explain.lettres.rendu_html import html_document, markdown_html
from explain.orientation import orientation_config
from explain.phrases import PhraseError
from usecases.courrier import EXTENSIONS, LettreError
from usecases.whatif import WhatIf

FORMATS = ("markdown", "html", "pdf")

__all__ = [
    "EXTENSIONS", "FORMATS", "Lettre", "LettreError", "Redacteur", "a_chercher", "avertissement_destinataire",
    "citoyen", "document", "en_lettres", "html_document", "letter", "letter_context", "letter_type", "letters", "liste",
    "manques_destinataire", "markdown_html", "md", "pdf_document", "pdf_safe", "render_markdown",
]


@dataclass
class Lettre:
    """One letter: its type, the prestation and dossier it answers, and its Markdown text."""

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


def letter(dossier: Dossier | None, decision: Decision, prestation: str, entete: dict[str, Any] | None = None,
           answer=None, date: dt.date | None = None, modeles: str | Path | None = None) -> Lettre:
    """The letter answering one prestation of a decided dossier; ``entete``: the office's fields
    (:func:`usecases.courrier.load_bureau_lettres`) over the regime's letterhead. In a regime that orients a
    household among schemes (:mod:`explain.orientation`), the one letter of the household's orientation."""
    if orientation_config(decision.base):
        if prestation not in decision.prestations:
            known = ", ".join(decision.prestations) or "aucune"
            raise LettreError(f"prestation « {prestation} » non examinée pour ce dossier (examinées : {known})")
        return _orientation_letter(dossier, decision, entete, date, modeles)
    ctx = letter_context(dossier, decision, prestation, entete, answer, date)
    titre = f"{unescape(ctx['libelle'])} — {ctx['nom_type']}"
    return Lettre(ctx["type"], prestation, decision.dossier, render_markdown(ctx, modeles), titre,
                  ctx["_entete"]["organisme"], decision.version_base, str(modeles) if modeles else None,
                  f"Réf. : {unescape(ctx['destinataire']['ref'])}",
                  _avertissements(ctx))


def a_chercher(decision: Decision, prestation: str | None = None) -> list[str]:
    """The prestations whose letters say what would change a refusal: every one decided (or ``prestation``), none in
    a regime that orients a household (its one letter answers no refusal)."""
    if orientation_config(decision.base):
        return []
    return [prestation] if prestation else list(decision.prestations)


def letters(dossier: Dossier | None, decision: Decision, prestation: str | None = None,
            entete: dict[str, Any] | None = None, pistes: Mapping[str, WhatIf | None] | None = None,
            date: dt.date | None = None, modeles: str | Path | None = None) -> list[Lettre]:
    """One letter per prestation decided for the dossier (or for ``prestation`` only); a refusal whose what-if
    answer ``pistes`` holds (:func:`usecases.courrier.pistes_des_lettres`) says what would change it."""
    prestations = [prestation] if prestation else list(decision.prestations)
    if orientation_config(decision.base) and prestations:
        # One letter for the household: each scheme is one part of the same orientation.
        return [letter(dossier, decision, prestations[0], entete, None, date, modeles)]
    return [letter(dossier, decision, pid, entete, (pistes or {}).get(pid), date, modeles) for pid in prestations]


@dataclass(frozen=True)
class Redacteur:
    """The letters' writer a use case is handed (:class:`usecases.courrier.Redaction`): the office's fields
    over each regime's letterhead, the letters' date, an office's template folder. With ``en_clair``, a defect
    of the catalogue or of a template is raised as LettreError saying which (the command line's message);
    without, as it is (the console says it its own way)."""

    entete: dict[str, Any] | None = None
    date: dt.date | None = None
    modeles: str | Path | None = None
    en_clair: bool = True

    def a_chercher(self, decision: Decision, prestation: str | None) -> list[str]:
        return a_chercher(decision, prestation)

    def lettres(self, dossier: Dossier | None, decision: Decision, prestation: str | None,
                pistes: Mapping[str, WhatIf | None]) -> list[Lettre]:
        try:
            return letters(dossier, decision, prestation, self.entete, pistes, self.date, self.modeles)
        except (PhraseError, jinja2.TemplateError) as exc:
            if not self.en_clair:
                raise
            what = "catalogue de phrases" if isinstance(exc, PhraseError) else "gabarit"
            raise LettreError(f"{what} : {exc}") from exc


def document(lettres: list[Lettre], output_format: str) -> str | bytes:
    """Letters one after the other, as one document: Markdown or HTML text, or the bytes of a PDF."""
    if output_format == "markdown":
        return "\n<!-- lettre suivante -->\n\n".join(lt.markdown for lt in lettres)
    if output_format == "html":
        return html_document(lettres, lettres[0].modeles)
    return pdf_document(lettres)


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
    except PdfError as exc:
        raise LettreError(str(exc)) from exc

"""A letter's Markdown drawn as an A4 PDF by ReportLab, with the Bitstream Vera fonts it ships.

The Markdown is walked by :func:`explain.lettres.markdown.parcourir` and
each block becomes a Platypus flowable: headings, paragraphs, nested lists,
tables that repeat their header row, rules. From the ``<!-- signature -->``
directive to the end of the letter (or to the rule before the office's
mentions), the flowables are one ``KeepTogether`` with the paragraph before it:
the contestation paragraph, the closing formula and the signature are never
split across pages, nor alone on one. A short paragraph is never split, a long
one never leaves one line alone at the foot or the head of a page, and a
heading stays with what follows it. A figure
is never split at the end of a line (« 2 730 », « 3 000 FCFA »). See
docs/lettres.md for the choice of ReportLab and of the fonts.

Names are written in Mali in Latin letters with diacritics (ɛ, ɔ, ɲ, ŋ), in
Arabic script and in N'Ko. A character Vera lacks is drawn with the Noto fonts
shipped beside this module (``polices/``, under the SIL Open Font License):
Noto Sans, Noto Sans Arabic, Noto Sans NKo. Arabic and N'Ko are joined and
read right to left: their words are shaped by HarfBuzz (``uharfbuzz``, through
ReportLab's shaping) and a run of such words is laid out right to left; without
HarfBuzz the letter is refused with a French message rather than drawn with
wrong glyphs. A character no shipped font has is refused too: never « ? ».
"""

from __future__ import annotations

import functools
import io
import re
from typing import Any

from markdown_it.token import Token

from explain.lettres.markdown import Rendu, parcourir
from explain.lettres.polices_pdf import SECOURS, marquer, pdf_safe, polices, secours


def _style_du_texte(markup: str, style):
    """A paragraph with Arabic or N'Ko is shaped (ReportLab's ``shaping``, by HarfBuzz); the others are not."""
    from reportlab.lib.styles import ParagraphStyle

    if any(f'name="{family}"' in markup for family, _r, _b, rtl in SECOURS if rtl):
        return ParagraphStyle(f"{style.name}-faconne", style, shaping=1)
    return style


def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    # No line of a paragraph alone at the foot of a page (orphan) nor at the head of the next one (widow).
    base = ParagraphStyle("corps", fontName="Vera", bulletFontName="Vera", fontSize=10, leading=14, spaceAfter=6,
                          allowWidows=0, allowOrphans=0)
    return {
        "corps": base,
        # A heading stays with what follows it (keepWithNext).
        "titre1": ParagraphStyle("titre1", base, keepWithNext=1, fontName="Vera-Bold", fontSize=13, leading=17,
                                 spaceBefore=6, spaceAfter=8),
        "titre2": ParagraphStyle("titre2", base, keepWithNext=1, fontName="Vera-Bold", fontSize=11, leading=15,
                                 spaceBefore=8, spaceAfter=4, textColor=HexColor("#1f3a5f")),
        "titre3": ParagraphStyle("titre3", base, keepWithNext=1, fontName="Vera-Bold", fontSize=10, spaceBefore=6,
                                 spaceAfter=3),
        "droite": ParagraphStyle("droite", base, alignment=2),
        "item": ParagraphStyle("item", base, spaceAfter=3),
        "cellule": ParagraphStyle("cellule", base, fontSize=9, leading=12, spaceAfter=0),
        "cellule_droite": ParagraphStyle("cellule_droite", base, fontSize=9, leading=12, spaceAfter=0, alignment=2),
    }


def _inline(token: Token) -> str:
    """An inline token as ReportLab paragraph markup: bold, italic, hard breaks; everything else as text."""
    out = []
    for child in token.children or []:
        kind = child.type
        if kind in ("strong_open", "strong_close", "em_open", "em_close"):
            tag = "b" if kind.startswith("strong") else "i"
            out.append(f"<{tag}>" if kind.endswith("open") else f"</{tag}>")
        elif kind == "hardbreak":
            out.append("<br/>")
        elif kind == "softbreak":
            out.append(" ")
        else:  # text, code, raw HTML, a link's text: printed as it is
            out.append(marquer(child.content))
    # A figure is not split at the end of a line: "2 730", "3 000 FCFA".
    return re.sub(r"(?<=\d) (?=\d{3}\b|FCFA)", "\u00a0", "".join(out))


class _Liste:
    """An open list while the tokens are walked: ordered or not, its depth, its items' count."""

    def __init__(self, ordonnee: bool, depth: int):
        self.ordonnee, self.depth, self.n = ordonnee, depth, 0
        self.puce: str | None = None  # the bullet of the item whose first paragraph is still to come


class _Pdf(Rendu):
    """The PDF renderer: the flowables of the story, the open lists, where the closing block starts."""

    def __init__(self, styles) -> None:
        super().__init__()
        self.styles = styles
        self.story: list[Any] = []
        self.signature_debut: int | None = None  # where the closing starts: from there to the signatory, one block
        self.listes: list[_Liste] = []

    def espace(self) -> None:
        from reportlab.lib.units import cm
        from reportlab.platypus import Spacer

        self.story.append(Spacer(1, 1.6 * cm))

    def signature(self) -> None:
        self.signature_debut = len(self.story)

    def brut(self, text: str) -> None:
        from reportlab.platypus import Paragraph

        markup = marquer(text)
        self.story.append(Paragraph(markup, _style_du_texte(markup, self.styles["corps"])))

    def bloc(self, tokens: list[Token], i: int) -> int:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import HRFlowable, Paragraph, Spacer

        story, styles, listes = self.story, self.styles, self.listes
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            level = min(3, int(token.tag[1]))
            markup = _inline(tokens[i + 1])
            story.append(Paragraph(markup, _style_du_texte(markup, styles[f"titre{level}"])))
            return i + 3  # the heading, its text and its end
        if kind in ("bullet_list_open", "ordered_list_open"):
            listes.append(_Liste(kind == "ordered_list_open", len(listes)))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            listes.pop()
            if not listes:
                story.append(Spacer(1, 4))
        elif kind == "list_item_open":
            liste = listes[-1]
            liste.n += 1
            liste.puce = f"{liste.n}." if liste.ordonnee else ("•" if liste.depth == 0 else "–")
        elif kind == "paragraph_open":
            markup = _inline(tokens[i + 1])
            if listes:
                liste = listes[-1]
                style = ParagraphStyle(f"item{liste.depth}", styles["item"], leftIndent=16 * (liste.depth + 1),
                                       bulletIndent=16 * liste.depth + 4)
                story.append(_entier(markup, _style_du_texte(markup, style), bulletText=liste.puce))
                liste.puce = None
            else:
                style = styles["droite" if self.droite else "corps"]
                story.append(_entier(markup, _style_du_texte(markup, style)))
                self.droite = False
            return i + 3  # the paragraph, its text and its end
        elif kind == "hr":  # the rule before the office's mentions ends the closing block
            self._ferme_signature()
            story.append(HRFlowable(width="100%", thickness=0.5, color=HexColor("#999999"), spaceBefore=4,
                                    spaceAfter=6))
        elif kind == "table_open":
            i, table = _table(tokens, i, styles)
            story += [table, Spacer(1, 8)]
        return i + 1

    def fin(self) -> None:
        self._ferme_signature()

    def _ferme_signature(self) -> None:
        from reportlab.platypus import KeepTogether, Spacer

        if self.signature_debut is not None:
            # The paragraph before the closing comes with it: the signature is never alone at the top of a page.
            debut = max(0, self.signature_debut - 1)
            while debut > 0 and isinstance(self.story[debut], Spacer):  # the space after a list or a table
                debut -= 1
            self.story[debut:] = [KeepTogether(self.story[debut:])]
            self.signature_debut = None


# A paragraph of up to six lines is never split: moved whole to the next page. A longer one may be split, never
# leaving a single line on either side (the styles' allowOrphans, allowWidows). Not a KeepTogether: one inside
# the closing block's KeepTogether would make it measure as endless, and always start a new page.
COURT = 6


def _entier(markup: str, style, **kwargs):
    """A paragraph of the letter's body, that a page break never splits when it is short (:data:`COURT` lines)."""
    return _classe_paragraphe()(markup, style, **kwargs)


@functools.cache
def _classe_paragraphe():
    from reportlab.platypus import Paragraph

    class ParagrapheEntier(Paragraph):
        def split(self, availWidth, availHeight):
            self.wrap(availWidth, availHeight)
            lines = getattr(getattr(self, "blPara", None), "lines", None) or []
            if len(lines) <= COURT:
                return []
            return super().split(availWidth, availHeight)

    return ParagrapheEntier


def _story(text: str, styles) -> list[Any]:
    rendu = _Pdf(styles)
    parcourir(text, rendu)
    return rendu.story


def _table(tokens: list[Token], i: int, styles):
    """The table opening at ``tokens[i]``: (index of its closing token, the flowable)."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Table, TableStyle

    rows: list[list[Any]] = []
    header = True
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tbody_open":
            header = False
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            right = "right" in (token.attrGet("style") or "")
            style = styles["cellule_droite" if right else "cellule"]
            markup = _inline(tokens[i + 1])
            rows[-1].append(Paragraph(f"<b>{markup}</b>" if header else markup, _style_du_texte(markup, style)))
        i += 1
    width = 17 * cm
    columns = max(len(r) for r in rows)
    # Dates and amounts are short; the last column (what is paid) takes the rest.
    narrow = [3.6 * cm] * (columns - 1)
    table = Table(rows, colWidths=[*narrow, width - sum(narrow)] if columns > 1 else [width], repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), "Vera"),  # the table's own default is Helvetica, a core font
        ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e8edf3")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return i, table


def _canvas_numerote(dossier: str):
    """A canvas class that writes "Dossier … — page n/N" at the foot of each page once N is known."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    class CanvasNumerote(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = "Vera"  # else every page names Helvetica, a core font
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self):  # ReportLab's name: the page is kept, drawn at save()
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.saveState()
                self.setFont("Vera", 8)
                self.setFillColor(HexColor("#666666"))
                self.drawString(2 * cm, 1.2 * cm, pdf_safe(dossier))
                self.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"page {self._pageNumber}/{total}")
                self.restoreState()
                super().showPage()
            super().save()

    return CanvasNumerote


def pdf_document(lettres: list[Any]) -> bytes:
    """The letters as one A4 PDF, each starting on a new page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    polices()
    secours()
    styles = _styles()
    buffer = io.BytesIO()
    first = lettres[0]
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=pdf_safe(first.titre), author=pdf_safe(first.auteur),
                            subject=pdf_safe(f"Dossier {first.dossier}"), creator="prevoyance",
                            keywords=", ".join(sorted({lt.version for lt in lettres if lt.version})),
                            invariant=1, lang="fr-FR")  # invariant: the same letter gives the same bytes
    story: list[Any] = []
    for n, lt in enumerate(lettres):
        if n:
            story.append(PageBreak())
        story += _story(lt.markdown, styles)
    doc.build(story, canvasmaker=_canvas_numerote(first.reference or f"Dossier n° {first.dossier}"))
    return buffer.getvalue()



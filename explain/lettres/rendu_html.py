"""A letter's Markdown written as HTML: the body of each letter, and the standalone page that holds them.

The Markdown is walked by :func:`explain.lettres.markdown.parcourir`; this
renderer writes each block as HTML. The closing block (from the
``<!-- signature -->`` directive to the rule before the office's mentions, or
to the end) is a ``<div class="signature">`` that the page's style sheet keeps
on one printed page. The page itself is the template ``page.html.j2``
(:mod:`explain.lettres.gabarits`), A4 when printed.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from explain.lettres.gabarits import rendre
from explain.lettres.markdown import Rendu, parcourir


def _inline_html(token: Token) -> str:
    out = []
    for child in token.children or []:
        kind = child.type
        if kind == "text" or kind == "code_inline" or kind == "html_inline":
            out.append(html.escape(child.content, quote=False))
        elif kind == "softbreak":
            out.append("\n")
        elif kind == "hardbreak":
            out.append("<br>\n")
        elif kind in ("strong_open", "strong_close", "em_open", "em_close"):
            tag = "strong" if kind.startswith("strong") else "em"
            out.append(f"<{tag}>" if kind.endswith("open") else f"</{tag}>")
        else:  # a link or an image would need a URL a letter never has: its text only
            out.append(html.escape(child.content, quote=False))
    return "".join(out)


class _Html(Rendu):
    """The HTML renderer: the body's text, and whether the closing block is open."""

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.signature_ouverte = False  # the closing block, kept on one printed page (CSS break-inside: avoid)

    def espace(self) -> None:
        self.out.append('<div class="espace"></div>\n')

    def signature(self) -> None:
        if not self.signature_ouverte:
            self.out.append('<div class="signature">\n')
            self.signature_ouverte = True

    def brut(self, text: str) -> None:
        self.out.append(f"<p>{html.escape(text, quote=False)}</p>\n")

    def bloc(self, tokens: list[Token], i: int) -> int:
        token = tokens[i]
        kind = token.type
        out = self.out
        if kind == "inline":
            out.append(_inline_html(token))
        elif kind == "paragraph_open":
            if not token.hidden:  # a tight list item has no paragraph of its own
                out.append('<p class="droite">' if self.droite else "<p>")
                self.droite = False
        elif kind == "paragraph_close":
            if not token.hidden:
                out.append("</p>\n")
        elif kind in ("th_open", "td_open"):
            right = "right" in (token.attrGet("style") or "")
            out.append(f'<{token.tag} class="montant">' if right else f"<{token.tag}>")
        elif kind == "hr":  # the rule before the office's mentions ends the closing block
            self._ferme_signature()
            out.append("<hr>\n")
        elif kind.endswith("_open"):
            out.append(f"<{token.tag}>")
            if kind in ("bullet_list_open", "ordered_list_open", "table_open", "thead_open", "tbody_open",
                        "tr_open"):
                out.append("\n")
        elif kind.endswith("_close"):
            out.append(f"</{token.tag}>\n")
        elif kind in ("fence", "code_block"):
            out.append(f"<p>{html.escape(token.content, quote=False)}</p>\n")
        return i + 1

    def fin(self) -> None:
        self._ferme_signature()

    def _ferme_signature(self) -> None:
        if self.signature_ouverte:
            self.out.append("</div>\n")
            self.signature_ouverte = False


def markdown_html(text: str) -> str:
    """The HTML body of a letter's Markdown."""
    rendu = _Html()
    parcourir(text, rendu)
    return "".join(rendu.out)


def html_document(lettres: list[Any], modeles: str | Path | None = None) -> str:
    """A standalone HTML page holding the letters (:class:`explain.lettres.Lettre`), one per printed page."""
    articles = [{"titre": lt.titre, "corps": markdown_html(lt.markdown)} for lt in lettres]
    titre = lettres[0].titre if len(lettres) == 1 else f"Lettres — dossier {lettres[0].dossier}"
    return rendre("page.html.j2", {"lettres": articles, "titre": html.escape(titre)}, modeles)

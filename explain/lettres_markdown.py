"""A letter's Markdown, read by markdown-it-py (CommonMark and its tables), and written as HTML.

The letter templates write Markdown (see docs/lettres.md): headings, paragraphs,
hard line breaks (a backslash ending a line), lists nested by indentation, pipe
tables (``---:`` aligns right), rules, ``**bold**``, ``*italic*`` and backslash
escapes. Three layout directives are HTML comments alone on their line, which
Markdown viewers hide: ``<!-- droite -->`` aligns the next paragraph right,
``<!-- espace -->`` leaves room for a signature, ``<!-- signature -->`` opens
the block kept on one page (the PDF's ``KeepTogether``). Any other raw HTML in
a letter is printed as text, never passed through: every text from the dossier
is escaped anyway (:func:`explain.format.md`).
"""

from __future__ import annotations

import functools
import html
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

DIRECTIVES = ("droite", "espace", "signature")
_DIRECTIVE = re.compile(r"^\s*<!--\s*(droite|espace|signature)\s*-->\s*$")


@functools.cache
def _parser() -> MarkdownIt:
    # "commonmark" reads HTML comments as blocks, which carry the directives; "table" adds pipe tables.
    return MarkdownIt("commonmark", {"typographer": False}).enable("table")


def directive(token: Token) -> str | None:
    """The layout directive an ``html_block`` token holds (``droite``, ``espace``, ``signature``), if any."""
    if token.type != "html_block":
        return None
    match = _DIRECTIVE.match(token.content.strip())
    return match.group(1) if match else None


def parse(text: str) -> list[Token]:
    """The block tokens of a letter's Markdown; a directive is an ``html_block`` with ``meta["directive"]``."""
    tokens = _parser().parse(text)
    for token in tokens:
        if token.type == "html_block":
            token.meta["directive"] = directive(token)
    return tokens


def unescape(text: str) -> str:
    """Markdown escapes removed (``\\*`` → ``*``): the text a reader sees."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


# -- HTML ------------------------------------------------------------------------------------------
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


def to_html(text: str) -> str:
    """The HTML body of a letter's Markdown."""
    out: list[str] = []
    droite = False
    signature = False  # the closing block, kept on one printed page (CSS break-inside: avoid)
    for token in parse(text):
        kind = token.type
        if kind == "html_block":
            name = token.meta.get("directive")
            if name == "droite":
                droite = True
            elif name == "espace":
                out.append('<div class="espace"></div>\n')
            elif name == "signature" and not signature:
                out.append('<div class="signature">\n')
                signature = True
            elif name is None:
                out.append(f"<p>{html.escape(token.content.strip(), quote=False)}</p>\n")
            continue
        if kind == "inline":
            out.append(_inline_html(token))
            continue
        if kind == "paragraph_open":
            if token.hidden:  # a tight list item
                continue
            out.append('<p class="droite">' if droite else "<p>")
            droite = False
        elif kind == "paragraph_close":
            if not token.hidden:
                out.append("</p>\n")
        elif kind in ("th_open", "td_open"):
            right = "right" in (token.attrGet("style") or "")
            out.append(f'<{token.tag} class="montant">' if right else f"<{token.tag}>")
        elif kind == "hr":
            if signature:
                out.append("</div>\n")
                signature = False
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
    if signature:
        out.append("</div>\n")
    return "".join(out)

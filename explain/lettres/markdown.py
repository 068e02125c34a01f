"""A letter's Markdown, read by markdown-it-py (CommonMark and its tables), and walked for its renderers.

The letter templates write Markdown (see docs/lettres.md): headings, paragraphs,
hard line breaks (a backslash ending a line), lists nested by indentation, pipe
tables (``---:`` aligns right), rules, ``**bold**``, ``*italic*`` and backslash
escapes. Three layout directives are HTML comments alone on their line, which
Markdown viewers hide: ``<!-- droite -->`` aligns the next paragraph right,
``<!-- espace -->`` leaves room for a signature, ``<!-- signature -->`` opens
the block kept on one page (the PDF's ``KeepTogether``). Any other raw HTML in
a letter is printed as text, never passed through: every text from the dossier
is escaped anyway (:func:`explain.format.md`).

One walk (:func:`parcourir`) reads the blocks and the directives; the HTML
(:mod:`explain.lettres.rendu_html`) and the PDF (:mod:`explain.lettres.rendu_pdf`)
are two renderers (:class:`Rendu`) that draw them, so the two formats read a
letter the same way.
"""

from __future__ import annotations

import functools
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


# -- the walk ------------------------------------------------------------------------------------
class Rendu:
    """A renderer of a letter's Markdown, driven by :func:`parcourir`: one method per directive, and
    :meth:`bloc` for every other block token.

    ``droite`` is set by the ``<!-- droite -->`` directive; the renderer clears it when it places the
    paragraph it aligns.
    """

    def __init__(self) -> None:
        self.droite = False

    def espace(self) -> None:
        """Room left for a signature (``<!-- espace -->``)."""

    def signature(self) -> None:
        """The closing block starts (``<!-- signature -->``): kept on one printed page."""

    def brut(self, text: str) -> None:
        """Raw HTML that is no directive: printed as text, never passed through."""

    def bloc(self, tokens: list[Token], i: int) -> int:
        """Draw the token ``tokens[i]``; return the index of the next token to read."""
        return i + 1

    def fin(self) -> None:
        """The letter has ended."""


def parcourir(text: str, rendu: Rendu) -> None:
    """Walk the blocks of a letter's Markdown: each directive to its method of ``rendu``, any other raw
    HTML to :meth:`Rendu.brut`, every other token to :meth:`Rendu.bloc`."""
    tokens = parse(text)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type != "html_block":
            i = rendu.bloc(tokens, i)
            continue
        name = token.meta.get("directive")
        if name == "droite":
            rendu.droite = True
        elif name == "espace":
            rendu.espace()
        elif name == "signature":
            rendu.signature()
        else:
            rendu.brut(token.content.strip())
        i += 1
    rendu.fin()

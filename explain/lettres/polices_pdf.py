"""The fonts of a letter's PDF and which character each draws: the Bitstream Vera fonts ReportLab ships, and
the Noto fonts shipped beside this package (``polices/``) for what Vera lacks (ɛ, ɔ, ɲ, ŋ; Arabic; N'Ko).
Arabic and N'Ko words are marked to be shaped by HarfBuzz and laid out right to left; a character no shipped
font has is refused (:class:`PdfError`), never drawn as « ? ». Used by :mod:`explain.lettres.rendu_pdf`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path


def echappe(text: str) -> str:
    """Text for ReportLab's paragraph markup: its three special characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PdfError(Exception):
    """The PDF cannot be drawn (fonts missing, a character no shipped font has, no shaping for Arabic or N'Ko)."""


# ReportLab ships the Bitstream Vera TrueType fonts (reportlab/fonts): Unicode
# fonts whose licence allows embedding, found without any system package.
_POLICES = {"Vera": "Vera.ttf", "Vera-Bold": "VeraBd.ttf", "Vera-Italic": "VeraIt.ttf",
            "Vera-BoldItalic": "VeraBI.ttf"}
# Characters a template or a phrase may use that Vera lacks, and what stands for them.
_SUBSTITUTS = {"\u202f": "\u00a0", "\u2009": " ", "\u2011": "-", "\u2007": "\u00a0", "✓": "+", "✗": "x"}


@functools.cache
def polices() -> frozenset[int]:
    """Register the fonts once; the code points they can draw."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(reportlab.__file__).parent / "fonts"
    chars: set[int] = set()
    for name, filename in _POLICES.items():
        try:
            font = TTFont(name, str(folder / filename))
        except Exception as exc:  # the font files are part of the reportlab wheel
            raise PdfError(f"police {filename} introuvable dans reportlab ({exc})") from exc
        pdfmetrics.registerFont(font)
        chars |= set(font.face.charToGlyph)
    pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic",
                                  boldItalic="Vera-BoldItalic")
    return frozenset(chars)


# The Noto fonts shipped in polices/ (OFL.txt): (family, regular file, bold file, right to left), in the order
# they are tried for a character Vera lacks.
SECOURS = (("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", False),
            ("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", True),
            ("NotoSansNKo", "NotoSansNKo-Regular.ttf", "NotoSansNKo-Regular.ttf", True))
_DOSSIER_POLICES = Path(__file__).parent / "polices"
_GLYPHE_UNI = re.compile(r"^(?:uni|u)([0-9A-F]{4,6})(?:[._]|$)")


def _police_droite(name: str, path: str):
    """A TrueType font of a script read right to left: its shaped glyphs (joined forms, which the font's
    character map does not list) are written in the PDF's ToUnicode map as the letters they draw, read
    from the glyph's name (« uni07CA.init » → ߊ), so that the text of the PDF is the name as written."""
    from reportlab.pdfbase import pdfdoc, ttfonts

    class PoliceDroite(ttfonts.TTFont):
        def _lettre(self, code: int) -> int:
            if not 0xE000 <= code <= 0xF8FF:
                return code
            for nom, prive in getattr(self, "_TTFont__hbUnis", {}).items():
                if prive == code:
                    match = _GLYPHE_UNI.match(nom)
                    return int(match.group(1), 16) if match else code
            return code

        def addObjects(self, doc):  # ReportLab's, with the ToUnicode map of the letters drawn
            state = self.state.get(doc) or self.state.setdefault(doc, ttfonts.TTFont.State(self._asciiReadable))
            state.frozen = 1
            for n, subset in enumerate(state.subsets):
                internal = self.getSubsetInternalName(n, doc)[1:]
                base = (b"".join((ttfonts.SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
                font = pdfdoc.PDFTrueTypeFont()
                font.__Comment__ = f"Font {self.fontName} subset {n}"
                font.Name, font.BaseFont, font.FirstChar, font.LastChar = internal, base, 0, len(subset) - 1
                font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
                cmap = pdfdoc.PDFStream()
                cmap.content = ttfonts.makeToUnicodeCMap(base, [self._lettre(c) for c in subset])
                if doc.compression:
                    cmap.filters = [pdfdoc.PDFZCompress]
                font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base)
                font.FontDescriptor = self.face.addSubsetObjects(doc, base, subset)
                doc.idToObject["BasicFonts"].dict[internal] = font
                doc.Reference(font, internal)
            del self.state[doc]

    return PoliceDroite(name, path)


@functools.cache
def secours() -> tuple[tuple[str, frozenset[int], bool], ...]:
    """Register the shipped Noto fonts once: (family, the code points it draws, right to left), in order."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    out = []
    for family, regular, bold, rtl in SECOURS:
        fonts = {}
        for style, filename in (("", regular), ("-Bold", bold)):
            path = _DOSSIER_POLICES / filename
            try:
                font = _police_droite(family + style, str(path)) if rtl else TTFont(family + style, str(path))
            except Exception as exc:  # shipped with the package (polices/)
                raise PdfError(f"police {filename} introuvable ({exc})") from exc
            pdfmetrics.registerFont(font)
            fonts[style] = font
        pdfmetrics.registerFontFamily(family, normal=family, bold=f"{family}-Bold", italic=family,
                                      boldItalic=f"{family}-Bold")
        out.append((family, frozenset(fonts[""].face.charToGlyph), rtl))
    return tuple(out)


def _famille(c: str) -> tuple[str | None, bool]:
    """The font family that draws ``c`` (None: Vera, the letter's own) and whether its script reads right to left."""
    if ord(c) in polices() or c in "\n\x00\x01\x02 ":
        return None, False
    for family, chars, rtl in secours():
        if ord(c) in chars:
            return family, rtl
    raise PdfError(f"la lettre contient le caractère « {c} » (U+{ord(c):04X}) qu'aucune police livrée ne dessine : "
                   "utilisez le format HTML pour cette lettre")


def pdf_safe(text: str) -> str:
    """Text the PDF fonts can draw: a character Vera lacks is replaced by its stand-in (a narrow space by a
    non-breaking one) when it has one, else kept for a shipped Noto font; a character no font has is refused
    (PdfError), never drawn as « ? »."""
    def safe(c: str) -> str:
        if c in _SUBSTITUTS and ord(c) not in polices():
            return _SUBSTITUTS[c]
        _famille(c)
        return c

    return "".join(safe(c) for c in text)


def _mot_droite(mot: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in mot)


def marquer(text: str) -> str:
    """Text as ReportLab markup: escaped, each run of characters Vera lacks in the font that draws it, and
    in a run of words read right to left (Arabic, N'Ko) the words in the order the eye reads them."""
    text = pdf_safe(text)
    # A run of right-to-left words in a left-to-right line is laid out from right to left (the Unicode
    # bidirectional algorithm's rule for such a run); each word is shaped, and drawn, by HarfBuzz.
    mots = re.split(r"( +)", text)
    i = 0
    while i < len(mots):
        if _mot_droite(mots[i]):
            j = i
            while j + 2 < len(mots) and _mot_droite(mots[j + 2]):
                j += 2
            mots[i:j + 1] = mots[i:j + 1][::-1]
            i = j + 1
        i += 1
    out, courant, morceau = [], None, []

    def vider() -> None:
        chunk = echappe("".join(morceau))
        out.append(f'<font name="{courant}">{chunk}</font>' if courant and chunk else chunk)
        morceau.clear()

    droite = {family for family, _c, rtl in secours() if rtl}
    precedent = " "
    for c in "".join(mots):
        family, rtl = _famille(c)
        if rtl:
            harfbuzz()
        if family != courant and c != " ":
            vider()
            # ReportLab shapes a whole word with the font of its first letters: a word of Arabic or N'Ko must
            # end where another font begins, else the other letters get that font's glyphs. A space is the
            # only break ReportLab knows (a zero-width space is not one): « ߊߡߊߘߎ , » rather than wrong glyphs.
            if precedent != " " and (family in droite or courant in droite):
                out.append(" ")
            courant = family
        morceau.append(c)
        precedent = c
    vider()
    return "".join(out)


def harfbuzz() -> None:
    """Arabic and N'Ko need HarfBuzz to be drawn right (joined letters, read right to left)."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError as exc:
        raise PdfError("la lettre contient un nom en écriture arabe ou n'ko : pour le dessiner correctement "
                       "(lettres liées, de droite à gauche), le PDF demande le paquet uharfbuzz, absent ; "
                       "installez-le (pip install uharfbuzz) ou utilisez le format HTML") from exc



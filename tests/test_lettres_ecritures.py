"""Names in the scripts they are written in, in PDF letters (issue 23, point 9).

Names are written in Mali in Latin letters with diacritics, in Arabic script and
in N'Ko. The PDF draws each with a shipped Noto font (explain/lettres/polices),
Arabic and N'Ko shaped by HarfBuzz and laid out right to left, and the text of
the PDF (pypdf) is the name as written; without HarfBuzz, or for a character no
shipped font has, the letter is refused in French, never printed as « ???? ».
"""

from __future__ import annotations

import io
import sys
import unicodedata

import pypdf
import pytest

from engine.solver import evaluate
from engine.validation import validate
from explain import lettres as L

NKO, ARABE, BAMBARA = "ߊߡߊߘߎ", "أمادو", "Ɲɛlɛ Kɔnatɛ"


def _lettre(prenoms: str, nom: str, base: str | None = None):
    data = {"id": "ecritures", "date_reference": "2026-03-15",
            "demandeur": {"prenoms": prenoms, "nom": nom, "sexe": "M", "adresse": "Rue 450, Bamako"}}
    if base:
        data["base"] = base
        data["membres"] = [{"prenom": prenoms, "sexe": "M", "activite": "salarie", "a_charge": False}]
    else:
        data["personne"] = {"prenom": prenoms, "qualite": "enfant", "categorie": "allocataire"}
        data["base"] = "senegal-css"
        data["suivi"] = {"motif": "enfant_malade", "consultations": 2}
    dossier = validate(data, "ecritures")
    return L.letters(dossier, evaluate(dossier))[0]


def _texte_et_polices(data: bytes) -> tuple[str, set[str]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in reader.pages))
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    return " ".join(text.split()), fonts


@pytest.mark.parametrize("base", [None, "mali-couverture-maladie"])
def test_nko_and_arabic_names_are_in_the_pdf_text_and_fonts(base):
    pytest.importorskip("uharfbuzz")
    lettre = _lettre(NKO, ARABE, base)
    text, fonts = _texte_et_polices(lettre.pdf())
    assert NKO in text and ARABE in text and "?" not in text
    assert any("NotoSansNKo" in f for f in fonts) and any("NotoSansArabic" in f for f in fonts)


def test_latin_letters_with_diacritics_are_kept():
    lettre = _lettre(BAMBARA, "Traoré")
    text, fonts = _texte_et_polices(lettre.pdf())
    assert BAMBARA in text
    assert any("NotoSans-Regular" in f for f in fonts)


def test_without_harfbuzz_an_arabic_or_nko_name_is_refused_in_french(monkeypatch):
    monkeypatch.setitem(sys.modules, "uharfbuzz", None)  # « import uharfbuzz » fails as if it were absent
    lettre = _lettre(NKO, "Traoré")
    with pytest.raises(L.LettreError, match="uharfbuzz") as error:
        lettre.pdf()
    assert "n'ko" in str(error.value) and "HTML" in str(error.value)


def test_a_character_no_font_draws_is_refused_never_a_question_mark():
    lettre = _lettre("漢字", "Traoré")
    with pytest.raises(L.LettreError, match="U\\+6F22"):
        lettre.pdf()

"""Every text the base renders, for any dossier of any regime, is French a person can read.

For dossiers drawn by Hypothesis (the three regimes, with or without identity
and sex): ``evaluate`` (text), ``why`` (text, Markdown, HTML) and the letters
(Markdown, and the PDF's text for one letter) contain no « (e) » or other
bracketed gender ending, no path of the repository in a citizen's letter, and
no amount whose digits or unit are separated by a breaking space.
"""

from __future__ import annotations

import io
import re

import pypdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import dossiers
from test_proprietes_regimes import dossiers_pmi, menages

from engine.solver import evaluate
from engine.validation import validate
from explain import lettres as L
from explain.render import evaluate_text
from explain.why import why

GENRE = re.compile(r"\((?:e|es|ne|le|la|elle|ve|veuve|euse|rice)\)|\w\(e\)")
# A figure of a grouped number or an amount, split by an ordinary (breaking) space: « 13 650 », « 650 FCFA ».
MONTANT_SECABLE = re.compile(r"\d \d{3}\b|\d FCFA\b")
# A file or folder of the repository: never in a citizen's letter.
CHEMIN = re.compile(r"\b(?:docs|kb|spec|explain|engine|tests)/|\b[\w-]+\.(?:lp|md|py|yaml|j2)\b")

identites = st.fixed_dictionaries({}, optional={
    "nom": st.sampled_from(["Diarra", "Ndiaye", "Traoré", "Keïta"]),
    "prenoms": st.sampled_from(["Aminata", "Seydou Oumar", "Rokia"]),
    "adresse": st.sampled_from(["Rue 312, porte 45\nBamako", "BP 45, Kati"]),
    "numero_immatriculation": st.sampled_from(["INPS-1234567", "12 345 678"]),
    "sexe": st.sampled_from(["F", "M"]),
})


@st.composite
def dossiers_tous_regimes(draw) -> dict:
    """A valid dossier of one of the three regimes, sometimes with its applicant's identity."""
    regime = draw(st.sampled_from(("mali-inps", "senegal-css", "mali-couverture-maladie")))
    if regime == "mali-inps":
        data = draw(dossiers(max_enfants=3))
        if draw(st.booleans()):
            identity = draw(identites)
            identity.pop("sexe", None)  # the INPS applicant's sex is a fact the rules read
            data["demandeur"] = {**data.get("demandeur", {}), **identity}
        return data
    data = draw(dossiers_pmi()) if regime == "senegal-css" else draw(menages())
    if draw(st.booleans()):
        data["demandeur"] = draw(identites)
    for membre in data.get("membres", []):
        if draw(st.booleans()):
            membre["sexe"] = draw(st.sampled_from(["F", "M"]))
    return data


def _propre(text: str, where: str, lettre: bool) -> None:
    assert not GENRE.search(text), f"{where} : « {GENRE.search(text).group()} »"
    assert not MONTANT_SECABLE.search(text), f"{where} : « {MONTANT_SECABLE.search(text).group()} »"
    if lettre:
        assert not CHEMIN.search(text), f"{where} : « {CHEMIN.search(text).group()} »"


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          deadline=None)
@given(dossiers_tous_regimes(), st.data())
def test_every_rendered_text_is_clean(data, tirage):
    dossier = validate(data, "tire")
    decision = evaluate(dossier)
    _propre(evaluate_text(decision), "evaluate", lettre=False)
    for prestation in decision.prestations:
        for fmt in ("text", "markdown", "html"):
            _propre(why(decision, prestation, fmt), f"why {prestation} {fmt}", lettre=False)
    lettres = L.letters(dossier, decision)
    for lettre in lettres:
        _propre(lettre.markdown, f"lettre {lettre.prestation}", lettre=True)
    if lettres:
        chosen = tirage.draw(st.sampled_from(lettres))
        reader = pypdf.PdfReader(io.BytesIO(chosen.pdf()))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert not GENRE.search(text) and not CHEMIN.search(text)


def test_amounts_do_not_break_but_code_in_a_page_is_untouched():
    from explain.format import insecables

    page = '<style>a { margin: 0 100px }</style><p>5 000 FCFA, 100 FCFA</p><svg><path d="M 1 200"/></svg>'
    out = insecables(page, html=True)
    assert "<p>5\u00a0000\u00a0FCFA, 100\u00a0FCFA</p>" in out
    assert "margin: 0 100px" in out and 'd="M 1 200"' in out
    assert insecables("de 1 500 à 13 650 FCFA") == "de 1\u00a0500 à 13\u00a0650\u00a0FCFA"

"""Letters ready to post (issue 25, point 2), read in the three formats as a clerk and a citizen read them.

A « Réf. » line (the dossier, and the registration number when known); how, where and by when to contest,
the time limit and address set per office in the letterhead; a letter without an addressee written with a
blank block and a warning to the clerk, never silently; amounts only under « Montant »; no paragraph tail
nor signature alone at the top of a page of the PDF.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from engine.solver import evaluate
from engine.validation import validate
from explain import lettres as L
from tests.test_lettres_regimes import CAS, _dossier
from usecases.entete import EnteteError, load_bureau


def _pdf_pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text().replace("\u00a0", " ") for page in reader.pages]


def _plat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _letter(regime: str, type_: str, entete=None, data_change=None) -> L.Lettre:
    dossier = _dossier(regime, type_)
    if data_change:
        dossier = validate(data_change(dict(dossier.data)), "x")
    return L.letters(dossier, evaluate(dossier), entete=entete)[0]


# -- 1. the « Réf. » line --------------------------------------------------------------
@pytest.mark.parametrize(("regime", "type_"), list(CAS), ids=[f"{r}-{t}" for r, t in CAS])
def test_every_letter_has_a_ref_line_with_the_dossier_and_the_registration_number(regime, type_):
    lettre = _letter(regime, type_)
    ref = f"Réf. : Dossier n° {regime}-{type_} — N° d'immatriculation : IMM-1234567"
    assert ref in lettre.markdown
    assert ref in lettre.html().replace("&#39;", "'").replace("&#x27;", "'")
    assert ref in _plat(" ".join(_pdf_pages(lettre.pdf())))


def test_without_a_registration_number_the_ref_is_the_dossier():
    def sans_numero(data):
        data["demandeur"] = {k: v for k, v in data["demandeur"].items() if k != "numero_immatriculation"}
        return data

    lettre = _letter("mali-inps", "rejet", data_change=sans_numero)
    assert "Réf. : Dossier n° mali-inps-rejet\\" in lettre.markdown
    assert "immatriculation" not in lettre.markdown


# -- 2. how, where and by when to contest ------------------------------------------------
@pytest.mark.parametrize(("regime", "type_"), list(CAS), ids=[f"{r}-{t}" for r, t in CAS])
def test_every_letter_says_how_where_and_by_when_to_contest(regime, type_):
    lettre = _letter(regime, type_)
    text = _plat(" ".join(_pdf_pages(lettre.pdf())))
    # The letters are dated 15 March 2026; the regimes' letterheads give sixty days.
    assert "Contester" in text and "réclamation écrite" in text
    assert "au plus tard le 14 mai 2026" in text and "soixante (60) jours après la date de cette lettre" in text


def test_the_office_sets_the_time_limit_and_the_address_to_contest(tmp_path):
    bureau = {"recours": {"delai_jours": 15, "service": "Commission de recours amiable",
                          "adresse": ["BP 12", "Kayes"]}}
    lettre = _letter("mali-inps", "attribution", entete=bureau)
    text = _plat(" ".join(_pdf_pages(lettre.pdf())))
    assert "au plus tard le 30 mars 2026" in text and "quinze (15) jours" in text
    assert "Commission de recours amiable" in text and "BP 12 Kayes" in text
    # The office's own date: the letter's date moves the limit.
    dossier = _dossier("mali-inps", "attribution")
    later = L.letters(dossier, evaluate(dossier), entete=bureau, date=dt.date(2026, 4, 1))[0]
    assert "au plus tard le 16 avril 2026" in _plat(later.markdown.replace("*", ""))


def test_an_office_contestation_text_may_cite_the_limit_from_its_variables():
    bureau = {"contestation": "Saisissez la commission de recours {{ signataire | au }} avant le {{ echeance }} "
                              "({{ delai }}) pour contester {{ acte }}.", "recours": {"delai_jours": 45}}
    lettre = _letter("mali-inps", "rejet", entete=bureau)
    assert ("Saisissez la commission de recours au Directeur régional avant le 29 avril 2026 "
            "(quarante-cinq (45) jours) pour contester cette décision.") in _plat(lettre.markdown)


def test_an_unknown_variable_in_the_contestation_text_is_named_in_french():
    with pytest.raises(L.LettreError, match=r"« contestation » : variable inconnue .*acte, bureau, delai, echeance"):
        _letter("mali-inps", "rejet", entete={"contestation": "Écrivez avant le {{ date_limite }}."})


@pytest.mark.parametrize(("contenu", "champ"), [
    ({"recours": {"delai_jours": 0}}, "recours.delai_jours"),
    ({"recours": {"delai_jours": "soixante"}}, "recours.delai_jours"),
    ({"recours": {"delai": 60}}, "recours.delai"),
    ({"recours": {"adresse": "Kayes"}}, "recours.adresse"),
    ({"contestation": "Vous avez 60 jours pour contester."}, "contestation"),
    ({"contestation": "Dans un délai de deux (02) mois."}, "contestation"),
])
def test_letterhead_fields_are_validated_in_french_naming_the_field(tmp_path, contenu, champ):
    fichier = tmp_path / "entete.yaml"
    fichier.write_text(yaml.safe_dump(contenu, allow_unicode=True), encoding="utf-8")
    with pytest.raises(EnteteError, match=re.escape(f"« {champ} »")):
        load_bureau(fichier)
    dossier = tmp_path / "d.yaml"
    dossier.write_text(yaml.safe_dump({"id": "d", "date_reference": "2026-03-15",
                                       **CAS[("senegal-css", "attribution")]}, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["letter", str(dossier), "--entete", str(fichier)])
    assert result.exit_code != 0 and f"« {champ} »" in result.output and "Traceback" not in result.output


# -- 3. a letter without an addressee ----------------------------------------------------------
def _sans(*champs):
    def change(data):
        data["demandeur"] = {k: v for k, v in data["demandeur"].items() if k not in champs}
        return data
    return change


@pytest.mark.parametrize("champs", [("nom",), ("adresse",), ("nom", "adresse")])
def test_a_letter_without_addressee_has_a_blank_block_and_a_warning(champs):
    lettre = _letter("mali-inps", "attribution", data_change=_sans(*champs))
    text = _plat(" ".join(_pdf_pages(lettre.pdf())))
    if "nom" in champs:
        assert "Nom : ……" in text and "Aminata" not in text.split("Réf.")[0]
    else:
        assert "Madame Aminata Diarra" in text
    if "adresse" in champs:
        assert "Adresse : ……" in text
    else:
        assert "Rue 312, porte 45" in text
    (warning,) = lettre.avertissements
    assert "à remplir à la main" in warning
    assert ("nom" in warning) == ("nom" in champs) and ("adresse" in warning) == ("adresse" in champs)


def test_a_complete_addressee_gives_no_warning():
    assert _letter("mali-inps", "attribution").avertissements == ()


def test_cli_warns_on_stderr_for_each_letter_without_addressee(tmp_path):
    data = {"id": "d", "date_reference": "2026-03-15", **CAS[("mali-inps", "attribution")]}
    data["demandeur"] = {k: v for k, v in data["demandeur"].items() if k not in ("nom", "adresse")}
    data["demandes"] = [{"prestation": "allocations_familiales", "date": "2026-03-15"},
                        {"prestation": "prime_premier_etablissement", "date": "2026-03-15"}]
    dossier = tmp_path / "cas" / "d.yaml"
    dossier.parent.mkdir()
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    complet = tmp_path / "cas" / "complet.yaml"
    complet.write_text(yaml.safe_dump({"id": "c", "date_reference": "2026-03-15",
                                       **CAS[("mali-inps", "attribution")]}, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["letter", str(dossier), "-o", str(tmp_path / "out") + "/"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("attention")]
    assert len(warnings) == 2 and all("d.yaml" in w and "ni le nom ni l'adresse" in w for w in warnings)
    result = runner.invoke(main, ["letters", str(tmp_path / "cas"), "-o", str(tmp_path / "lot"),
                                  "--format", "markdown", "--no-what-if"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("attention")]
    assert len(warnings) == 2 and all("d.yaml" in w for w in warnings)
    assert not any("complet.yaml" in w for w in warnings)
    assert "Nom : ……" in (tmp_path / "lot" / "d-allocations_familiales.md").read_text(encoding="utf-8")


# -- 6. amounts only under « Montant » -------------------------------------------------
def _section(markdown: str, titre: str) -> str:
    return markdown.split(f"## {titre}\n", 1)[1].split("\n## ", 1)[0].split("<!--", 1)[0]


@pytest.mark.parametrize(("regime", "type_"), [("senegal-css", "attribution"), ("mali-inps", "attribution")])
def test_only_amounts_under_montant(regime, type_):
    lettre = _letter(regime, type_)
    items = [line for line in _section(lettre.markdown, "Montant").splitlines() if line.startswith("- ")]
    assert items and all(line.endswith(("francs CFA.", "franc CFA.")) for line in items), items


def test_pmi_counts_are_in_words_apart_from_the_amounts():
    lettre = _letter("senegal-css", "attribution")
    apart = _section(lettre.markdown, "À retenir")
    assert "Nombre de consultations du plan : six (6)." in apart
    assert "En cas de perte" in apart and "Montant" not in apart


# -- 5. keep-together rules in the PDF --------------------------------------------------------
PRENOMS = ["Awa", "Moussa", "Bakary", "Fatoumata", "Oumar", "Kadiatou", "Seydou", "Mariam", "Issa", "Rokia",
           "Boubacar", "Aïssata"]
ACTIVITES = ["salarie", "independant", None, "fonctionnaire", "sans_activite", "retraite"]


def _enfants(n: int, pieces: bool) -> dict:
    enfants = []
    for i in range(n):
        enfant = {"prenom": PRENOMS[i], "date_naissance": f"{2008 + i}-0{1 + i % 9}-1{i % 9}", "categorie": "mariage",
                  "declare_etat_civil": True, "a_charge": True, "residence": "Mali", "situation": "aucune",
                  "visite_medicale": True}
        if pieces and i % 2:
            del enfant["visite_medicale"], enfant["a_charge"]
        enfants.append(enfant)
    return {"enfants": enfants}


def _membres(n: int) -> dict:
    membres = []
    for i in range(n):
        membre = {"prenom": PRENOMS[i], "sexe": "F" if i % 2 else "M"}
        activite = ACTIVITES[i % len(ACTIVITES)]
        if activite:
            membre.update(activite=activite, a_charge=False, indigence_certifiee=False, admis_d_office=False)
        membres.append(membre)
    return {"membres": membres}


def _tailles():
    for n in range(1, 13):
        yield f"af-{n}", ("mali-inps", "attribution"), _enfants(n, False)
        yield f"pieces-{n}", ("mali-inps", "pieces"), _enfants(n, True)
        yield f"orientation-{n}", ("mali-couverture-maladie", "orientation"), _membres(n)


def _paragraphes(markdown: str) -> list[str]:
    """The paragraphs of a letter as the PDF prints them (plain text, one space between words)."""
    from explain.lettres.markdown import parse, unescape

    tokens = parse(markdown)
    return [_plat(unescape(tokens[i + 1].content.replace("\\\n", " ")).replace("**", "").replace("*", ""))
            for i, t in enumerate(tokens) if t.type == "paragraph_open"]


def _mises_en_page_fautives(lettre: L.Lettre) -> list[str]:
    """Each page that starts with the last line of a paragraph begun on the page before, or with the
    contestation and signature block alone."""
    paragraphes = _paragraphes(lettre.markdown)
    faults = []
    pages = _pdf_pages(lettre.pdf())
    for n, page in enumerate(pages[1:], start=2):
        first = _plat(next(line for line in page.splitlines() if line.strip()))
        for p in paragraphes:
            if p != first and p.endswith(first) and p.rstrip(".").rstrip() != first.rstrip("."):
                faults.append(f"page {n} commence par la fin d'un paragraphe : « {first} »")
        if first.startswith("Contester") or first.startswith("Nous vous prions d'agréer"):
            faults.append(f"page {n} : la contestation et la signature seules en haut de page")
    # Nothing is pushed to the next page for nothing: every page but the last is filled past its middle.
    reader = pypdf.PdfReader(io.BytesIO(lettre.pdf()))
    for n, page in enumerate(reader.pages[:-1], start=1):
        ys: list[float] = []

        def hauteur(text, cm, tm, *_rest, ys=ys):
            if text.strip():
                ys.append(tm[5] * cm[3] + cm[5])

        page.extract_text(visitor_text=hauteur)
        body = [y for y in ys if y > 60]  # the foot of the page (reference, page n/N) is at 1.2 cm
        if body and min(body) > float(page.mediabox.height) / 2:
            faults.append(f"page {n} à moitié vide : la suite est passée à la page suivante sans nécessité")
    return faults


@pytest.mark.parametrize(("nom", "cas", "ajout"), list(_tailles()), ids=[t[0] for t in _tailles()])
def test_no_paragraph_tail_nor_signature_alone_at_the_top_of_a_page(nom, cas, ajout):
    regime, type_ = cas
    data = {**dict(_dossier(regime, type_).data), **ajout}
    dossier = validate(data, nom)
    for lettre in L.letters(dossier, evaluate(dossier)):
        assert not _mises_en_page_fautives(lettre), _mises_en_page_fautives(lettre)


# -- 4 and 3 in the console: the office's letterhead, the warning -------------------------------------
def _console(tmp_path, entetes=()):
    from fastapi.testclient import TestClient

    from console.app import create_app
    from console.reglages import Reglages

    app = create_app(Reglages(journal=str(tmp_path / "journal.sqlite"), travail=str(tmp_path / "travail"),
                              entetes=tuple(str(e) for e in entetes)))
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000")


def _decider(client, regime: str, type_: str, sans=()) -> str:
    data = {"id": f"{regime}-{type_}", "date_reference": "2026-03-15", **CAS[(regime, type_)]}
    data["demandeur"] = {k: v for k, v in data["demandeur"].items() if k not in sans}
    texte = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    answer = client.post("/dossiers/televerser", files={"fichier": ("d.yaml", texte)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_console_offers_the_regimes_letterheads_and_the_offices(tmp_path):
    kayes = tmp_path / "kayes.yaml"
    kayes.write_text(yaml.safe_dump({"direction": "Direction régionale de Kayes", "agence": "Agence de Kayes",
                                     "adresse": ["BP 12", "Kayes"], "lieu": "Kayes",
                                     "recours": {"delai_jours": 45}}, allow_unicode=True), encoding="utf-8")
    with _console(tmp_path, [kayes]) as client:
        decision = _decider(client, "mali-inps", "attribution")
        page = client.get(decision + "/lettre/allocations_familiales")
        assert page.status_code == 200
        assert re.search(r'<option value="" selected>Agence de Bamako</option>', page.text)
        assert '<option value="office-1">Agence de Kayes</option>' in page.text
        assert "Bamako, le 15 mars 2026" in client.get(decision + "/lettre/allocations_familiales/lettre.html").text
        chosen = client.get(decision + "/lettre/allocations_familiales?entete=office-1")
        assert '<option value="office-1" selected>Agence de Kayes</option>' in chosen.text
        assert "lettre.pdf?entete=office-1" in chosen.text and "lettre.html?entete=office-1" in chosen.text
        html = client.get(decision + "/lettre/allocations_familiales/lettre.html?entete=office-1").text
        assert "Kayes, le 15 mars 2026" in html and "Agence de Bamako" not in html
        assert "quarante-cinq (45) jours" in html
        pdf = client.get(decision + "/lettre/allocations_familiales/lettre.pdf?entete=office-1")
        assert "Agence de Kayes" in _plat(" ".join(_pdf_pages(pdf.content)))
        unknown = client.get(decision + "/lettre/allocations_familiales?entete=nulle-part")
        assert unknown.status_code == 404 and "nulle-part" in unknown.text
        # The regime's shipped offices: the PMI's clinic of Guédiawaye, beside the centre of Colobane.
        pmi = _decider(client, "senegal-css", "attribution")
        page = client.get(pmi + "/lettre/suivi_pmi").text
        assert "Centre de protection maternelle et infantile (PMI) de Colobane</option>" in page
        assert '<option value="guediawaye">Clinique modèle de Guédiawaye</option>' in page
        html = client.get(pmi + "/lettre/suivi_pmi/lettre.html?entete=guediawaye").text
        assert "Guédiawaye, le 15 mars 2026" in html
        # The household's orientation is one letter, named as such whichever scheme's link was followed.
        menage = _decider(client, "mali-couverture-maladie", "orientation")
        page = client.get(menage + "/lettre/amo").text
        assert "Lettre : Orientation de votre ménage vers la couverture maladie" in page
        assert "Service d&#39;orientation vers la couverture maladie</option>" in page or \
            "Service d'orientation vers la couverture maladie</option>" in page


def test_serve_refuses_a_bad_office_letterhead_naming_the_field(tmp_path):
    from console.reglages import ServeError

    bad = tmp_path / "bad.yaml"
    bad.write_text("recours:\n  delai_jours: -3\n", encoding="utf-8")
    with pytest.raises(ServeError, match=r"« recours\.delai_jours »"):
        _console(tmp_path, [bad])


def test_console_letter_page_warns_when_the_addressee_is_missing(tmp_path):
    with _console(tmp_path) as client:
        complete = _decider(client, "mali-inps", "attribution")
        assert "avertissement-destinataire" not in client.get(complete + "/lettre/allocations_familiales").text
        missing = _decider(client, "mali-inps", "attribution", sans=("nom", "adresse"))
        page = client.get(missing + "/lettre/allocations_familiales").text
        assert 'id="avertissement-destinataire" role="alert"' in page
        assert "ni le nom ni l&#39;adresse du demandeur" in page or "ni le nom ni l'adresse du demandeur" in page
        assert "Nom : ……" in client.get(missing + "/lettre/allocations_familiales/lettre.html").text


@pytest.mark.parametrize("regime", ["mali-inps", "senegal-css", "mali-couverture-maladie"])
def test_every_shipped_letterhead_is_valid_and_complete(regime):
    from engine.regime import load_regime
    from usecases.entete import entete, entete_regime, entetes_livres

    loaded = load_regime(regime)
    assert entete_regime(loaded)["recours"]["delai_jours"] >= 1
    for path in entetes_livres(loaded):
        merged = entete(loaded, load_bureau(path))
        assert merged["recours"]["delai_jours"] >= 1 and merged["lieu"]

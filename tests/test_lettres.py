"""Letters to citizens (``prevoyance letter``, ``prevoyance letters``): snapshots, PDF text, properties.

- Snapshots: each dossier of ``tests/lettres/dossiers`` gives one Markdown
  letter per prestation, stored beside this test in ``tests/lettres/`` and
  reviewed by hand; accept a reviewed change with
  ``UPDATE_SNAPSHOTS=1 pytest tests/test_lettres.py``.
- PDF: the text pypdf extracts from each PDF says what the Markdown says
  (amounts, names, reasons, sources), on an A4 page, with every accent.
- Properties (Hypothesis, strategies of ``tests/strategies.py``): any valid
  dossier renders every applicable letter without a template error; a
  rejection names every failed condition; no internal id reaches a citizen.
- CLI: output naming, letterhead and template overrides, a caseload with
  invalid dossiers, atomic writes.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from fractions import Fraction
from pathlib import Path

import click
import pypdf
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from strategies import dossiers, lots
from test_proprietes_af import RAPPEL_DU_ENFANT_EN_ATTENTE

from cli.lettres import letter_command, letters_command
from engine.files import umask, write_atomic
from engine.parsing import parse_text
from engine.solver import evaluate, evaluate_many
from engine.validation import load_dossier, validate
from explain import lettres as L
from explain.lettres import Redacteur
from explain.phrases import catalogue
from usecases.courrier import lettres, load_entete

ICI = Path(__file__).parent
SNAPSHOTS = ICI / "lettres"
DOSSIERS = sorted((SNAPSHOTS / "dossiers").glob("*.yaml"))
EXAMPLES = ICI.parent / "examples"
# A word with an underscore is an internal id (salarie_x, delai_demande, allocations_familiales).
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
# Condition ids and enumeration values that are not French words.
IDS_NUS = re.compile(r"\b(salarie|smig|non_salarie|anterieur_mariage|accorde|refuse|incomplet)\b")


@click.group()
def cli() -> None:
    """The two commands on a group of their own, as cli.py registers them."""


cli.add_command(letter_command)
cli.add_command(letters_command)


def run(*args: str, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)


def prestations_of(path: Path) -> list[str]:
    return [d["prestation"] for d in yaml.safe_load(path.read_text(encoding="utf-8"))["demandes"]]


def snapshot_cases() -> list[tuple[Path, str]]:
    return [(path, prestation) for path in DOSSIERS for prestation in prestations_of(path)]


def plain(markdown: str) -> str:
    """What a reader sees of a letter's Markdown: markup removed, whitespace collapsed."""
    text = re.sub(r"<!--.*?-->", " ", markdown)
    text = re.sub(r"^\s*(?:-|\d+\.)\s+", " ", text, flags=re.M)
    text = re.sub(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$", " ", text, flags=re.M)
    text = re.sub(r"(?<!\\)\|", " ", text)
    text = re.sub(r"(?<!\\)\*+", "", text)
    text = re.sub(r"(?<!\\)\\\n", "\n", text)
    text = re.sub(r"^#+\s", "", text, flags=re.M)
    text = re.sub(r"\\(.)", r"\1", text)
    return normalise(text)


def normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return normalise(" ".join(page.extract_text() for page in reader.pages))


# -- amounts in words ----------------------------------------------------------------
@pytest.mark.parametrize(("montant", "attendu"), [
    (13650, "treize mille six cent cinquante (13 650) francs CFA"),  # the guide's own example
    (2730, "deux mille sept cent trente (2 730) francs CFA"),
    (5460, "cinq mille quatre cent soixante (5 460) francs CFA"),
    (1500, "mille cinq cents (1 500) francs CFA"),
    (80, "quatre-vingts (80) francs CFA"),
    (1, "un (1) franc CFA"),
    (2_000_000, "deux millions (2 000 000) de francs CFA"),
    (Fraction(3003, 2), "mille cinq cent un virgule cinq (1 501,5) francs CFA"),
])
def test_amounts_are_written_in_words_as_the_guide_does(montant, attendu):
    monnaie = catalogue(load_dossier(DOSSIERS[0]).regime).data["lettres"]["monnaie"]
    # Figures are grouped by non-breaking spaces (Babel, CLDR fr): « 13 650 » never breaks.
    figures = re.search(r"\(([\d ,]+)\)", attendu).group(1)
    assert L.en_lettres(montant, monnaie) == attendu.replace(figures, figures.replace(" ", "\u00a0"))


def test_lists_are_joined_in_french():
    assert L.liste(["Awa"]) == "Awa"
    assert L.liste(["Awa", "Moussa", "Issa"]) == "Awa, Moussa et Issa"


# -- snapshots -----------------------------------------------------------------------
def test_snapshots_cover_every_letter_type():
    types = set()
    for path, prestation in snapshot_cases():
        statut = evaluate(load_dossier(path)).prestations[prestation].statut
        types.add(L.letter_type(statut))
    assert types == {"attribution", "rejet", "pieces"}


@pytest.mark.parametrize(("path", "prestation"), snapshot_cases(),
                         ids=[f"{p.stem}-{b}" for p, b in snapshot_cases()])
def test_letter_snapshot(path: Path, prestation: str):
    result = run("letter", path, "--benefit", prestation)
    assert result.exit_code == 0, result.output
    expected = SNAPSHOTS / f"{path.stem}-{prestation}.md"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        expected.write_text(result.stdout, encoding="utf-8")
    assert expected.exists(), f"pas de lettre attendue pour {expected.name} (UPDATE_SNAPSHOTS=1 pour la créer)"
    assert result.stdout == expected.read_text(encoding="utf-8")


# -- PDF -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], tuple[L.Lettre, dict, bytes]]:
    """Every snapshot letter: the letter, its context and its PDF."""
    out = {}
    entete = load_entete()
    for path in DOSSIERS:
        dossier = load_dossier(path)
        decision = evaluate(dossier)
        for lettre in lettres(dossier, decision, Redacteur(entete)):
            ctx = L.letter_context(dossier, decision, lettre.prestation, entete)
            out[(path.stem, lettre.prestation)] = (lettre, ctx, lettre.pdf())
    return out


def test_pdf_says_what_the_markdown_says(rendered):
    for (stem, prestation), (lettre, _, data) in rendered.items():
        text = pdf_text(data)
        for paragraph in re.split(r"\n\s*\n", lettre.markdown):
            for line in re.split(r"(?<!\\)\\\n|\n(?=\s*(?:-|\d+\.) )|\n(?=\|)", paragraph):
                seen = plain(line)
                if seen:
                    assert seen in text, f"{stem}/{prestation} : « {seen} » absent du PDF"


def test_pdf_states_amounts_names_reasons_and_sources(rendered):
    _, _, data = rendered[("famille", "prime_premier_etablissement")]
    text = pdf_text(data)
    assert "treize mille six cent cinquante (13 650) francs CFA" in text
    assert "Institut national de prévoyance sociale (INPS)" in text
    assert "Dossier n° lettre-famille" in text

    _, _, data = rendered[("af-rejet", "allocations_familiales")]
    text = pdf_text(data)
    assert "Seydou" in text
    decision = evaluate(load_dossier(SNAPSHOTS / "dossiers" / "af-rejet.yaml"))
    phrases = catalogue(load_dossier(SNAPSHOTS / "dossiers" / "af-rejet.yaml").regime)
    for condition in decision.prestations["allocations_familiales"].failed():
        if not phrases.concerne(condition, decision.sexes):
            assert phrases.libelle(condition.id, condition.noeud) not in text
            continue
        assert normalise(phrases.sentence(condition, decision.sexes)) in text
        assert phrases.libelle(condition.id, condition.noeud) in text
    assert "Guide INPS, Conditions générales d'attribution, activité salariée, 4°" in text
    assert "Être payé au moins 40 000 FCFA par mois" in text

    _, _, data = rendered[("af-attribution", "allocations_familiales")]
    text = pdf_text(data)
    for amount in ("trois mille (3 000) francs CFA", "vingt-sept mille (27 000) francs CFA", "1er avril 2026"):
        assert amount in text
    assert "Présentez régulièrement Awa et Moussa à la visite médicale" in text

    _, _, data = rendered[("af-pieces", "allocations_familiales")]
    text = pdf_text(data)
    assert "avant le 14 avril 2026" in text  # 30 days after the letter, the letterhead's default
    assert "Certificat de vie" in text


def test_pdf_is_a4_with_embedded_unicode_fonts_and_metadata(rendered):
    _, _, data = rendered[("af-attribution", "allocations_familiales")]
    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("Vera" in f for f in fonts)  # TrueType from reportlab, embedded, no core font
    assert reader.metadata.title == "Allocations familiales — décision d'attribution"
    assert reader.metadata.author == "Institut national de prévoyance sociale (INPS)"
    assert len(reader.pages) >= 2 and f"page 1/{len(reader.pages)}" in reader.pages[0].extract_text()


def test_every_character_of_a_letter_is_in_the_pdf_font(rendered):
    accents = "é è à ç ô œ « » ’ É À Ç ° – —"
    assert L.pdf_safe(accents) == accents
    assert "é è à ç ô œ « » ’" in pdf_text(L.Lettre("rejet", "x", "d", f"{accents}\n", "t", "a").pdf())
    for lettre, _, _ in rendered.values():
        assert L.pdf_safe(lettre.markdown) == lettre.markdown, lettre.prestation
    # Issue 23 point 9: a letter Vera lacks is drawn with a shipped Noto font, no longer stripped of its accent.
    assert L.pdf_safe("Ngọc\u202f") == "Ngọc\u00a0"


def test_same_letter_same_bytes(rendered):
    lettre, _, data = rendered[("conge-rejet", "conge_naissance")]
    assert lettre.pdf() == data


def test_html_page_is_standalone_and_escaped(rendered):
    lettre, _, _ = rendered[("af-rejet", "allocations_familiales")]
    page = lettre.html()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "@page { size: A4" in page
    assert "<h2>Pourquoi</h2>" in page
    assert "<strong>Décision : allocations familiales refusées.</strong>" in page
    assert '<p class="droite">Bamako, le 15 mars 2026</p>' in page


# -- plain language ------------------------------------------------------------------
def test_no_internal_id_in_the_snapshots(rendered):
    for (stem, prestation), (lettre, _, _) in rendered.items():
        text = lettre.markdown.replace(lettre.dossier, "")
        assert not SNAKE.search(text), f"{stem}/{prestation} : {SNAKE.search(text).group()}"
        assert not IDS_NUS.search(text), f"{stem}/{prestation} : {IDS_NUS.search(text).group()}"
        assert "demandeur." not in text and "enfants[" not in text


def test_dossier_paths_left_in_a_phrase_are_removed():
    assert L.citoyen("Le dossier ne donne pas la date (accouchement.date).") == "Le dossier ne donne pas la date."
    assert L.citoyen("la salaire (demandeur.salaire_periode) : x") == "la salaire : x"


def test_names_are_printed_never_interpreted(tmp_path):
    path = SNAPSHOTS / "dossiers" / "af-rejet.yaml"
    data = parse_text(path.read_text(encoding="utf-8"), str(path))
    nom = "Awa *la* <b>grande</b> | _x_ \\ #1"
    data["enfants"][0]["prenom"] = nom
    dossier = validate(data, "nom-etrange")
    decision = evaluate(dossier)
    lettre = L.letters(dossier, decision)[0]
    assert nom not in lettre.markdown and L.md(nom) in lettre.markdown
    assert nom in plain(lettre.markdown)
    assert "Awa *la* &lt;b&gt;grande&lt;/b&gt; | _x_ \\ #1" in lettre.html()
    assert normalise(nom) in pdf_text(lettre.pdf())


# -- letterhead and templates ------------------------------------------------------------
def test_default_letterhead_is_the_inps_office_of_bamako():
    entete = load_entete()
    assert entete["organisme"].startswith("Institut national de prévoyance sociale")
    assert entete["lieu"] == "Bamako"
    assert entete["delai_reponse_jours"] == 30


def test_letterhead_override_changes_the_letter(tmp_path):
    fichier = tmp_path / "entete.yaml"
    fichier.write_text(yaml.safe_dump({
        "direction": "Direction régionale de Kayes", "agence": "Agence de Kayes", "lieu": "Kayes",
        "adresse": ["BP 12, Kayes"], "signataire": {"nom": "Fatoumata Coulibaly"}, "delai_reponse_jours": 15,
        "mentions": ["Ouvert du lundi au vendredi, de 8 h à 16 h."],
    }, allow_unicode=True), encoding="utf-8")
    result = run("letter", SNAPSHOTS / "dossiers" / "af-pieces.yaml", "--entete", fichier)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Kayes, le 15 mars 2026" in out and "Agence de Kayes" in out and "BP 12, Kayes" in out
    assert "Fatoumata Coulibaly" in out and "Le Directeur régional" in out  # the rest of the default stays
    assert "avant le 30 mars 2026" in out
    assert "Ouvert du lundi au vendredi" in out


@pytest.mark.parametrize(("contenu", "message"), [
    ({"signataire": {"titre": "x"}}, "champ inconnu « signataire.titre »"),
    ({"delai_reponse_jours": "trente"}, "« delai_reponse_jours » a le mauvais type"),
    ({"delai_reponse_jours": 0}, "« delai_reponse_jours » doit valoir au moins 1"),
    ({"adresse": "Bamako"}, "« adresse » a le mauvais type"),
    ([1, 2], "« (racine) » doit être un objet"),
])
def test_bad_letterhead_is_refused_naming_the_field(tmp_path, contenu, message):
    fichier = tmp_path / "entete.yaml"
    fichier.write_text(yaml.safe_dump(contenu), encoding="utf-8")
    result = run("letter", EXAMPLES / "refus-stage.yaml", "--entete", fichier)
    assert result.exit_code == 1
    assert message in result.stderr


def test_an_office_template_overrides_one_letter_type(tmp_path):
    (tmp_path / "rejet.md.j2").write_text(
        '{% extends "lettre.md.j2" %}\n{% block objet %}Réponse à votre demande{% endblock %}\n'
        "{% block corps %}\n{% for r in raisons %}\n- {{ r.phrase }}\n{% endfor %}\n{% endblock %}\n",
        encoding="utf-8")
    result = run("letter", EXAMPLES / "refus-stage.yaml", "--modeles", tmp_path, "--no-what-if")
    assert result.exit_code == 0, result.output
    assert "**Objet : Réponse à votre demande**" in result.stdout
    assert "- Vous avez travaillé 7 mois consécutifs" in result.stdout
    assert "Nous vous prions d'agréer, Madame" in result.stdout  # the shipped frame still applies


def test_an_office_template_extends_the_shipped_one(tmp_path):
    (tmp_path / "rejet.md.j2").write_text(
        '{% extends "paquet/rejet.md.j2" %}\n{% block formule %}\nVeuillez agréer, {{ salutation }}, nos '
        "salutations.\n{% endblock %}\n", encoding="utf-8")
    result = run("letter", EXAMPLES / "refus-stage.yaml", "--modeles", tmp_path, "--no-what-if")
    assert result.exit_code == 0, result.output
    assert "Veuillez agréer, Madame, nos salutations." in result.stdout
    assert "## Pourquoi" in result.stdout and "Nous vous prions" not in result.stdout


def test_a_broken_template_is_a_clear_error(tmp_path):
    (tmp_path / "rejet.md.j2").write_text('{% extends "lettre.md.j2" %}{% block corps %}{{ inconnu }}'
                                          "{% endblock %}", encoding="utf-8")
    result = run("letter", EXAMPLES / "refus-stage.yaml", "--modeles", tmp_path, "--no-what-if")
    assert result.exit_code == 1
    assert "gabarit rejet.md.j2" in result.stderr and "inconnu" in result.stderr



# An office's template is data: whatever it asks for, the render stays within its bounds and ends in a French
# message naming the template file (issue 23, point 14). Each of these crashed or ran without bound before.
HOSTILE_TEMPLATES = {
    "s'inclut": ('{% include "rejet.md.j2" %}', "gabarits chargés"),
    "s'étend": ('{% extends "rejet.md.j2" %}', "gabarits chargés"),
    "range": ("{% for i in range(10**8) %}x{% endfor %}", "range() de 100000000 nombres"),
    "boucles": ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "tours en tout"),
    "macro": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "appels imbriqués"),
    "chaîne": ('{{ "x" * 3000000000 }}', "3000000000 caractères"),
    "doublement": ('{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
                   "{% endfor %}{{ ns.s }}", "plus de 524288"),
    "lettre": ('{% for i in range(5000) %}{{ "x" * 1000 }}{% endfor %}', "la lettre dépasse"),
    "pourcent": ('{{ "%0999999999d" % 1 }}', "largeur de format"),
    "format": ('{{ "{:>999999999}".format(1) }}', "largeur de format"),
    "center": ('{{ "x"|center(999999999) }}', "largeur de format"),
    "indent": ('{{ ("\\n" * 500000)|indent(500000) }}', "construirait un texte"),
    "replace": ('{{ ("x" * 500000).replace("x", "y" * 500000) }}', "construirait un texte"),
    "puissance": ("{{ 2 ** 100000000 }}", "puissance trop grande"),
    "division": ("{{ 1 // 0 }}", "division par zéro"),
}


@pytest.mark.parametrize("nom", list(HOSTILE_TEMPLATES))
def test_a_hostile_office_template_ends_in_a_french_message_naming_its_file(tmp_path, nom):
    import time

    body, message = HOSTILE_TEMPLATES[nom]
    (tmp_path / "rejet.md.j2").write_text(f"Objet\n\n{body}\n", encoding="utf-8")
    started = time.monotonic()
    result = run("letter", EXAMPLES / "refus-stage.yaml", "--modeles", tmp_path, "--no-what-if")
    assert time.monotonic() - started < 20
    assert result.exit_code == 1, result.output[:300]
    where = "gabarit rejet.md.j2" if nom == "lettre" else "gabarit rejet.md.j2:3"  # the letter as a whole
    assert where in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_an_office_page_template_is_bounded_too(tmp_path):
    (tmp_path / "page.html.j2").write_text('{{ "x" * 10**7 }}', encoding="utf-8")
    result = run("letter", EXAMPLES / "refus-stage.yaml", "--modeles", tmp_path, "--no-what-if", "--format", "html")
    assert result.exit_code == 1 and "gabarit page.html.j2:1" in result.stderr, result.output[:300]


# -- the letter command -----------------------------------------------------------------
def test_letter_without_prestation_writes_one_file_per_prestation(tmp_path):
    famille = SNAPSHOTS / "dossiers" / "famille.yaml"
    result = run("letter", famille, "--format", "pdf", "-o", tmp_path / "lettre.pdf")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["lettre-allocations_familiales.pdf", "lettre-prime_premier_etablissement.pdf"]
    assert "treize mille six cent cinquante (13 650) francs CFA" in pdf_text(
        (tmp_path / "lettre-prime_premier_etablissement.pdf").read_bytes())

    result = run("letter", famille, "--format", "html", "-o", f"{tmp_path / 'sortie'}{os.sep}")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "sortie").iterdir()) == [
        "famille-allocations_familiales.html", "famille-prime_premier_etablissement.html"]

    result = run("letter", famille, "--benefit", "prime_premier_etablissement", "-o", tmp_path / "une.md")
    assert result.exit_code == 0
    assert (tmp_path / "une.md").read_text(encoding="utf-8") == (
        SNAPSHOTS / "famille-prime_premier_etablissement.md").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.tmp"))


def test_letter_to_stdout_holds_every_letter():
    famille = SNAPSHOTS / "dossiers" / "famille.yaml"
    result = run("letter", famille)
    assert result.exit_code == 0
    assert result.stdout.count("**Objet :") == 2 and "<!-- lettre suivante -->" in result.stdout
    result = run("letter", famille, "--format", "html")
    assert result.stdout.count('<article class="lettre">') == 2
    result = run("letter", famille, "--format", "pdf")
    assert result.stdout_bytes.startswith(b"%PDF")
    assert len(pypdf.PdfReader(io.BytesIO(result.stdout_bytes)).pages) >= 2


def test_letter_errors_name_the_problem(tmp_path):
    result = run("letter", EXAMPLES / "refus-stage.yaml", "--benefit", "pension")
    assert result.exit_code == 1 and "prestation « pension » non examinée" in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ndemandeur: {statut: fonctionnaire}\n", encoding="utf-8")
    result = run("letter", bad)
    assert result.exit_code == 1 and "« demandeur.statut » : valeur inconnue 'fonctionnaire'" in result.stderr
    result = run("letter", tmp_path / "absent.yaml")
    assert result.exit_code == 1 and "fichier introuvable" in result.stderr


def test_letter_date_option_dates_the_letter_and_its_deadline():
    result = run("letter", SNAPSHOTS / "dossiers" / "af-pieces.yaml", "--date", "2026-04-01")
    assert "Bamako, le 1er avril 2026" in result.stdout and "avant le 1er mai 2026" in result.stdout


def test_commands_are_documented_with_an_example():
    for command in (letter_command, letters_command):
        assert "Example:" in command.help and "prevoyance " in command.help


# -- the letters command ----------------------------------------------------------------
@pytest.fixture
def caseload(tmp_path) -> Path:
    folder = tmp_path / "caseload"
    (folder / "agence").mkdir(parents=True)
    shutil.copy(SNAPSHOTS / "dossiers" / "af-rejet.yaml", folder / "af-rejet.yaml")
    shutil.copy(SNAPSHOTS / "dossiers" / "famille.yaml", folder / "agence" / "famille.yaml")
    (folder / "agence" / "pieces.json").write_text(
        '{"id": "json", "date_reference": "2026-03-15", "demandeur": {"sexe": "F", "statut": "salarie"}}',
        encoding="utf-8")
    (folder / "invalide.yaml").write_text("id: x\nenfants: [{prenom: Awa, date_naissance: 2015-02-30}]\n",
                                          encoding="utf-8")
    (folder / "illisible.yaml").write_text("id: [x\n", encoding="utf-8")
    (folder / "notes.txt").write_text("pas un dossier", encoding="utf-8")
    return folder


def test_letters_renders_a_caseload_and_reports_invalid_dossiers(caseload, tmp_path):
    out = tmp_path / "lettres"
    result = run("letters", caseload, "-o", out)
    assert result.exit_code == 1
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted([
        "af-rejet-allocations_familiales.pdf",
        os.path.join("agence", "famille-allocations_familiales.pdf"),
        os.path.join("agence", "famille-prime_premier_etablissement.pdf"),
        *[os.path.join("agence", f"pieces-{b}.pdf") for b in evaluate(validate(
            {"id": "json", "date_reference": "2026-03-15", "demandeur": {"sexe": "F", "statut": "salarie"}}
        )).prestations],
    ])
    assert "2 dossier(s) non rendu(s)" in result.stderr
    assert "« enfants[0].date_naissance » : date impossible" in result.stderr
    assert "illisible.yaml: YAML/JSON illisible" in result.stderr
    assert "Lettres" in result.stderr  # the progress bar's label
    assert "pour 3 dossier(s)" in result.stdout
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_letters_exit_zero_when_every_dossier_renders(tmp_path):
    folder = tmp_path / "ok"
    folder.mkdir()
    for path in DOSSIERS[:3]:
        shutil.copy(path, folder / path.name)
    result = run("letters", folder, "-o", tmp_path / "out", "--format", "markdown", "--no-what-if")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.md"))) == 3


def test_a_dossier_that_fails_to_render_writes_nothing_and_stops_nothing(caseload, tmp_path, monkeypatch):
    real = L.render_markdown

    def flaky(ctx, modeles=None):
        if ctx["libelle"] == "Prime de premier établissement":
            raise L.LettreError("gabarit cassé pour l'essai")
        return real(ctx, modeles)

    monkeypatch.setattr(L, "render_markdown", flaky)
    out = tmp_path / "lettres"
    result = run("letters", caseload, "-o", out, "--format", "markdown")
    assert result.exit_code == 1
    assert "famille.yaml: gabarit cassé pour l'essai" in result.stderr
    # famille.yaml had two letters; the one that rendered was not written either.
    assert not list(out.rglob("famille-*"))
    assert (out / "af-rejet-allocations_familiales.md").exists()


def test_writes_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / "lettre.pdf"
    target.write_bytes(b"ancienne lettre")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        write_atomic(target, b"nouvelle lettre")
    assert target.read_bytes() == b"ancienne lettre"
    assert [p.name for p in tmp_path.iterdir()] == ["lettre.pdf"]
    monkeypatch.undo()
    write_atomic(target, b"nouvelle lettre")
    assert target.read_bytes() == b"nouvelle lettre"
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask()


# -- properties ----------------------------------------------------------------------
def check_letter(lettre: L.Lettre, decision, phrases) -> None:
    """What every letter must say, whatever the dossier."""
    text = lettre.markdown
    prestation = decision.prestations[lettre.prestation]
    assert lettre.type == L.letter_type(prestation.statut)
    assert f"Dossier n° {L.md(decision.dossier)}" in text
    assert not SNAKE.search(text.replace(L.md(decision.dossier), "")), SNAKE.search(text).group()
    assert not IDS_NUS.search(text)
    if prestation.statut == "refuse":
        for condition in prestation.failed():
            if not phrases.concerne(condition, decision.sexes):
                continue
            libelle = phrases.libelle(condition.id, condition.noeud)
            if condition.objet:
                libelle = f"{libelle} ({condition.objet})"
            sentence = L.citoyen(phrases.sentence(condition, decision.sexes))
            assert f"**{L.md(libelle)}.** {sentence}" in text, condition.id
    elif prestation.statut == "incomplet":
        for piece in prestation.pieces_manquantes:
            assert L.md(phrases.label("pieces", piece)) in text
        assert "avant le " in text
    else:
        for kind, value in prestation.montants.items():
            if value and kind not in phrases.data["lettres"].get("montants_non_dus", []):
                assert L.en_lettres(value, phrases.data["lettres"]["monnaie"]) in text


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(lots(dossiers(), max_size=6))
def test_any_valid_dossier_renders_every_letter(lot):
    checked = [validate(d) for d in lot]
    decisions = evaluate_many(checked)
    first = None
    for dossier, decision in zip(checked, decisions, strict=True):
        phrases = catalogue(dossier.regime)
        for lettre in L.letters(dossier, decision):
            check_letter(lettre, decision, phrases)
            L.markdown_html(lettre.markdown)
            first = first or lettre  # kept, not written again for its PDF
    # One PDF per lot: the Markdown converter and the fonts, on whatever the dossiers produced.
    if first is not None:
        assert f"Dossier n° {first.dossier}" in pdf_text(first.pdf())


@settings(max_examples=max(10, settings().max_examples // 4), suppress_health_check=[HealthCheck.too_slow])
@given(dossiers())
def test_a_rejection_with_what_if_renders(data):
    dossier = validate(data)
    decision = evaluate(dossier)
    phrases = catalogue(dossier.regime)
    for lettre in lettres(dossier, decision, Redacteur()):
        check_letter(lettre, decision, phrases)


def test_a_rejection_names_the_exception_the_dossier_does_not_invoke_and_its_document():
    dossier = load_dossier(SNAPSHOTS / "dossiers" / "af-exception.yaml")
    (lettre,) = lettres(dossier, evaluate(dossier), Redacteur(), "allocations_familiales")
    text = normalise(pdf_text(lettre.pdf()))
    assert "décision de rejet" in text
    assert "si vous aviez changé de résidence pendant une suspension de votre activité" in text
    assert "Pour l'invoquer, joignez : Justificatif de la suspension d'activité" in text


def test_a_pending_child_does_not_make_the_months_already_owed_conditional():
    """Moussa's arrears are owed whatever is learnt of Awa, who is pending: the letter asking for Awa's facts says
    they are due now, not « si votre réponse confirme votre dossier » (docs/ambiguites.md)."""
    dossier = validate(RAPPEL_DU_ENFANT_EN_ATTENTE)
    decision = evaluate(dossier)
    assert decision.prestations["allocations_familiales"].statut == "incomplet"
    markdown = L.letter(dossier, decision, "allocations_familiales").markdown
    assert "## Montant dû sans attendre votre réponse" in markdown, markdown
    assert "neuf mille" in markdown.split("## Montant dû sans attendre votre réponse")[1]
    assert "Si votre réponse confirme votre dossier" not in markdown

"""Letters of every regime, read as a citizen reads them (the PDF's text, by pypdf).

Each letter type of each regime: the addressee, the letterhead of the regime's
own institution and never another's, the paragraph on how to contest a decision,
amounts in words and figures, and no repository path nor analyst's note. Also:
an office's templates run sandboxed, and text from the dossier never makes
structure in a letter or in ``why --format markdown``.
"""

from __future__ import annotations

import io
import re

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from engine.dossier import DossierError
from engine.regime import load_regime
from engine.solver import evaluate
from engine.validation import validate
from explain import lettres as L
from explain.why import why
from usecases.entete import entete_regime

IDENTITE = {"nom": "Diarra", "prenoms": "Aminata", "adresse": "Rue 312, porte 45\nHamdallaye ACI\nBamako",
            "numero_immatriculation": "IMM-1234567", "sexe": "F"}
INPS_F = {"residence": "Mali", "statut": "salarie", "veuve_allocataire": False, "premiere_demande": False,
          "mois_consecutifs": 30, "jours_mois": 22, "heures_mois": 176}
ENFANT = {"prenom": "Awa", "date_naissance": "2016-04-02", "categorie": "mariage", "declare_etat_civil": True,
          "a_charge": True, "residence": "Mali", "situation": "aucune", "visite_medicale": True}

# (regime, letter type) → a dossier that gives that letter.
CAS = {
    ("mali-inps", "attribution"): {"demandeur": {**IDENTITE, **INPS_F, "salaire_mensuel": 85000},
                                   "mariage": {"etat_civil": True}, "enfants": [ENFANT],
                                   "demandes": [{"prestation": "allocations_familiales", "date": "2026-03-15"}]},
    ("mali-inps", "rejet"): {"demandeur": {**IDENTITE, **INPS_F, "salaire_mensuel": 30000}, "enfants": [ENFANT],
                             "demandes": [{"prestation": "allocations_familiales", "date": "2026-03-15"}]},
    ("mali-inps", "pieces"): {"demandeur": {**IDENTITE, "residence": "Mali"}, "enfants": [ENFANT],
                              "demandes": [{"prestation": "allocations_familiales", "date": "2026-03-15"}]},
    ("senegal-css", "attribution"): {"base": "senegal-css", "demandeur": IDENTITE,
                                     "personne": {"prenom": "Aminata", "qualite": "epouse",
                                                  "categorie": "non_allocataire"},
                                     "suivi": {"motif": "grossesse", "consultations": 6,
                                               "carnet_deja_achete": False}},
    ("senegal-css", "rejet"): {"base": "senegal-css", "demandeur": IDENTITE,
                               "personne": {"prenom": "Fatou", "qualite": "autre", "categorie": "non_allocataire"},
                               "suivi": {"motif": "autre", "consultations": 2, "carnet_deja_achete": False}},
    ("senegal-css", "pieces"): {"base": "senegal-css", "demandeur": IDENTITE, "personne": {"prenom": "Fatou"}},
    # The household's orientation is one letter (explain/orientation.py): who goes to which scheme, and a
    # member left pending with the date to answer by.
    ("mali-couverture-maladie", "orientation"): {
        "base": "mali-couverture-maladie", "demandeur": IDENTITE,
        "membres": [{"prenom": "Rokia", "sexe": "F", "activite": "salarie", "a_charge": False},
                    {"prenom": "Bakary", "sexe": "M", "activite": "independant", "a_charge": False,
                     "indigence_certifiee": False, "admis_d_office": False},
                    {"prenom": "Oumou", "sexe": "F"}]},
}
REGIMES = ("mali-inps", "senegal-css", "mali-couverture-maladie")
CHEMIN_DEPOT = re.compile(r"(docs|kb|spec|explain|engine)/|\.(?:lp|md|yaml|py)\b")
NOTES = re.compile(r"source secondaire|sources secondaires|texte non vérifié|retenu par la base")


def _dossier(regime: str, type_: str):
    data = {"id": f"{regime}-{type_}", "date_reference": "2026-03-15", **CAS[(regime, type_)]}
    if data.get("base") is None:
        data.pop("base", None)
    return validate(data, f"{regime}-{type_}")


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def lettres():
    out = {}
    for regime, type_ in CAS:
        dossier = _dossier(regime, type_)
        decision = evaluate(dossier)
        for lettre in L.letters(dossier, decision):
            out.setdefault((regime, lettre.type), (lettre, _pdf_text(lettre.pdf())))
    return out


def _demandes_schema(regime_id: str) -> None:
    """The test dossiers name their claims the way their regime's schema does."""
    schema = load_regime(regime_id).schema["properties"]
    assert "demandeur" in schema and "nom" in schema["demandeur"]["properties"]


@pytest.mark.parametrize("regime", REGIMES)
def test_identity_fields_are_in_every_schema_and_never_facts(regime):
    _demandes_schema(regime)
    loaded = load_regime(regime)
    from engine.facts import SchemaFacts

    facts = SchemaFacts(loaded.schema)
    assert not {"demandeur_nom", "demandeur_prenoms", "demandeur_adresse",
                "demandeur_numero_immatriculation"} & set(facts.fields)


@pytest.mark.parametrize("regime", REGIMES)
def test_identity_never_changes_a_decision(regime):
    dossier = _dossier(regime, "attribution" if (regime, "attribution") in CAS else "orientation")
    anonymous = dict(dossier.data, demandeur={k: v for k, v in dossier.data["demandeur"].items()
                                              if k not in IDENTITE or (k == "sexe" and regime == "mali-inps")})
    strange = dict(dossier.data, demandeur={**dossier.data["demandeur"], "nom": 'x". dossier(9). "',
                                           "adresse": "#include \"/etc/passwd\".\n- item"})
    decisions = [evaluate(validate(d, "x")) for d in (dossier.data, anonymous, strange)]
    summaries = [{p: (v.statut, v.montants) for p, v in d.prestations.items()} for d in decisions]
    assert summaries[0] == summaries[1] == summaries[2]


@pytest.mark.parametrize(("regime", "type_"), list(CAS), ids=[f"{r}-{t}" for r, t in CAS])
def test_each_letter_of_each_regime_reads_right_in_the_pdf(lettres, regime, type_):
    lettre, text = lettres[(regime, type_)]
    entete = entete_regime(load_regime(regime))
    assert "Madame Aminata Diarra" in text
    assert "Rue 312, porte 45" in text and "Hamdallaye ACI" in text
    assert "N° d'immatriculation : IMM-1234567" in text
    assert entete["organisme"] in text and entete["etat"] in text
    assert entete["signataire"]["fonction"] in text
    if type_ == "pieces":  # every letter says how to contest it (issue 25), a request for documents too
        assert "avant le " in text
        assert "Contester cette demande de pièces" in text
    elif type_ == "orientation":  # members oriented (a decision to contest) and one pending (a date to answer by)
        assert "avant le " in text and "Contester cette orientation" in text
    else:
        assert "Contester cette décision" in text and "réclamation écrite" in text
        assert "copie de cette lettre" in text
    assert not CHEMIN_DEPOT.search(text), CHEMIN_DEPOT.search(text).group()
    assert not NOTES.search(text), NOTES.search(text).group()
    assert "(e)" not in text
    if type_ == "orientation":
        return
    prestation = evaluate(_dossier(regime, type_)).prestations[lettre.prestation]
    if type_ == "attribution":
        for value in prestation.montants.values():
            if value:
                words = L.en_lettres(value, {"singulier": "franc CFA", "pluriel": "francs CFA"})
                assert " ".join(words.replace("\u00a0", " ").split()) in text


@pytest.mark.parametrize("regime", REGIMES)
def test_a_letter_never_carries_another_regimes_letterhead(lettres, regime):
    own = entete_regime(load_regime(regime))
    others = [entete_regime(load_regime(r)) for r in REGIMES if r != regime]
    for (r, _), (_lettre, text) in lettres.items():
        if r != regime:
            continue
        assert own["organisme"] in text
        for other in others:
            for field in ("organisme", "direction", "signataire"):
                value = other[field]["fonction"] if field == "signataire" else other[field]
                if value and value not in (own.get(field) if field != "signataire"
                                           else own["signataire"]["fonction"]):
                    assert value not in text, f"{regime} porte « {value} »"


def test_without_identity_the_letter_falls_back_to_the_dossier_id():
    data = {"id": "sans-nom", "date_reference": "2026-03-15", "base": "senegal-css",
            "personne": {"prenom": "Fatou"}}
    dossier = validate(data, "sans-nom")
    lettre = L.letters(dossier, evaluate(dossier))[0]
    assert "Dossier n° sans-nom" in lettre.markdown
    assert "Madame, Monsieur," in lettre.markdown


def test_office_letterhead_overrides_the_regime_one():
    dossier = _dossier("senegal-css", "attribution")
    lettre = L.letters(dossier, evaluate(dossier), entete={"direction": "Clinique modèle de Guédiawaye"})[0]
    assert "Clinique modèle de Guédiawaye" in lettre.markdown
    assert "Caisse de sécurité sociale (CSS)" in lettre.markdown


def test_office_templates_are_sandboxed(tmp_path):
    (tmp_path / "rejet.md.j2").write_text(
        "{% extends \"paquet/rejet.md.j2\" %}{% block objet %}"
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}{% endblock %}", encoding="utf-8")
    dossier = _dossier("mali-inps", "rejet")
    with pytest.raises(L.LettreError) as error:
        L.letters(dossier, evaluate(dossier), modeles=tmp_path)
    assert "uid=" not in str(error.value)
    assert "unsafe" in str(error.value) or "sûr" in str(error.value) or "not" in str(error.value)


def test_a_name_with_a_newline_makes_no_structure():
    """A line break in a name is refused at validation (a control character); Markdown's own signs in a
    name, and the lines of a multi-line address, are printed as text, never as structure."""
    data = {"id": "injection", "date_reference": "2026-03-15",
            "demandeur": {**IDENTITE, **INPS_F, "salaire_mensuel": 30000,
                          "prenoms": "Aminata\n- item\n# Titre", "adresse": "1. rue\n> citation"},
            "enfants": [{**ENFANT, "prenom": "Awa\n\n- item injecté\n## Décision : accordée"}],
            "demandes": [{"prestation": "allocations_familiales", "date": "2026-03-15"}]}
    with pytest.raises(DossierError, match=r"demandeur\.prenoms"):
        validate(data, "injection")
    data["demandeur"]["prenoms"] = "- item # Titre"
    data["enfants"][0]["prenom"] = "## Décision : accordée"
    dossier = validate(data, "injection")
    decision = evaluate(dossier)
    lettre = L.letters(dossier, decision)[0]
    html = lettre.html()
    assert "<li>item" not in html and "<h2>Décision" not in html and "<h1>Titre" not in html
    assert "<blockquote" not in html and "<ol" not in html.split("Pourquoi")[0]
    assert "Madame - item # Titre Diarra" in _pdf_text(lettre.pdf())
    markdown = why(decision, "allocations_familiales", "markdown")
    assert "\n## Décision : accordée" not in markdown


def test_office_letterhead_cli_overrides_every_regime(tmp_path):
    fichier = tmp_path / "entete.yaml"
    fichier.write_text(yaml.safe_dump({"lieu": "Thiès"}, allow_unicode=True), encoding="utf-8")
    dossier = tmp_path / "d.yaml"
    data = {"id": "d", "date_reference": "2026-03-15", **CAS[("senegal-css", "attribution")]}
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["letter", str(dossier), "--entete", str(fichier)])
    assert result.exit_code == 0, result.output
    assert "Thiès, le 15 mars 2026" in result.output and "Caisse de sécurité sociale (CSS)" in result.output
    assert "Institut national de prévoyance sociale" not in result.output

"""Amendments, regression cases, synthetic caseloads and the impact report (issue 6)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import EXIT_DOSSIERS_EN_ERREUR, main
from engine.files import umask
from engine.regime import load_regime
from engine.solver import evaluate
from engine.validation import validate
from usecases.amendement import AmendmentError, amend, load_amendment
from usecases.generation import generate
from usecases.impact import compute_impact

ROOT = Path(__file__).resolve().parent.parent
AMENDEMENTS = ROOT / "kb" / "mali" / "inps" / "amendements"
BASE = load_regime("mali-inps")
FAMILLE = ROOT / "examples" / "famille-diarra.yaml"


def _write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_sample_amendment_applies_and_has_its_own_version():
    versions = set()
    for path in sorted(AMENDEMENTS.glob("*.yaml")):
        amended = amend(BASE, load_amendment(path, dt.date(2027, 1, 1)))
        assert amended.version.startswith(BASE.version + f"+{path.stem}@")
        versions.add(amended.version)
    assert len(versions) == len(list(AMENDEMENTS.glob("*.yaml")))


def test_the_base_is_untouched_by_an_amendment():
    before = BASE.parameters["af_montant_par_enfant"].values
    amend(BASE, load_amendment(AMENDEMENTS / "af_3500.yaml", dt.date(2026, 1, 1)))
    assert BASE.parameters["af_montant_par_enfant"].values == before
    assert evaluate(validate(_famille())).prestations["allocations_familiales"].montants["mensuel"] == 3000


def _famille():
    import yaml

    return yaml.safe_load(FAMILLE.read_text(encoding="utf-8"))


def test_a_replaced_rule_decides_and_is_cited():
    amended = amend(BASE, load_amendment(AMENDEMENTS / "veuf_allocataire.yaml"))
    data = dict(_famille(), demandeur={"sexe": "M", "statut": "non_salarie", "veuve_allocataire": True,
                                       "residence": "Mali"})
    decision = evaluate(validate(data, regime=amended))
    af = decision.prestations["allocations_familiales"]
    assert af.statut == "accorde"
    veuve = next(c for c in af.droit.walk() if c.id == "veuve_allocataire")
    assert "conjoint survivant" in veuve.regles[0].texte
    assert decision.version_base == amended.version


@pytest.mark.parametrize(("text", "fragment"), [
    ("titre: t\nsource: s\nparametres: {inconnu: 3}\n", "parametres.inconnu n'existe pas"),
    ("titre: t\nsource: s\nparametres: {af_montant_par_enfant: 3500}\n", "demande une date_effet"),
    ("titre: t\nsource: s\nregles: {remplace: {bloc_absent: 'a.'}}\n", "blocs inconnus"),
    ("titre: t\nsource: s\nregles: {ajoute: {stage: 'a.'}}\n", "existe déjà"),
    ("titre: t\nsource: s\ncouleur: bleu\n", "champ inconnu « couleur »"),
    ("source: s\n", "« titre » manque"),
    ("titre: t\nsource: s\ndate_effet: 2026-02-30\n", "date invalide"),
])
def test_bad_amendments_name_the_key(tmp_path, text, fragment):
    with pytest.raises(AmendmentError, match=fragment):
        amend(BASE, load_amendment(_write(tmp_path, text)))


def test_an_added_rule_and_parameter(tmp_path):
    path = _write(tmp_path, """
titre: Allocation de rentrée (étude)
source: exemple
date_effet: 2026-01-01
nouveaux_parametres:
  rentree_montant:
    description: Montant d'étude
    reference: exemple
    values: {2026-01-01: {value: 5000}}
regles:
  ajoute:
    rentree: |
      % « Une allocation de rentrée est versée pour chaque enfant aux études. »
      information(D, allocations_familiales, allocation_rentree, M) :-
          enfants_situation(D, _, etudes), en_vigueur(D, rentree_montant, M).
""")
    amended = amend(BASE, load_amendment(path))
    data = _famille()
    data["enfants"][0]["situation"] = "etudes"
    decision = evaluate(validate(data, regime=amended))
    assert decision.prestations["allocations_familiales"].informations["allocation_rentree"] == 5000


def test_cli_test_command_passes_and_fails(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["test", str(ROOT / "tests" / "cas" / "amendements")])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip().endswith("passed, 0 failed")
    bad = _write(tmp_path, f"""
- nom: attendu faux
  description: le montant attendu est faux exprès
  modele: {ROOT / 'tests' / 'cas' / 'modeles' / 'salarie.yaml'}
  attendu:
    allocations_familiales: {{statut: accorde, montant_mensuel: 9999}}
""")
    failed = runner.invoke(main, ["test", str(bad)])
    assert failed.exit_code == 1
    assert "montant_mensuel: attendu 9999, obtenu 1500" in failed.output
    assert "Pourquoi ? Allocations familiales" in failed.output
    assert failed.output.strip().endswith("0 passed, 1 failed")


def test_generate_is_reproducible_and_valid(tmp_path):
    first = list(generate(30, seed=4))
    assert first == list(generate(30, seed=4))
    assert first != list(generate(30, seed=5))
    for data in first:
        validate(data)
    out = tmp_path / "charge.jsonl"
    result = CliRunner().invoke(main, ["generate", "30", "--seed", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == first
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask()  # an ordinary file, not mkstemp's private one


def test_generate_interrupted_leaves_nothing(tmp_path, monkeypatch):
    import usecases.generation

    def failing(*args, **kwargs):
        yield next(generate(1))
        raise KeyboardInterrupt

    monkeypatch.setattr(usecases.generation, "generate", failing)
    result = CliRunner().invoke(main, ["generate", "30", "-o", str(tmp_path / "charge.jsonl")])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_diff_of_the_3500_amendment(tmp_path):
    caseload = tmp_path / "charge.jsonl"
    caseload.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in generate(60, seed=9)) +
                        '{"id": "mauvais", "demandeur": {"statut": "patron"}}\n', encoding="utf-8")
    impact = compute_impact(caseload, AMENDEMENTS / "af_3500.yaml", dt.date(2026, 1, 1), workers=1)
    af = impact.categories["allocations_familiales"]
    assert impact.dossiers == 60 and len(impact.erreurs) == 1 and "demandeur.statut" in impact.erreurs[0][1]
    assert af["baisse"] == 0 and af["nouvellement_refuse"] == 0 and af["nouvellement_accorde"] == 0
    assert af["hausse"] > 0
    before, after = impact.cout_mensuel["allocations_familiales"]
    assert after * 1500 == before * 3500  # every child counted at 3 500 instead of 1 500 in the reference month
    for change in impact.changements:
        assert change.prestation == "allocations_familiales" and change.categorie == "hausse"
    report = tmp_path / "impact.html"
    result = CliRunner().invoke(main, ["diff", "--amendment", str(AMENDEMENTS / "af_3500.yaml"), "--date-effet",
                                       "2026-01-01", str(caseload), "--format", "html", "-o", str(report),
                                       "--processus", "1", "--explications", "2"])
    assert result.exit_code == EXIT_DOSSIERS_EN_ERREUR, result.output  # the report is written; one dossier failed
    page = report.read_text(encoding="utf-8")
    assert report.stat().st_mode & 0o777 == 0o666 & ~umask()
    assert "<svg" in page and "Avant l'amendement" in page and "Après l'amendement" in page
    # Self-contained: the one script is inline (sorting, filtering); nothing is fetched.
    assert page.count("<script") == 1 and "<script>" in page
    assert "src=" not in page and not re.search(r'href="(?!#)', page)  # only the charts' own references
    assert "https://" not in page and "http://" not in re.sub(r"http://www\.w3\.org/[^\"]*", "", page)
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script|svg)\b.*?</\1>", " ", page, flags=re.S))
    assert "hausse du montant" in visible
    assert not re.search(r"\b(accorde|refuse|incomplet|nouvellement_\w+|devenu_incomplet)\b", visible), \
        "un statut ou une catégorie en code"
    table = report.with_suffix(".csv").read_text(encoding="utf-8").splitlines()
    assert table[0].startswith("dossier,prestation,changement,statut_avant,montant_avant")
    assert len(table) == 1 + len(impact.changements)
    assert all("hausse du montant" in line for line in table[1:])
    as_json = CliRunner().invoke(main, ["diff", "--amendment", str(AMENDEMENTS / "af_3500.yaml"), "--date-effet",
                                        "2026-01-01", str(caseload), "--format", "json", "--processus", "1",
                                        "--explications", "1"])
    data = json.loads(as_json.output[as_json.output.index("{"):])
    assert data["prestations"]["allocations_familiales"]["hausse"] == af["hausse"]
    assert data["cout_annuel"]["ecart"] > 0
    assert "explication_avant" in data["changements"][0]


def test_diff_without_date_for_an_open_amendment_is_a_user_error(tmp_path):
    caseload = tmp_path / "charge.jsonl"
    caseload.write_text(json.dumps(next(generate(1))) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "--amendment", str(AMENDEMENTS / "af_3500.yaml"), str(caseload)])
    assert result.exit_code == 1
    assert "date_effet" in result.output

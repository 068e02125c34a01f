"""Amendments are data, checked like code (issue 14, point 4), and uniqueness is checked by asking for two models.

Each hostile amendment is refused with its key named, before any dossier is
decided under it; a program that still has two answer sets is caught in every
evaluation path: decision, summary, and the what-if's verification.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine.program import Mode
from engine.regime import load_regime
from engine.resume import summarize_many
from engine.solver import EvaluationError, evaluate
from engine.validation import load_dossier
from usecases.amendement import AmendmentError, amend, load_amendment
from usecases.whatif import what_if

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "famille-diarra.yaml"

ENTETE = "titre: essai\nsource: test\ndate_effet: 2026-01-01\n"


def _amendment(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "amendement.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _rules(kind: str, key: str, text: str) -> str:
    indented = "".join(f"      {line}\n" for line in text.splitlines())
    return f"{ENTETE}regles:\n  {kind}:\n    {key}: |\n{indented}"


HOSTILE = {
    "titre sur deux lignes": ('titre: "t\\ndemandeur_salaire_mensuel(D, 1) :- dossier(D)."\nsource: s\n'
                              "date_effet: 2026-01-01\nparametres: {af_montant_par_enfant: 3500}\n", "« titre »"),
    "source invisible": ('titre: t\nsource: "s\\u202e"\ndate_effet: 2026-01-01\n', "« source »"),
    "include": (_rules("ajoute", "lire", '#include "/etc/passwd".'), "regles.ajoute.lire"),
    "script": (_rules("ajoute", "code", '#script (python)\nimport os\n#end.'), "#script"),
    "external": (_rules("ajoute", "ext", "#external demandeur_salaire_mensuel(0, 1)."), "#external"),
    "const": (_rules("ajoute", "c", "#const n = 3."), "#const"),
    "program": (_rules("ajoute", "p", "#program autre.\na."), "#program"),
    "show": (_rules("ajoute", "s", "#show a/0."), "#show"),
    "choix": (_rules("ajoute", "choix", "{ rempli(D, smig) } :- dossier(D)."), "choix ou de disjonction"),
    "disjonction": (_rules("ajoute", "ou", "rempli(D, smig) ; non_rempli(D, smig) :- dossier(D)."), "disjonction"),
    "variable non sûre": (_rules("ajoute", "x", "% une note\nrempli(D, smig) :- X > 3."), "ligne 2"),
    "syntaxe": (_rules("ajoute", "mal", "rempli(D, smig) :- dossier(D)\nfoo(."), "erreur de syntaxe"),
    "négation circulaire": (_rules("ajoute", "boucle", "rempli(D, smig) :- dossier(D), not rempli(D, stage).\n"
                                                      "rempli(D, stage) :- dossier(D), not rempli(D, smig)."),
                            "plus stratifié"),
    "remplacement non stratifié": (_rules("remplace", "exception_veuve",
                                          "rempli(D, veuve_allocataire) :- dossier(D), not vrai(D, smig)."),
                                   "regles.remplace.exception_veuve"),
    "paramètre hors des entiers 32 bits": (f"{ENTETE}parametres: {{af_montant_par_enfant: 1000000000000}}\n",
                                           "hors des bornes"),
    "identifiant de bloc": (f"{ENTETE}regles:\n  ajoute:\n    \"x\\ny\": \"a.\"\n", "identifiant"),
}


@pytest.mark.parametrize("nom", sorted(HOSTILE))
def test_a_hostile_amendment_is_refused_with_its_key(tmp_path, nom):
    body, fragment = HOSTILE[nom]
    with pytest.raises(AmendmentError) as caught:
        amend(load_regime("mali-inps"), load_amendment(_amendment(tmp_path, body)))
    assert fragment in str(caught.value), str(caught.value)


def test_an_amendment_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("titre: Réforme\nsource: s\n".encode("latin-1"))
    with pytest.raises(AmendmentError, match="UTF-8"):
        load_amendment(path)


def test_the_shipped_amendments_pass_the_checks():
    for path in sorted((ROOT / "kb/mali/inps/amendements").glob("*.yaml")):
        amend(load_regime("mali-inps"), load_amendment(path, __import__("datetime").date(2026, 1, 1)))


def test_a_hostile_amendment_ends_in_french_in_diff_and_test(tmp_path):
    path = _amendment(tmp_path, HOSTILE["include"][0])
    result = CliRunner().invoke(main, ["diff", "--amendment", str(path), "--processus", "1", str(EXAMPLE.parent)])
    assert result.exit_code == 1 and "#include" in result.output and "Traceback" not in result.output


def _two_models() -> object:
    """The base with one rule that gives every dossier two answer sets (as no amendment may write)."""
    regime = load_regime("mali-inps")
    text = ("% @regle deux_modeles\ndecision(D, allocations_familiales, douteux) :- dossier(D), not autre(D).\n"
            "autre(D) :- dossier(D), not decision(D, allocations_familiales, douteux).\n")
    return dataclasses.replace(regime, added=[(regime.folder / "amendements" / "deux.lp", text)],
                               amendment_tag=f"+deux-modeles@{hashlib.sha256(text.encode()).hexdigest()[:8]}")


def test_a_second_answer_set_is_caught_in_every_evaluation_path():
    regime = _two_models()
    dossier = dataclasses.replace(load_dossier(EXAMPLE), regime=regime)
    with pytest.raises(EvaluationError, match="plusieurs modèles"):
        evaluate(dossier)
    with pytest.raises(EvaluationError, match="plusieurs modèles"):
        evaluate(dossier, Mode.DECISION)
    with pytest.raises(EvaluationError, match="plusieurs modèles"):
        summarize_many([dossier])
    refused = dataclasses.replace(load_dossier(ROOT / "examples" / "refus-stage.yaml"), regime=regime)
    with pytest.raises(EvaluationError, match="plusieurs modèles"):
        what_if(refused, "allocations_familiales")

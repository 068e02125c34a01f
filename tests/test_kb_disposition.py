"""La disposition de ``kb/`` (docs/regimes.md, « Disposition d'un régime »).

Les paramètres d'un régime sont rangés un dossier par prestation, plus
``parametres/commun/`` ; un paramètre est nommé par son fichier, et deux
fichiers du même nom sont une erreur de la base. Dans les fichiers ``.lp``,
les auxiliaires de grounding sont réunis en fin de fichier sous un en-tête :
aucune règle de droit (``rempli``/``non_rempli``) ne doit s'y glisser, car le
moteur l'attribuerait au dernier bloc ``@regle`` du fichier.
"""

import re
from pathlib import Path

import pytest
import yaml

from engine.program import read_blocks
from engine.regime import AUXILIAIRES_DE_GROUNDING as AUXILIAIRES
from engine.regime import RegimeError, kb_root, parameter_files, regimes
from engine.solver import evaluate
from engine.validation import validate
from usecases.amendement import amend, load_amendment

ROOT = Path(__file__).resolve().parent.parent
TETE_DE_DROIT = re.compile(r"^\s*(non_rempli|rempli)\s*\(")
PRESTATION = re.compile(r"^prestation\((\w+)\)\.", re.M)


@pytest.mark.parametrize("regime_id", sorted(regimes()))
def test_les_parametres_sont_ranges_par_prestation(regime_id):
    regime = regimes()[regime_id]
    prestations = {p for path in regime.program_files for p in PRESTATION.findall(path.read_text(encoding="utf-8"))}
    assert regime.parameters, regime_id
    for parametre in regime.parameters.values():
        dossier = parametre.path.parent
        assert dossier.parent == regime.folder / "parametres", parametre.path
        assert dossier.name in prestations | {"commun"}, parametre.path


def test_deux_parametres_du_meme_nom_sont_refuses(tmp_path):
    for prestation in ("allocations_familiales", "commun"):
        (tmp_path / "parametres" / prestation).mkdir(parents=True)
        (tmp_path / "parametres" / prestation / "smig_mensuel.yaml").write_text("description: x\n")
    with pytest.raises(RegimeError, match="« smig_mensuel » est déjà défini"):
        parameter_files(tmp_path)


def test_les_fichiers_de_parametres_sont_dans_l_ordre_de_leur_nom(tmp_path):
    for prestation, nom in (("b", "a_premier"), ("a", "z_dernier"), ("commun", "m_milieu")):
        (tmp_path / "parametres" / prestation).mkdir(parents=True)
        (tmp_path / "parametres" / prestation / f"{nom}.yaml").write_text("description: x\n")
    assert [p.stem for p in parameter_files(tmp_path)] == ["a_premier", "m_milieu", "z_dernier"]


def _fichiers_lp():
    return sorted(kb_root().rglob("*.lp"))


@pytest.mark.parametrize("path", _fichiers_lp(), ids=lambda p: str(p.relative_to(kb_root())))
def test_les_auxiliaires_de_grounding_suivent_le_droit(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    headings = [i for i, line in enumerate(lines) if line.strip() == AUXILIAIRES]
    assert len(headings) <= 1, f"{path}: un seul en-tête d'auxiliaires par fichier"
    if not headings:
        return
    after = lines[headings[0] + 1:]
    assert not [line for line in after if "@regle" in line], f"{path}: un bloc @regle après les auxiliaires"
    assert not [line for line in after if TETE_DE_DROIT.match(line)], \
        f"{path}: une règle de droit parmi les auxiliaires de grounding"
    # Dans un fichier de blocs, les auxiliaires suivent le dernier bloc (ils restent sous son étiquette).
    blocks = read_blocks(path)
    assert not blocks or blocks[-1].line < headings[0] + 1, path


def test_un_amendement_qui_remplace_le_dernier_bloc_garde_les_auxiliaires(tmp_path):
    """Remplacer le dernier bloc d'un fichier par son propre texte ne change aucune décision : les
    auxiliaires qui le suivent (ici l'âge des enfants, lu par les allocations familiales) restent."""
    regime = regimes()["mali-inps"]
    path = regime.folder / "enfants.lp"
    lines = path.read_text(encoding="utf-8").splitlines()
    last = read_blocks(path)[-1]
    heading = lines.index(AUXILIAIRES)
    body = "\n".join(lines[last.line - 1:heading]).strip("\n")
    amendment = tmp_path / "meme_texte.yaml"
    texte = {"titre": "Le même texte", "source": "Essai",
             "regles": {"remplace": {last.id: body + "\n% Récrit à l'identique.\n"}}}
    amendment.write_text(yaml.safe_dump(texte, allow_unicode=True), encoding="utf-8")
    amended = amend(regime, load_amendment(amendment))
    assert AUXILIAIRES in amended.rewritten[path]
    data = yaml.safe_load((ROOT / "examples" / "famille-diarra.yaml").read_text(encoding="utf-8"))
    before = evaluate(validate(data, regime=regime)).prestations["allocations_familiales"]
    after = evaluate(validate(data, regime=amended)).prestations["allocations_familiales"]
    assert before.montants and after.montants == before.montants
    assert after.statut == before.statut

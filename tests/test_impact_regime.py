"""The report of an amendment's impact speaks the words of the regime the impact was computed under.

An impact on a Senegal caseload (``compute_impact(..., base_id="senegal-css")``) names its prestation,
statuses and conditions from the Senegal catalogue, and its side-by-side explanations read the caseload
with the Senegal regime, whichever regime is the default (the Mali INPS).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from engine.regime import default_regime_id, load_regime
from explain.phrases import catalogue
from explain.rapport_impact import impact_json, impact_text, rows, side_by_side
from usecases.impact import avant_apres, compute_impact

ROOT = Path(__file__).resolve().parent.parent
SENEGAL = "senegal-css"


def _impact(tmp_path: Path):
    caseload = tmp_path / "charge"
    caseload.mkdir()
    shutil.copy(ROOT / "examples" / "senegal-pmi.yaml", caseload / "ndiaye.yaml")
    amendment = tmp_path / "consultation_300.yaml"
    amendment.write_text(
        "titre: Consultation à 300 FCFA pour les non-allocataires\n"
        "source: essai\n"
        "date_effet: 2026-01-01\n"
        "parametres:\n"
        "  pmi_consultation_non_allocataire: 300\n", encoding="utf-8")
    return compute_impact(caseload, amendment, base_id=SENEGAL, workers=1), caseload


def test_an_impact_under_another_regime_is_told_in_that_regimes_words(tmp_path):
    assert default_regime_id() != SENEGAL  # else this test would prove nothing
    impact, caseload = _impact(tmp_path)
    assert impact.base == SENEGAL and not impact.erreurs
    assert [c.prestation for c in impact.changements] == ["suivi_pmi"]

    phrases = catalogue(load_regime(SENEGAL))
    libelle = phrases.prestation("suivi_pmi")["libelle"]
    assert libelle != "suivi_pmi"
    [row] = rows(impact)
    assert row["prestation"] == libelle
    assert row["statut_avant"] == row["statut_apres"] == phrases.statut("suivi_pmi", "accorde")
    assert row["categorie"] == "hausse" and row["montant_apres"] > row["montant_avant"]

    explained = side_by_side(impact, avant_apres(impact, caseload, 5))
    assert len(explained) == 1 and not impact.erreurs
    assert libelle in explained[0]["avant"] and "300" in explained[0]["apres"].replace("\u00a0", "")

    text = impact_text(impact, explained)
    assert libelle in text
    page = impact_text(impact, explained, "html")
    assert libelle.replace("'", "&#39;") in page or libelle in page
    assert json.loads(json.dumps(impact_json(impact, explained)))["changements"][0]["explication_avant"]

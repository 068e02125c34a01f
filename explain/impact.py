"""The report of ``prevoyance diff``: text, JSON, or a self-contained HTML page with a chart.

For the first changed dossiers, both decisions are explained (``why``) and set
side by side; the chart is an inline SVG histogram of amount changes, so the
page needs no network resource.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from engine.amendement import amend
from engine.caseload import read_caseload
from engine.dossier import Dossier
from engine.impact import CATEGORIES, Change, Impact
from engine.regime import load_regime
from engine.solver import evaluate_many
from explain import format as fmt
from explain.phrases import catalogue
from explain.render import _TEMPLATES
from explain.why import why

LABELS = {
    "nouvellement_accorde": "nouvellement accordées", "nouvellement_refuse": "nouvellement refusées",
    "devenu_incomplet": "devenues incomplètes", "hausse": "montant en hausse", "baisse": "montant en baisse",
    "inchange": "inchangées",
}


def side_by_side(impact: Impact, caseload: str | Path, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` changes, each explained under the base and under the amended base."""
    chosen = impact.changements[:limit]
    if not chosen:
        return []
    wanted = {c.origine for c in chosen}
    base = load_regime()
    amended = amend(base, impact.amendement)
    dossiers = {e.origine: e.dossier for e in read_caseload(caseload, base) if e.origine in wanted and e.dossier}
    order = [c for c in chosen if c.origine in dossiers]
    before = evaluate_many([dossiers[c.origine] for c in order])
    after = evaluate_many([Dossier(dossiers[c.origine].data, amended, c.origine) for c in order])
    return [{"changement": c, "avant": why(b, c.prestation), "apres": why(a, c.prestation)}
            for c, b, a in zip(order, before, after, strict=True)]


def _histogram(changes: list[Change], width: int = 640, height: int = 220) -> str:
    """An inline SVG histogram of the amount changes (FCFA), one bar per distinct change."""
    counts = Counter(c.ecart for c in changes if c.ecart)
    if not counts:
        return "<p>Aucun montant ne change.</p>"
    values = sorted(counts)
    most = max(counts.values())
    bar = max(8, (width - 60) // max(1, len(values)))
    bars = []
    for i, value in enumerate(values):
        h = int((height - 50) * counts[value] / most)
        x = 40 + i * bar
        bars.append(f'<rect x="{x}" y="{height - 30 - h}" width="{bar - 2}" height="{h}" fill="#1565c0">'
                    f'<title>{fmt.fcfa(value)} : {counts[value]} prestation(s)</title></rect>'
                    f'<text x="{x + bar / 2}" y="{height - 14}" font-size="10" text-anchor="middle">'
                    f'{fmt.nombre(value)}</text>'
                    f'<text x="{x + bar / 2}" y="{height - 34 - h}" font-size="10" text-anchor="middle">'
                    f'{counts[value]}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="Répartition des variations de montant">'
            f'<line x1="35" y1="{height - 30}" x2="{width}" y2="{height - 30}" stroke="#555"/>{"".join(bars)}'
            f'<text x="{width / 2}" y="{height - 1}" font-size="11" text-anchor="middle">variation du montant (FCFA)'
            f'</text></svg>')


def _context(impact: Impact, explained: list[dict[str, Any]]) -> dict[str, Any]:
    phrases = catalogue(load_regime())
    benefits = []
    for benefit in sorted(impact.categories):
        counts = impact.categories[benefit]
        monthly = impact.cout_mensuel.get(benefit)
        oneoff = impact.cout_ponctuel.get(benefit)
        benefits.append({
            "id": benefit, "libelle": phrases.benefit(benefit).get("libelle", benefit),
            "categories": [(LABELS[c], counts.get(c, 0)) for c in CATEGORIES],
            "mensuel": monthly, "ponctuel": oneoff,
        })
    return {
        "impact": impact, "benefits": benefits, "explained": explained, "labels": LABELS,
        "annuel": (impact.cout_annuel(0), impact.cout_annuel(1)),
        "histogram": _histogram(impact.changements),
        "libelle": lambda b: phrases.benefit(b).get("libelle", b),
    }


def impact_text(impact: Impact, explained: list[dict[str, Any]], output_format: str = "text") -> str:
    if output_format == "json":
        return json.dumps(impact_json(impact, explained), ensure_ascii=False, indent=2) + "\n"
    template = "impact.html.j2" if output_format == "html" else "impact.txt.j2"
    return _TEMPLATES.get_template(template).render(**_context(impact, explained))


def _before_after(values: list[int]) -> dict[str, int]:
    return {"avant": values[0], "apres": values[1], "ecart": values[1] - values[0]}


def impact_json(impact: Impact, explained: list[dict[str, Any]]) -> dict[str, Any]:
    explanations = {(e["changement"].origine, e["changement"].prestation): e for e in explained}
    return {
        "amendement": {"titre": impact.amendement.titre, "source": impact.amendement.source,
                       "date_effet": fmt.json_value(impact.amendement.date_effet)},
        "version_base": impact.version_base, "version_amendee": impact.version_amendee,
        "dossiers": impact.dossiers,
        "prestations_affectees": sorted(impact.affectees) if impact.affectees is not None else None,
        "dossiers_repris": impact.reprises,
        "erreurs": [{"dossier": o, "message": m} for o, m in impact.erreurs],
        "prestations": {b: {c: impact.categories[b].get(c, 0) for c in CATEGORIES} for b in sorted(impact.categories)},
        "cout_mensuel": {b: _before_after(v) for b, v in impact.cout_mensuel.items()},
        "cout_ponctuel": {b: _before_after(v) for b, v in impact.cout_ponctuel.items()},
        "cout_annuel": {"avant": impact.cout_annuel(0), "apres": impact.cout_annuel(1),
                        "ecart": impact.cout_annuel(1) - impact.cout_annuel(0)},
        "changements": [
            {"dossier": c.dossier, "prestation": c.prestation, "categorie": c.categorie,
             "avant": {"statut": c.avant.statut, "montant": c.avant.montant},
             "apres": {"statut": c.apres.statut, "montant": c.apres.montant},
             "conditions": [{"condition": n, "avant": x, "apres": y} for n, x, y in c.conditions],
             **({"explication_avant": explanations[(c.origine, c.prestation)]["avant"],
                 "explication_apres": explanations[(c.origine, c.prestation)]["apres"]}
                if (c.origine, c.prestation) in explanations else {})}
            for c in impact.changements
        ],
    }

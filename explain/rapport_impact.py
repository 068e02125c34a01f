"""The report of ``prevoyance diff`` for a policy team: text, JSON, CSV, or a self-contained HTML page.

For each prestation: the counts of each kind of change, the monthly cost (the
allowances) and the one-off cost before and after, and the annual cost with
its difference. The HTML page holds two charts drawn by matplotlib (cost per
prestation before and after; distribution of the changes of amount), inlined as
SVG so the page needs no network; the changed dossiers in a table that sorts
and filters in the browser (a small inline script, no server), newly refused
first; and for the first changed dossiers, the explanation before and after
the amendment as a line diff (:mod:`difflib`) that highlights what changed.
The same table is written as CSV beside the page. Every status, category and
amount is in French, never a code.
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import json
import re
from typing import Any

from engine.regime import load_regime
from explain import format as fmt
from explain.graphiques_impact import cost_chart, distribution_chart
from explain.phrases import STATUTS, Catalogue, PhraseError, catalogue
from explain.render import ETATS_FR, TEMPLATES
from explain.why import why
from usecases.impact import CATEGORIES, ORDRE, DecisionChange, Impact

LABELS = {
    "nouvellement_accorde": "nouvellement accordées", "nouvellement_refuse": "nouvellement refusées",
    "devenu_incomplet": "devenues incomplètes", "hausse": "montant en hausse", "baisse": "montant en baisse",
    "inchange": "inchangées",
}
# One changed decision, in the table of changed dossiers and its CSV.
CHANGEMENTS = {
    "nouvellement_accorde": "nouvel accord", "nouvellement_refuse": "nouveau refus",
    "devenu_incomplet": "désormais incomplète", "hausse": "hausse du montant", "baisse": "baisse du montant",
    "inchange": "inchangée",
}
ETATS = {**ETATS_FR, "absente": "absente"}
COLONNES_CSV = ("dossier", "prestation", "changement", "statut_avant", "montant_avant", "statut_apres",
                "montant_apres", "ecart", "conditions_changees", "montants_changes")


def side_by_side(impact: Impact, pairs: list[tuple[DecisionChange, Any, Any]]) -> list[dict[str, Any]]:
    """The changes decided again under both bases (:func:`usecases.impact.avant_apres`), each explained under
    the base and the amended base; a change that could not be decided or explained is said in the report's
    errors, never hidden."""
    out = []
    for c, b, a in pairs:
        failed = b if isinstance(b, Exception) else a if isinstance(a, Exception) else None
        if failed is not None:  # its summary is in the report; its explanation failed: say so, never hide it
            impact.erreurs.append((c.origine, f"{c.origine}: explication impossible ({type(failed).__name__} : "
                                              f"{failed})"))
            continue
        try:
            out.append({"changement": c, "avant": why(b, c.prestation), "apres": why(a, c.prestation)})
        except PhraseError as exc:  # the decision is in the report; only its explanation cannot be written
            impact.erreurs.append((c.origine, f"{c.origine}: explication impossible (catalogue de phrases : {exc})"))
    return out


def _statut(phrases, prestation: str, statut: str) -> str:
    """A status in French, as the catalogue says it for this prestation (« accordées »), else in general."""
    said = phrases.statut(prestation, statut)
    return said if said != statut else STATUTS.get(statut, statut.replace("_", " "))


def _condition(phrases: Catalogue, node: str) -> str:
    """A condition node (``age(enfant(1))``) by its label in the catalogue."""
    try:
        return phrases.libelle_noeud(node)
    except Exception:  # a node the catalogue does not name: its id, readable
        return node.split("(")[0].replace("_", " ")


def _catalogue(impact: Impact) -> Catalogue:
    """The phrase catalogue of the regime the impact was computed under: its prestations, statuses and
    conditions are named in that regime's words, whichever regime is the default; the numbers its labels
    write are those of the amended law on its effective date (the report is about that law)."""
    return catalogue(impact.regime_amende(), impact.amendement.date_effet)


def version_en_clair(impact: Impact) -> str:
    """« la version de la base du 26 novembre 2026 » (the hash stays in the analyst's detail)."""
    regime = load_regime(impact.base)
    return f"la version de la base du {fmt.date_fr(regime.date_version)}"


SENS = {"nouvellement_accorde": "favorable", "hausse": "favorable", "nouvellement_refuse": "defavorable",
        "baisse": "defavorable", "devenu_incomplet": "defavorable"}


def rows(impact: Impact) -> list[dict[str, Any]]:
    """One row per changed dossier and prestation, in French, newly refused first."""
    phrases = _catalogue(impact)
    out = []
    for c in impact.ordonnes():
        out.append({
            "dossier": c.dossier, "prestation": phrases.libelle_prestation(c.prestation),
            "categorie": c.categorie, "changement": CHANGEMENTS[c.categorie],
            "statut_avant": _statut(phrases, c.prestation, c.avant.statut), "montant_avant": c.avant.montant,
            "statut_apres": _statut(phrases, c.prestation, c.apres.statut), "montant_apres": c.apres.montant,
            "ecart": c.ecart,
            "conditions": [f"{_condition(phrases, n)} : {ETATS.get(x, x)} → {ETATS.get(y, y)}"
                           for n, x, y in c.conditions],
            "montants": [f"{_montant(phrases, n)} : {_fcfa_ou_aucun(x)} → {_fcfa_ou_aucun(y)}"
                         for n, x, y in c.montants],
            "sens": SENS.get(c.categorie, ""),
        })
    return out


def _montant(phrases: Catalogue, nature: str) -> str:
    """The label of an amount of a decision (« Rappel (mois antérieurs à la demande) »), from the catalogue."""
    return str((phrases.data.get("montants") or {}).get(nature) or nature.replace("_", " ").capitalize())


def _fcfa_ou_aucun(value: Any) -> str:
    return "aucun" if value is None else fmt.fcfa(value)


def amounts(impact: Impact) -> list[dict[str, Any]]:
    """Every amount of the granted decisions, summed by prestation and nature, before and after; those that
    changed first within a prestation (an amendment of the arrears alone shows here)."""
    phrases = _catalogue(impact)
    out = []
    for prestation in sorted(impact.montants):
        for nature, (before, after) in sorted(impact.montants[prestation].items(),
                                              key=lambda kv: (kv[1][0] == kv[1][1], kv[0])):
            out.append({"prestation": prestation, "libelle_prestation": phrases.libelle_prestation(prestation),
                        "nature": nature, "libelle": _montant(phrases, nature), "avant": before, "apres": after,
                        "ecart": after - before})
    return out


def impact_csv(impact: Impact) -> str:
    """The changed dossiers as CSV (UTF-8, comma-separated, amounts as whole FCFA), beside the HTML page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLONNES_CSV)
    for r in rows(impact):
        writer.writerow([r["dossier"], r["prestation"], r["changement"], r["statut_avant"], r["montant_avant"],
                         r["statut_apres"], r["montant_apres"], r["ecart"], " ; ".join(r["conditions"]),
                         " ; ".join(r["montants"])])
    return buffer.getvalue()


# -- explanations, before and after -----------------------------------------------
def explanation_diff(before: str, after: str, context: int = 2) -> str:
    """The two explanations side by side, line against line, the words that changed highlighted.

    Lines are matched as :mod:`difflib` matches them; within a changed pair, whole words (and figures
    with their non-breaking spaces) are compared, never the characters inside a word: « 117 000 FCFA »
    against « 126 000 FCFA », not « 1[17] 000 ». Unchanged lines further than ``context`` from a change
    are left out (« … »).
    """
    left, right = before.splitlines(), after.splitlines()
    rows: list[str] = []
    groups = difflib.SequenceMatcher(None, left, right, autojunk=False).get_grouped_opcodes(context)
    for number, group in enumerate(groups):
        if number:
            rows.append('<tr class="saut"><td colspan="4">…</td></tr>')
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [_ligne_diff(i + 1, html.escape(left[i]), j + 1, html.escape(right[j]), "")
                         for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            olds, news = left[i1:i2], right[j1:j2]
            for k in range(max(len(olds), len(news))):
                old = olds[k] if k < len(olds) else None
                new = news[k] if k < len(news) else None
                if old is not None and new is not None:
                    marked_old, marked_new = _mots_changes(old, new)
                    rows.append(_ligne_diff(i1 + k + 1, marked_old, j1 + k + 1, marked_new, "diff_chg"))
                elif old is not None:
                    rows.append(_ligne_diff(i1 + k + 1, f'<del class="diff_sub">{html.escape(old)}</del>', None, "",
                                            "diff_sub"))
                else:
                    rows.append(_ligne_diff(None, "", j1 + k + 1, f'<ins class="diff_add">{html.escape(new)}</ins>',
                                            "diff_add"))
    if not rows:
        rows.append('<tr><td colspan="4">Les deux explications sont identiques.</td></tr>')
    return ('<table class="diff"><colgroup><col class="num"><col><col class="num"><col></colgroup>'
            '<thead><tr><th colspan="2">Avant l\'amendement</th>'
            '<th colspan="2">Après l\'amendement</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")


def _mots(text: str) -> list[str]:
    """Words and the ordinary spaces between them; a non-breaking space stays inside its figure (« 1 234 »)."""
    return re.findall(r"[ \t]+|[^ \t]+", text)


def _mots_changes(old: str, new: str) -> tuple[str, str]:
    """Both lines in HTML, the words only one of them has wrapped in <del> / <ins>."""
    a, b = _mots(old), _mots(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        before, after = html.escape("".join(a[i1:i2])), html.escape("".join(b[j1:j2]))
        if tag == "equal":
            left.append(before)
            right.append(after)
            continue
        if before:
            left.append(f'<del class="diff_sub">{before}</del>')
        if after:
            right.append(f'<ins class="diff_add">{after}</ins>')
    return "".join(left), "".join(right)


def _ligne_diff(n_old: int | None, old: str, n_new: int | None, new: str, kind: str) -> str:
    classe = f' class="{kind}"' if kind else ""
    return (f'<tr{classe}><td class="diff_header">{n_old or ""}</td><td>{old}</td>'
            f'<td class="diff_header">{n_new or ""}</td><td>{new}</td></tr>')


# -- the report ----------------------------------------------------------------------
def _context(impact: Impact, explained: list[dict[str, Any]]) -> dict[str, Any]:
    phrases = _catalogue(impact)
    prestations = []
    for prestation in sorted(impact.categories):
        counts = impact.categories[prestation]
        monthly = impact.cout_mensuel.get(prestation) or [0, 0]
        oneoff = impact.cout_ponctuel.get(prestation) or [0, 0]
        annual = [12 * monthly[i] + oneoff[i] for i in (0, 1)]
        prestations.append({
            "id": prestation, "libelle": phrases.libelle_prestation(prestation),
            "categories": [(LABELS[c], counts.get(c, 0)) for c in CATEGORIES],
            "dossiers": sum(counts.values()),
            "mensuel": monthly if prestation in impact.cout_mensuel else None,
            "ponctuel": oneoff if prestation in impact.cout_ponctuel else None,
            "annuel": annual,
        })
    lignes = rows(impact)
    return {
        "version_base": version_en_clair(impact),
        "prestations_presentes": sorted({r["prestation"] for r in lignes}),
        "conditions_presentes": sorted({c.split(" : ")[0] for r in lignes for c in r["conditions"]}),
        "impact": impact, "prestations": prestations, "labels": LABELS, "lignes": lignes, "changements": CHANGEMENTS,
        "categories_presentes": [CHANGEMENTS[c] for c in sorted({r["categorie"] for r in lignes}, key=ORDRE.get)],
        "explained": [{**e, "diff": explanation_diff(e["avant"], e["apres"])} for e in explained],
        "annuel": (impact.cout_annuel(0), impact.cout_annuel(1)),
        "montants": amounts(impact),
        "mensuel_total": tuple(sum(v[i] for v in impact.cout_mensuel.values()) for i in (0, 1)),
        "graphique_couts": cost_chart(prestations),
        "graphique_ecarts": distribution_chart(impact.changements),
        "libelle": lambda b: phrases.libelle_prestation(b),
        "statut": lambda b, s: _statut(phrases, b, s),
        "etat": lambda e: ETATS.get(e, e),
        "condition": lambda n: _condition(phrases, n),
    }


def impact_text(impact: Impact, explained: list[dict[str, Any]], output_format: str = "text") -> str:
    """The report as text, JSON, CSV or a self-contained HTML page."""
    if output_format == "json":
        return json.dumps(impact_json(impact, explained), ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        return impact_csv(impact)
    if output_format == "html":  # the charts' SVG, the style sheet and the script are left as they are
        return fmt.insecables(TEMPLATES.get_template("impact.html.j2").render(**_context(impact, explained)),
                              html=True)
    return fmt.insecables(TEMPLATES.get_template("impact.txt.j2").render(**_context(impact, explained)))


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
        "montants": {b: {n: _before_after(v) for n, v in sorted(natures.items())}
                     for b, natures in sorted(impact.montants.items())},
        "changements": [
            {"dossier": c.dossier, "prestation": c.prestation, "categorie": c.categorie,
             "avant": {"statut": c.avant.statut, "montant": c.avant.montant},
             "apres": {"statut": c.apres.statut, "montant": c.apres.montant},
             "conditions": [{"condition": n, "avant": x, "apres": y} for n, x, y in c.conditions],
             "montants": [{"nature": n, "avant": x, "apres": y} for n, x, y in c.montants],
             **({"explication_avant": explanations[(c.origine, c.prestation)]["avant"],
                 "explication_apres": explanations[(c.origine, c.prestation)]["apres"]}
                if (c.origine, c.prestation) in explanations else {})}
            for c in impact.ordonnes()
        ],
    }

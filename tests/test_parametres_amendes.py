"""Every number a reader reads follows the law in force: each parameter of every regime, amended.

For each regime, one amendment changes EVERY parameter (a loop over the regime's
parameters, not a hand list) to an unusual value, from a date before all the
dossiers used; the dossiers of ``examples/`` and ``tests/cas`` of that regime are
then decided in one batch under it and everything a reader reads is rendered:
``why`` in text, Markdown, HTML and JSON, ``evaluate``, the letters in Markdown,
HTML and PDF, every question and label of the catalogue, and the impact report.
No output may state a superseded value (an old value of a parameter) except in
a quotation of the source, and such a quotation must be marked as amended.

A superseded value is sought in the forms a hand writes a number of the law:
in words next to the parameter's unit (« neuf mois », « trois premiers mois »),
the guide's « neuf (09) », an ordinal month (« sixième mois »), digits next to
the unit (« 18 jours », « 1 500 FCFA ») or a rate (« 1/10 », « 11 % »). Digits
that are a fact of the decision (a child's age, days worked, an amount) are the
dossier's, not the law's: they are allowed when the decision itself holds them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from num2words import num2words

from engine.dossier import DossierError
from engine.parsing import parse_text
from engine.regime import Parameter, regimes
from engine.solver import evaluate_many
from engine.validation import validate
from explain.lettres import letters, pdf_document
from explain.phrases import catalogue
from explain.rapport_impact import impact_text
from explain.render import decision_json, evaluate_text
from explain.why import why
from usecases.amendement import amended_regime
from usecases.cases import load_cases
from usecases.impact import compute_impact

ROOT = Path(__file__).resolve().parent.parent
CAS_PAR_FICHIER = 1
DATE_EFFET = dt.date(2017, 1, 1)  # after every dated value of the shipped parameters
PLUS_TOT = dt.date(2021, 1, 1)  # dossiers decided from here: every month they look back is under the amendment
# Unusual values are chosen near each old value (so that the dossiers still meet the conditions and the
# parameter is still exercised), unique, and equal to no value any parameter of the base ever had.
# One denominator per rate.
DENOMINATEURS = [97, 89, 83, 79, 73, 71, 67, 61, 59, 53, 47, 43, 41, 37, 31, 29, 23, 19, 17, 13, 11, 7, 5]
UNITES = {"mois": "mois", "ans": "ans?", "an": "ans?", "jours": "jours?", "heures": "heures?",
          "semaines": "semaines?", "FCFA": "(?:FCFA|francs?)", "mensualités": "mensualités?"}
SEPARATEUR = "[ \u00a0\u202f]?"
ENTRE = r"(?:\s+(?:premiers|premières|derniers|dernières|consécutifs|pleins|entiers))?"


def _premier_mot(param: Parameter) -> str:
    return (param.unit or "").split()[0] if param.unit else ""


def valeurs_insolites(regime) -> dict[str, object]:
    """An unusual value for every parameter of the regime: a number just above its value (just below for the
    SMIG, that a salary must reach), used by no other parameter and never a value of the base; a rate near
    its value, over a denominator of its own. A switch keeps its two states: it has no number to state."""
    anciennes = {v.value for p in regime.parameters.values() for v in p.values if v.value is not None}
    prises: set = set()
    libres = list(DENOMINATEURS)

    def meme_unite(unit: str) -> set:
        return {v.value for p in regime.parameters.values() if _premier_mot(p) == unit for v in p.values}
    out: dict[str, object] = {}
    # The most tightly bounded first (a month of pregnancy is at most twelve): they have the fewest free values.
    for param in sorted(regime.parameters.values(),
                        key=lambda p: (p.bornes.maximum - p.bornes.minimum, p.values[-1].value or 0, p.nom)):
        unit = _premier_mot(param)
        last = param.values[-1].value
        if unit in ("booléen", "booleen"):
            continue  # amo_instituee, ramed_institue: 0 or 1, the institution of a scheme, no number to state
        if (isinstance(last, Fraction) and last.denominator != 1) or unit == "taux":
            # The largest free denominator the parameter's bounds allow (a share of the maternity allowances
            # is over at most twelve).
            d = next(d for d in libres if d <= param.bornes.denominateur_max)
            libres.remove(d)
            numerateur = max(1, min(d - 1, round(Fraction(last) * d)))
            out[param.nom] = f"{numerateur}/{d}"
            continue
        n = int(last)
        pas = 117 if unit == "FCFA" else 1  # an amount moves by an odd step, a count by one
        # The nearest value that no parameter ever had and no other parameter of the same unit takes now;
        # the SMIG, that a salary must reach, goes down rather than up.
        ecarts = [k * pas for i in range(1, 200) for k in ((-i, i) if param.nom == "smig_mensuel" else (i, -i))]
        permises = [n + e for e in ecarts if n + e > 0 and (unit, n + e) not in prises
                    and param.bornes.problem(n + e) is None and n + e not in meme_unite(unit)]
        # A value no parameter ever had, else (bounds too tight: four instalment counts of at most twelve) one
        # that only a parameter of another unit had; _depasses then leaves that old value unchecked.
        candidate = next((c for c in permises if c not in anciennes), permises[0])
        prises.add((unit, candidate))
        out[param.nom] = candidate
    return out


def _formes_loi(param: Parameter, value) -> list[str]:
    """The forms of ``value`` a sentence of the law writes (never a fact of a dossier)."""
    unit = _premier_mot(param)
    if (isinstance(value, Fraction) and value.denominator != 1) or unit == "taux":
        value = Fraction(value)
        forms = [rf"(?<![\d/]){value.numerator}\s*/\s*{value.denominator}(?![\d/])"]
        if (value * 100).denominator == 1:
            forms.append(rf"(?<![\d,]){int(value * 100)}\s*%")
        return forms
    n = int(value)
    words = [num2words(n, lang="fr")] + (["une"] if n == 1 else [])
    # A number in words starts a word (« neuf », not the end of « cent trente-neuf »).
    forms = [rf"(?<![\w-]){re.escape(w)}\s*\(\s*0?{n}\s*\)" for w in words]
    if n < 10:
        forms.append(rf"\(\s*0{n}\s*\)")
    if unit in UNITES:
        forms += [rf"(?<![\w-]){re.escape(w)}{ENTRE}\s+{UNITES[unit]}\b" for w in words]
        if unit == "mois" and n > 1:
            forms.append(rf"(?<![\w-]){re.escape(num2words(n, lang='fr', to='ordinal'))}\s+mois\b")
    return forms


def _formes_chiffres(param: Parameter, value) -> list[str]:
    """``value`` in digits next to the parameter's unit (a fact of the dossier may be written so too)."""
    unit = _premier_mot(param)
    if unit not in UNITES or (isinstance(value, Fraction) and value.denominator != 1):
        return []
    digits = SEPARATEUR.join(f"{int(value):,}".split(","))
    return [rf"(?<![\d,/]){digits}{ENTRE}\s*{UNITES[unit]}\b"]


def _nus(value) -> list[str]:
    """A new value as ``why`` shows a parameter: « = 41 », « = 3/97 », « = 91 234 »."""
    text = str(value) if isinstance(value, str) else SEPARATEUR.join(f"{int(value):,}".split(","))
    return [rf"=\s*{text}(?![\d/])"]


def _nombres(obj, out: set[int]) -> set[int]:
    """Every integer a decision (or a dossier) holds: the facts a sentence may state in digits."""
    if isinstance(obj, bool):
        return out
    if isinstance(obj, int):
        out.add(obj)
    elif isinstance(obj, Fraction) and obj.denominator == 1:
        out.add(int(obj))
    elif isinstance(obj, str):
        out.update(int(x) for x in re.findall(r"\d+", obj))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _nombres(k, out)
            _nombres(v, out)
    elif isinstance(obj, (list, tuple, set)):
        for v in obj:
            _nombres(v, out)
    elif dataclasses.is_dataclass(obj):
        _nombres({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}, out)
    return out


_QUOTE = re.compile(r"«[^«»]*»|<q>.*?</q>", re.S)


def _sans_balises(text: str) -> str:
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    return html.unescape(re.sub(r"<(?!/?q>)[^>]+>", " ", text)).replace("\u00a0", " ").replace("\u202f", " ")


def _depasses(regime, nouvelles: dict[str, object]) -> list[tuple[str, list[str], list[str]]]:
    """(parameter, law forms, digit forms) of each superseded value."""
    out = []
    # A superseded value that another parameter now takes (valeurs_insolites, bounds too tight) is stated
    # rightly for that one: it cannot tell a superseded number from the law in force.
    prises = {regime.parameters[n].valeur_au(PLUS_TOT).value for n in nouvelles}
    for name in nouvelles:
        param = regime.parameters[name]
        new = param.valeur_au(PLUS_TOT).value
        for old in {v.value for v in param.values if v.value is not None and v.value != new} - prises:
            out.append((f"{name}={old}", _formes_loi(param, old), _formes_chiffres(param, old)))
    return out


NOMBRES_EN_LETTRES = {"cent", "cents", "mille", "vingt", "trente", "quarante", "cinquante", "soixante", "et",
                      "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze"}


def _suite_d_un_nombre(prose: str, start: int) -> bool:
    before = prose[:start].split()
    return bool(before) and before[-1].strip("(«[").lower() in NOMBRES_EN_LETTRES


def _autour(prose: str, match: re.Match) -> str:
    return prose[max(0, match.start() - 60):match.end() + 20]


def _fautes(text: str, depasses, faits: set[int], ou: str) -> list[str]:
    """Superseded values stated outside a quotation, and quotations stating one without the amendment's mark."""
    text = _sans_balises(text)
    found = []
    for match in _QUOTE.finditer(text):
        quote = match.group(0)
        after = text[match.end():match.end() + 40]
        if any(re.search(f, quote, re.I) for _, law, digits in depasses for f in law + digits) \
                and "[modifié" not in after:
            found.append(f"{ou} : citation non marquée comme modifiée : {quote[:120]}…")
    prose = _QUOTE.sub(" ", text)
    prose = re.sub(r"\bpage \d+/\d+", " ", prose)  # a PDF's page numbers
    for name, law, digits in depasses:
        for form in law:
            for match in re.finditer(form, prose, re.I):
                if _suite_d_un_nombre(prose, match.start()):
                    continue  # « sept mois » inside « cent sept mois »: another number
                found.append(f"{ou} : « {match.group(0)} » ({name}) : …{_autour(prose, match)}…")
        for form in digits:
            for match in re.finditer(form, prose, re.I):
                number = int(re.sub(r"\D", "", match.group(0)))
                if number not in faits:
                    found.append(f"{ou} : « {match.group(0)} » ({name}) : …{_autour(prose, match)}…")
    return found


def _json_fautes(data, depasses, faits, ou) -> list[str]:
    """The strings of a JSON output; a rule's quotation (``texte``) must carry its mark when it states an old value."""
    found = []

    def walk(obj, key=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, key)
        elif isinstance(obj, str):
            if key == "texte":
                if any(re.search(f, obj, re.I) for _, law, digits in depasses for f in law + digits) \
                        and "[modifié" not in obj:
                    found.append(f"{ou} : citation non marquée : {obj[:120]}")
            elif key not in ("reference", "objet"):  # a reference names a text; « objet » is the base's key
                found.extend(_fautes(obj, depasses, faits, f"{ou}.{key}"))

    walk(data)
    return found


def dossiers_du_regime(regime_id: str):
    """The dossiers of ``examples/`` and ``tests/cas`` of this regime, decided on or after PLUS_TOT."""
    datas = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        datas.append((str(path), parse_text(path.read_text(encoding="utf-8"), str(path))))
    # Two cases of each file of tests/cas (its first ones, as varied as the files): enough to apply the
    # parameters, few enough to stay fast.
    per_file: dict[Path, int] = {}
    for case in load_cases(ROOT / "tests" / "cas"):
        if case.amendement is None and case.erreur_attendue is None and case.erreur_lecture is None \
                and per_file.get(case.fichier, 0) < CAS_PAR_FICHIER:
            per_file[case.fichier] = per_file.get(case.fichier, 0) + 1
            datas.append((f"{case.fichier.name}: {case.nom}", case.dossier))
    out = []
    for origine, data in datas:
        try:
            dossier = validate(data, origine)
        except DossierError:
            continue
        if dossier.regime.id == regime_id and dossier.date_reference >= PLUS_TOT:
            out.append(dossier)
    return out


@pytest.mark.parametrize("regime_id", sorted(regimes()))
def test_every_parameter_amended_leaves_no_superseded_number(regime_id, tmp_path):
    base = regimes()[regime_id]
    nouvelles = valeurs_insolites(base)
    if not nouvelles:
        pytest.skip(f"{regime_id} : aucun paramètre chiffré")
    fichier = tmp_path / "tout_amende.yaml"
    fichier.write_text(yaml.safe_dump({"titre": "Tous les paramètres à des valeurs insolites", "source": "Essai",
                                       "date_effet": DATE_EFFET.isoformat(), "parametres": nouvelles},
                                      allow_unicode=True), encoding="utf-8")
    amended = amended_regime(base, fichier)
    depasses = _depasses(amended, nouvelles)
    dossiers = [dataclasses.replace(d, regime=amended) for d in dossiers_du_regime(regime_id)]
    assert dossiers, f"aucun dossier de {regime_id} dans examples/ ni tests/cas"
    decisions = evaluate_many(dossiers)
    fautes: list[str] = []
    lus: list[str] = []  # everything rendered, to see each new value stated (the parameter exercised)
    lus_par_regles: set[str] = set()  # parameters read by a rule that fired (a rate: it computes, unstated)
    phrases = catalogue(amended, PLUS_TOT)
    premier_pdf = None
    for dossier, decision in zip(dossiers, decisions, strict=True):
        faits = _nombres(dossier.data, set())
        _nombres(decision, faits)
        ou = dossier.origine
        fautes += _fautes(evaluate_text(decision), depasses, faits, f"{ou} evaluate")
        fautes += _json_fautes(decision_json(decision), depasses, faits, f"{ou} evaluate json")
        for pid, prestation in decision.prestations.items():
            for c in prestation.droit.walk():
                for r in c.regles:
                    lus_par_regles.update(phrases.parametres_du_bloc(r.id))
            for fmt_ in ("text", "markdown", "html"):
                lus.append(why(decision, pid, fmt_))
                fautes += _fautes(lus[-1], depasses, faits, f"{ou} why {pid} {fmt_}")
            fautes += _json_fautes(json.loads(why(decision, pid, "json")), depasses, faits, f"{ou} why {pid} json")
        for lettre in letters(dossier, decision):
            fautes += _fautes(lettre.markdown, depasses, faits, f"{ou} lettre {lettre.prestation} md")
            fautes += _fautes(lettre.html(), depasses, faits, f"{ou} lettre {lettre.prestation} html")
            premier_pdf = premier_pdf or (lettre, faits)
    # The PDF of one letter: its extracted text too (the letter's words, laid out by the PDF renderer).
    if premier_pdf is not None:
        from pypdf import PdfReader

        lettre, faits = premier_pdf
        reader = PdfReader(io.BytesIO(pdf_document([lettre])))
        text = " ".join(page.extract_text() for page in reader.pages)
        fautes += _fautes(re.sub(r"\s+", " ", text), depasses, faits, f"{lettre.dossier} lettre pdf")
    # Every label, question and event of the catalogue, as the console and the journal show them (no decision).
    for key in phrases.data.get("conditions", {}):
        fautes += _fautes(phrases.libelle(key.split("(")[0], key), depasses, set(), f"libellé {key}")
    for section in ("pieces", "informations", "montants", "choix"):
        for key, value in phrases.data.get(section, {}).items():
            # A value named differently by two fields is named under each field's path (choix: {champ: {…}}).
            labels = ([phrases.texte(v) for v in value.values()] if isinstance(value, dict)
                      else [phrases.label(section, key)])
            for label in labels:
                fautes += _fautes(label, depasses, set(), f"{section}.{key}")
    for key, question in phrases.data.get("questions", {}).items():
        fautes += _fautes(phrases.render(question, {"objet": "Awa"}), depasses, set(), f"question {key}")
    # The impact report of the amendment on these dossiers.
    charge = tmp_path / "charge"
    charge.mkdir()
    for i, dossier in enumerate(dossiers):
        (charge / f"d{i:03d}.json").write_text(json.dumps(dossier.data, ensure_ascii=False), encoding="utf-8")
    # Its « before » side is the base's law (its amounts and explanations state the old values, rightly):
    # the report's own words and labels must state the amended law, its amounts are facts of the caseload.
    impact = compute_impact(charge, fichier, base_id=regime_id, workers=1)
    for fmt_ in ("text", "html"):
        faits = _nombres(impact.changements, set())
        fautes += _fautes(impact_text(impact, [], fmt_), depasses, faits, f"impact {fmt_}")
    assert not fautes, "\n".join(dict.fromkeys(fautes))
    # The dossiers exercise the parameters: each new value is stated somewhere (``why`` names every parameter
    # a condition applies, with its value), or read by a rule that fired (a rate computes an amount, unstated):
    # the test looked where each one is written.
    tout = _sans_balises("\n".join(lus))
    muets = sorted(name for name, value in nouvelles.items() if name not in lus_par_regles
                   and not any(re.search(f, tout, re.I) for f in _formes_loi(amended.parameters[name], value)
                              + _formes_chiffres(amended.parameters[name], value) + _nus(value)))
    # A rate, an amount or a number of monthly instalments of the calculation (the monthly rate of an allowance,
    # the flat-rate salary, the twelve maternity instalments) is never stated nor read by a condition: it is
    # exercised through the amounts, which must then all move.
    calcul = {n for n in muets if _premier_mot(amended.parameters[n]) in ("taux", "FCFA", "mensualités")}
    jamais = sorted(set(muets) - calcul)
    assert not jamais, f"{regime_id} : paramètres qu'aucun dossier n'exerce : {jamais}"
    if calcul:
        avant = evaluate_many(dossiers_du_regime(regime_id))
        montants = [(p.montants, q.montants) for a, b in zip(avant, decisions, strict=True)
                    for pid, p in a.prestations.items() if (q := b.prestations.get(pid)) and p.montants.get("total")]
        assert montants and all(x != y for x, y in montants), \
            f"{regime_id} : un montant ne suit pas les taux amendés ({sorted(calcul)})"

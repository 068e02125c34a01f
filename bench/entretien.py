"""The counter interview measured on the golden cases (issue 26): it prints figures, it asserts nothing.

    python bench/entretien.py            # prints the figures
    python bench/entretien.py --ecrire   # and writes the « Entretien au guichet » section of RESULTS.md

Each golden case of ``tests/cas`` (cases that expect an error or an amendment left out) is the claimant:
the interview starts from its claims, reference date, identity and children's names, and each question is
answered from the case, « je ne sais pas » when the case lacks the fact. Measured in one process on the
warm path, as a served console or API runs (engine/speedups/warm.py):

- whether every interview ends on the statuses and amounts ``evaluate`` gives the whole case;
- questions asked against facts the case holds (beyond what the counter starts from), in all and per case
  (the worst case named);
- the time of each step (one question, or the final decision) against one ``evaluate`` of the whole case,
  p50 and p95.
"""

from __future__ import annotations

import copy
import datetime as dt
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import evaluate  # noqa: E402
from engine.dossier import DossierError  # noqa: E402
from engine.speedups.warm import WarmSolver  # noqa: E402
from engine.validation import validate  # noqa: E402
from usecases.cases import load_cases  # noqa: E402
from usecases.entretien import simuler  # noqa: E402

SECTION = "## Entretien au guichet (issue 26)"


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _resume(decision) -> dict:
    return {p: (x.statut, x.montants) for p, x in decision.prestations.items()}


def mesurer() -> dict:
    chaud = WarmSolver()  # the interview runs in the served console, whose solver is the warm one
    dossiers = []
    for case in load_cases(ROOT / "tests" / "cas"):
        if case.erreur_attendue or case.amendement or case.erreur_lecture:
            continue
        try:
            dossiers.append((case, validate(copy.deepcopy(case.dossier), case.nom)))
        except DossierError:
            continue
    for _, dossier in dossiers[:5]:  # warm every slice and the regime's analysis before measuring
        simuler(dossier.regime, dossier.data, solver=chaud)
    etapes, evaluations, ecarts, par_cas = [], [], [], []
    for case, dossier in dossiers:
        simulation = simuler(dossier.regime, dossier.data, solver=chaud)
        started = time.perf_counter()
        attendu = evaluate(dossier, solver=chaud)
        evaluations.append(time.perf_counter() - started)
        etapes += simulation.durees
        if _resume(simulation.etape.decision) != _resume(attendu):
            ecarts.append(f"{case.fichier.relative_to(ROOT)} : {case.nom}")
        par_cas.append((len(simulation.posees), simulation.faits, f"{case.fichier.relative_to(ROOT)} : {case.nom}"))
    posees = sum(p for p, _, _ in par_cas)
    faits = sum(f for _, f, _ in par_cas)
    pire = max(par_cas, key=lambda c: (c[0] / max(c[1], 1), c[0]))
    # A case that holds a handful of facts says little (four « je ne sais pas » for one fact): the worst of
    # those that hold at least ten is named too.
    pire_grand = max((c for c in par_cas if c[1] >= 10), key=lambda c: (c[0] / c[1], c[0]), default=pire)
    return {"cas": len(par_cas), "ecarts": ecarts, "posees": posees, "faits": faits, "pire": pire,
            "pire_grand": pire_grand,
            "etapes": len(etapes), "etape_p50": _p(etapes, .5), "etape_p95": _p(etapes, .95),
            "eval_p50": _p(evaluations, .5), "eval_p95": _p(evaluations, .95)}


def texte(m: dict) -> str:
    pire_posees, pire_faits, pire_nom = m["pire"]
    lines = [
        f"{SECTION} — {dt.date.today().isoformat()}",
        "",
        f"Machine : {platform.machine()}, Python {platform.python_version()} ; un processus, chemin à chaud "
        "(`engine/speedups/warm.py`), comme la console et l'API servies. `python bench/entretien.py --ecrire`.",
        "",
        f"- {m['cas']} cas de `tests/cas` menés en entretien (réponses tirées du cas, « je ne sais pas » pour un "
        f"fait qu'il n'a pas) : {m['cas'] - len(m['ecarts'])} finissent sur les statuts et montants "
        f"d'`evaluate` du cas entier" + (f" ; écarts : {'; '.join(m['ecarts'])}" if m["ecarts"] else "") + ".",
        f"- questions posées : {m['posees']} pour {m['faits']} faits que tiennent les cas, soit "
        f"{100 * m['posees'] / max(m['faits'], 1):.1f} % (objectif : au plus 70 %) ; pire cas : {pire_nom} "
        f"({pire_posees} questions pour {pire_faits} fait{'s' if pire_faits > 1 else ''}) ; pire des cas d'au "
        f"moins dix faits : {m['pire_grand'][2]} ({m['pire_grand'][0]} questions pour {m['pire_grand'][1]} "
        "faits).",
        f"- une étape (la question suivante, ou la décision) : p50 {m['etape_p50']:.1f} ms, p95 "
        f"{m['etape_p95']:.1f} ms sur {m['etapes']} étapes (objectif : p95 sous 100 ms) ; un `evaluate` du cas "
        f"entier dans le même passage : p50 {m['eval_p50']:.1f} ms, p95 {m['eval_p95']:.1f} ms.",
        "",
    ]
    return "\n".join(lines)


def ecrire(section: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip("\n") + "\n", text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    mesures = mesurer()
    section = texte(mesures)
    print(section)
    if "--ecrire" in sys.argv[1:]:
        ecrire(section)


if __name__ == "__main__":
    main()

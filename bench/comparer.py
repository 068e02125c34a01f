"""Two versions of the engine measured in one run: batch throughput and single-dossier latency.

    python bench/comparer.py 7a8db50            # that commit against the working tree
    python bench/comparer.py 7a8db50 HEAD --tours 5

A refactor must leave the speed within noise, and a loaded machine makes absolute figures move from
one run to the next by a factor of two: so the two versions are measured in the same run, in turns
(A, B, A, B, …), each turn in a fresh process, and only the ratio of their medians is read. Each
version is extracted with ``git archive`` into a temporary folder and imported from there
(``PYTHONPATH``), with this checkout's installed dependencies. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run inside the measured tree; only public names that both layouts export (engine/__init__.py).
_MESURE = r"""
import json, statistics, sys, time
from pathlib import Path
from engine import evaluate, evaluate_many, load_dossier
try:  # the layout since the engine's dossier module was split by job (issue 24)
    from engine.parsing import parse_json
    from engine.validation import validate
except ImportError:
    from engine.dossier import parse_json, validate

exemple, charge, taille = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
dossier = load_dossier(exemple)
evaluate(dossier)  # the program is built once per process
durees = []
for _ in range(40):
    debut = time.perf_counter()
    evaluate(dossier)
    durees.append(time.perf_counter() - debut)
lignes = charge.read_text(encoding="utf-8").splitlines()[:taille]
dossiers = [validate(parse_json(ligne, f"l.{i}"), f"l.{i}") for i, ligne in enumerate(lignes, 1)]
noms = evaluate_many.__code__.co_varnames
options = {"explain": False} if "explain" in noms else {}
if "mode" in noms:  # the decision mode, under either layout
    from engine.program import Mode
    options = {"mode": Mode.DECISION}
evaluate_many(dossiers[:50], **options)
debut = time.perf_counter()
for i in range(0, len(dossiers), 250):
    evaluate_many(dossiers[i:i + 250], **options)
lot = time.perf_counter() - debut
print(json.dumps({"latence_ms": statistics.median(durees) * 1000, "debit": len(dossiers) / lot}))
"""


def extraire(revision: str, dossier: Path) -> Path:
    """The tree of ``revision`` (or the working tree for ``.``), as a folder to import from."""
    if revision == ".":
        return ROOT
    cible = dossier / revision.replace("/", "_")
    cible.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(cible)], input=archive, check=True)
    return cible


def mesurer(arbre: Path, charge: Path, taille: int) -> dict[str, float]:
    environnement = {**os.environ, "PYTHONPATH": str(arbre), "PREVOYANCE_CACHE": ""}
    sortie = subprocess.run([sys.executable, "-c", _MESURE, str(arbre / "examples" / "famille-diarra.yaml"),
                             str(charge), str(taille)], env=environnement, cwd=arbre, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(sortie.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("avant", help="révision git de référence")
    parser.add_argument("apres", nargs="?", default=".", help="révision comparée (défaut : l'arbre de travail)")
    parser.add_argument("--tours", type=int, default=3, help="mesures de chaque version, en alternance")
    parser.add_argument("--taille", type=int, default=2000, help="dossiers décidés par mesure de débit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporaire:
        dossier = Path(temporaire)
        charge = dossier / "charge.jsonl"
        subprocess.run([sys.executable, "-m", "cli", "generate", str(args.taille), "--seed", "3", "-o",
                        str(charge)], cwd=ROOT, check=True, capture_output=True)
        arbres = {nom: extraire(nom, dossier) for nom in (args.avant, args.apres)}
        mesures: dict[str, list[dict[str, float]]] = {nom: [] for nom in arbres}
        for _ in range(args.tours):
            for nom, arbre in arbres.items():
                mesures[nom].append(mesurer(arbre, charge, args.taille))
    medianes = {nom: {cle: statistics.median(m[cle] for m in liste) for cle in liste[0]}
                for nom, liste in mesures.items()}
    a, b = medianes[args.avant], medianes[args.apres]
    nom_b = "arbre de travail" if args.apres == "." else args.apres
    print(f"{args.tours} tours en alternance, {args.taille} dossiers par mesure de débit (un cœur, lots de 250)")
    print(f"dossier seul, p50 : {args.avant} {a['latence_ms']:.1f} ms, {nom_b} {b['latence_ms']:.1f} ms ; "
          f"rapport {b['latence_ms'] / a['latence_ms']:.2f}")
    print(f"débit des lots : {args.avant} {a['debit']:.0f} dossiers/s, {nom_b} {b['debit']:.0f} dossiers/s ; "
          f"rapport {b['debit'] / a['debit']:.2f}")


if __name__ == "__main__":
    main()

"""What the cache of the interview's « not » readings saves, measured in one run (issue 24): it prints figures,
it asserts nothing.

    python bench/lectures.py            # the golden cases of tests/cas, as bench/entretien.py leads them
    python bench/lectures.py --cas 40   # the first 40 only

:func:`usecases.entretien.lectures.lectures_par_defaut` reads the rules' AST once per regime and process (a
``functools.cache``); the interview's search asks for it several times a step. Printed: the cost of one
reading, the readings a step asks for, and the same interviews led with the cache and without it (each case
led both ways in turn, on the warm path, as the served console runs them).
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.dossier import DossierError  # noqa: E402
from engine.program import Mode, build_program  # noqa: E402
from engine.regime import regimes  # noqa: E402
from engine.speedups.warm import WarmSolver  # noqa: E402
from engine.validation import validate  # noqa: E402
from usecases.cases import load_cases  # noqa: E402
from usecases.entretien import lectures, simuler  # noqa: E402


def main() -> None:
    limite = int(sys.argv[sys.argv.index("--cas") + 1]) if "--cas" in sys.argv else None
    cached = lectures._lectures_par_defaut  # the functools.cache layer
    uncached = cached.__wrapped__
    for regime in regimes().values():  # the programs built: only the reading itself is timed
        build_program(regime, Mode.EXPLANATION)
    couts = {}
    for regime in regimes().values():
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            uncached(regime)
            samples.append(time.perf_counter() - started)
        couts[regime.id] = statistics.median(samples) * 1000
    dossiers = []
    for case in load_cases(ROOT / "tests" / "cas"):
        if case.erreur_attendue or case.amendement or case.erreur_lecture:
            continue
        try:
            dossiers.append(validate(copy.deepcopy(case.dossier), case.nom))
        except DossierError:
            continue
    dossiers = dossiers[:limite] if limite else dossiers
    chaud = WarmSolver()
    for dossier in dossiers[:5]:  # warm every slice before measuring
        simuler(dossier.regime, dossier.data, solver=chaud)
    appels = 0

    def counted(regime):
        nonlocal appels
        appels += 1
        return cached(regime)

    avec = sans = 0.0
    etapes = 0
    try:
        for dossier in dossiers:
            lectures._lectures_par_defaut = counted
            started = time.perf_counter()
            etapes += len(simuler(dossier.regime, dossier.data, solver=chaud).durees)
            avec += time.perf_counter() - started
            lectures._lectures_par_defaut = uncached
            started = time.perf_counter()
            simuler(dossier.regime, dossier.data, solver=chaud)
            sans += time.perf_counter() - started
    finally:
        lectures._lectures_par_defaut = cached
    print("une lecture des règles (médiane de 5, ms) : "
          + " ; ".join(f"{regime} {cout:.1f}" for regime, cout in sorted(couts.items())))
    print(f"{len(dossiers)} entretiens, {etapes} étapes, {appels} lectures demandées "
          f"({appels / max(etapes, 1):.1f} par étape)")
    print(f"avec le cache : {avec:.2f} s ({avec / max(etapes, 1) * 1000:.1f} ms par étape) ; sans : {sans:.2f} s "
          f"({sans / max(etapes, 1) * 1000:.1f} ms par étape) ; rapport {sans / avec:.1f}")


if __name__ == "__main__":
    main()

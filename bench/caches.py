"""What each cache of the engine saves, measured in one run: with the cache against without it.

    PYTHONPATH=. python bench/caches.py

For each cache: the work it saves (done once, as without the cache) and the look-up that replaces it,
medians, beside the cost of a single decision (cold and warm) to judge whether it pays. The figures are
written in each cache's docstring and in docs/performances.md.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from engine import files
from engine import regime as regime_module
from engine.program import Mode, Program, _build, build_program
from engine.regime import regimes
from engine.solver import demanded, evaluate
from engine.speedups import cache, slices
from engine.speedups.warm import WarmSolver, _Slice
from engine.validation import _VALIDATORS, _validators, load_dossier

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "famille-diarra.yaml"


def median_ms(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def line(name: str, without: float, with_: float, note: str = "") -> None:
    print(f"{name:<42} sans {without:10.3f} ms   avec {with_:10.4f} ms   {note}")


def main() -> None:
    os.environ["PREVOYANCE_CACHE"] = tempfile.mkdtemp(prefix="prevoyance-caches-")
    print(f"charge : {os.getloadavg()[0]:.1f} ; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    regime = regimes()["mali-inps"]
    dossier = load_dossier(EXAMPLE)
    warm = WarmSolver()
    for mode in (Mode.DECISION, Mode.EXPLANATION):
        evaluate(dossier, mode), evaluate(dossier, mode, solver=warm)
    cold_ms = median_ms(lambda: evaluate(dossier, Mode.DECISION), 40)
    warm_ms = median_ms(lambda: evaluate(dossier, Mode.DECISION, solver=warm), 40)
    load_ms = median_ms(lambda: load_dossier(EXAMPLE), 40)
    print(f"une décision (famille-diarra) : froide {cold_ms:.1f} ms, chaude {warm_ms:.1f} ms (médiane de 40) ;"
          f" lire le dossier {load_ms:.2f} ms")

    for mode in Mode:
        build_program(regime, mode)
        path = cache.cache_file(regime, mode.value)

        def from_disk(mode: Mode = mode, path: Path = path) -> None:
            Program.from_dict(regime, mode, cache.read_json(path))
            cache.cache_file(regime, mode.value)

        line(f"programme en mémoire ({mode.value}, vs disque)", median_ms(from_disk, 20),
             median_ms(lambda mode=mode: build_program(regime, mode), 1000))
        line(f"programme sur disque ({mode.value}, vs construction)",
             median_ms(lambda mode=mode: _build(regime, mode), 5), median_ms(from_disk, 20))

    program = build_program(regime, Mode.DECISION)
    wanted = demanded([dossier])

    def slice_text() -> str:
        kept = program.parts if slices.is_whole(program.parts, wanted) else slices.select(program.parts, wanted)
        return "\n".join(part.text for part in kept) + "\n"

    line("texte d'une tranche (sans cache)", median_ms(slice_text, 200), 0, f"= {len(slice_text())} caractères")
    line("texte du programme entier (sans cache)", median_ms(lambda: program.text_for(None), 200), 0,
         f"= {len(program.text)} caractères")
    text = program.text_for(wanted)
    inputs = frozenset(["demandeur", "enfant", "date_demande"])
    parsed = _Slice.parse(text)
    parsed.for_inputs(inputs)
    line("AST d'une tranche (WarmSolver._slices)",
         median_ms(lambda: _Slice.parse(text).for_inputs(inputs), 20),
         median_ms(lambda: warm._slice(program, wanted).for_inputs(inputs), 200))

    line("bases (regimes(), functools.cache)", median_ms(lambda: regimes.__wrapped__(), 5),
         median_ms(regimes, 1000), "(et l'identité d'une base : clé du cache des programmes)")
    line("Regime.version (hash des fichiers)", median_ms(lambda: regime_module.Regime.version.func(regime), 50),
         median_ms(lambda: regime.version, 1000))
    line("Regime.date_version", median_ms(lambda: regime.date_version, 50),
         0, "(pas de cache : lue une fois par rapport d impact)")
    line("Regime.multilignes", median_ms(lambda: regime_module.Regime.multilignes.func(regime), 200),
         median_ms(lambda: regime.multilignes, 1000))
    line("Regime.champs_pays", median_ms(lambda: regime_module.Regime.champs_pays.func(regime), 200),
         median_ms(lambda: regime.champs_pays, 1000))

    def compile_validators() -> None:
        _VALIDATORS.clear()
        _validators(regime.schema)

    line("validateurs du schéma (dossier._VALIDATORS)", median_ms(compile_validators, 5),
         median_ms(lambda: _validators(regime.schema), 1000))
    line("umask (files.umask)", median_ms(files.umask.__wrapped__, 1000), median_ms(files.umask, 1000))


if __name__ == "__main__":
    main()

"""Grounding cost per dossier as the lot grows, and issue 18's ratio (b): prints figures, asserts nothing.

    python bench/lots.py                       # this tree
    python bench/lots.py --racine /work/main   # another checkout, to compare two trees in one session

First generated dossiers as they come (every prestation they demand, the whole
summary program), then, for each prestation, generated dossiers that demand that
prestation only, with the summary program's slice of that prestation: each grounded
in lots of 250 and of 1 000; the time is CPU
time of ``Control.ground`` (``time.process_time``), the best of two runs, so
that a loaded machine disturbs it less. A cost per dossier that grows with the
lot means some rule joins rows of other dossiers of the lot (docs/performances.md).
Then ratio (b): the family allowances' summary path over the independent model,
on one core (``bench/run.py --rapports`` prints it with the others).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PRESTATIONS = [None, "allocations_familiales", "allocations_prenatales", "allocations_maternite",
               "indemnites_journalieres_maternite", "prime_premier_etablissement", "conge_naissance"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--racine", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--lots", type=int, nargs="+", default=[250, 1000])
    parser.add_argument("--sans-rapport", action="store_true", help="sans le rapport (b)")
    args = parser.parse_args()
    sys.path[:0] = [str(args.racine), str(args.racine / "tests"), str(args.racine / "bench")]
    import clingo

    from engine.program import build_program
    from engine.validation import validate
    from usecases.generation import generate

    def summary_program(regime):
        try:  # after issue 15, the mode is an enum
            from engine.program import Mode
        except ImportError:
            return build_program(regime, explain=False, summary=True)
        return build_program(regime, Mode.SUMMARY)

    generated = list(generate(12000, seed=4))
    print(f"Arbre : {args.racine}")
    for prestation in PRESTATIONS:
        dossiers = []
        for data in generated:
            demandes = [d for d in data.get("demandes", []) if prestation in (None, d["prestation"])]
            if demandes:
                dossiers.append(validate({**data, "demandes": demandes}))
            if len(dossiers) == max(args.lots):
                break
        program = summary_program(dossiers[0].regime)
        text = program.text_for(None if prestation is None else frozenset({prestation}))
        parameters = "".join(f"{symbol}." for symbol in program.parameter_symbols)
        figures = []
        for size in args.lots:
            lot = dossiers[:size]
            facts = "".join(program.inputs.facts_text(i, d.data) for i, d in enumerate(lot))
            best = float("inf")
            for _ in range(2):
                control = clingo.Control(["--warn=none"])
                control.add("base", [], facts + parameters + text)
                start = time.process_time()
                control.ground([("base", [])])
                best = min(best, time.process_time() - start)
            figures.append(f"lot de {len(lot)} : {best / len(lot) * 1000:.2f} ms")
        name = prestation or "toutes les prestations demandées"
        print(f"{name} (grounding par dossier) : " + " ; ".join(figures), flush=True)
    if not args.sans_rapport:
        from run import af_summary_vs_model

        summary, model = af_summary_vs_model()
        print(f"(b) allocations familiales seules, un cœur : résumé {summary:.0f} dossiers/s, modèle indépendant "
              f"{model:.0f}/s ; rapport {summary / model:.2f} (objectif ≥ 0,5).")


if __name__ == "__main__":
    main()

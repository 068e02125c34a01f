"""The what-if search against the number of children (issue 23, point 11): `python bench/whatif.py`.

A refusal of the family allowances where the applicant's activity is short and every child lacks its
declaration to the civil registry and its medical visit: each child is one more way to turn the refusal
into a grant. Prints, for 12, 20 and 30 children, the time of the search (`why --what-if`) and of a
letter (which runs the search), and whether the search stopped at its budget.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.solver import evaluate  # noqa: E402
from engine.validation import validate  # noqa: E402
from explain.lettres import Redacteur  # noqa: E402
from usecases.courrier import lettres  # noqa: E402
from usecases.whatif import what_if  # noqa: E402


def refusal(children: int) -> dict:
    """A refused dossier with ``children`` children, each of them a way to a grant."""
    child = {"date_naissance": "2018-01-01", "categorie": "mariage", "declare_etat_civil": False,
             "a_charge": True, "residence": "Mali", "situation": "aucune", "visite_medicale": False}
    return {
        "id": f"enfants-{children}", "date_reference": "2026-03-15",
        "demandeur": {"sexe": "M", "residence": "Mali", "statut": "salarie", "premiere_demande": False,
                      "veuve_allocataire": False, "jours_mois": 15, "heures_mois": 100, "salaire_mensuel": 30000},
        "mariage": {"etat_civil": True},
        "enfants": [dict(child, prenom=f"Enfant{i + 1}") for i in range(children)],
    }


def measure(children: int) -> dict[str, float | int | str | None]:
    """Seconds of the search, of the letter of the refusal (decision given) and of every letter of the
    dossier (six refusals: no prestation is named, every one is examined)."""
    dossier = validate(refusal(children), "bench")
    start = time.perf_counter()
    answer = what_if(dossier, "allocations_familiales")
    search = time.perf_counter() - start
    decision = evaluate(dossier)
    start = time.perf_counter()
    lettres(dossier, decision, Redacteur(), "allocations_familiales")
    letter = time.perf_counter() - start
    start = time.perf_counter()
    every = lettres(dossier, decision, Redacteur())
    return {"recherche": search, "lettre": letter, "lettres": time.perf_counter() - start, "nombre": len(every),
            "propositions": len(answer.ensembles), "candidats": answer.candidats, "arret": answer.arret}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enfants", type=int, nargs="+", default=[12, 20, 30])
    args = parser.parse_args()
    for children in args.enfants:
        m = measure(children)
        print(f"{children} enfants : recherche {m['recherche']:.2f} s ({m['propositions']} propositions, "
              f"{m['candidats']} candidats{', recherche arrêtée avant la fin : ' + m['arret'] if m['arret'] else ''})"
              f" ; lettre de rejet {m['lettre']:.2f} s ; les {m['nombre']} lettres du dossier {m['lettres']:.2f} s",
              flush=True)


if __name__ == "__main__":
    main()

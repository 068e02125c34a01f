"""What ``EtatServeur.memo`` saves: a recorded decision's page opened twice, with and without it, in one run.

    PYTHONPATH=. python bench/memo_console.py [N]      # N recordings per example and mode (default 20)

The console (TestClient, warm programs) records an example through the upload
form, then opens its decision page twice; the medians of the first and second
opening are printed for each example, alternating with and without the memo
(« avec », « sans », then again) so that a change of load on the machine shows.
Without the memo, every opening validates the kept dossier and decides it again.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from console.app import create_app, echauffer
from console.reglages import Reglages

ROOT = Path(__file__).resolve().parent.parent
EXEMPLES = ("famille-diarra.yaml", "refus-stage.yaml", "mali-orientation.yaml")


def _sans(key, value=None):
    """The memo switched off: nothing is found, what is stored is handed back."""
    return value


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    tmp = Path(tempfile.mkdtemp(prefix="prevoyance-memo-"))
    app = create_app(Reglages(journal=str(tmp / "j.sqlite"), travail=str(tmp / "t")))
    echauffer()
    etat = app.state.etat
    avec = etat.memo
    exemples = [ROOT / "examples" / name for name in EXEMPLES]
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        def enregistrer(f: Path) -> str:
            envoi = client.post("/dossiers/televerser", files={"fichier": (f.name, f.read_bytes())},
                                follow_redirects=False)
            return envoi.headers["location"]

        for f in exemples:  # templates compiled, the warm solver's slices built
            page = enregistrer(f)
            client.get(page)
        for f in exemples:
            ligne = []
            for mode, memo in (("avec", avec), ("sans", _sans), ("avec", avec), ("sans", _sans)):
                etat.memo = memo
                premieres, secondes = [], []
                for _ in range(n):
                    page = enregistrer(f)
                    t0 = time.perf_counter()
                    un = client.get(page)
                    t1 = time.perf_counter()
                    deux = client.get(page)
                    t2 = time.perf_counter()
                    assert un.status_code == deux.status_code == 200 and un.text == deux.text
                    premieres.append(t1 - t0)
                    secondes.append(t2 - t1)
                un_ms, deux_ms = statistics.median(premieres) * 1000, statistics.median(secondes) * 1000
                ligne.append(f"{mode} {un_ms:.0f}/{deux_ms:.0f} ms")
            print(f"{f.stem:18} (1re/2e ouverture) " + " ; ".join(ligne))
        etat.memo = avec


if __name__ == "__main__":
    main()

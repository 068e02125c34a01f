"""The console's pages and API answers for bench/instantane.py, run inside the measured tree.

    python bench/instantane_console.py JOURNAL EXEMPLE... > pages.json

It prints one JSON object, page name → text. Whatever changes from run to run (today's date, the
hour a decision was recorded, the session's token) is blanked here, where the page is known.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

from fastapi.testclient import TestClient

try:  # the layout after the floors were drawn
    from console.reglages import Reglages
except ImportError:
    from console.app import Reglages
from console.app import create_app
from engine.parsing import parse_text

_JETONS = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"), "<horodatage>"),
    (re.compile(r'name="_jeton" value="[^"]*"'), 'name="_jeton" value="<jeton>"'),
    (re.compile(r"à \d{1,2}:\d{2} UTC"), "à <heure> UTC"),
    (re.compile(re.escape(dt.date.today().isoformat())), "<aujourd'hui>"),
]


def _blanchir(texte: str) -> str:
    for motif, remplacement in _JETONS:
        texte = motif.sub(remplacement, texte)
    return texte


def main() -> None:
    journal, exemples = sys.argv[1], [Path(p) for p in sys.argv[2:]]
    pages: dict[str, str] = {}
    app = create_app(Reglages(journal=journal, travail=str(Path(journal).parent / "travail")))
    with TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000") as client:
        def garder(nom: str, reponse) -> None:
            pages[nom] = f"{reponse.status_code}\n{_blanchir(reponse.text)}"

        garder("accueil.html", client.get("/"))
        garder("api-regimes.json", client.get("/api/v1/regimes"))
        garder("impact.html", client.get("/impact"))
        garder("api-amendements.json", client.get("/api/v1/amendements"))
        for exemple in exemples:
            data = parse_text(exemple.read_text(encoding="utf-8"), exemple.name)
            nom = exemple.stem
            garder(f"{nom}/nouveau.html", client.get(f"/dossiers/nouveau?regime={data.get('regime', '')}"))
            decision = client.post("/api/v1/evaluate", json=data)
            garder(f"{nom}/api-evaluate.json", decision)
            envoi = client.post("/dossiers/televerser", files={"fichier": (exemple.name, exemple.read_bytes())},
                                follow_redirects=False)
            chemin = envoi.headers.get("location", "")
            garder(f"{nom}/decision.html", client.get(chemin))
            garder(f"{nom}/modifier.html", client.get(f"{chemin}/modifier"))
            for ident in decision.json().get("prestations", {}):
                garder(f"{nom}/lettre-{ident}.html", client.get(f"{chemin}/lettre/{ident}"))
                garder(f"{nom}/api-why-{ident}.json", client.post(f"/api/v1/why/{ident}", json=data))
        garder("journal.html", client.get("/journal"))
        garder("api-journal.json", client.get("/api/v1/journal"))
        garder("entretien.html", client.get("/entretien"))
    json.dump(pages, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()

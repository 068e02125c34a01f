"""What people read, written to a folder, so that two versions of the code can be compared byte for byte.

    python bench/instantane.py /tmp/apres                       # this checkout
    python bench/instantane.py /tmp/avant --arbre /tmp/ancien   # another tree (git worktree, git archive)
    diff -r /tmp/avant /tmp/apres

A refactor must leave every output identical: the decisions and explanations of the examples in
every format, the letters (Markdown, HTML, the text of the PDF), the regression cases' report, a
generated caseload's batch output (10 000 dossiers by default), the impact reports of a shipped
amendment, and the console's pages and API answers. The commands are run as a user runs them
(the command line in a child process, the console through its test client); only what changes
from run to run (temporary paths, journal numbers, dates of the day, durations) is blanked.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXEMPLES = sorted((ROOT / "examples").glob("*.yaml"))
AMENDEMENT = ROOT / "kb" / "mali" / "inps" / "amendements" / "af_3500.yaml"

# The command line of whichever layout the tree has (it moved from cli to cli/).
_CLI = ("import importlib.util, sys\n"
        "nom = 'cli.main' if importlib.util.find_spec('cli') else 'cli.main'\n"
        "sys.argv[0] = 'prevoyance'\n"
        "importlib.import_module(nom).main()\n")

_VARIABLE = [
    (re.compile(r"/tmp/[^\s\"'<>)]*"), "<tmp>"),
    (re.compile(r"\b\d+(?:[.,]\d+)? ?(?:ms|s)\b"), "<durée>"),
    (re.compile(r"\d+ dossiers?/s"), "<débit>"),
]


def _blanchir(texte: str) -> str:
    for motif, remplacement in _VARIABLE:
        texte = motif.sub(remplacement, texte)
    return texte


class Instantane:
    def __init__(self, sortie: Path, arbre: Path) -> None:
        self.sortie, self.arbre = sortie, arbre
        self.env = {**os.environ, "PYTHONPATH": str(arbre), "PREVOYANCE_SANS_CACHE": "1"}

    def ecrire(self, nom: str, contenu: str | bytes) -> None:
        chemin = self.sortie / nom
        chemin.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(contenu, bytes):
            contenu = contenu.decode("utf-8", "replace")
        chemin.write_text(_blanchir(contenu), encoding="utf-8")

    def prevoyance(self, nom: str, *args: str | Path) -> str:
        fait = subprocess.run([sys.executable, "-c", _CLI, *map(str, args)], cwd=self.arbre, env=self.env,
                              capture_output=True, text=True, timeout=1800)
        self.ecrire(nom, f"code {fait.returncode}\n--- sortie\n{fait.stdout}\n--- erreurs\n{fait.stderr}")
        return fait.stdout

    def pdf_texte(self, nom: str, pdf: Path) -> None:
        texte = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        self.ecrire(nom, texte)

    def exemples(self, travail: Path) -> None:
        for exemple in EXEMPLES:
            base = f"exemples/{exemple.stem}"
            self.prevoyance(f"{base}/evaluate.txt", "evaluate", exemple)
            decision = json.loads(self.prevoyance(f"{base}/evaluate.json", "evaluate", exemple, "--format", "json"))
            self.prevoyance(f"{base}/evaluate-amende.txt", "evaluate", exemple, "--amendment", AMENDEMENT,
                            "--date-effet", "2026-01-01")
            for ident, prestation in decision.get("prestations", {}).items():
                for fmt in ("text", "json", "markdown", "html"):
                    self.prevoyance(f"{base}/why/{ident}.{fmt}", "why", exemple, ident, "--format", fmt)
                if prestation.get("statut") == "refuse":
                    self.prevoyance(f"{base}/why/{ident}.what-if", "why", exemple, ident, "--what-if")
            for fmt in ("markdown", "html"):
                self.prevoyance(f"{base}/lettre.{fmt}", "letter", exemple, "--format", fmt)
            pdfs = travail / f"pdf-{exemple.stem}"
            self.prevoyance(f"{base}/lettre-pdf.log", "letter", exemple, "--format", "pdf", "-o", f"{pdfs}/")
            for pdf in sorted(pdfs.glob("*.pdf")):
                self.pdf_texte(f"{base}/lettre-pdf/{pdf.stem}.txt", pdf)

    def charges(self, travail: Path, taille: int) -> None:
        grande, petite = travail / "charge.jsonl", travail / "petite"
        self.prevoyance("charge/generate.log", "generate", str(taille), "--seed", "7", "-o", grande)
        self.prevoyance("charge/batch.log", "batch", grande, "-o", travail / "decisions.jsonl", "--processus", "2")
        for nom in ("decisions.jsonl", "decisions.erreurs.jsonl"):
            if (travail / nom).exists():
                lignes = sorted((travail / nom).read_text(encoding="utf-8").splitlines())
                self.ecrire(f"charge/{nom}", "\n".join(lignes) + "\n")
        self.prevoyance("charge/generate-petite.log", "generate", "300", "--seed", "11", "-o", petite)
        for fmt in ("text", "json"):
            self.prevoyance(f"impact/diff.{fmt}", "diff", petite, "--amendment", AMENDEMENT,
                            "--date-effet", "2026-01-01", "--format", fmt,
                            "--processus", "2")
        self.prevoyance("impact/diff-html.log", "diff", petite, "--amendment", AMENDEMENT, "--date-effet", "2026-01-01",
                        "--format", "html",
                        "-o", travail / "impact.html", "--processus", "2")
        for fichier in sorted(travail.glob("impact*")):
            self.ecrire(f"impact/{fichier.name}", fichier.read_bytes())
        lettres = travail / "lettres"
        self.prevoyance("lettres/letters.log", "letters", petite, "-o", lettres, "--format", "markdown")
        for lettre in sorted(lettres.rglob("*.md")):
            self.ecrire(f"lettres/{lettre.relative_to(lettres)}", lettre.read_bytes())

    def cas(self) -> None:
        self.prevoyance("cas/test.txt", "test", "tests/cas", "--date-aujourdhui", "2026-06-01")

    def console(self, travail: Path) -> None:
        code = (ROOT / "bench" / "instantane_console.py").read_text(encoding="utf-8")
        fait = subprocess.run([sys.executable, "-c", code, str(travail / "console.sqlite"), *map(str, EXEMPLES)],
                              cwd=self.arbre, env=self.env, capture_output=True, text=True, timeout=1800)
        if fait.returncode:
            self.ecrire("console/ERREUR.txt", fait.stderr)
            return
        for nom, texte in json.loads(fait.stdout).items():
            self.ecrire(f"console/{nom}", texte)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sortie", type=Path)
    parser.add_argument("--arbre", type=Path, default=ROOT, help="l'arbre du code mesuré (défaut : celui-ci)")
    parser.add_argument("--taille", type=int, default=10_000, help="dossiers de la charge décidée en lot")
    parser.add_argument("--sans", action="append", default=[], choices=["exemples", "charges", "cas", "console"])
    args = parser.parse_args()
    instantane = Instantane(args.sortie, args.arbre.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        travail = Path(tmp)
        for partie in ("exemples", "charges", "cas", "console"):
            if partie in args.sans:
                continue
            print(f"{partie}…", flush=True)
            if partie == "charges":
                instantane.charges(travail, args.taille)
            elif partie == "exemples":
                instantane.exemples(travail)
            else:
                getattr(instantane, partie)(*([travail] if partie == "console" else []))


if __name__ == "__main__":
    main()

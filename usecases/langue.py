"""No English where a person reads: the check ``prevoyance check`` runs on catalogues, templates and quotations.

Everything a person reads is French (the house rules): the phrase catalogues
(``kb/<régime>/explications/*.yaml``), the letterhead (``entete.yaml``), the
rule quotations of the ``.lp`` files (the « … » a ``% @regle`` block cites,
printed by ``why`` and the console) and the templates of the letters and
texts (``explain/lettres/*.j2``, ``explain/templates/*.j2``). A source written
in English is quoted in the base's French reading, marked as such
(« [traduction de la base …] »).

The check is a small stop-list of common English words that are not French
words: a hit names the file and the line. YAML comments, Jinja code and HTML
tags are not read (they are for developers); ``tests/test_langue.py`` checks
that the shipped French text has no false hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Common English words that are not French words (« on », « or », « but », « as », « an », « a », « son »,
# « fait », « pour »… are French and left out). Lowercase.
MOTS_ANGLAIS = frozenset({
    "the", "and", "of", "with", "which", "that", "this", "these", "those", "their", "there", "they", "them", "is",
    "are", "was", "were", "been", "being", "have", "has", "had", "will", "would", "should", "could", "shall",
    "from", "into", "onto", "by", "about", "without", "within", "between", "against", "through", "during",
    "before", "after", "over", "under", "above", "below", "again", "further", "then", "once", "here", "when",
    "where", "how", "all", "any", "both", "each", "few", "more", "most", "other", "such", "only", "own", "same",
    "than", "too", "very", "just", "don't", "now", "who", "whom", "whose", "what", "people", "person",
    "workers", "worker", "salaried", "servants", "pensioners", "dependants", "dependents", "free", "care",
    "certified", "resources", "admitted", "right", "rights", "amended", "run", "voluntary", "mutual",
    "insurance", "health", "coverage", "family", "children", "child", "five", "years", "focuses",
    "project", "informal", "target", "schemes", "scheme", "access", "complete", "partnership", "dissemination",
    "strategy", "developed", "thanks", "some", "also", "refused", "granted", "pending", "benefit", "benefits",
    "allowance", "allowances", "claim", "claims", "member", "members", "household", "payment", "payments",
    "amount",
})

_MOT = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]+(?:'[a-z]+)?")
_JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
_HTML = re.compile(r"<style.*?</style>|<script.*?</script>|<[^>]*>", re.S)


def mots_anglais(text: str) -> list[str]:
    """The English words of ``text`` (in order, each once)."""
    found = [w for w in _MOT.findall(text) if w.lower() in MOTS_ANGLAIS]
    return list(dict.fromkeys(found))


def _hits(path: Path, lines: Iterable[tuple[int, str]], root: Path) -> list[str]:
    out = []
    for number, text in lines:
        words = mots_anglais(text)
        if words:
            where = path.relative_to(root) if path.is_relative_to(root) else path
            out.append(f"{where}:{number} : mots anglais ({', '.join(words)}) là où une personne lit du français")
    return out


def _yaml_lines(text: str) -> Iterable[tuple[int, str]]:
    """The lines of a YAML file with their comments left out (a ``#`` that opens a line or follows a space)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        yield number, _JINJA.sub(" ", re.split(r"\s#(?![}#%])", line, maxsplit=1)[0])


def _quotation_lines(text: str) -> Iterable[tuple[int, str]]:
    """The parts of a ``.lp`` file's comment lines inside « … »: the quotations of the texts applied."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("%"):
            inside = False
            continue
        quoted, rest = [], stripped.lstrip("%")
        while rest:
            if inside:
                end = rest.find("»")
                quoted.append(rest if end < 0 else rest[:end])
                if end < 0:
                    break
                inside, rest = False, rest[end + 1:]
            else:
                start = rest.find("«")
                if start < 0:
                    break
                inside, rest = True, rest[start + 1:]
        if quoted:
            yield number, " ".join(quoted)


def _template_lines(text: str) -> Iterable[tuple[int, str]]:
    """A template's text lines, Jinja code and HTML tags left out (kept line by line so the numbers hold)."""
    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    text = _HTML.sub(blank, _JINJA.sub(blank, text))
    yield from enumerate(text.splitlines(), start=1)


def templates_folders() -> list[Path]:
    """The folders of the templates whose text a person reads (letters, explanations)."""
    explain = Path(__file__).resolve().parents[2] / "explain"
    return [explain / "lettres", explain / "templates"]


def check_french(folder: Path, program_files: Iterable[Path], root: Path) -> list[str]:
    """Every line of a regime's catalogues, letterhead and rule quotations, and of the shared templates, that
    has English words: one French message each, naming the file and the line."""
    out: list[str] = []
    for path in [*sorted(folder.glob("explications/*.yaml")), folder / "entete.yaml",
                 *sorted(folder.glob("entetes/*.yaml"))]:  # the offices' letterheads a regime ships
        if path.is_file():
            out += _hits(path, _yaml_lines(path.read_text(encoding="utf-8")), root)
    for path in program_files:
        out += _hits(path, _quotation_lines(path.read_text(encoding="utf-8")), root)
    for templates in templates_folders():
        for path in sorted(templates.glob("*.j2")):
            out += _hits(path, _template_lines(path.read_text(encoding="utf-8")), templates.parent.parent)
    return out

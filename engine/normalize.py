"""A dossier's values normalised and checked before its schema: depth, text, country names, numbers.

:func:`normalize` walks the parsed data once: nesting depth (:data:`engine.domaine.MAX_DEPTH`), text
length, invisible and control characters (invisible letters such as the Hangul filler included),
country names read as the base writes them (:func:`country_name`), whole-number floats of a dossier
built in Python (``85000.0`` becomes ``85000``; ``85000.5`` stays a float and the schema refuses it;
files never hold floats: :mod:`engine.scalars` reads numbers exactly). Each refusal names its field
(:class:`DomainError`). The fields where a line break is data, or that name a country, are read from
the schema's marks (:func:`multiline_paths`, :func:`marked_paths`).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from engine.domaine import MAX_DEPTH, path_text, resolve_ref

# Unicode categories refused in text: controls (newline, tab, NUL…), format characters (zero
# width, bidirectional overrides, soft hyphen, BOM, and the zero-width joiners: the Arabic and N'Ko
# scripts names are written in here join their letters without them), lone surrogates, private use,
# line and paragraph separators. None of them is visible in a letter; all of them can change how it reads.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
# Invisible characters of other categories: Unicode's default-ignorable code points that are letters
# or marks (Hangul fillers, combining grapheme joiner, variation selectors, Mongolian free variation
# selectors, Khmer inherent vowels), and the blank braille pattern. « Mali\u3164 » looks like « Mali ».
_INVISIBLE_RANGES = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2800, 0x2800),
                     (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF))


_CHAR_LABELS = {0x00: "octet nul", 0x09: "tabulation", 0x0A: "saut de ligne", 0x0D: "retour chariot",
                0x00AD: "trait d'union conditionnel", 0x200B: "espace de largeur nulle",
                0x200C: "antiliant sans chasse",
                0x200D: "liant sans chasse", 0x200E: "marque gauche-à-droite", 0x200F: "marque droite-à-gauche",
                0x202E: "forçage droite-à-gauche", 0x2060: "gluon de mots", 0xFEFF: "indicateur d'ordre des octets",
                0x3164: "remplissage hangul", 0xFFA0: "remplissage hangul", 0x2800: "braille vide"}
_CATEGORY_LABELS = {"Cc": "caractère de contrôle", "Cf": "caractère de mise en forme invisible",
                    "Cs": "demi-caractère UTF-16 isolé", "Co": "caractère à usage privé",
                    "Zl": "séparateur de ligne", "Zp": "séparateur de paragraphe"}
# Scripts, in French, for a country name whose letters mix them (the first word of Unicode's names).
_SCRIPT_NAMES = {"LATIN": "latin", "CYRILLIC": "cyrillique", "GREEK": "grec", "ARABIC": "arabe", "NKO": "n'ko",
                 "ARMENIAN": "arménien", "HEBREW": "hébreu", "CHEROKEE": "cherokee", "TIFINAGH": "tifinagh",
                 "ETHIOPIC": "éthiopien", "COPTIC": "copte"}


def _char_label(char: str) -> str:
    return _CHAR_LABELS.get(ord(char)) or _CATEGORY_LABELS.get(unicodedata.category(char), "caractère invisible")


def _invisible(char: str) -> bool:
    if unicodedata.category(char) in _REFUSED_CATEGORIES:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _INVISIBLE_RANGES)


class DomainError(Exception):
    """Values outside the domain of the base; ``erreurs``: (the field's path, the message naming it)."""

    def __init__(self, erreurs: list[tuple[str, str]]):
        super().__init__("\n".join(message for _, message in erreurs))
        self.erreurs = erreurs



def _text_problem(text: str, limit: int, multiline: bool = False) -> str | None:
    if len(text) > limit:
        return f"texte trop long ({len(text)} caractères ; au plus {limit})"
    if text.isascii() and text.isprintable():  # no printable ASCII character is refused: the common case, fast
        return None
    for position, char in enumerate(text):
        if multiline and char == "\n":
            continue  # a line of a postal address: the letter prints it as a line, never as markup
        if _invisible(char):
            return (f"caractère invisible ou de contrôle U+{ord(char):04X} ({_char_label(char)}) "
                    f"en position {position + 1} : retirez-le")
    return None


def marked_paths(schema: dict[str, Any], marker: str) -> frozenset[tuple[str, ...]]:
    """Paths (``[]`` for any item of a list) of the fields the schema marks ``marker: true``."""
    out: set[tuple[str, ...]] = set()

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        node = resolve_ref(schema, node)
        if node.get(marker):
            out.add(path)
        for key, sub in node.get("properties", {}).items():
            walk(sub, (*path, key))
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "[]"))
        for alternative in node.get("oneOf", ()):
            walk(alternative, path)

    walk(schema, ())
    return frozenset(out)


def multiline_paths(schema: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    """The text fields the schema marks ``"x-multiligne": true``: the only texts where a line break is
    data (a postal address), not a control character."""
    return marked_paths(schema, "x-multiligne")


def _folded(text: str) -> str:
    """A text as it compares: compatibility forms unified (``Ｍａｌｉ``, a non-breaking space), case
    folded, spaces trimmed and collapsed."""
    return " ".join(unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).split())


def _scripts(text: str) -> set[str]:
    """The scripts of the letters of a text (the first word of their Unicode names: LATIN, CYRILLIC…)."""
    return {unicodedata.name(c, "?").split()[0] for c in text if unicodedata.category(c).startswith("L")}


def country_name(text: str, known: tuple[str, ...]) -> str | None:
    """A country as the base names it: ``« Mali »``, ``« mali »``, ``« MALI »``, ``« Ｍａｌｉ »`` are
    ``Mali`` (the name ``regime.yaml`` gives, which the rules compare); another country keeps its name,
    trimmed. None when its letters mix scripts (a Cyrillic ``М`` in ``Мali``): a look-alike, refused."""
    folded = _folded(text)
    if len(_scripts(folded)) > 1:
        return None
    for name in known:
        if _folded(name) == folded:
            return name
    return unicodedata.normalize("NFC", " ".join(text.split()))


def normalize(data: Any, texte_max: int = 500, multilignes: frozenset[tuple[str, ...]] = frozenset(),
              pays: frozenset[tuple[str, ...]] = frozenset(), noms_pays: tuple[str, ...] = ()) -> Any:
    """A copy of ``data`` with whole-number floats as integers and country names as the base writes them;
    DomainError if it is too deep or holds bad text.

    The walk is iterative: a document nested thousands of levels deep is refused, not recursed into.
    The caller's data is left as it was. ``multilignes``: the fields where a line break is allowed
    (:func:`multiline_paths`); ``pays``: the fields that name a country (``"x-pays": true``), read by
    :func:`country_name` against ``noms_pays``.
    """
    errors: list[tuple[str, str]] = []
    root: list[Any] = [None]
    # (value to copy, container of the copy, key in it, path, depth)
    stack: list[tuple[Any, Any, Any, list[Any], int]] = [(data, root, 0, [], 0)]
    while stack:
        value, target, key, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            where = path_text(path)
            errors.append((where, f"« {where} » : imbrication trop profonde (plus de {MAX_DEPTH} niveaux)"))
            continue
        if isinstance(value, dict):
            copy: dict[Any, Any] = {}
            target[key] = copy
            for name, sub in value.items():
                if isinstance(name, str):
                    problem = _text_problem(name, texte_max)
                    if problem:
                        errors.append((path_text(path), f"« {path_text(path)} » : nom de champ {name!r} : {problem}"))
                        continue
                copy[name] = None  # keeps the order of the keys
                stack.append((sub, copy, name, [*path, name], depth + 1))
        elif isinstance(value, list):
            items: list[Any] = [None] * len(value)
            target[key] = items
            stack.extend((sub, items, i, [*path, i], depth + 1) for i, sub in enumerate(value))
        elif isinstance(value, str):
            generic = tuple("[]" if isinstance(part, int) else part for part in path)
            problem = _text_problem(value, texte_max, generic in multilignes)
            if problem:
                errors.append((path_text(path), f"« {path_text(path)} » : {problem}"))
            elif generic in pays:
                country = country_name(value, noms_pays)
                if country is None:
                    scripts = sorted(_SCRIPT_NAMES.get(n, "autre") for n in _scripts(_folded(value)))
                    errors.append((path_text(path), f"« {path_text(path)} » : {value!r} mêle des lettres de plusieurs "
                                                f"alphabets ({', '.join(scripts)}) : réécrivez le nom du pays"))
                value = country or value
            target[key] = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            target[key] = int(value)  # 85000.0 is 85000: JSON does not tell them apart
        else:
            target[key] = value
    if errors:
        raise DomainError(sorted(errors, key=lambda pair: pair[1]))
    return root[0]

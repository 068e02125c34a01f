"""Reading the text a person gives (dossier, amendment, letterhead, case file): a file, then YAML or JSON.

A regular file only, at most 1 MiB (:func:`read_input`); YAML by the 1.2 core schema and JSON with its
numbers kept as written (:func:`parse_text`, :func:`parse_json`; the scalars: :mod:`engine.scalars`).
Aliases, tags, deep nesting and duplicate keys are refused before anything is built, each with its line
or field, in French (:class:`engine.dossier.DossierError`).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from engine.domaine import MAX_BYTES, MAX_DEPTH
from engine.dossier import RACINE, DossierError, format_path
from engine.scalars import (
    MAX_DIGITS,
    BaseLoader,
    DateAsStringLoader,
    DuplicateJsonKey,
    Refus,
    exact_integer,
    scalar_refusals,
)


class _EventPath:
    """The path of the node an event belongs to, followed along the event stream (for a message that names
    the field of a tag before the document is built)."""

    def __init__(self) -> None:
        self.frames: list[list[Any]] = []  # [is_mapping, key or index, expecting a key]

    def current(self) -> list[Any]:
        return [frame[1] for frame in self.frames if frame[1] is not None]

    def value(self) -> None:
        """A whole value (a scalar, or a collection just closed) ends: the parent moves on."""
        if self.frames:
            frame = self.frames[-1]
            if frame[0]:
                frame[2] = True
            else:
                frame[1] += 1

    def scalar(self, text: str) -> bool:
        """A scalar event; True when it is a mapping's key (its path is the key's parent's)."""
        if self.frames and self.frames[-1][0] and self.frames[-1][2]:
            self.frames[-1][1], self.frames[-1][2] = text, False
            return True
        return False

    def open(self, mapping: bool) -> None:
        self.frames.append([mapping, None if mapping else 0, True])

    def close(self) -> None:
        self.frames.pop()
        self.value()


def _check_events(text: str, origine: str) -> None:
    """Refuse aliases, tags and deep nesting from the event stream, before anything is built.

    A 342-byte document of aliases expands to gigabytes once built: it is refused here, where each
    event costs what its text costs. A tag (``!!python/object``, ``!!float``, ``!foo``) asks for a
    constructor a dossier never needs: refused with its field and line.
    """
    depth = 0
    where = _EventPath()
    for event in yaml.parse(text, Loader=BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise DossierError.racine(origine, f"alias YAML « *{event.anchor} » refusé (ligne {mark.line + 1}) : "
                                               "écrivez la valeur en entier")
        if getattr(event, "tag", None) is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            field = format_path(where.current())
            raise DossierError.de(origine, [(field, f"« {field} » : étiquette YAML « {tag} » refusée "
                                   f"(ligne {event.start_mark.line + 1}) : écrivez la valeur seule, sans « ! »")])
        if isinstance(event, yaml.ScalarEvent):
            if not where.scalar(event.value):
                where.value()
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise DossierError.racine(origine, f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux, "
                                                   f"ligne {event.start_mark.line + 1})")
            where.open(isinstance(event, yaml.MappingStartEvent))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            where.close()


def _too_large(size: int, origine: str) -> DossierError:
    return DossierError.racine(origine, f"{size} octets : un dossier fait au plus {MAX_BYTES} octets")


# libyaml's and PyYAML's messages (their ``problem``, matched by a fragment), in French. A message not
# listed is not printed: the line and column say where, « forme non reconnue » what.
_YAML_PROBLEMS = (
    ("exceeded maximum nesting depth", f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)"),
    ("mapping values are not allowed", "« : » inattendu ici (un texte qui contient « : » s'écrit entre guillemets)"),
    ("could not find expected ':'", "« : » attendu après un nom de champ"),
    ("did not find expected key", "nom de champ attendu (indentation incohérente ?)"),
    ("did not find expected node content", "valeur attendue"),
    ("cannot start any token", "caractère inattendu (une tabulation ? l'indentation se fait par espaces)"),
    ("tab character", "tabulation dans l'indentation : indentez avec des espaces"),
    ("did not find expected '-' indicator", "« - » attendu (élément de liste)"),
    ("block sequence entries are not allowed", "« - » inattendu ici"),
    ("did not find expected ',' or ']'", "« , » ou « ] » attendu"),
    ("did not find expected ',' or '}'", "« , » ou « } » attendu"),
    ("found unexpected end of stream", "fin du fichier inattendue (guillemet ou crochet non fermé ?)"),
    ("unknown escape character", "séquence « \\ » inconnue dans un texte entre guillemets"),
    ("found another document", "un seul document par fichier (« --- » en trop)"),
    ("did not find expected <document start>", "début de document attendu"),
    ("found unexpected document indicator", "« --- » ou « ... » inattendu dans un texte"),
    ("control characters are not allowed", "caractère de contrôle dans le fichier"),
    ("special characters are not allowed", "caractère de contrôle dans le fichier"),
    ("incompatible YAML document", "version de YAML non prise en charge (%YAML)"),
    ("directive", "directive YAML (%…) non prise en charge"),
    ("tag", "étiquette YAML (« ! ») refusée"),
    ("anchor", "ancre YAML (« & ») mal écrite"),
    ("alias", "alias YAML (« * ») mal écrit"),
    ("en double", None),  # our own duplicate-key message, already in French
)

# The json module's messages (``JSONDecodeError.msg``), in French.
_JSON_PROBLEMS = (
    ("Expecting value", "valeur attendue"),
    ("Expecting property name", "nom de champ attendu, entre guillemets droits (\")"),
    ("Expecting ':' delimiter", "« : » attendu après le nom du champ"),
    ("Expecting ',' delimiter", "« , » attendue entre deux éléments"),
    ("Unterminated string", "texte non fermé (guillemet manquant)"),
    ("Invalid control character", "caractère de contrôle dans un texte (écrivez \\n, \\t)"),
    ("Invalid \\uXXXX escape", "séquence « \\uXXXX » invalide"),
    ("Invalid \\escape", "séquence « \\ » invalide dans un texte"),
    ("Extra data", "texte en trop après la fin du document JSON"),
    ("Illegal trailing comma", "virgule en trop avant la fin d'un objet ou d'une liste"),
)


def _in_french(problem: str, table: tuple[tuple[str, str | None], ...]) -> str:
    for fragment, french in table:
        if fragment in problem:
            return french or problem
    return "forme non reconnue"


def parse_text(text: str, origine: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML) by YAML 1.2's core schema, dates kept as text; aliases, tags,
    duplicate keys and numbers not read exactly as written refused, each with its line or field."""
    if len(text) > MAX_BYTES:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), origine)
    try:
        _check_events(text, origine)
        loader = DateAsStringLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
        problem = str(getattr(exc, "problem", None) or getattr(exc, "reason", None) or "")
        message = f"YAML/JSON illisible{where} : {_in_french(problem, _YAML_PROBLEMS)}"
        raise DossierError.de(origine, [(getattr(exc, "cle", RACINE), message)]) from None
    except RecursionError:  # a pathological document
        raise DossierError.racine(origine, "YAML/JSON illisible : imbrication trop profonde") from None
    if loader.refused:  # walked only then, to name their fields
        raise DossierError.de(origine, scalar_refusals(data))
    return data


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateJsonKey(key)
        out[key] = value
    return out


def _json_number(text: str) -> int | Refus:
    if len(text) > 4 * MAX_DIGITS:  # not even handed to Decimal
        return Refus(text[:21], f"est trop grand : nombre illisible de plus de {MAX_DIGITS} chiffres")
    return exact_integer(text)


def _not_a_number(name: str) -> Refus:
    return Refus(name, "n'est pas un nombre fini")


def parse_json(text: str, origine: str, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one JSON document; numbers kept as written (a fraction or an integer of many digits refused with
    its field, never rounded), duplicate keys, NaN and Infinity refused; a leading BOM ignored, as YAML does."""
    if len(text) > max_bytes:
        raise _too_large(len(text.encode("utf-8", "surrogatepass")), origine)
    text = text.removeprefix("\ufeff")  # the mark some editors put first: YAML skips it, so does JSON here
    if not text.strip():
        raise DossierError.racine(origine, "JSON vide : un dossier est un objet {…}")
    refused: list[Refus] = []

    def number(written: str) -> int | Refus:
        value = _json_number(written)
        if isinstance(value, Refus):
            refused.append(value)
        return value

    def constant(name: str) -> Refus:
        refused.append(_not_a_number(name))
        return refused[-1]

    try:
        # int is the common case: json's own parser, unless a fraction, an exponent or a long one needs a look
        data = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=constant, parse_float=number,
                          parse_int=lambda t: int(t) if len(t) <= MAX_DIGITS else number(t))
    except json.JSONDecodeError as exc:
        raise DossierError.racine(origine, f"JSON illisible (ligne {exc.lineno}, colonne {exc.colno}) : "
                                           f"{_in_french(exc.msg, _JSON_PROBLEMS)}") from None
    except ValueError as exc:  # a duplicate key (our own message, in French)
        raise DossierError.de(origine, [(getattr(exc, "cle", RACINE), f"JSON refusé : {exc}")]) from None
    except RecursionError:
        raise DossierError.racine(origine, "JSON refusé : imbrication trop profonde") from None
    if refused:  # walked only then, to name their fields
        raise DossierError.de(origine, [(chemin, f"JSON refusé : {m}") for chemin, m in scalar_refusals(data)])
    return data


_OS_REASONS = {errno.EACCES: "permission refusée", errno.EPERM: "permission refusée",
               errno.EIO: "erreur d'entrée-sortie du disque", errno.ELOOP: "trop de liens symboliques",
               errno.ENAMETOOLONG: "nom trop long", errno.ENOTDIR: "un élément du chemin n'est pas un répertoire",
               errno.EMFILE: "trop de fichiers ouverts", errno.ENXIO: "périphérique absent"}
_FILE_KINDS = ((stat.S_ISFIFO, "un tube nommé (FIFO)"), (stat.S_ISCHR, "un périphérique"),
               (stat.S_ISBLK, "un périphérique"), (stat.S_ISSOCK, "une socket"))


def read_input(path: str | Path, limit: int = MAX_BYTES, what: str = "un dossier") -> str:
    """The UTF-8 text of a file a person named (dossier, amendment, letterhead, cases), read at most
    ``limit`` + 1 bytes; DossierError in French naming the file otherwise.

    Only a regular file is read: a FIFO would block for ever, ``/dev/zero`` never ends. The file is opened
    non-blocking (a FIFO swapped in after the check does not block either) and checked again once open.
    """
    path = Path(path)
    try:
        kind = os.stat(path).st_mode
        if stat.S_ISDIR(kind):
            raise DossierError.racine(str(path), "est un répertoire, pas un fichier")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            kind = os.fstat(fd).st_mode
            if not stat.S_ISREG(kind):
                name = next((n for test, n in _FILE_KINDS if test(kind)), "un fichier spécial")
                raise DossierError.racine(str(path), f"est {name}, pas un fichier ordinaire : donnez un fichier")
            chunks, size = [], 0
            while size <= limit:
                chunk = os.read(fd, min(1 << 16, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise DossierError.racine(str(path), "fichier introuvable") from None
    except IsADirectoryError:
        raise DossierError.racine(str(path), "est un répertoire, pas un fichier") from None
    except OSError as exc:  # the system's own text (strerror) is English
        reason = _OS_REASONS.get(exc.errno, "erreur du système")
        raise DossierError.racine(str(path), f"fichier illisible ({reason})") from None
    if size > limit:
        raise DossierError.racine(str(path), f"plus de {limit} octets : {what} fait au plus {limit} octets")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DossierError.racine(str(path), f"fichier illisible : l'octet {data[exc.start]:#04x} (octet n°"
                                  f"{exc.start + 1} du fichier) n'est pas de l'UTF-8 : enregistrez-le en UTF-8"
                                  ) from None

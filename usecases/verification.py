"""Amendments are data, checked like code before any dossier is decided under them.

An amendment's rules are pasted into the program of a regime. Before that, each
text it brings is checked here, and every refusal names the amendment key and
the line:

- text pasted into a comment (title, source) holds no line break nor any
  invisible character: a newline in a title would end the comment and start a
  rule;
- rules use no directive outside :data:`ALLOWED_DIRECTIVES`: ``#include`` would
  read any file (and leave it out of ``version_base``), ``#script`` would run
  code, ``#external`` and ``#const`` would let the program be changed from
  outside;
- only normal rules and integrity constraints: a choice or a disjunction in a
  head gives a program several answer sets;
- clingo accepts each rule alone (syntax, safety of variables);
- the amended program stays stratified: no predicate defined by the amendment
  depends on itself through a negation, and no recursion builds new terms
  (the predicate graph: :mod:`usecases.predicate_graph`).

At evaluation, the solver asks clingo for two models and fails on a second
(:func:`engine.solver.solve_program`): what escapes the static checks is still
caught.
"""

from __future__ import annotations

import multiprocessing
import re
import unicodedata
from collections.abc import Iterable

import clingo
from clingo import ast

from usecases.predicate_graph import growing_recursions

# Aggregate names and the two truth constants: the only words after # a rule of the base needs.
ALLOWED_DIRECTIVES = frozenset({"count", "sum", "sum+", "min", "max", "inf", "sup", "true", "false"})
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class CheckError(Exception):
    """A text of an amendment that cannot enter a program; the message names its key and line."""


def check_comment_text(text: str, key: str) -> str:
    """``text`` as it will be pasted into a comment line; CheckError for a line break or invisible character."""
    for position, char in enumerate(text):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise CheckError(f"« {key} » : caractère de contrôle ou invisible U+{ord(char):04X} en position "
                             f"{position + 1} (un saut de ligne ferait de la suite une règle) : une seule ligne")
    return text


def check_identifier(name: str, key: str) -> None:
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise CheckError(f"« {key} » : identifiant {name!r} refusé (minuscules, chiffres et _, une lettre d'abord)")


def _code_only(text: str) -> Iterable[tuple[int, str]]:
    """(line number, code) with comments and strings blanked, so that a # in them is not a directive."""
    in_block = False
    for number, line in enumerate(text.splitlines(), start=1):
        out, i = [], 0
        while i < len(line):
            if in_block:
                end = line.find("*%", i)
                if end < 0:
                    i = len(line)
                    continue
                in_block, i = False, end + 2
                continue
            char = line[i]
            if line.startswith("%*", i):
                in_block, i = True, i + 2
            elif char == "%":
                break
            elif char == '"':
                j = i + 1
                while j < len(line) and line[j] != '"':
                    j += 2 if line[j] == "\\" else 1
                out.append('""')
                i = j + 1
            else:
                out.append(char)
                i += 1
        yield number, "".join(out)


def check_rules(text: str, key: str, recursion: bool = True) -> None:
    """Directives, statement kinds, syntax and safety of one amendment text (a block of rules); with
    ``recursion``, no recursion that builds new terms (a block that replaces one of the base may copy the
    base's guarded ones: :func:`unbounded_recursions` compares the amended program with the base)."""
    for number, code in _code_only(text):
        for match in re.finditer(r"#\s*([A-Za-z_]+\+?)", code):
            if match.group(1) not in ALLOWED_DIRECTIVES:
                raise CheckError(f"« {key} », ligne {number} : directive « #{match.group(1)} » refusée "
                                 f"(admises : {', '.join('#' + d for d in sorted(ALLOWED_DIRECTIVES))})")
    messages: list[str] = []
    statements: list[ast.AST] = []
    try:
        ast.parse_string(text, statements.append, logger=lambda _c, m: messages.append(m))
    except RuntimeError as exc:
        raise CheckError(f"« {key} » : {_clingo_messages(messages, key) or exc}") from exc
    for statement in statements:
        kind = statement.ast_type
        line = statement.location.begin.line
        if kind == ast.ASTType.Program:
            if statement.name != "base" or line != 1 or statement.location.begin.column != 1:
                raise CheckError(f"« {key} », ligne {line} : directive « #program » refusée")
            continue
        if kind == getattr(ast.ASTType, "Comment", None):
            continue
        if kind != ast.ASTType.Rule:
            raise CheckError(f"« {key} », ligne {line} : instruction refusée « {statement} » "
                             "(seulement des règles et des contraintes)")
        if statement.head.ast_type != ast.ASTType.Literal:
            raise CheckError(f"« {key} », ligne {line} : tête de choix ou de disjonction refusée « {statement} » : "
                             "la base n'a qu'une réponse par dossier")
    growing = sorted(growing_recursions(text)) if recursion else []
    if growing:
        raise CheckError(f"« {key} » : récursion qui calcule de nouveaux termes ({' ; '.join(growing)}) : son "
                         "instanciation pourrait ne jamais finir. Dans un amendement, une règle récursive ne "
                         "recopie que des termes de son corps")
    # Safety and everything else clingo checks when it grounds: the rules alone, on no facts, in a child
    # process bounded in time and memory (« p(0). p(X+1) :- p(X). » grounds forever).
    problem = ground_bounded(text)
    if problem:
        raise CheckError(f"« {key} » : {problem}")


# The limits of the grounding of one amendment block, alone, during its verification.
GROUNDING_SECONDS = 10
GROUNDING_BYTES = 512 << 20  # on top of what the process already maps


def _ground_child(text: str, connection) -> None:
    """In the child: ground ``text`` under the memory limit; send None, or the French reason it failed."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (mapped + GROUNDING_BYTES, mapped + GROUNDING_BYTES))
    except (ImportError, OSError, ValueError):  # not Linux: the time limit still holds
        pass
    messages: list[str] = []
    try:
        control = clingo.Control(["--warn=none"], logger=lambda _c, m: messages.append(m))
        control.add("base", [], text)
        control.ground([("base", [])])
        connection.send(None)
    except MemoryError:
        connection.send("memoire")
    except RuntimeError as exc:
        reason = _clingo_messages(messages, "") or str(exc)
        connection.send("memoire" if "bad_alloc" in reason or "memory" in reason.lower() else reason)
    finally:
        connection.close()


def ground_bounded(text: str, seconds: float | None = None) -> str | None:
    """Ground the rules of ``text`` alone in a child process, killed after ``seconds`` (default
    :data:`GROUNDING_SECONDS`) or past :data:`GROUNDING_BYTES` of memory: None when clingo grounds them,
    else the French reason."""
    seconds = GROUNDING_SECONDS if seconds is None else seconds
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_ground_child, args=(text, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            return (f"l'instanciation (grounding) de ces règles dépasse {seconds:g} secondes "
                    "(une jointure trop grande, une récursion sans fin ?) : bloc refusé")
        try:
            result = receiver.recv()
        except EOFError:  # the child died without a word: killed by the memory limit
            result = "memoire"
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if result == "memoire":
        return (f"l'instanciation (grounding) de ces règles dépasse la mémoire permise ({GROUNDING_BYTES >> 20} Mio) "
                "(une jointure trop grande, une récursion sans fin ?) : bloc refusé")
    return result


def _clingo_messages(messages: list[str], key: str) -> str:
    """clingo's messages in French terms: ``<string>:3:1-20: error: unsafe variables in: …`` → ligne 3."""
    out = []
    for message in messages:
        first, _, rest = message.strip().partition("\n")
        found = re.match(r"^<[^>]*>:(\d+):(\d+)(?:-[\d:]+)?: (?:error|info|warning): (.*)$", first)
        detail = re.sub(r"<[^>]*>:(\d+):\d+(?:-[\d:]+)?: note: '(\w+)' is unsafe", r"« \2 » non sûre (ligne \1)",
                        " ".join(rest.split()))
        detail = detail.replace("[#inc_base];", "").replace("[#inc_base]", "")
        if found:
            line, column, what = found.groups()
            what = {"syntax error, unexpected": "erreur de syntaxe, inattendu"}.get(what, what)
            what = what.replace("unsafe variables in", "variables non sûres (absentes de tout littéral positif) dans")
            what = what.replace("syntax error", "erreur de syntaxe").replace("unexpected", "inattendu")
            out.append(f"ligne {line}, colonne {column} : {what} {detail}".strip())
        else:
            out.append(" ".join(message.split()))
    return " ; ".join(out)


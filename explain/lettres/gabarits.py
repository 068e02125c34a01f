"""The letter templates: a letter's context written as Markdown by the Jinja2 template of its type.

The shipped templates are the ``*.j2`` files of this folder (one per letter
type, extending ``lettre.md.j2``; ``page.html.j2`` holds letters in an HTML
page). An office's folder of templates (``--modeles``) comes first and the
shipped ones fill the gaps; ``paquet/<name>`` always names the shipped one, so
an office's ``rejet.md.j2`` can extend it.

Templates are rendered sandboxed and bounded (:class:`_SandboxBorne`): an
office's template is data, and one that includes itself, loops for ever or
builds a string of gigabytes must end in a French message naming its file, not
in a traceback or a machine out of memory. Each render has a budget
(:class:`_Budget`): time, loop turns, nesting of calls and templates loaded,
and the size of every string built and of the letter itself.
"""

from __future__ import annotations

import contextvars
import functools
import re
import string
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from jinja2 import nodes

from explain import format as fmt
from explain.lettres.contexte import LettreError
from explain.lettres.mots import au, en_lettres, lignes, liste, minuscule

MODELES = Path(__file__).parent


# The bounds of one render. A letter of thirty children is a few tens of KB, loops over its children and
# reasons a few hundred turns, and renders in well under a second: each bound is far above any real letter.
TAILLE_MAX = 512 * 1024  # characters of the letter, and of any string or list a template builds
TOURS_MAX = 100_000  # turns of every loop of the render together (range() included)
PROFONDEUR_MAX = 50  # nested calls (macros, recursive loops)
CHARGEMENTS_MAX = 200  # templates loaded by one render (extends, include, import): a template including itself
DUREE_MAX = 5.0  # seconds


class GabaritBorneError(Exception):
    """A template went past a bound of its render (:class:`_Budget`): the message says which, in French."""


class _Budget:
    """What is left to one render: its deadline, loop turns, call depth and templates to load."""

    def __init__(self) -> None:
        self.fin = time.monotonic() + DUREE_MAX
        self.tours = 0
        self.profondeur = 0
        self.chargements = 0

    def temps(self) -> None:
        if time.monotonic() > self.fin:
            raise GabaritBorneError(f"le rendu dépasse {DUREE_MAX:g} secondes")

    def tour(self) -> None:
        self.tours += 1
        if self.tours > TOURS_MAX:
            raise GabaritBorneError(f"les boucles font plus de {TOURS_MAX} tours en tout")
        if not self.tours % 256:
            self.temps()


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("budget_du_gabarit", default=None)


def _budget() -> _Budget:
    """The budget of the render under way (a fresh one for a template rendered outside :func:`rendre`)."""
    return _BUDGET.get() or _Budget()


def _taille(valeur: Any) -> Any:
    """``valeur``, refused if it is a string or a sequence longer than :data:`TAILLE_MAX`."""
    if isinstance(valeur, str | list | tuple) and len(valeur) > TAILLE_MAX:
        raise GabaritBorneError(f"le gabarit construit un texte ou une liste de plus de {TAILLE_MAX} éléments")
    return valeur


def _tours(iterable: Any) -> Any:
    """Each item of a ``{% for %}`` loop, one turn of the render's budget each."""
    budget = _budget()
    for item in iterable:
        budget.tour()
        yield item


def _range(*args: int) -> range:
    """``range`` in a template: at most :data:`TOURS_MAX` numbers."""
    numbers = range(*args)
    if len(numbers) > TOURS_MAX:
        raise GabaritBorneError(f"range() de {len(numbers)} nombres : au plus {TOURS_MAX}")
    return numbers


_LARGEUR = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d+))?")


def _largeurs_pourcent(texte: str) -> list[int]:
    return [int(n) for match in _LARGEUR.finditer(texte) for n in match.groups() if n]


def _largeurs_format(texte: str) -> list[int]:
    """The widths and precisions of a ``str.format`` string's fields (``{:>9999}``)."""
    try:
        specs = [spec or "" for _, _, spec, _ in string.Formatter().parse(texte)]
    except ValueError:
        return []
    return [int(n) for spec in specs for n in re.findall(r"\d+", spec)]


def _pourcent(texte: str, valeurs: Any) -> None:
    """Refuse a ``%`` format whose widths (written, or given by ``*``) exceed :data:`TAILLE_MAX`."""
    _largeurs(_largeurs_pourcent(texte))
    if "*" in texte:
        _largeurs([v for v in (valeurs if isinstance(valeurs, tuple) else (valeurs,)) if isinstance(v, int)])


def _jointure(separateur: Any, elements: Any) -> list[Any]:
    """The items of a join, refused before joining if the text would exceed :data:`TAILLE_MAX`."""
    items = list(_tours(elements))
    if isinstance(separateur, str):
        _taille_estimee(len(separateur) * max(0, len(items) - 1)
                        + sum(len(x) if isinstance(x, str) else 0 for x in items))
    return items


def _largeurs(largeurs: list[int]) -> None:
    if any(n > TAILLE_MAX for n in largeurs):
        raise GabaritBorneError(f"largeur de format de plus de {TAILLE_MAX} caractères")


def _remplacement(texte: Any, ancien: Any, nouveau: Any) -> None:
    """Refuse a ``replace`` whose result would exceed :data:`TAILLE_MAX`, before building it."""
    if isinstance(texte, str) and isinstance(ancien, str) and isinstance(nouveau, str):
        occurrences = len(texte) + 1 if not ancien else texte.count(ancien)
        _taille_estimee(len(texte) + occurrences * (len(nouveau) - len(ancien)))


def _taille_estimee(longueur: int) -> None:
    if longueur > TAILLE_MAX:
        raise GabaritBorneError(f"le gabarit construirait un texte de {longueur} caractères (au plus {TAILLE_MAX})")


# Filters whose integer arguments are a width or a count of characters or items.
_FILTRES_LARGEUR = frozenset({"center", "indent", "truncate", "wordwrap", "batch", "slice", "filesizeformat"})


def _filtre_borne(nom: str, filtre: Callable[..., Any]) -> Callable[..., Any]:
    """``filtre`` within the budget: its width arguments bounded, its result's size checked."""
    passe = 1 if getattr(filtre, "jinja_pass_arg", None) else 0  # a context or environment comes first

    @functools.wraps(filtre)
    def borne(*args: Any, **kwargs: Any) -> Any:
        _budget().temps()
        devant, valeurs = args[:passe], list(args[passe:])
        nombres = [v for v in (*valeurs[1:], *kwargs.values()) if isinstance(v, int) and not isinstance(v, bool)]
        if nom in _FILTRES_LARGEUR:
            _largeurs(nombres)
        elif nom == "replace" and len(valeurs) >= 3:
            _remplacement(*valeurs[:3])
        elif nom == "format" and valeurs and isinstance(valeurs[0], str):
            _pourcent(valeurs[0], tuple(valeurs[1:]))
        elif nom == "join" and valeurs:
            valeurs[0] = _jointure(valeurs[1] if len(valeurs) > 1 else kwargs.get("d", ""), valeurs[0])
        if nom == "indent" and valeurs and isinstance(valeurs[0], str):  # the width once per line
            width = nombres[0] if nombres else 4
            _taille_estimee(len(valeurs[0]) + (valeurs[0].count("\n") + 1) * width)
        return _taille(filtre(*devant, *valeurs, **kwargs))

    return borne


class _SandboxBorne(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The sandbox, bounded: every loop turn, call, operator and template load is counted against the
    render's :class:`_Budget`, and no string or list grows past :data:`TAILLE_MAX`."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        # Every loop turn goes through _tours (a filter: a template cannot redefine it); every ``~`` through
        # _taille, so that doubling a string in a loop stops at the bound, not at the machine's memory.
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_tours", [], [], None, None, lineno=loop.lineno)
        for concat in list(tree.find_all(nodes.Concat)):
            concat.nodes = [nodes.Filter(n, "_taille", [], [], None, None, lineno=concat.lineno)
                            for n in concat.nodes]
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # A string's methods that multiply it by a table or a tab width: no letter needs them.
        if isinstance(obj, str) and attr in ("translate", "maketrans", "expandtabs"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def get_template(self, name, parent=None, globals=None):  # jinja2's own signature
        budget = _budget()
        budget.temps()
        budget.chargements += 1
        if budget.chargements > CHARGEMENTS_MAX:
            raise GabaritBorneError(f"plus de {CHARGEMENTS_MAX} gabarits chargés (un gabarit qui s'inclut ou "
                                    "s'étend lui-même ?)")
        return super().get_template(name, parent, globals)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        _budget().temps()
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                    _taille_estimee(len(sequence) * count)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            if right * abs(left).bit_length() > 4096:
                raise GabaritBorneError("puissance trop grande (plus de 4096 bits)")
        elif operator == "%" and isinstance(left, str):
            _pourcent(left, right)
        return _taille(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # jinja2's own signature
        budget = _budget()
        budget.temps()
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str | list | tuple):  # a method of a string or list: its sizes first
            name = getattr(__obj, "__name__", "")
            if name in ("format", "format_map") and isinstance(owner, str):
                _largeurs(_largeurs_format(owner))
                if re.search(r":[^}]*\{", owner):  # a width given by an argument: « {:{}} »
                    _largeurs([v for v in (*args, *kwargs.values()) if isinstance(v, int)])
            elif name == "replace":
                _remplacement(owner, *args[:2])
            elif name == "join" and args and isinstance(owner, str):
                args = (_jointure(owner, args[0]), *args[1:])
            else:
                _largeurs([v for v in (*args, *kwargs.values()) if isinstance(v, int)])
        budget.profondeur += 1
        try:
            if budget.profondeur > PROFONDEUR_MAX:
                raise GabaritBorneError(f"plus de {PROFONDEUR_MAX} appels imbriqués (une macro qui s'appelle "
                                        "elle-même ?)")
            return _taille(super().call(__context, __obj, *args, **kwargs))
        finally:
            budget.profondeur -= 1


@functools.cache
def environment(modeles: str | None) -> jinja2.Environment:
    """The templates' environment: an office's folder ``modeles`` (None: none) over the shipped templates."""
    paquet = jinja2.FileSystemLoader(str(MODELES))
    # "paquet/rejet.md.j2" is always the shipped template: an office's rejet.md.j2 can extend it.
    loaders: list[jinja2.BaseLoader] = [paquet, jinja2.PrefixLoader({"paquet": paquet})]
    if modeles:  # an office's own templates come first; the shipped ones fill the gaps
        loaders.insert(0, jinja2.FileSystemLoader(modeles))
    # Sandboxed: an office's templates are data, not code (no attribute walk to os, no method calls
    # that change anything); bounded: no template runs for ever or fills the memory.
    env = _SandboxBorne(
        loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fmt.FILTRES, liste=liste, minuscule=minuscule, lignes=lignes,
                       montant=en_lettres, au=au)
    env.filters = {nom: _filtre_borne(nom, filtre) for nom, filtre in env.filters.items()}
    env.filters.update(_tours=_tours, _taille=_taille)
    env.globals["range"] = _range
    env.globals.pop("lipsum", None)  # no letter needs filler text, and it is a loop out of the budget's reach
    return env


def rendre(name: str, ctx: dict[str, Any], modeles: str | Path | None = None) -> str:
    """The template ``name`` rendered with ``ctx``, within a fresh :class:`_Budget`; a
    :class:`LettreError` naming the template file and line for any failure of the template."""
    budget = _Budget()
    token = _BUDGET.set(budget)
    try:
        parts, size = [], 0
        for part in environment(str(modeles) if modeles else None).get_template(name).generate(**ctx):
            size += len(part)
            if size > TAILLE_MAX:
                raise GabaritBorneError(f"la lettre dépasse {TAILLE_MAX} caractères")
            budget.temps()
            parts.append(part)
        return "".join(parts)
    except jinja2.TemplateNotFound as exc:
        raise LettreError(f"gabarit introuvable : {exc.name}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise LettreError(f"gabarit {exc.name or name}:{exc.lineno} : {_jinja_fr(exc.message or str(exc))}") from exc
    except jinja2.TemplateError as exc:
        raise LettreError(f"gabarit {_ou(exc, name, modeles)} : {_jinja_fr(exc.message or str(exc))}") from exc
    except GabaritBorneError as exc:
        raise LettreError(f"gabarit {_ou(exc, name, modeles)} : {exc} ; rendu arrêté") from exc
    except RecursionError as exc:  # nesting the bounds above did not count (an extends chain of calls)
        raise LettreError(f"gabarit {_ou(exc, name, modeles)} : imbrication trop profonde (un gabarit qui s'inclut "
                          "ou s'appelle lui-même ?) ; rendu arrêté") from exc
    except (ArithmeticError, TypeError, ValueError, LookupError, MemoryError) as exc:
        raise LettreError(f"gabarit {_ou(exc, name, modeles)} : le gabarit a échoué ({_raison(exc)})") from exc
    finally:
        _BUDGET.reset(token)


def _ou(exc: BaseException, name: str, modeles: str | Path | None) -> str:
    """``fichier:ligne`` of the template line that failed (jinja2 puts template lines in the traceback): its
    name in the office's folder, or ``paquet/…`` for a shipped template."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return name
    path = Path(frames[-1].filename).resolve()
    for folder, prefix in ((modeles, ""), (MODELES, "paquet/" if modeles else "")):
        if folder and path.is_relative_to(Path(folder).resolve()):
            return f"{prefix}{path.relative_to(Path(folder).resolve())}:{frames[-1].lineno}"
    return f"{path}:{frames[-1].lineno}"


def _jinja_fr(message: str) -> str:
    """jinja2's usual messages about names, in French; others as they are."""
    message = re.sub(r"^'(.+)' is undefined$", r"« \1 » n'est pas défini", message)
    return re.sub(r"^'(.+)' has no attribute '(.+)'$", r"« \1 » n'a pas d'attribut « \2 »", message)


def _raison(exc: BaseException) -> str:
    """A Python error of a template, in French (its kind; the message is Python's)."""
    kinds = {ZeroDivisionError: "division par zéro", OverflowError: "nombre trop grand", TypeError: "mauvais type",
             ValueError: "valeur invalide", LookupError: "élément absent", MemoryError: "mémoire épuisée"}
    kind = next((v for k, v in kinds.items() if isinstance(exc, k)), type(exc).__name__)
    return f"{kind} : {exc}" if str(exc) else kind


def render_markdown(ctx: dict[str, Any], modeles: str | Path | None = None) -> str:
    """The letter of ``ctx`` in Markdown, from the template of its type."""
    text = rendre(f"{ctx['type']}.md.j2", ctx, modeles)
    # Templates stay readable with blank lines around their blocks; the letter does not need them twice.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return fmt.insecables(re.sub(r"\n{3,}", "\n\n", text).strip()) + "\n"

"""The letter templates: a letter's context written as Markdown by the Jinja2 template of its type.

The shipped templates are the ``*.j2`` files of this folder (one per letter
type, extending ``lettre.md.j2``; ``page.html.j2`` holds letters in an HTML
page). An office's folder of templates (``--modeles``) comes first and the
shipped ones fill the gaps; ``paquet/<name>`` always names the shipped one, so
an office's ``rejet.md.j2`` can extend it. Templates are rendered sandboxed.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from explain import format as fmt
from explain.lettres.contexte import LettreError
from explain.lettres.mots import au, en_lettres, lignes, liste, minuscule

MODELES = Path(__file__).parent


@functools.cache
def environment(modeles: str | None) -> jinja2.Environment:
    """The templates' environment: an office's folder ``modeles`` (None: none) over the shipped templates."""
    paquet = jinja2.FileSystemLoader(str(MODELES))
    # "paquet/rejet.md.j2" is always the shipped template: an office's rejet.md.j2 can extend it.
    loaders: list[jinja2.BaseLoader] = [paquet, jinja2.PrefixLoader({"paquet": paquet})]
    if modeles:  # an office's own templates come first; the shipped ones fill the gaps
        loaders.insert(0, jinja2.FileSystemLoader(modeles))
    # Sandboxed: an office's templates are data, not code (no attribute walk to os, no method calls
    # that change anything); the shipped templates need nothing more.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fmt.FILTRES, liste=liste, minuscule=minuscule, lignes=lignes,
                       montant=en_lettres, au=au)
    return env


def render_markdown(ctx: dict[str, Any], modeles: str | Path | None = None) -> str:
    """The letter of ``ctx`` in Markdown, from the template of its type."""
    name = f"{ctx['type']}.md.j2"
    try:
        text = environment(str(modeles) if modeles else None).get_template(name).render(**ctx)
    except jinja2.TemplateNotFound as exc:
        raise LettreError(f"gabarit introuvable : {exc.name}") from exc
    except jinja2.TemplateError as exc:
        where = f"{getattr(exc, 'name', None) or name}:{getattr(exc, 'lineno', '?')}"
        raise LettreError(f"gabarit {where} : {exc.message or exc}") from exc
    # Templates stay readable with blank lines around their blocks; the letter does not need them twice.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return fmt.insecables(re.sub(r"\n{3,}", "\n\n", text).strip()) + "\n"

"""The command line in French: Click's own messages (« Utilisation : », « Erreur : »), and options
spelled in French whose English spellings still work, unseen.

Click writes its messages through :mod:`gettext` (``_`` and ``ngettext``,
imported by each of its modules). Without a compiled catalogue to install,
this module puts a French catalogue in their place, in Click's modules only:
:func:`installer` runs when this module is first imported, before any command declares an option
(Click names a type, « FICHIER », when the type is made). A message the catalogue
does not know stays as Click writes it (``tests/test_cli_fr.py`` fails if a
message the CLI can print is missing).

Every option of the CLI is declared with :func:`option`: its French spelling first, then the English
spelling scripts already use (``option("-o", "--sortie", "--output", "output")``). Both work; ``--help``
and the error messages name only the French one (:class:`Option`).
"""

from __future__ import annotations

import importlib
import re

import click

CATALOGUE: dict[str, str] = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : « {name} ».",
    "No such option {name!r}.": "Option inconnue : « {name} ».",
    "No such option: {name}": "Option inconnue : {name}",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » prend {nargs} valeurs.",
    "Aborted!": "Abandon.",
    "default: {default}": "défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "deprecated": "obsolète",
    "(dynamic)": "(dynamique)",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un {number_type} valide.",
    "integer": "entier",
    "float": "nombre décimal",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valide.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a file.": "{name} « {filename} » est un fichier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » est un dossier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » illisible.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » non inscriptible.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » non exécutable.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir « {filename} » : {message}",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "Invalid start character for option ({option})": "Caractère initial invalide pour une option ({option})",
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "unknown error": "erreur inconnue",
}
PLURIELS: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("Argument en trop : {args}", "Arguments en trop : {args}"),
    "Option {name!r} requires an argument.": ("L'option « {name} » demande une valeur.",
                                              "L'option « {name} » demande {nargs} valeurs."),
    "{value!r} is not {choice}.": ("« {value} » n'est pas {choice}.", "« {value} » n'est pas parmi {choices}."),
    # every date of this CLI is written %Y-%m-%d, which a clerk reads AAAA-MM-JJ
    "{value!r} does not match the format {format}.": ("« {value} » n'est pas une date AAAA-MM-JJ.",
                                                      "« {value} » ne suit aucun des formats {formats}."),
    "Did you mean {possibility}?": ("Vouliez-vous dire {possibility} ?",
                                    "(Vouliez-vous dire l'une de : {possibilities} ?)"),
    "Takes {nargs} values but 1 was given.": ("Prend {nargs} valeurs, 1 seule donnée.",
                                              "Prend {nargs} valeurs, {len} données."),
    "{len_type} values are required, but {len_value} was given.": (
        "{len_type} valeurs sont demandées, {len_value} donnée.",
        "{len_type} valeurs sont demandées, {len_value} données."),
}
_MODULES = ("core", "exceptions", "parser", "types", "formatting", "decorators", "termui", "utils")


def gettext(message: str) -> str:
    """Click's message in French (the message itself if the catalogue does not know it)."""
    return CATALOGUE.get(message, message)


def ngettext(singulier: str, pluriel: str, n: int) -> str:
    """Click's singular or plural message in French."""
    formes = PLURIELS.get(singulier)
    if formes is None:
        return singulier if n == 1 else pluriel
    return formes[0] if n == 1 else formes[1]


class Formateur(click.HelpFormatter):
    """Help headings with the French space before the colon (« Options : », « Commandes : »), and the
    « Example: » paragraph of the commands' docstrings said « Exemple : »."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")

    def write_text(self, text: str) -> None:
        super().write_text(re.sub(r"^(\s*)Examples?:\s*$", r"\1Exemple :", text, flags=re.M))


class Option(click.Option):
    """An option whose help and error messages show its short spelling and its first long one (the French
    one); the other long spellings (English, kept so that scripts written before do not break) still work,
    unseen."""

    def _seen(self, spellings: list[str]) -> list[str]:
        longs = [s for s in spellings if s.startswith("--")]
        return [s for s in spellings if not s.startswith("--") or s == longs[0]]

    def _shown(self, method, ctx):
        opts, secondary = self.opts, self.secondary_opts
        self.opts, self.secondary_opts = self._seen(opts), self._seen(secondary)
        try:
            return method(ctx)
        finally:
            self.opts, self.secondary_opts = opts, secondary

    def get_help_spec(self, ctx: click.Context) -> str:
        return self._shown(super().get_help_spec, ctx)

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return self._shown(super().get_error_hint, ctx)


def option(*declarations: str, **attributes):
    """``click.option`` with :class:`Option`: the French spelling first, the English ones after it, hidden."""
    return click.option(*declarations, cls=Option, **attributes)


def _intervalle(self) -> str:
    """A range as a clerk reads it: « au moins 1 », « de 1 à 65535 » (Click writes ``1<=x<=65535``)."""
    if self.min is None:
        return f"{'moins de' if self.max_open else 'au plus'} {self.max}"
    if self.max is None:
        return f"{'plus de' if self.min_open else 'au moins'} {self.min}"
    return f"de {self.min} à {self.max}"


def _metavar_choix(self, param: click.Parameter, ctx: click.Context) -> str:
    """A choice's values as French lists them (« text, json, html ou csv »), not ``[text|json|html|csv]``."""
    values = [str(v) for v in self.choices]
    listed = ", ".join(values[:-1]) + f" ou {values[-1]}" if len(values) > 1 else "".join(values)
    return f"{{{listed}}}" if param.required and param.param_type_name == "argument" else f"[{listed}]"


def installer() -> None:
    """Put the French catalogue in Click's modules, and the French help formatter (idempotent)."""
    click.Context.formatter_class = Formateur
    click.types._NumberRangeBase._describe_range = _intervalle
    click.Choice.get_metavar = _metavar_choix
    click.DateTime.get_metavar = lambda self, param, ctx: "AAAA-MM-JJ"
    # The type names Click prints as metavars (TEXT, INTEGER) and in its messages.
    for kind, name in ((click.STRING, "texte"), (click.INT, "entier"), (click.FLOAT, "décimal"),
                       (click.BOOL, "booléen"), (click.UUID, "UUID")):
        kind.name = name
    click.IntRange.name = "entier"
    click.FloatRange.name = "décimal"
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


installer()  # on import: every command module imports this one before it declares its options

"""``prevoyance journal`` in French: which conditions and which rules decided a dossier, or a list of decisions.

The journal (:mod:`usecases.journal`) keeps each decision's status, amounts and
the conditions not met or unknown; this module words them with the regime's
phrase catalogue (the condition's label, the prestation's name and status) and
names, for each condition, the ``@regle`` blocks that decide it, with their
file and the sentence of the guide they encode. The rules are read from the
base installed now (:func:`regles` finds them in its ``.lp`` files): when the
journal's ``version_base`` is another, the report says so. The entries are
read by :mod:`usecases.journal`; this module only words them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from engine.blocks import RuleBlock, read_blocks
from engine.model import Etat
from engine.regime import Regime, RegimeError, kb_root, load_regime
from explain import format as fmt
from explain.phrases import PhraseError, catalogue
from usecases.journal import Entree


def _phrases(base: str, date_reference: str | None = None):
    """The catalogue of an entry's regime, with the parameters in force on its date of reference (the labels
    then write the numbers of the law the entry was decided under)."""
    try:
        when = dt.date.fromisoformat(date_reference) if date_reference else None
    except ValueError:
        when = None
    try:
        return catalogue(load_regime(base), when)
    except RegimeError:
        return None


_OBJETS = {"enfant": "enfant n° {}", "membre": "membre n° {}", "examen": "examen n° {}", "fraction": "fraction n° {}"}


def _objet(phrases, objet: str) -> str:
    """A condition's argument for a reader: ``enfant(1)`` → ``enfant n° 2``; a prestation's id says nothing more."""
    if phrases and objet in phrases.data.get("prestations", {}):
        return ""
    match = re.fullmatch(r"([a-z_]+)\((\d+)\)", objet)
    if match and match.group(1) in _OBJETS:
        number = int(match.group(2)) + (1 if match.group(1) in ("enfant", "membre") else 0)
        return _OBJETS[match.group(1)].format(number)
    return objet.replace("_", " ")


def _libelle(phrases, node: str) -> str:
    ident = node.split("(")[0]
    objet = _objet(phrases, node[len(ident) + 1:-1]) if "(" in node else ""
    try:
        label = phrases.libelle(ident, node) if phrases else ident
    except PhraseError:
        label = ident.replace("_", " ")
    return f"{label} ({objet})" if objet else label


def _montants(phrases, entree: Entree) -> str:
    parts = []
    for key, value in entree.montants.items():
        kind = key.removeprefix("montant_")
        label = phrases.label("montants", kind) if phrases else kind
        if value:
            parts.append(f"{label} : {fmt.fcfa(value)}")
    return " ; ".join(parts)


def _statut(phrases, entree: Entree) -> str:
    return phrases.statut(entree.prestation, entree.statut) if phrases else entree.statut


def _prestation(phrases, prestation: str) -> str:
    return phrases.prestation(prestation).get("libelle", prestation) if phrases else prestation


def _conditions(phrases, regime, entree: Entree) -> list[dict[str, Any]]:
    out = []
    for etat, items in ((Etat.non_rempli, entree.non_remplies), (Etat.inconnu, entree.inconnues)):
        for item in items:
            node = item["id"]
            # An unknown condition is decided by no rule: the rules that would decide it are named.
            found = regles(regime, node, Etat.non_rempli if etat == Etat.non_rempli else Etat.rempli) if regime else []
            if etat == Etat.inconnu and regime:
                known = {(r.id, r.fichier) for r in found}
                found += [r for r in regles(regime, node, Etat.non_rempli) if (r.id, r.fichier) not in known]
            out.append({"etat": "non remplie" if etat == Etat.non_rempli else "inconnue",
                        "libelle": _libelle(phrases, node), "id": node, "source": item.get("source", ""),
                        "regles": found})
    return out


def dossier_text(entrees: list[Entree]) -> str:
    """One dossier's decisions in the journal: for each, its status and amounts, the conditions not met or
    unknown with the rules (``@regle``, file, sentence of the guide) that decide them."""
    lines: list[str] = []
    first = entrees[0]
    lines.append(f"Dossier {first.dossier} — {len(entrees)} décision(s) au journal")
    for entree in entrees:
        phrases = _phrases(entree.base, entree.date_reference)
        try:
            regime = load_regime(entree.base)
        except RegimeError:
            regime = None
        lines.append("")
        lines.append(f"{_prestation(phrases, entree.prestation)} : {_statut(phrases, entree)}"
                     + (f" ({_montants(phrases, entree)})" if _montants(phrases, entree) else ""))
        lines.append(f"  décidé le {_quand(entree.date_evaluation)}, droits appréciés au "
                     f"{fmt.date_fr(dt.date.fromisoformat(entree.date_reference))}, base {entree.version_base}, "
                     f"empreinte du dossier {entree.empreinte[:12]}")
        if regime is not None and regime.version != entree.version_base:
            lines.append(f"  La base installée est {regime.version} : les règles ci-dessous sont les siennes, "
                         "pas forcément celles qui ont décidé.")
        conditions = _conditions(phrases, regime, entree)
        if not conditions:
            lines.append("  Toutes les conditions sont remplies.")
        for c in conditions:
            lines.append(f"  - {c['libelle']} : {c['etat']}  [{c['id']}]")
            if c["source"]:
                lines.append(f"      Source : {c['source']}")
            for r in c["regles"]:
                lines.append(f"      Règle @{r.id} ({r.fichier}:{r.ligne})")
                if r.phrase:
                    lines.append(f"        « {r.phrase} »")
            if not c["regles"]:
                lines.append("      Condition composée : ses sous-conditions la décident.")
    return "\n".join(lines) + "\n"


def liste_text(entrees: list[Entree]) -> str:
    """A list of decisions, one line each, in French."""
    lines = []
    for entree in entrees:
        phrases = _phrases(entree.base, entree.date_reference)
        failed = ", ".join(_libelle(phrases, c["id"]) for c in entree.non_remplies) or "aucune"
        montants = _montants(phrases, entree)
        lines.append(f"{entree.dossier} — {_prestation(phrases, entree.prestation)} : {_statut(phrases, entree)}"
                     + (f" ({montants})" if montants else "") + f" ; conditions non remplies : {failed}")
    lines.append(f"{fmt.nombre(len(entrees))} décision(s).")
    return "\n".join(lines) + "\n"


def journal_text(entrees: list[Entree], dossier: str | None = None) -> str:
    """What ``prevoyance journal`` prints of the entries it read (:func:`usecases.journal.consulter`): the
    decisions of ``dossier`` with their rules (:func:`dossier_text`), or without it the list of the decisions
    that matched the filters (:func:`liste_text`)."""
    return dossier_text(entrees) if dossier is not None else liste_text(entrees)


def _quand(text: str) -> str:
    """``2026-11-25T23:55:27+00:00`` → ``25 novembre 2026 à 23 h 55 (UTC)``."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{fmt.date_fr(moment.date())} à {moment.hour} h {moment.minute:02d} (UTC)"


# -- the rules behind a condition, to quote them ---------------------------------------------------------------
_TETE = re.compile(r"^\s*(non_rempli|rempli)\(D,\s*(.+?)\)\s*(?::-|\.)")


def _motif(term: str) -> re.Pattern[str]:
    """A rule head's condition term as a pattern of node names: its variables match any argument."""
    parts = re.split(r"\b([A-Z_][A-Za-z0-9_]*)\b", term.replace(" ", ""))
    pattern = "".join(".+?" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    return re.compile(pattern)


@dataclass(frozen=True)
class Regle:
    """A ``@regle`` block that decides a condition's state: its id, file, line and sentence of the guide."""

    id: str
    fichier: str
    ligne: int
    phrase: str
    etat: str


@functools.cache
def _tetes(regime: Regime) -> list[tuple[str, re.Pattern[str], Regle]]:
    heads = []
    root = kb_root()
    for path in regime.program_files:
        if path.parent != regime.folder:
            continue
        blocks: list[RuleBlock] = read_blocks(path)
        for block in blocks:
            for line in block.lines:
                match = _TETE.match(line)
                if match:
                    regle = Regle(block.id, str(path.relative_to(root)), block.line, block.sentence, match.group(1))
                    heads.append((match.group(1), _motif(match.group(2)), regle))
    return heads


def regles(regime: Regime, node: str, etat: str) -> list[Regle]:
    """The ``@regle`` blocks whose rules give ``node`` (``age(enfant(1))``) the state ``etat``."""
    found: dict[tuple[str, str], Regle] = {}
    for head_state, pattern, regle in _tetes(regime):
        if head_state == etat and pattern.fullmatch(node):
            found.setdefault((regle.id, regle.fichier), regle)
    return list(found.values())

"""From a request to a decision: read a dossier (JSON, YAML, form), validate it, decide, render as the CLI does.

Validation is the engine's (:func:`engine.validation.validate`): its messages are
the command line's, word for word. Each message names its field between
« »; that path is how an error finds its field in the form and its ``champ``
in the API's 422 answer. The JSON of a decision is made by the same
expression as ``prevoyance evaluate --format json``, so the bytes are equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engine.domaine import MAX_BYTES, MAX_DEPTH, iso_date
from engine.dossier import Dossier, DossierError, apercu
from engine.model import Decision
from engine.parsing import parse_json as parse_json_text
from engine.parsing import parse_text
from engine.regime import RegimeError, load_regime, regimes
from engine.solver import COLD, EvaluationError, Solver, evaluate
from engine.validation import validate
from explain.phrases import PhraseError
from explain.render import decision_json

ORIGINE = "dossier"


@dataclass
class Erreur:
    """One reason a dossier was refused: the field's path (``(racine)`` for the whole) and the CLI's message."""

    champ: str
    message: str


class DossierRefuse(Exception):
    """A dossier that cannot be decided, with every error."""

    def __init__(self, erreurs: list[Erreur]):
        super().__init__("\n".join(e.message for e in erreurs))
        self.erreurs = erreurs

    def par_champ(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for e in self.erreurs:
            out.setdefault(e.champ, []).append(e.message)
        return out


class ErreurInterne(Exception):
    """The knowledge base or its phrases failed (a defect of kb/, not of the dossier)."""


def _profondeur(value: Any, limit: int) -> bool:
    """True when ``value`` nests deeper than ``limit`` (iterative: no recursion on hostile input)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def _from_dossier_error(exc: DossierError) -> DossierRefuse:
    return DossierRefuse([Erreur(e.chemin, e.message) for e in exc.erreurs])


def _encodable(data: Any) -> Any:
    """The data, if every text in it can be written in UTF-8 (JSON's ``\\ud800`` escapes a lone surrogate)."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise DossierRefuse([Erreur("(racine)", "caractère invalide (demi-caractère UTF-16 isolé)")]) from None
    except (ValueError, RecursionError):  # nesting or numbers json cannot write back: the validator will say
        return data
    return data


def parse_json(body: bytes, limite: int = MAX_BYTES) -> Any:
    """A request body as JSON, read as the CLI reads a ``.json`` dossier (:func:`engine.parsing.parse_json`:
    numbers as written, a leading BOM skipped, messages in French); a refusal naming the line and column,
    or the field, when it is not. ``limite``: the body's size bound (a caseload's is larger than a dossier's)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise DossierRefuse([Erreur("(racine)", "corps illisible : le JSON s'écrit en UTF-8")]) from None
    try:
        return _encodable(parse_json_text(text, ORIGINE, limite))
    except DossierError as exc:
        raise _from_dossier_error(exc) from None


def dates_filtre(valeurs: dict[str, str]) -> dict[str, str]:
    """The message for each date of a request (``du``, ``au``, ``date_effet``) not written AAAA-MM-JJ: the
    journal compares dates as text, so ``20261207`` would silently match nothing."""
    return {nom: f"« {nom} » : date impossible ou mal écrite {apercu(valeur)} (attendu AAAA-MM-JJ)"
            for nom, valeur in valeurs.items() if valeur and iso_date(valeur) is None}


def parse_fichier(body: bytes, nom: str) -> Any:
    """An uploaded dossier file, YAML or JSON (by its name, as the CLI reads files)."""
    if nom.lower().endswith(".json"):
        return parse_json(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise DossierRefuse([Erreur("(racine)", f"{nom} : fichier illisible (UTF-8 attendu)")]) from None
    try:
        return _encodable(parse_text(text, ORIGINE))
    except DossierError as exc:
        raise _from_dossier_error(exc) from None
    except RecursionError:
        raise DossierRefuse([Erreur("(racine)", "imbrication trop profonde")]) from None


def valider(data: Any, regime_id: str | None = None) -> Dossier:
    """The validated dossier, or :class:`DossierRefuse` with each error and its field.

    ``regime_id``: the regime the form names (its schema's ``base`` constant checks the dossier agrees).
    """
    if _profondeur(data, MAX_DEPTH):  # the engine's limit, said once for the whole before the walk by field
        raise DossierRefuse([Erreur("(racine)", f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)")])
    regime = None
    if regime_id is not None:
        try:
            regime = load_regime(regime_id)
        except RegimeError as exc:
            raise DossierRefuse([Erreur("base", f"« base » : {exc}")]) from None
    try:
        dossier = validate(data, ORIGINE, regime=regime)
    except DossierError as exc:
        raise _from_dossier_error(exc) from None
    # Numbers are bounded, and whole-number floats read as integers, by the engine's validation
    # (engine/normalize.py): the console says what the CLI says.
    return dossier


def decider(dossier: Dossier, solver: Solver = COLD) -> Decision:
    """The decision on a validated dossier (the engine's, unchanged; ``solver``: the server's warm one)."""
    try:
        return evaluate(dossier, solver=solver)
    except (EvaluationError, RuntimeError) as exc:
        raise ErreurInterne(f"erreur interne de la base de règles : {exc}") from exc


def decision_bytes(decision: Decision) -> bytes:
    """The contract's JSON, byte for byte what ``prevoyance evaluate --format json`` prints."""
    try:
        return (json.dumps(decision_json(decision), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    except PhraseError as exc:
        raise ErreurInterne(f"catalogue de phrases : {exc}") from exc


def regime_of(data: Any) -> str | None:
    """The regime a raw dossier names (its ``base``), None for the default."""
    base = data.get("base") if isinstance(data, dict) else None
    return base if isinstance(base, str) and base in regimes() else None


# -- decisions kept in the journal ----------------------------------------------------
def decider_et_enregistrer(etat, data: Any, regime_id: str | None, auteur: str, canal: str
                           ) -> tuple[int, Dossier, Decision]:
    """Validate, decide, and record who asked: (request id, dossier, decision)."""
    dossier = valider(data, regime_id)
    decision = decider(dossier, etat.solver)
    ident = etat.journal.enregistrer(decision, dossier.data, auteur, canal)
    etat.memo(ident, (dossier, decision))
    return ident, dossier, decision


def rouvrir(etat, ident: int) -> tuple[dict[str, Any], Dossier, Decision] | None:
    """A recorded request decided again from the dossier it kept (the base decides as it did if unchanged)."""
    demande = etat.journal.demande(ident)
    if demande is None:
        return None
    found = etat.memo(ident)
    if found is None:
        dossier = valider(demande["donnees"], demande["base"])
        found = etat.memo(ident, (dossier, decider(dossier, etat.solver)))
    return demande, found[0], found[1]


def lettres_de(dossier: Dossier, decision: Decision, prestation: str, entete: dict[str, Any] | None = None):
    """The letter answering one prestation (what-if searched for a refusal, as the CLI does), under the office's
    letterhead ``entete`` (its fields over the regime's; None: the regime's own)."""
    import jinja2

    from explain.lettres import LettreError, Redacteur
    from usecases.courrier import lettres

    try:
        return lettres(dossier, decision, Redacteur(entete, en_clair=False), prestation)
    except (PhraseError, jinja2.TemplateError, LettreError) as exc:
        raise ErreurInterne(f"lettre : {exc}") from exc

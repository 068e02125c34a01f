"""prevoyance engine: dossiers in, decisions out, every decision taken by clingo.

The public API:

- :func:`engine.dossier.load_dossier` reads and validates a YAML/JSON dossier;
- :func:`engine.solver.evaluate` and :func:`engine.solver.evaluate_many` run the
  knowledge base of a regime on one or many dossiers (one grounding per batch);
- :mod:`engine.model` holds the plain typed data a decision is made of.
"""

from engine.dossier import DossierError, load_dossier
from engine.regime import Regime, load_regime
from engine.solver import evaluate, evaluate_many

__all__ = ["DossierError", "Regime", "evaluate", "evaluate_many", "load_dossier", "load_regime"]

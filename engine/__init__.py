"""prevoyance engine: dossiers in, decisions out, every decision taken by clingo.

The path of a dossier, one module per arrow:

- :mod:`engine.regime`: a regime (its ``kb/`` files, dated parameters, schema, phrases);
- :mod:`engine.parsing` and :mod:`engine.validation`: a YAML/JSON dossier read, then validated against the
  regime's schema into a :class:`engine.dossier.Dossier` (or a :class:`engine.dossier.DossierError`);
- :mod:`engine.facts`: the dossier as facts, the parameters as symbols;
- :mod:`engine.program`: the regime's program in a :class:`~engine.program.Mode` (decision,
  explanation, summary), with the optimisations behind it (:mod:`engine.speedups.slices`,
  :mod:`engine.speedups.summary_cut`, :mod:`engine.speedups.cache`, :mod:`engine.firings`);
- :mod:`engine.solver`: the program grounded with the dossiers' facts, its answer set;
- :mod:`engine.read`: the answer set read into typed decisions (:mod:`engine.model`) through
  one record per shown atom (:mod:`engine.atomes`); :mod:`engine.resume` reads summaries.

The public API: :func:`load_regime`, :func:`load_dossier`, :func:`evaluate` and
:func:`evaluate_many` (one grounding per batch), :class:`Mode`. The tools above the
core live in :mod:`usecases`, the command line in :mod:`cli`.
"""

from engine.dossier import DossierError
from engine.program import Mode
from engine.regime import Regime, load_regime
from engine.solver import evaluate, evaluate_many
from engine.validation import load_dossier

__all__ = ["DossierError", "Mode", "Regime", "evaluate", "evaluate_many", "load_dossier", "load_regime"]

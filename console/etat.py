"""What every handler of one server process shares (:class:`EtatServeur`): the journal, the jobs, the warm solver.

``create_app`` builds one and keeps it in ``app.state.etat``; routes receive it,
or a part of it, through :mod:`console.dependances`.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from console.demandes import JournalConsole
from console.reglages import Reglages, controle_pour, entetes_configures
from console.travaux import Travaux
from engine.speedups.warm import WarmSolver


class EtatServeur:
    """What every handler of one process shares."""

    def __init__(self, reglages: Reglages):
        self.reglages = reglages
        Path(reglages.journal).parent.mkdir(parents=True, exist_ok=True)
        self.controle = controle_pour(reglages)
        self.entetes = entetes_configures(reglages)
        self.journal = JournalConsole(reglages.journal)
        folder = Path(reglages.travail) if reglages.travail else Path(tempfile.mkdtemp(prefix="prevoyance-"))
        self.travaux = Travaux(self.journal, folder)
        # A server lives long: single dossiers take the warm path, whose decisions are the cold path's
        # (tests/test_warm.py) for a fraction of the grounding.
        self.solver = WarmSolver()
        self._decisions: OrderedDict[int, Any] = OrderedDict()
        self._lock = threading.Lock()

    def memo(self, key: int, value: Any | None = None) -> Any:
        """The 64 most recent decisions by request id, as (dossier, decision): an analyst opens the same one
        several times (its page, each prestation's what-if, its letters, their files), and each opening would
        otherwise validate the kept dossier and decide it again.

        Measured (2026-12-07, 2 shared cores, TestClient, median of 20, ``bench/memo_console.py``,
        alternating with and without in the same run): a decision page opened just after it was recorded
        takes 65 ms with the memo and 140 ms without for famille-diarra (64 / 129 ms for refus-stage,
        150 / 216 ms for mali-orientation), the second opening likewise — the memo saves the 65-75 ms of
        validating and deciding again, about half the page. What it caches is the decision of one request;
        the warm solver (:class:`engine.speedups.warm.WarmSolver`) caches grounding, which no request owns:
        one layer each.
        """
        with self._lock:
            if value is None:
                found = self._decisions.get(key)
                if found is not None:
                    self._decisions.move_to_end(key)
                return found
            self._decisions[key] = value
            while len(self._decisions) > 64:
                self._decisions.popitem(last=False)
            return value

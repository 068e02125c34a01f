"""Profils Hypothesis des tests ; HYPOTHESIS_PROFILE en choisit un (défaut : « dev »). Et la répartition
des tests sur les processus de pytest-xdist (``make test``), expliquée dans docs/tests.md.

- ``ci`` : court et reproductible (dérandomisé), l'échec s'imprime avec son blob ;
- ``dev`` : le quotidien ;
- ``thorough`` : une longue recherche, à lancer avant une version.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# -- the suite on two workers (make test: pytest -n auto --dist loadgroup) --------------------------------------
# Each file named here runs whole on one worker: a module-scoped fixture that is costly (every golden case decided
# in one batch, every snapshot letter rendered with its PDF, a batch written to a journal) would otherwise run on
# each worker that gets one of its tests, and the browser files keep one server and one Chromium for their tests.
# Every other test is a work unit of its own, handed to whichever worker is free.
ENTIERS = {"test_cas", "test_journal", "test_lettres", "test_lettres_regimes", "test_console_navigateur",
           "test_lettres_navigateur"}
# The long tests that are not Hypothesis properties (docs/tests.md, the ten slowest).
LONGS = {"test_warm_decides_as_cold", "test_the_slice_decides_inps_dossiers_as_the_whole_program",
         "test_the_summary_says_what_the_full_decision_says", "test_explanations_are_deterministic"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` done here: pytest-xdist 3.8 marks a group by renaming ``item._nodeid``, which pytest 9
    no longer reads (its groups were silently ignored, every test was scheduled alone). A work unit is a file of
    ENTIERS, else one test; the scheduler hands the larger units first, then the tests in collection order."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ParFichierOuTest(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if "@" in nodeid:  # an xdist_group mark, once pytest-xdist names it again as pytest 9 reads it
                return nodeid.rsplit("@", 1)[-1]
            fichier = nodeid.split("::", 1)[0]
            return fichier if fichier.rpartition("/")[2].removesuffix(".py") in ENTIERS else nodeid

    return ParFichierOuTest(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first (the Hypothesis properties are), so that the short ones fill the end on both workers
    instead of one worker finishing a long test alone."""
    def rang(item: pytest.Item) -> int:
        if getattr(item, "originalname", item.name) in LONGS:
            return 0
        return 1 if getattr(getattr(item, "function", None), "is_hypothesis_test", False) else 2

    items.sort(key=rang)  # stable: a file's tests keep their order among themselves

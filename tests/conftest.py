"""Profils Hypothesis des tests ; HYPOTHESIS_PROFILE en choisit un (défaut : « dev »).

- ``ci`` : court et reproductible (dérandomisé), l'échec s'imprime avec son blob ;
- ``dev`` : le quotidien ;
- ``thorough`` : une longue recherche, à lancer avant une version.
"""

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

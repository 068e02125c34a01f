"""Tools above the core: they decide many dossiers, compare bases, check the base, search what would change.

Each tool calls the core's public functions (:mod:`engine`), never its private names:
batch and its journal, caseload reading and the worker pool, the impact of an amendment,
regression cases, the base's checks, generated caseloads, the what-if search.
"""

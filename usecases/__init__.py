"""What orchestrates, on the floor above the core: everything that decides, reads or writes on a person's behalf.

Deciding and recording, whole caseloads (batch, its reprise, the worker pool), the impact of an
amendment, the letters of a caseload, the journal (SQLite), what would change a refusal (one policy:
:func:`usecases.whatif.pistes`), the regression cases, the base's checks, generated caseloads and the
counter interview. Each calls the core's public functions (:mod:`engine`), never its private names, and
never imports the floors above: what must be said in words is handed down by the caller
(:class:`usecases.courrier.Redaction`) or said above, from the typed results these return.
"""

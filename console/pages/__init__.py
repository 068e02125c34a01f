"""The analyst's pages, in French, one router per screen: what they share (a journal row's number, form limits).

- :mod:`console.pages.accueil` — home, sign-in, the API's documentation;
- :mod:`console.pages.edition` — the dossier form: new, uploaded, edited, decided;
- :mod:`console.pages.decision` — a recorded decision, its why, what-if and letters;
- :mod:`console.pages.recherche` — the journal of decisions, searched;
- :mod:`console.pages.amendements` — an amendment's impact on a caseload (background jobs).

Pages are rendered on the server (Jinja2, autoescaped); the little script
the console ships only folds and unfolds. A form posts back to the server,
which keeps what the analyst typed whatever happens: an error is shown next
to its field, a child is added or removed, a decision is taken and can be
edited and taken again. Nothing here imports the submodules: :mod:`console.app`
includes each screen's router.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as FastAPIPath

Numero = Annotated[int, FastAPIPath(ge=1, le=2**62)]  # a row of the journal: SQLite's integers are 64 bits
FORM_LIMITS = {"max_files": 2, "max_fields": 5000, "max_part_size": 1 << 20}

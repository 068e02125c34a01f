"""``prevoyance serve``: the analyst's console (server-rendered pages, in French) and the JSON API, on one journal.

- :mod:`console.app` — the ASGI application: settings, access control, size limits, errors;
- :mod:`console.api` — the JSON API under ``/api/v1/``;
- :mod:`console.pages` — the pages: form, decision, letter, journal, impact;
- :mod:`console.formulaire` — the dossier form generated from a regime's JSON Schema;
- :mod:`console.dossiers` — from a request to a validated dossier and its decision;
- :mod:`console.journal` — the SQLite journal, shared with ``prevoyance batch --journal``;
- :mod:`console.impact` — amendment impact jobs in the background;
- :mod:`console.acces` — users file, passwords, sessions;
- :mod:`console.serve` — starting the server (uvicorn).
"""

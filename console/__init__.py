"""``prevoyance serve``: the analyst's console (server-rendered pages, in French) and the JSON API, on one journal.

Assembly, settings and state:

- :mod:`console.app` — assembles the ASGI application (and nothing else);
- :mod:`console.reglages` — what a server is started with, and the checks that refuse to start it;
- :mod:`console.etat` — what every handler of a process shares (journal, jobs, warm solver);
- :mod:`console.dependances` — what routes receive through ``Depends``;
- :mod:`console.serve` — starting the server (uvicorn).

HTTP plumbing: :mod:`console.requetes` (body size limits), :mod:`console.garde` (the access middleware),
:mod:`console.erreurs` (errors in French), :mod:`console.openapi` (the API's document).

Routers: :mod:`console.api` (the JSON API under ``/api/v1/``), :mod:`console.entretien` (the counter
interview, API and screens), :mod:`console.pages` (one router per screen).

Helpers the routers share: :mod:`console.dossiers` (from a request to a validated dossier and its decision),
:mod:`console.formulaire` and :mod:`console.saisie` (the dossier form drawn from the schema, and read back),
:mod:`console.filtres` (the journal's search as typed), :mod:`console.vues` (templates),
:mod:`console.entetes` (letterheads), :mod:`console.demandes` (the SQLite journal, shared with
``prevoyance batch --journal``), :mod:`console.travaux` (amendment impact jobs in the background),
:mod:`console.acces` (users file, passwords, sessions).
"""

"""Starting ``prevoyance serve``: check access control, then run uvicorn (one process, or several workers)."""

from __future__ import annotations

import os
import sys

from console.reglages import Reglages, ServeError, controle_pour, entetes_configures, loopback


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, journal: str = "prevoyance.sqlite",
          utilisateurs: str | None = None, workers: int = 1, travail: str | None = None,
          entetes: tuple[str, ...] = ()) -> None:
    """Run the console and the API until interrupted; :class:`ServeError` when access would be uncontrolled."""
    import uvicorn

    reglages = Reglages(host, journal, utilisateurs, travail, tuple(entetes))
    controle_pour(reglages)  # refuses open access off loopback, or an unreadable users file, before anything starts
    entetes_configures(reglages)  # and a bad office letterhead, naming its field
    os.environ.update(reglages.environnement())
    access = "ouvert (boucle locale)" if utilisateurs is None else f"contrôlé ({utilisateurs})"
    print(f"prevoyance serve : ouvrez {address(host, port)} — accès {access}, journal {journal}"
          f"{f', {workers} processus' if workers > 1 else ''}", file=sys.stderr, flush=True)
    uvicorn.run("console.app:application", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=True, server_header=False)


__all__ = ["ServeError", "address", "loopback", "serve"]

"""``serve``: starts the analysts' console and the JSON API (the server's packages are an extra)."""

from __future__ import annotations

import click

from cli.fr import option


@click.command("serve")
@option("--adresse", "--host", "host", default="127.0.0.1", show_default=True,
        help="Adresse d'écoute (hors de la boucle locale, --utilisateurs est exigé).")
@option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@option("--journal", type=click.Path(dir_okay=False), default="prevoyance.sqlite", show_default=True,
        help="Journal SQLite des décisions (créé au besoin ; le même que batch --journal).")
@option("--utilisateurs", type=click.Path(exists=True, dir_okay=False), default=None,
        help="Fichier des utilisateurs (python -m console.acces ajouter FICHIER NOM).")
@option("--processus", "--workers", "workers", type=click.IntRange(min=1), default=1, show_default=True,
        help="Processus serveurs.")
@option("--entete", "entetes", type=click.Path(exists=True, dir_okay=False), multiple=True,
        help="En-tête d'un office (YAML, comme letter --entete), proposé sur la page de la lettre avec ceux "
             "du régime ; répétable.")
def serve_command(host: str, port: int, journal: str, utilisateurs: str | None, workers: int,
                  entetes: tuple[str, ...]) -> None:
    """Lance la console des analystes et l'API JSON (/api/v1/, documentation sur /api/v1/docs).

    Example:

        prevoyance serve --port 8000 --journal journal.sqlite
    """
    try:
        from console.serve import ServeError, serve
    except ImportError as exc:  # the server's packages are an extra
        raise click.ClickException(f"{exc.name} manque : pip install 'prevoyance[serve]'") from exc
    try:
        serve(host, port, journal, utilisateurs, workers, entetes=entetes)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from exc

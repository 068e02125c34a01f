"""Request bodies within their limits: the outermost middleware (:class:`Limites`) and what handlers read with.

A dossier's body is at most 1 MiB, an impact job's caseload 32 MiB. A body
that announces more is refused before it is read (413); one sent in chunks
without its length is counted as it comes and cut at its limit, and the
handler that reads it (:func:`corps`, or :func:`verifier_taille` after
reading a form) answers 413.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

TAILLE_MAX = 1 << 20  # a dossier: 1 MiB is a hundred times the largest real one
TAILLE_MAX_CHARGE = 32 << 20  # a caseload uploaded for an impact job
CHEMINS_CHARGE = ("/impact", "/api/v1/impact")
TROP_GROS = "prevoyance.trop_gros"


class Limites:
    """ASGI middleware: 413 for a body over its limit, announced or streamed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        limit = TAILLE_MAX_CHARGE if path.startswith(CHEMINS_CHARGE) else TAILLE_MAX
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await _trop_gros(scope, send, limit)
        received = 0

        async def limited():  # a body sent in chunks, without its length: counted as it comes
            nonlocal received
            if scope.get(TROP_GROS):
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # the body ends here; the handler answers 413 (verifier_taille)
                    scope[TROP_GROS] = limit
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        await self.app(scope, limited, send)


def verifier_taille(request: Request) -> None:
    """After reading a body: 413 if it was cut at its limit (sent in chunks, longer than allowed)."""
    limit = request.scope.get(TROP_GROS)
    if limit:
        raise StarletteHTTPException(413, _message_taille(limit))


async def corps(request: Request) -> bytes:
    """The request's body, within its limit."""
    body = await request.body()
    verifier_taille(request)
    return body


def _message_taille(limit: int) -> str:
    return f"corps de requête trop volumineux (au plus {limit // 1024} Kio)"


async def _trop_gros(scope, send, limit: int) -> None:
    message = _message_taille(limit)
    if scope["path"].startswith("/api/"):
        response: Response = JSONResponse({"erreurs": [{"champ": "(racine)", "message": message}]}, status_code=413)
    else:
        response = HTMLResponse(f"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Trop volumineux"
                                f"</title><p>{message}.</p></html>", status_code=413)
    await response(scope, _noop_receive, send)


async def _noop_receive():
    return {"type": "http.disconnect"}

"""The surface every hosted framework app (Starlette, FastAPI, Flask) serves, so one corpus of
raw requests can be replayed against every server x app. Each app writes it with its own
framework's features; answers are compared per app across servers, never across apps.

- the app spec of ``base.py``: ``GET /plaintext``, ``GET /json``, ``GET /users/{id}``, ``POST /echo``
- ``GET /items/{item_id:int}?q=`` (q at most 5 characters; header ``X-Token`` through a dependency)
  -> ``{"item_id", "q", "token"}``; ``POST /items`` a JSON body model ``{name: str, price: number,
  tags: [str]}`` -> ``{"name", "total", "tags"}``
- ``GET /query`` -> ``{"k": [every k], "pairs": [[key, value], ...]}`` (repeated keys kept)
- ``GET /names/{name}`` -> ``{"name": <percent-decoded path segment>}``
- ``GET /cookies`` -> ``{"session": <cookie session or null>}`` and sets ``seen=yes`` (HttpOnly)
- ``POST /form`` (url-encoded or multipart; fields ``title`` and ``note``, file ``upload``, each
  optional) -> ``{"fields": {...}, "files": {"upload": {"filename", "size", "head"}}}`` (head = the
  first 16 bytes of the file, latin-1)
- ``POST /size`` -> ``{"size": <request body bytes>}`` (read as a stream where the framework can)
- ``GET /stream?n=`` -> ``part0;part1;...`` as a streamed response (n parts, default 3, at most 10000)
- ``GET /static/lines.txt`` -> the file below (a static-files feature of the framework)
- ``GET /teapot`` -> 418 ``{"error": "teapot"}`` from an error handler
- every answer carries ``x-middleware: seen`` from a middleware (Flask: ``after_request``)

One app only: Flask's ``GET /session`` (a counter in the signed session cookie); FastAPI's
``GET /items/{item_id}/owner`` (a plain ``def`` dependency, run on a worker thread).
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_Q = 5
MAX_PARTS = 10_000
TEAPOT = {"error": "teapot"}


class TeapotError(Exception):
    """Raised by ``/teapot``; each app's error handler turns it into a 418."""


def token_of(header: str | None) -> str:
    return (header or "none").upper()


def parts(n: int) -> list[str]:
    return [f"part{i};" for i in range(max(0, min(n, MAX_PARTS)))]


def file_summary(filename: str | None, data: bytes) -> dict[str, object]:
    return {"filename": filename, "size": len(data), "head": data[:16].decode("latin-1")}


class MarkMiddleware:
    """A pure ASGI middleware adding ``x-middleware: seen`` to every http response: the form
    Starlette and FastAPI document for middleware that must not buffer or cost a task per request."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def marked(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-middleware", b"seen")]}
            await send(message)
        await self.app(scope, receive, marked)

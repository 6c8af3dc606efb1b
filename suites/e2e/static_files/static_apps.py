"""The apps the static benchmark serves, each answering GET /static/<name> from the directory
in $LAPWISE_STATIC_DIR: a WSGI app returning ``wsgi.file_wrapper``, a raw ASGI app sending
``http.response.pathsend``, a Starlette app with Starlette's own ``FileResponse`` (as Debian's
Starlette 0.26 has it: body messages of 64 KiB read on a worker thread), the same app with
lapwise's ``FileResponse`` (pathsend) and with Starlette's opted in by
``lapwise.asgi.send_files_by_path``, and a lapwise.App with ``app.static``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lapwise import App
from lapwise.asgi import FileResponse as LapwiseFileResponse
from lapwise.asgi import send_files_by_path

ROOT = Path(os.environ.get("LAPWISE_STATIC_DIR", "."))


def _file(path: str) -> Path | None:
    name = path.removeprefix("/static/")
    target = ROOT / name
    return target if "/" not in name and target.is_file() else None


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
    target = _file(environ["PATH_INFO"])
    if target is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(target.stat().st_size))])
    return environ["wsgi.file_wrapper"](open(target, "rb"))


async def pathsend_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    target = _file(scope["path"])
    if target is None:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"not found"})
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/octet-stream"),
                            (b"content-length", str(target.stat().st_size).encode())]})
    await send({"type": "http.response.pathsend", "path": str(target)})


def _starlette(response: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def download(request: Any) -> Any:
        target = _file(request.url.path)
        return PlainTextResponse("not found", 404) if target is None else response(target)

    return Starlette(routes=[Route("/static/{name}", download)])


def _starlette_apps() -> tuple[Any, Any, Any]:
    try:
        from starlette.responses import FileResponse
    except ImportError:  # the benchmark then leaves those servers out
        return None, None, None

    class PathsendFileResponse(FileResponse):  # type: ignore[misc]
        """Starlette's own, opted in to pathsend (a subclass: the others stay as they are)."""

    send_files_by_path(PathsendFileResponse)
    return _starlette(FileResponse), _starlette(LapwiseFileResponse), _starlette(PathsendFileResponse)


starlette_app, starlette_lapwise_app, starlette_pathsend_app = _starlette_apps()
lapwise_app = App()
if ROOT.is_dir():
    lapwise_app.static("/static", ROOT)

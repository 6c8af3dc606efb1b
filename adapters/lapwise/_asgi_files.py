"""ASGI file responses on the native server: the ``http.response.pathsend`` and
``http.response.zerocopysend`` extensions (offered in every ``http`` scope), sent by the
server core with ``sendfile``; and ``FileResponse``, an ASGI response that uses pathsend where
the server offers it and reads the file otherwise.

pathsend (``{"type": "http.response.pathsend", "path": str}``) ends the response with the
whole file. zerocopysend (``{"type": "http.response.zerocopysend", "file": <open file>,
"offset": int, "count": int, "more_body": bool}``) sends ``count`` bytes (default: to the end)
from ``offset`` (default: the file's position, which then moves past them); with
``more_body`` the response goes on, streamed. The server sends a duplicate descriptor: the app
may close its file as soon as ``send`` returns. Content-Length is the server's own.

``send_files_by_path(cls)`` is the opt-in for frameworks whose file response reads the file
itself (Starlette before 0.38, as Debian 12 has it, and so FastAPI's ``FileResponse``): where
the server offers pathsend, such a response's body goes as one pathsend message instead.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from typing import Any

from ._file_meta import byte_range, etag, file_span, http_date, media_type, not_modified
from .app import Response

EXTENSIONS: dict[str, dict[str, Any]] = {"http.response.pathsend": {}, "http.response.zerocopysend": {}}
KINDS = frozenset(("http.response.pathsend", "http.response.zerocopysend"))


async def send_file_message(ex: Any, message: dict[str, Any]) -> None:
    """One pathsend or zerocopysend message of the exchange ``ex`` (``_asgi_exchange``)."""
    if not ex.status:
        raise RuntimeError(f"ASGI: {message['type']} before http.response.start")
    if ex.answered:
        return
    if message["type"] == "http.response.pathsend":
        with open(message["path"], "rb") as f:
            await _send_span(ex, _span(f, None, None), False)
        return
    f = message["file"]
    offset, count = message.get("offset"), message.get("count")
    span = _span(f, offset, count)
    await _send_span(ex, span, bool(message.get("more_body", False)))
    if offset is None:  # read "from the current position": the position moves on
        f.seek(span[1] + span[2])


def _span(f: Any, offset: int | None, count: int | None) -> tuple[int, int, int]:
    span = file_span(f, None, offset, count)
    if span is None:
        raise ValueError("ASGI: the file of a zero-copy send must be an open regular file")
    return span


async def _send_span(ex: Any, span: tuple[int, int, int], more: bool) -> None:
    fd, offset, count = span
    if not ex.streaming:
        if not more:  # the whole response: head and file
            ex.answered = True
            ex.req._file(Response(ex.status, ex.headers, b""), fd, offset, count, False)
            ex.finished()
            return
        ex.streaming = True
        await ex.wait_taken(lambda: ex.req._file(Response(ex.status, ex.headers, b""), fd, offset,
                                                 count, True))
    elif more:
        await ex.wait_taken(lambda: ex.req._file(None, fd, offset, count, True))
    else:
        ex.answered = True
        ex.req._file(None, fd, 0 if ex.gone else offset, 0 if ex.gone else count, False)
        ex.finished()


def send_files_by_path(response_class: type) -> type:
    """Makes ``response_class`` (Starlette's ``FileResponse`` or a subclass: ``path``,
    ``status_code``, ``raw_headers``, ``stat_result``, ``set_stat_headers``,
    ``send_header_only``, ``background``) send its file with ``http.response.pathsend`` where
    the server offers it: the same head, then the whole file by path, then the background
    task. Elsewhere the class's own ``__call__`` runs. Patches the class (every instance, also
    those a framework makes); idempotent; returns the class."""
    original = response_class.__call__
    if getattr(original, "lapwise_pathsend", False):
        return response_class

    async def call(self: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if "http.response.pathsend" not in scope.get("extensions", {}):
            await original(self, scope, receive, send)
            return
        if self.stat_result is None:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                raise RuntimeError(f"File at path {self.path} does not exist.") from None
            if not stat.S_ISREG(st.st_mode):
                raise RuntimeError(f"File at path {self.path} is not a file.")
            self.set_stat_headers(st)
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if self.send_header_only:
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.pathsend", "path": os.fspath(self.path)})
        if self.background is not None:
            await self.background()

    call.lapwise_pathsend = True  # type: ignore[attr-defined]
    setattr(response_class, "__call__", call)  # noqa: B010 - a method replaced on the class
    return response_class


class FileResponse:
    """An ASGI response with a file's bytes: its media type, Content-Length, Last-Modified,
    ETag, ``Accept-Ranges: bytes`` and ``headers``; 304 for a matching If-None-Match or (without
    it) If-Modified-Since; a single Range 206 with Content-Range, past the end 416, several
    ranges the whole file (as ``App.static``). The whole file goes with
    ``http.response.pathsend``, a range with ``http.response.zerocopysend``, where the server
    offers them (lapwise does: the core's sendfile); elsewhere the file is read in blocks of
    ``chunk_size``. A Starlette route may return it as it is."""

    chunk_size = 64 << 10

    def __init__(self, path: str | os.PathLike[str], status: int = 200,
                 headers: dict[str, str] | Iterable[tuple[str, str]] | None = None,
                 media_type: str | None = None) -> None:
        self.path = os.fspath(path)
        self.status = status
        self.headers = list(headers.items()) if isinstance(headers, dict) else list(headers or ())
        self.media_type = media_type

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        st = os.stat(self.path)
        size, tag, modified = st.st_size, etag(st), http_date(st.st_mtime)
        head = [("etag", tag), ("last-modified", modified), *((n.lower(), v) for n, v in self.headers)]
        asked = {n.decode("latin-1").lower(): v.decode("latin-1") for n, v in scope.get("headers", ())}
        if self.status == 200 and not_modified(asked, tag, st.st_mtime):
            await _start(send, 304, head)
            await send({"type": "http.response.body", "body": b""})
            return
        head += [("content-type", self.media_type or media_type(self.path)), ("accept-ranges", "bytes")]
        span = byte_range(asked.get("range"), asked.get("if-range"), tag, modified, size) \
            if self.status == 200 else None
        if span == ():
            await _start(send, 416, [*head, ("content-range", f"bytes */{size}")])
            await send({"type": "http.response.body", "body": b""})
            return
        status, first, count = self.status, 0, size
        if span:
            status, first, count = 206, span[0], span[1] - span[0] + 1
            head.append(("content-range", f"bytes {span[0]}-{span[1]}/{size}"))
        await _start(send, status, [*head, ("content-length", str(count))])
        # Also for HEAD: the server then sends the head with the file's length and no body.
        extensions = scope.get("extensions", {})
        if not span and "http.response.pathsend" in extensions:
            await send({"type": "http.response.pathsend", "path": self.path})
        elif "http.response.zerocopysend" in extensions:
            with open(self.path, "rb") as f:
                await send({"type": "http.response.zerocopysend", "file": f, "offset": first, "count": count})
        elif scope.get("method") == "HEAD":
            await send({"type": "http.response.body", "body": b""})
        else:
            with open(self.path, "rb") as f:
                f.seek(first)
                while count > 0 and (block := f.read(min(self.chunk_size, count))):
                    count -= len(block)
                    await send({"type": "http.response.body", "body": block, "more_body": True})
            await send({"type": "http.response.body", "body": b""})


async def _start(send: Any, status: int, headers: list[tuple[str, str]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(n.encode("latin-1"), v.encode("latin-1")) for n, v in headers]})

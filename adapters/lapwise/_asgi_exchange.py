"""One ASGI ``http`` request on the native server: its scope, ``receive`` and ``send``.

The native request carries the whole body (the core reads it, bounded by ``max_body``, before
the request is dispatched), so ``receive`` gives it in one ``http.request`` message with
``more_body`` False. The response is collected from ``http.response.start`` and the
``http.response.body`` messages and answered in one piece when ``more_body`` is False; what one
response may collect is bounded (``max_response``), past it ``send`` raises. After the answer,
``receive`` gives ``http.disconnect`` (also when the server cuts the request at shutdown).
"""

from __future__ import annotations

import asyncio
from typing import Any

from .app import Response

ASGI_VERSION = {"version": "3.0", "spec_version": "2.3"}

# The server's own headers: it writes them itself (and refuses them from a handler).
_SERVER_OWN = frozenset((b"content-length", b"transfer-encoding", b"connection", b"date", b"server"))

_REQUEST_DONE = {"type": "http.disconnect"}


def http_scope(req: Any, server: tuple[str, int], root_path: str, state: dict[str, Any] | None) -> dict[str, Any]:
    """The ``http`` scope of a native request (ASGI 3, HTTP spec 2.3)."""
    scope = {
        "type": "http",
        "asgi": ASGI_VERSION,
        "http_version": req.http_version,
        "method": req.method,
        "scheme": "http",
        "path": req.path,
        "raw_path": req.raw_path,
        "query_string": req.query_string.encode("latin-1"),
        "root_path": root_path,
        "headers": req.raw_headers,
        "client": None,  # the core does not pass the peer address on
        "server": server,
    }
    if state is not None:
        scope["state"] = state.copy()  # each request sees the lifespan's state, shallowly copied
    return scope


class Exchange:
    """The request's two channels; ``answer`` completes the native request (once)."""

    __slots__ = ("req", "loop", "max_response", "status", "headers", "chunks", "size", "answered",
                 "_body_sent", "_done")

    def __init__(self, req: Any, loop: asyncio.AbstractEventLoop, max_response: int) -> None:
        self.req = req
        self.loop = loop
        self.max_response = max_response
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []
        self.size = 0
        self.answered = False
        self._body_sent = False
        self._done: asyncio.Future[None] | None = None

    async def receive(self) -> dict[str, Any]:
        if not self._body_sent:
            self._body_sent = True
            return {"type": "http.request", "body": self.req.body, "more_body": False}
        if not self.answered:
            if self._done is None:
                self._done = self.loop.create_future()
            # Shielded: a waiter cancelled (a framework's disconnect listener, say) must not
            # cancel the future the other waiters share.
            await asyncio.shield(self._done)
        return _REQUEST_DONE

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.status:
                raise RuntimeError("ASGI: http.response.start sent twice")
            self.status = int(message["status"])
            ctype = ""
            headers = self.headers
            for name, value in message.get("headers", ()):
                low = name.lower()  # bytes (or bytearray): no copy before the checks
                if low in _SERVER_OWN:
                    continue
                if low == b"content-type":
                    ctype = value.decode("latin-1")
                    continue
                headers.append((name.decode("latin-1"), value.decode("latin-1")))
            # Always given, so that a response without one gets none (not the core's default).
            self.headers.append(("Content-Type", ctype))
        elif kind == "http.response.body":
            if not self.status:
                raise RuntimeError("ASGI: http.response.body before http.response.start")
            if self.answered:
                return  # the client has the response already (or the server cut it)
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if not more and not self.chunks:  # one body message: the common case, no join
                if len(body) > self.max_response:
                    raise RuntimeError(f"ASGI: response body over max_response ({self.max_response} bytes)")
                self.answer(Response(self.status, self.headers, body))
                return
            if body:
                self.size += len(body)
                if self.size > self.max_response:
                    raise RuntimeError(f"ASGI: response body over max_response ({self.max_response} bytes)")
                self.chunks.append(bytes(body))
            if not more:
                self.answer(Response(self.status, self.headers, b"".join(self.chunks)))
        else:
            raise RuntimeError(f"ASGI: unexpected message type {kind!r} for an http scope")

    def answer(self, response: Response) -> None:
        """Completes the native request once; a later call does nothing."""
        if self.answered:
            return
        self.answered = True
        self.chunks = []
        if self.req.method == "HEAD":
            response.body = b""
        self.req._respond(response)
        self.finished()

    def fail(self, exc: BaseException) -> None:
        """The app raised before answering: a 500, with the error logged by the server's hook."""
        if self.answered:
            return
        self.answered = True
        self.req._fail(exc)
        self.finished()

    def finished(self) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

"""One ASGI ``http`` request on the native server: its scope, ``receive`` and ``send``.

A body the core read whole (the common case: small ones) is one ``http.request`` message with
``more_body`` False. A streamed one (``req.body_streamed``) is asked for piece by piece: each
``receive`` calls ``req._read()`` and waits for the piece (the first one sends ``100 Continue``
when the client asked for it), ``more_body`` True until the last; the core reads the
connection only as far as a bounded window ahead of the app. A body that cannot be read on
(the client left, a chunked body over ``max_body``, a stalled upload) ends as
``http.disconnect``, and the client gets the core's status (413, 400, 408) if no response has
begun. A response whose first body message is its last leaves whole (the fast
path); otherwise it is streamed: each body message is one part (chunked on HTTP/1.1), and
``send`` returns once the core took the part and the connection's unsent output is below its
bound (``max_output``), so a slow client holds the app back instead of filling memory.
``receive`` then gives ``http.disconnect`` once the response is out, or as soon as the client
goes away while the app still holds the request; ``send`` after that sends nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import _asgi_files, _native_status
from .app import Response

ASGI_VERSION = {"version": "3.0", "spec_version": "2.3"}

# The server's own headers: it writes them itself (and refuses them from a handler).
_SERVER_OWN = frozenset((b"content-length", b"transfer-encoding", b"connection", b"date", b"server"))

_REQUEST_DONE = {"type": "http.disconnect"}

if TYPE_CHECKING:
    class _ExchangeBase:
        """What ``lapwise._native.AsgiExchange`` (bind_asgi.cc) holds and does."""

        req: Any
        loop: asyncio.AbstractEventLoop
        status: int
        raw_headers: Any
        answered: bool
        streaming: bool
        gone: bool
        _body_sent: bool
        _streamed: bool
        _done: asyncio.Future[None] | None
        _piece: asyncio.Future[tuple[bytes, bool, int]] | None
        _taken: asyncio.Future[None] | None

        def __init__(self, req: Any, loop: asyncio.AbstractEventLoop, outbox: list[tuple[Any, ...]],
                     kick: Callable[[], Any]) -> None: ...

        def send(self, message: dict[str, Any]) -> Awaitable[None]: ...

        def receive(self) -> Awaitable[dict[str, Any]]: ...

        def whole(self, body: bytes) -> None: ...
else:
    # Without the compiled module nothing is served: the class only has to be importable then.
    _NATIVE = _native_status.loaded()
    _ExchangeBase = _NATIVE.AsgiExchange if _NATIVE is not None else object


def scope_template(server: tuple[str, int], root_path: str) -> dict[str, Any]:
    """The ``http`` scope's keys that are the same for every request of a server."""
    return {"type": "http", "asgi": ASGI_VERSION, "scheme": "http", "root_path": root_path,
            "server": server}


def http_scope(req: Any, template: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    """The ``http`` scope of a native request (ASGI 3, HTTP spec 2.3): ``template`` with the
    request's http_version, method, path, raw_path, query_string, headers and its
    connection's addresses (one native call)."""
    scope: dict[str, Any] = req._scope(template)
    scope["extensions"] = dict(_asgi_files.EXTENSIONS)  # pathsend, zerocopysend (_asgi_files)
    if state is not None:
        scope["state"] = state.copy()  # each request sees the lifespan's state, shallowly copied
    return scope


def str_headers(raw: Any) -> list[tuple[str, str]]:
    """An ASGI header list as ``Response`` headers: the server's own dropped, Content-Type
    always given (empty when the app gave none, so that the response has none rather than the
    core's default)."""
    ctype = ""
    headers = []
    for name, value in raw:
        low = name.lower()  # bytes (or bytearray): no copy before the checks
        if low in _SERVER_OWN:
            continue
        if low == b"content-type":
            ctype = value.decode("latin-1")
            continue
        headers.append((name.decode("latin-1"), value.decode("latin-1")))
    headers.append(("Content-Type", ctype))
    return headers


class Exchange(_ExchangeBase):
    """The request's two channels; ``answer`` completes the native request (once). A whole
    response goes to the bridge's ``outbox`` list as ``(request, status, headers, body)``
    (``kick()`` when the outbox was empty): the bridge answers such responses in batches
    (``lapwise._native.answer_many``), where the headers are filtered and checked as
    ``str_headers`` and the server core do.

    The native base (``lapwise._native.AsgiExchange``) holds the state (``req``, ``loop``,
    ``status``, ``raw_headers``, ``answered``, ``streaming``, ``gone``, ``_body_sent``,
    ``_streamed``, ``_done``: the response is out or the client gone, ``_piece``: a body piece
    asked for, not yet come, ``_taken``: the last streamed part was taken) and answers the
    common messages itself: ``send`` of the start and of a last body message that is the
    first, ``whole``, and the first ``receive`` of a body read whole. The rest comes here
    (``_send_slow``, ``_receive_slow``)."""

    __slots__ = ()

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The response's headers as ``Response`` takes them (a streamed or file response)."""
        return str_headers(self.raw_headers)

    async def _receive_slow(self) -> dict[str, Any]:
        if not self._body_sent:
            if self._streamed:
                return await self._next_piece()
            self._body_sent = True
            return {"type": "http.request", "body": self.req.body, "more_body": False}
        if not (self.answered or self.gone):
            if self._done is None:
                self._done = self.loop.create_future()
            # Shielded: a waiter cancelled (a framework's disconnect listener, say) must not
            # cancel the future the other waiters share.
            await asyncio.shield(self._done)
        return _REQUEST_DONE

    async def _next_piece(self) -> dict[str, Any]:
        if self._piece is None:
            if self.answered or self.gone:  # nobody will deliver it
                self._body_sent = True
                return _REQUEST_DONE
            self._piece = self.loop.create_future()
            self.req._read()
        # Shielded, and kept until taken: a receive() cancelled while it waits leaves the piece
        # for the next one instead of losing it.
        data, end, error = await asyncio.shield(self._piece)
        self._piece = None
        if error:
            self._body_sent = True
            self.gone = True
            return _REQUEST_DONE
        if end:
            self._body_sent = True
        return {"type": "http.request", "body": data, "more_body": not end}

    def piece(self, data: bytes, end: bool, error: int) -> None:
        """The piece asked for with ``req._read()``: on the loop thread."""
        if self._piece is not None and not self._piece.done():
            self._piece.set_result((data, end, error))

    async def _send_slow(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.status:
                raise RuntimeError("ASGI: http.response.start sent twice")
            self.status = int(message["status"])
            self.raw_headers = message.get("headers", ())
        elif kind == "http.response.body":
            if not self.status:
                raise RuntimeError("ASGI: http.response.body before http.response.start")
            if self.answered:
                return  # the client has the response already (or the server cut it)
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if not self.streaming:
                if not more:  # the whole response in one message: the common case
                    self.whole(body)
                    return
                self.streaming = True
                await self._part(body, head=True)
            elif more:
                await self._part(body)
            else:
                self.end(body)
        elif kind in _asgi_files.KINDS:
            await _asgi_files.send_file_message(self, message)
        else:
            raise RuntimeError(f"ASGI: unexpected message type {kind!r} for an http scope")

    async def _part(self, body: bytes, head: bool = False) -> None:
        if head:
            await self.wait_taken(lambda: self.req._start(Response(self.status, self.headers, body)))
        else:
            await self.wait_taken(lambda: self.req._part(body, False))

    async def wait_taken(self, put: Callable[[], None]) -> None:
        """Hands one streamed part to the core (``put``), then waits until the core took it."""
        if self.gone:  # nobody reads it; the stream is still ended by end()
            await asyncio.sleep(0)  # a loop of sends still lets the disconnect listener run
            return
        self._taken = taken = self.loop.create_future()
        put()
        await taken

    def resumed(self, gone: bool) -> None:
        """The core took the last part (or the client went away): on the loop thread."""
        if gone:
            self.gone = True
            self.finished()
            self.piece(b"", True, 400)  # a receive() waiting for a piece ends as a disconnect
        if self._taken is not None and not self._taken.done():
            self._taken.set_result(None)

    def end(self, body: bytes = b"") -> None:
        """Ends a streamed response (its last part), once."""
        if self.answered:
            return
        self.answered = True
        self.req._part(b"" if self.gone else body, True)
        self.finished()

    def answer(self, response: Response) -> None:
        """Completes the native request once; a later call does nothing."""
        if self.streaming:
            self.end()
            return
        if self.answered:
            return
        self.answered = True
        if self.req.method == "HEAD":  # the core sends what it is given: no body after a HEAD
            response.body = b""
        self.req._respond(response)
        self.finished()

    def fail(self, exc: BaseException) -> None:
        """The app raised before answering: a 500 (or, once streaming, the end of the stream),
        with the error logged by the server's hook."""
        if self.answered:
            return
        if self.streaming:
            self.end()
            return
        self.answered = True
        self.req._fail(exc)
        self.finished()

    def finished(self) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(None)
        # Answered: the core hands no piece to an answered request (it drops the rest itself).
        if self.answered:
            self.piece(b"", True, 400)

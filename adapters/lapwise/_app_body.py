"""Streamed request bodies in lapwise.App.

A route opts in with ``stream=True`` (``@app.post("/upload", stream=True)``): the App then
streams bodies over ``STREAM_OVER`` (64 KiB) to that route, and every other route gets its
body whole as before. The server option ``stream_body_over`` (bytes) instead streams bodies
over that size to every route. A body over the threshold, or chunked and not received yet, or
sent after ``Expect: 100-continue``, reaches the handler unread (``req.body_streamed`` True) and
comes piece by piece as the handler asks for it: at most ``body_window`` bytes wait in the
server and the connection is not read meanwhile, so an upload of any size (within
``max_body``) holds little memory. ``100 Continue`` goes out at the first read.

- ``req.stream()``: the body's pieces (bytes), read as the loop asks: ``for piece in
  req.stream()`` in a ``def`` handler, ``async for piece in req.stream()`` in an ``async def``
  one. A body that came whole is one piece.
- ``req.body`` / ``req.json()``: the rest of the body read whole (bounded by ``max_body``), in a
  ``def`` handler. An ``async def`` handler reads it with ``await req.read()`` first (a
  property cannot await, and waiting for the client on the loop would stall every other
  request); ``req.read()`` in a ``def`` handler is ``req.body``. Once ``req.body`` holds it,
  ``req.body_streamed`` is False.
- ``req.form()`` reads the body piece by piece too (``_app_forms``).

A route without ``stream=True`` (and no ``stream_body_over`` option) gets its body whole, as if
nothing streamed: a ``def`` chain reads it at its first ``req.body`` (on the handler pool:
``_app_pool.SyncRoute`` sends every streamed request there), an ``async def`` chain before its
first part runs.

A body that cannot be read raises ``BodyError`` with the status the client gets: 400 when it is
malformed or cut short (the client left mid-upload), 408 when it came too slowly, 413 when a
chunked body grows over ``max_body`` (a Content-Length over it is answered 413 before any
handler runs). Uncaught, the request is answered with that status, if the client is still
there; the connection closes and the server goes on.

The native request hands each piece asked for with ``req._read()`` to the server's piece hook
(``Bodies.piece``, on an io thread); a sync reader waits for it on an event, an async one
awaits it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from ._app_errors import HTTPError

Piece = tuple[bytes, bool, int]  # data, end, error status (0: none)

STREAM_OVER = 64 * 1024  # stream_body_over when a route has stream=True and the option is unset


class BodyError(HTTPError):
    """A streamed request body that cannot be read; ``status`` is what the client gets: 400
    malformed or cut short (the client left), 408 too slow, 413 over ``max_body``."""


class _Waiter:
    __slots__ = ("event", "future", "loop", "piece")

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop
        self.future: asyncio.Future[Piece] | None = loop.create_future() if loop is not None else None
        self.event = None if loop is not None else threading.Event()
        self.piece: Piece = (b"", True, 400)

    def put(self, piece: Piece) -> None:  # an io thread
        self.piece = piece
        if self.event is not None:
            self.event.set()
        elif self.loop is not None and self.future is not None:
            self.loop.call_soon_threadsafe(_settle, self.future, piece)


def _settle(fut: asyncio.Future[Piece], piece: Piece) -> None:
    if not fut.done():
        fut.set_result(piece)


def on_loop() -> bool:
    """This thread runs an asyncio loop (an ``async def`` handler's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Bodies:
    """The pieces asked for and not yet come, by request; ``piece`` and ``whole`` are the
    native hooks."""

    def __init__(self) -> None:
        self._waiting: dict[Any, _Waiter] = {}
        self._kept: dict[Any, bytes] = {}  # read by ``aread``, on its way to ``req.body``
        self._lock = threading.Lock()

    def piece(self, req: Any, data: bytes, end: bool, error: int) -> None:
        with self._lock:
            waiter = self._waiting.pop(req, None)
        if waiter is not None:
            waiter.put((data, end, error))

    def _ask(self, req: Any, loop: asyncio.AbstractEventLoop | None) -> _Waiter | None:
        waiter = _Waiter(loop)
        with self._lock:
            self._waiting[req] = waiter
        if not req._read():  # answered already: no piece will come
            with self._lock:
                self._waiting.pop(req, None)
            return None
        return waiter

    def pieces(self, req: Any, error: type[HTTPError] = BodyError) -> Iterator[bytes]:
        """The body's pieces, each waited for on this (pool) thread."""
        while True:
            waiter = self._ask(req, None)
            if waiter is None or waiter.event is None:
                raise error(400, "the request was answered before its body was read")
            waiter.event.wait()
            data, end = _checked(waiter.piece, error)
            if data:
                yield data
            if end:
                return

    async def apieces(self, req: Any, error: type[HTTPError] = BodyError) -> AsyncIterator[bytes]:
        """The body's pieces, each awaited on the running loop."""
        loop = asyncio.get_running_loop()
        while True:
            waiter = self._ask(req, loop)
            if waiter is None or waiter.future is None:
                raise error(400, "the request was answered before its body was read")
            data, end = _checked(await waiter.future, error)
            if data:
                yield data
            if end:
                return

    def whole(self, req: Any) -> bytes:
        """The native ``body`` of a streamed request: the rest of it, read whole."""
        with self._lock:
            kept = self._kept.pop(req, None)
        if kept is not None:
            return kept
        if on_loop():
            raise RuntimeError("req.body of a streamed body in an async def handler: read it with "
                               "`await req.read()` (or `async for piece in req.stream()`) first")
        return b"".join(self.pieces(req))

    async def aread(self, req: Any) -> bytes:
        """The rest of a streamed body read whole on the loop; ``req.body`` keeps it."""
        data = b"".join([piece async for piece in self.apieces(req)])
        with self._lock:
            self._kept[req] = data
        body = bytes(req.body)  # moves it into the native request, which keeps it
        with self._lock:
            self._kept.pop(req, None)  # not taken when the request had read its body already
        return body


def _checked(piece: Piece, error: type[HTTPError]) -> tuple[bytes, bool]:
    data, end, status = piece
    if status:
        reason = {413: "the body exceeds max_body", 408: "the body came too slowly"}.get(
            status, "the body was malformed or cut short (the client may have left mid-upload)")
        raise error(status if 400 <= status <= 599 else 400, reason)
    return data, end


BODIES = Bodies()  # one per process: the native request type is


class BodyStream:
    """``req.stream()``: iterate it in a ``def`` handler, ``async for`` it in an ``async def``
    one. Each piece is read from the connection when the loop asks for it."""

    __slots__ = ("_req",)

    def __init__(self, req: Any) -> None:
        self._req = req

    def __iter__(self) -> Iterator[bytes]:
        req = self._req
        if not req.body_streamed:
            return iter((req.body,) if req.body else ())
        if on_loop():
            raise RuntimeError("req.stream() in an async def handler: use `async for`")
        return BODIES.pieces(req)

    def __aiter__(self) -> AsyncIterator[bytes]:
        req = self._req
        if not req.body_streamed:
            return _once(req.body)
        return BODIES.apieces(req)


async def _once(body: bytes) -> AsyncIterator[bytes]:
    if body:
        yield body


def whole_first(call: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
    """``call`` (an ``async def`` chain of a route without ``stream=True``) after its streamed
    body, if any, was read whole."""

    async def read_then_call(req: Any) -> Any:
        if req.body_streamed:
            await BODIES.aread(req)
        return await call(req)

    return read_then_call

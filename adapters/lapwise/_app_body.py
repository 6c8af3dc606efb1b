"""Streamed request bodies in lapwise.App: with the server option ``stream_body_over`` set, a
body over that many bytes (or chunked and not yet received, or sent after ``100-continue``)
reaches the handler unread (``req.body_streamed`` True, ``req.body`` empty), and comes piece
by piece as it is read: at most ``body_window`` bytes wait in the server, so an upload of any
size (within ``max_body``) holds little memory. ``req.form()`` reads such a body this way.

The native request hands each piece asked for with ``req._read()`` to the server's piece hook
(``Bodies.piece``, on an io thread); a sync handler (always on the handler pool for a streamed
body: see ``_app_pool.SyncRoute``) waits for it on an event, an ``async def`` one awaits it. A
body that cannot be read (cut by the client, malformed, too slow, a chunked body over
``max_body``) raises FormError with the status the server answers (400, 408, 413).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from ._app_form_types import FormError

Piece = tuple[bytes, bool, int]  # data, end, error status (0: none)


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


class Bodies:
    """The pieces asked for and not yet come, by request; ``piece`` is the native hook."""

    def __init__(self) -> None:
        self._waiting: dict[Any, _Waiter] = {}
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

    def pieces(self, req: Any) -> Iterator[bytes]:
        """The body's pieces, each waited for on this (pool) thread."""
        while True:
            waiter = self._ask(req, None)
            if waiter is None or waiter.event is None:
                raise FormError(400, "the request was answered before its body was read")
            waiter.event.wait()
            data, end = _checked(waiter.piece)
            if data:
                yield data
            if end:
                return

    async def apieces(self, req: Any) -> AsyncIterator[bytes]:
        """The body's pieces, each awaited on the running loop."""
        loop = asyncio.get_running_loop()
        while True:
            waiter = self._ask(req, loop)
            if waiter is None or waiter.future is None:
                raise FormError(400, "the request was answered before its body was read")
            data, end = _checked(await waiter.future)
            if data:
                yield data
            if end:
                return


def _checked(piece: Piece) -> tuple[bytes, bool]:
    data, end, error = piece
    if error:
        reason = {413: "the body exceeds max_body", 408: "the body came too slowly"}.get(
            error, "the body was malformed or cut short")
        raise FormError(error if 400 <= error <= 599 else 400, reason)
    return data, end


BODIES = Bodies()  # one per process: the native request type is

"""One server WebSocket as an asyncio object: what ``lapwise.App``'s WebSocket routes and the
ASGI ``websocket`` scope share.

The native channel (``lapwise._native.WebSocket``) is thread-safe: ``send`` queues a frame for
the connection's io thread and says whether there is room for more (``OK``), the bound was
reached with this one (``WAIT``), the frame was refused for lack of room (``FULL``) or the
connection is closed (``CLOSED``). Events come from the io threads in batches (``on_batch``,
called with the GIL taken once per io-thread loop turn, as ``(connection, kind, value)``
tuples) and reach each connection's asyncio loop with one ``call_soon_threadsafe`` per batch:
messages, room to send again, and the end (exactly once, with the close code: the peer's, 1005
without one, the protocol error's code sent by the server, or 1006 when the connection ended
without a close handshake). A protocol error reaches ``receive`` after the messages before it,
as the end with the error's code.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

OK, WAIT, FULL, CLOSED = 0, 1, 2, 3  # what the native send() returns
TEXT, BINARY, ROOM, ENDED, ERROR = 0, 1, 2, 3, 4  # the kinds of events in a batch
# After a protocol error the server waits for our Close (so that replies to the messages before
# it go first): sent when the handler reads past them, or after this long at the latest.
ERROR_CLOSE_AFTER_S = 1.0


class Connection:
    """A native WebSocket bound to the asyncio loop it is used from (its methods run there)."""

    __slots__ = ("native", "loop", "close_code", "_inbox", "_arrived", "_room")

    def __init__(self, native: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.native = native
        self.loop = loop
        self.close_code: int | None = None  # set once the end is reported
        self._inbox: deque[tuple[int, Any]] = deque()
        self._arrived: asyncio.Future[None] | None = None
        self._room: asyncio.Future[None] | None = None
        native.owner = self

    def event(self, kind: int, value: Any) -> None:
        """One event from a batch (on the loop)."""
        if kind <= BINARY:  # a message: the common case first
            self._inbox.append((kind, value))
            arrived = self._arrived
            if arrived is not None and not arrived.done():
                arrived.set_result(None)
            return
        if kind == ROOM:
            wake(self._room)
            return
        if kind == ERROR:
            self.loop.call_later(ERROR_CLOSE_AFTER_S, self.close, *value)
        self._inbox.append((kind, value))
        if kind == ENDED:
            self.close_code = value
            self.native.owner = None  # no more events: the cycle goes
            wake(self._room)
        wake(self._arrived)

    async def receive(self) -> tuple[int, Any]:
        """The next message, as (TEXT, str) or (BINARY, bytes); (ENDED, code) once the
        connection has ended, and at every call after that."""
        while not self._inbox:
            if self.close_code is not None:
                return ENDED, self.close_code
            self._arrived = self.loop.create_future()
            try:
                await self._arrived
            except asyncio.CancelledError:
                # A stop cancels what is left: when the end came in the same loop turn, the
                # handler hears the end rather than the cancellation.
                if self.close_code is None:
                    raise
                task = asyncio.current_task()
                if task is not None:
                    task.uncancel()
            finally:
                self._arrived = None
        kind, value = self._inbox.popleft()
        if kind == ERROR:  # the replies to what came before it are out: fail the connection
            self.close(*value)
            self._inbox.appendleft((kind, value))  # the end is the answer from now on
            return ENDED, value[0]
        return kind, value

    async def send(self, data: str | bytes | bytearray | memoryview, result: int | None = None) -> bool:
        """Queues a message (str: text); waits while the connection has no room. False when the
        connection is closed (nothing was sent). ``result``: what the caller's own native
        send of it returned (the message is sent again only if that was FULL)."""
        if result is None:
            result = self.native.send(data)
        while True:
            if result == OK:
                return True
            if result == CLOSED:
                return False
            await self._wait_room()
            if result == WAIT:
                return True
            result = self.native.send(data)

    async def _wait_room(self) -> None:
        if self.close_code is not None:
            return
        self._room = self.loop.create_future()
        try:
            await self._room
        finally:
            self._room = None

    def close(self, code: int = 1000, reason: str = "") -> bool:
        """Starts the close handshake; False when our Close was sent already."""
        return bool(self.native.close(code, reason))


async def run_to_the_end(coro: Any, conn: Connection) -> Any:
    """Awaits ``coro`` (a handler of ``conn``) in a task of its own. A stop that cuts what is
    still running cancels the handler only while the connection is open: once its end is known
    (a stop's Close 1001 answered, say) the handler gets to hear it and finish."""
    inner = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(inner)
    except asyncio.CancelledError:
        if conn.close_code is None:
            inner.cancel()
        raise


def wake(fut: asyncio.Future[None] | None) -> None:
    """Completes ``fut`` unless it is None or done already."""
    if fut is not None and not fut.done():
        fut.set_result(None)


def _deliver(batch: list[tuple[Connection, int, Any]]) -> None:
    for conn, kind, value in batch:
        conn.event(kind, value)


def on_batch(items: list[tuple[Connection, int, Any]]) -> None:
    """The native server's event hook (an io thread, with the GIL): ``(connection, kind,
    value)`` for each event of one io-thread loop turn, connections without an owner left
    out. One hand-off per asyncio loop; a server's connections usually share one, and then
    the list is handed over as it is."""
    loop = items[0][0].loop
    for item in items:
        if item[0].loop is not loop:
            break
    else:
        _hand_over(loop, items)
        return
    batches: dict[asyncio.AbstractEventLoop, list[tuple[Connection, int, Any]]] = {}
    for item in items:
        batches.setdefault(item[0].loop, []).append(item)
    for loop, batch in batches.items():
        _hand_over(loop, batch)


def _hand_over(loop: asyncio.AbstractEventLoop, batch: list[tuple[Connection, int, Any]]) -> None:
    try:
        loop.call_soon_threadsafe(_deliver, batch)
    except RuntimeError:  # the loop is closed: nobody is left to tell
        pass

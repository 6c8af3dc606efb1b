"""WebSocket routes of lapwise.App: ``@app.websocket("/chat/{room}")``.

    @app.websocket("/echo/{name}")
    async def echo(ws):
        await ws.accept()
        async for message in ws:            # str (text) or bytes (binary), until the close
            await ws.send(message)

The handler is an ``async def`` taking one ``WebSocket``; it runs on the App's asyncio loop
thread. Before ``accept()`` the handshake is still open: ``ws.close()`` (or returning, or
raising) refuses it with 403. ``ws.params`` are the route's path parameters, ``ws.query``,
``ws.headers`` and ``ws.subprotocols`` (what the client offered) the upgrade request's. A plain
HTTP GET on the route gets 426. ``accept`` and ``close`` act at once and may be awaited or not.

Receiving: ``await ws.receive()`` returns the next message (str or bytes), ``receive_text``,
``receive_bytes`` and ``receive_json`` check its kind; once the connection has ended they raise
``WebSocketDisconnect`` (``.code``: the peer's close code, 1005 without one, 1006 when it
vanished, 1009 for a message over ``websocket_max_message``, 1001 when the server stops).
``async for`` ends quietly at the close instead. Sending: ``send`` (str: text, bytes: binary),
``send_text``, ``send_bytes``, ``send_json``; each waits while the connection's unsent bytes
are over ``max_output`` (back-pressure) and raises ``WebSocketDisconnect`` once it is closed.
``send`` queues the message when it is called and returns an awaitable (a done one when there
was room: no coroutine per message). A message reaches the handler with one copy of its
payload and leaves with one (its frame); see ``bind_websocket.cc``.
The handler returning closes the connection (1000); raising closes it with 1011 (the error is
logged on ``lapwise.app``).

Server options (``serve``/``run``, and ``lapwise.asgi.serve``): ``websocket_max_message``
(bytes, default 16 MiB: a larger message closes the connection with 1009),
``websocket_deflate`` (accept permessage-deflate, default True), and the keep-alive, in
seconds (0 or None: off), never the HTTP ``idle_timeout``: ``websocket_ping_interval``
(default 20: a Ping after that long without a byte from the client),
``websocket_ping_timeout`` (default 20: a client that sends nothing, no Pong and no frame,
for that long after the Ping is closed with 1011) and ``websocket_idle_timeout`` (default
None: no text or binary message either way for that long closes with 1001). Stopping the
server sends Close 1001 to every connection and waits for the close handshakes (bounded by
``shutdown_timeout``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable, Mapping
from typing import Any

from . import json as _json
from ._websocket_conn import ENDED, OK, Connection, on_batch, run_to_the_end

WebSocketHandler = Callable[["WebSocket"], Awaitable[Any]]

_OPTIONS = {"websocket_max_message": "max_message", "websocket_deflate": "permessage_deflate",
            "websocket_ping_interval": "ping_interval", "websocket_ping_timeout": "ping_timeout",
            "websocket_idle_timeout": "idle_timeout"}
_TIMERS = frozenset({"ping_interval", "ping_timeout", "idle_timeout"})  # seconds; None: off


class WebSocketDisconnect(Exception):
    """The connection has ended; ``code`` is its close code."""

    def __init__(self, code: int = 1000) -> None:
        super().__init__(f"the WebSocket connection ended (code {code})")
        self.code = code


class _Done:
    """What ``accept()`` and ``close()`` return: already done, awaitable or not."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # a generator: awaiting it finishes at once


class WebSocket:
    """One WebSocket connection on a route (see the module doc)."""

    def __init__(self, req: Any, native: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._req = req
        self._conn = Connection(native, loop)
        self.path: str = req.path
        self.params: dict[str, Any] = req.params
        self.query: dict[str, str] = req.query
        self.headers: dict[str, str] = req.headers
        offered = self.headers.get("sec-websocket-protocol", "")
        self.subprotocols: list[str] = [p.strip() for p in offered.split(",") if p.strip()]
        self.accepted = False
        self.refused = False
        self.subprotocol: str | None = None  # chosen at the accept
        # What send() returns when the message was queued with room to spare: awaiting a
        # done future returns at once, and costs less than a coroutine.
        self._sent: asyncio.Future[None] = loop.create_future()
        self._sent.set_result(None)

    @property
    def close_code(self) -> int | None:
        """The close code once the connection has ended, else None."""
        return self._conn.close_code

    def accept(self, subprotocol: str | None = None,
               headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> _Done:
        """Completes the handshake (101) with ``subprotocol`` (one of ``subprotocols``) and
        extra ``headers``."""
        if self.accepted or self.refused:
            raise RuntimeError("accept() after the handshake was answered")
        if subprotocol is not None and subprotocol not in self.subprotocols:
            raise ValueError(f"subprotocol {subprotocol!r} was not offered by the client ({self.subprotocols})")
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
        self._req._accept_websocket(subprotocol, pairs or None)
        self.accepted = True
        self.subprotocol = subprotocol
        return _Done()

    def close(self, code: int = 1000, reason: str = "") -> _Done:
        """Starts the close handshake; before ``accept()``, refuses the handshake with 403."""
        if not self.accepted:
            self.refused = True
        else:
            self._conn.close(code, reason)
        return _Done()

    # ------------------------------------------------------------------------- receiving
    async def receive(self) -> str | bytes:
        if not self.accepted:
            raise RuntimeError("receive() before accept()")
        kind, value = await self._conn.receive()
        if kind == ENDED:
            raise WebSocketDisconnect(value)
        return value

    async def receive_text(self) -> str:
        message = await self.receive()
        if not isinstance(message, str):
            raise TypeError("expected a text message, got a binary one")
        return message

    async def receive_bytes(self) -> bytes:
        message = await self.receive()
        if not isinstance(message, bytes):
            raise TypeError("expected a binary message, got a text one")
        return message

    async def receive_json(self) -> Any:
        return _json.loads(await self.receive())

    def __aiter__(self) -> AsyncIterator[str | bytes]:
        if not self.accepted:
            raise RuntimeError("receive() before accept()")
        return _Messages(self._conn)

    # --------------------------------------------------------------------------- sending
    def send(self, message: str | bytes | bytearray | memoryview) -> Awaitable[None]:
        """Queues ``message`` at once; the awaitable returned waits while the connection has
        no room (back-pressure) and raises ``WebSocketDisconnect`` when it is closed."""
        if not self.accepted:
            raise RuntimeError("send() before accept()")
        result = self._conn.native.send(message)
        if result == OK:  # the common case: no coroutine at all
            return self._sent
        return self._send_slowly(message, result)

    async def _send_slowly(self, message: str | bytes | bytearray | memoryview, result: int) -> None:
        if not await self._conn.send(message, result):
            raise WebSocketDisconnect(self._conn.close_code or 1006)

    async def send_text(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"send_text takes str, not {type(text).__name__}")
        await self.send(text)

    async def send_bytes(self, data: bytes | bytearray | memoryview) -> None:
        if isinstance(data, str):
            raise TypeError("send_bytes takes bytes, not str")
        await self.send(data)

    async def send_json(self, value: Any) -> None:
        await self.send(_json.dumps(value).decode())


class _Messages:
    """``async for message in ws``: each message until the connection ends, then stops
    quietly (an async iterator rather than an async generator: one coroutine less a
    message)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def __aiter__(self) -> _Messages:
        return self

    async def __anext__(self) -> str | bytes:
        kind, value = await self._conn.receive()
        if kind == ENDED:
            raise StopAsyncIteration
        return value


def websocket_entry(fn: WebSocketHandler, log: Any, response_type: Any) -> Callable[[Any], Awaitable[Any]]:
    """The route handler App registers for ``fn``: runs it with a WebSocket, refuses (403) a
    handshake it did not accept, and closes the connection when it returns or raises."""
    if not asyncio.iscoroutinefunction(fn):
        raise TypeError(f"a WebSocket handler must be an async def function, not {fn!r}")

    @functools.wraps(fn)
    async def entry(req: Any) -> Any:
        native = req.websocket
        if native is None:
            return response_type(426, {"Upgrade": "websocket"}, "Upgrade Required: a WebSocket endpoint")
        ws = WebSocket(req, native, asyncio.get_running_loop())
        try:
            await run_to_the_end(fn(ws), ws._conn)
        except WebSocketDisconnect:
            pass
        except Exception:
            if ws.accepted:  # the handshake is answered: the error ends the connection
                log.exception("WebSocket %s: the handler raised", ws.path)
                ws.close(1011, "internal error")
                return None
            raise  # answered 500 and logged like any handler's error
        if not ws.accepted:
            return response_type(403, None, "Forbidden: the WebSocket handshake was refused")
        ws.close(1000)
        return None

    return entry


def take_options(options: dict[str, Any]) -> dict[str, Any]:
    """Removes the WebSocket options from ``options`` (the native server's) and returns them
    as ``Server.set_websocket`` keywords."""
    taken = {native: options.pop(name) for name, native in _OPTIONS.items() if name in options}
    return {k: 0.0 if v is None and k in _TIMERS else v for k, v in taken.items()}


def install(server: Any, websocket_options: dict[str, Any]) -> None:
    """Hands the server's WebSocket handshakes to its routes and its events to asyncio."""
    server.set_websocket(on_batch, **websocket_options)

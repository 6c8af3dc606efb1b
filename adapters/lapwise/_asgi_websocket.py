"""One ASGI ``websocket`` connection on the native server: its scope, ``receive`` and ``send``.

The core hands the upgrade request over with the handshake still open (the request's
``websocket`` is the connection's native channel). ``receive`` gives ``websocket.connect``
first; ``websocket.accept`` answers 101 (``subprotocol``, one of the scope's
``subprotocols``, and ``headers``); ``websocket.close`` before that refuses the handshake with
403, and so does the app returning without accepting; the ``websocket.http.response``
extension sends an HTTP response of the app's own instead (then the connection closes). After
the accept, ``receive`` gives ``websocket.receive`` (``text`` or ``bytes``) and, once the
connection has ended, ``websocket.disconnect`` with its ``code`` (the peer's close code, 1005
without one, 1006 when it vanished, 1009 for a message over ``websocket_max_message``, 1001
when the server stops); ``websocket.send`` waits while the connection's unsent bytes are over
``max_output`` and raises ``ClientDisconnected`` (an ``OSError``) once it has ended. An app that
raises after the accept closes the connection with 1011; one that returns, with 1000.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ._asgi_exchange import http_scope
from ._websocket_conn import BINARY, TEXT, Connection, run_to_the_end, wake
from .app import Response

log = logging.getLogger("lapwise.asgi")

_CONNECT = {"type": "websocket.connect"}


class ClientDisconnected(OSError):
    """``websocket.send`` on a connection that has ended."""


def websocket_scope(req: Any, template: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    """The ``websocket`` scope of a native upgrade request (ASGI 3, WebSocket spec 2.3): the
    ``http`` scope's keys but ``method``, with ``scheme`` "ws", the offered ``subprotocols`` and
    the ``websocket.http.response`` extension."""
    scope = http_scope(req, template, state)
    del scope["method"]
    offered = b",".join(v for n, v in scope["headers"] if n == b"sec-websocket-protocol").decode("latin-1")
    scope.update(type="websocket", scheme="ws", subprotocols=[p.strip() for p in offered.split(",") if p.strip()],
                 extensions={"websocket.http.response": {}})
    return scope


class WebSocketExchange:
    """The connection's two channels. ``answered``/``answer``/``resumed`` are what the ASGI
    bridge asks of every exchange (a stop that cuts it, a client that leaves mid-handshake)."""

    __slots__ = ("req", "loop", "conn", "scope", "answered", "accepted", "gone", "_connect_sent",
                 "_status", "_headers", "_body", "_gone_waiter")

    def __init__(self, req: Any, native: Any, loop: asyncio.AbstractEventLoop, scope: dict[str, Any]) -> None:
        self.req = req
        self.loop = loop
        self.conn = Connection(native, loop)
        self.scope = scope
        self.answered = False  # the handshake was answered (accepted, refused or an HTTP response)
        self.accepted = False
        self.gone = False  # the client left before the handshake was answered
        self._connect_sent = False
        self._status = 0  # websocket.http.response.start's
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._gone_waiter: asyncio.Future[None] | None = None

    async def receive(self) -> dict[str, Any]:
        if not self._connect_sent:
            self._connect_sent = True
            return _CONNECT
        if not self.accepted:
            if not (self.answered or self.gone):  # wait for the app's answer or the client's leaving
                self._gone_waiter = self.loop.create_future()
                await asyncio.shield(self._gone_waiter)
            if not self.accepted:
                return {"type": "websocket.disconnect", "code": 1006}
        kind, value = await self.conn.receive()
        if kind == TEXT:
            return {"type": "websocket.receive", "text": value, "bytes": None}
        if kind == BINARY:
            return {"type": "websocket.receive", "text": None, "bytes": value}
        return {"type": "websocket.disconnect", "code": value}

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "websocket.send":
            if not self.accepted:
                raise RuntimeError("ASGI: websocket.send before websocket.accept")
            text, data = message.get("text"), message.get("bytes")
            if not await self.conn.send(text if text is not None else data if data is not None else b""):
                raise ClientDisconnected(f"the WebSocket connection ended (code {self.conn.close_code})")
        elif kind == "websocket.accept":
            if self.answered:
                raise RuntimeError("ASGI: websocket.accept after the handshake was answered")
            sub = message.get("subprotocol")
            if sub is not None and sub not in self.scope["subprotocols"]:
                raise RuntimeError(f"ASGI: subprotocol {sub!r} was not offered by the client")
            headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in message.get("headers", ())]
            self.answered = self.accepted = True
            self.req._accept_websocket(sub, headers or None)
        elif kind == "websocket.close":
            if self.accepted:
                self.conn.close(int(message.get("code") or 1000), message.get("reason") or "")
            else:
                self.refuse()
        elif kind == "websocket.http.response.start":
            if self.answered or self._status:
                raise RuntimeError("ASGI: websocket.http.response.start after the handshake was answered")
            self._status = int(message["status"])
            self._headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in message.get("headers", ())]
        elif kind == "websocket.http.response.body":
            if not self._status or self.answered:
                raise RuntimeError("ASGI: websocket.http.response.body without its start")
            self._body.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self.answer(Response(self._status, self._headers, b"".join(self._body)))
        else:
            raise RuntimeError(f"ASGI: unexpected message type {kind!r} for a websocket scope")

    def refuse(self) -> None:
        self.answer(Response(403, None, b""))

    def answer(self, response: Response) -> None:
        """Answers the handshake with an HTTP response (once): it is refused."""
        if self.answered:
            return
        self.answered = True
        self.req._respond(response)
        wake(self._gone_waiter)

    def resumed(self, gone: bool) -> None:
        """The client left while the handshake was open (the bridge's resume hook)."""
        if gone:
            self.gone = True
            wake(self._gone_waiter)

    async def run(self, app: Callable[..., Awaitable[None]]) -> None:
        try:
            await run_to_the_end(app(self.scope, self.receive, self.send), self.conn)
        except BaseException as exc:  # noqa: BLE001 - the connection always ends
            if not self.answered:
                self.answered = True
                self.req._fail(exc)  # 500, logged by the server's hook
            elif self.accepted:
                if not isinstance(exc, (ClientDisconnected, asyncio.CancelledError)):
                    log.error("WebSocket %s: the ASGI app raised %s", self.scope["path"], type(exc).__name__,
                              exc_info=exc)
                self.conn.close(1011, "internal error")
            if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            return
        if not self.answered:
            self.refuse()
        elif self.accepted:
            self.conn.close(1000)

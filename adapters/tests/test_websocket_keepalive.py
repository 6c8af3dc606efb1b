"""The WebSocket keep-alive options of ``App.serve`` and ``lapwise.asgi.serve``
(``websocket_ping_interval``, ``websocket_ping_timeout``, ``websocket_idle_timeout``) on both
transports: a client that never answers the Pings is closed with 1011 and its handler hears
it, a client that answers stays open past several intervals and past the HTTP idle timeout,
an idle connection is closed with 1001, and a misspelt option is refused by name."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from lapwise import App, _native_status, asgi
from lapwise._app_websocket import WebSocket
from lifespan_support import complete_lifespan
from ws_support import HANDSHAKE, Seen, closed_by_server, run

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)
websockets = pytest.importorskip("websockets")

TRANSPORTS = ["epoll", "asio"]
FAST = {"websocket_ping_interval": 0.1, "websocket_ping_timeout": 0.15, "idle_timeout": 0.05}


def keepalive_app(seen: Seen) -> App:
    app = App()

    @app.websocket("/echo")
    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        try:
            async for message in ws:
                await ws.send(message)
        finally:
            seen.add(("ended", ws.close_code))

    return app


def asgi_app(seen: Seen) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await complete_lifespan(receive, send)
            return
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while True:
            msg = await receive()
            if msg["type"] == "websocket.disconnect":
                seen.add(("ended", msg["code"]))
                return
            await send({"type": "websocket.send", "text": msg.get("text")})

    return app


def never_pongs(port: int) -> tuple[list[int], int, bytes]:
    """A raw client that completes the handshake and then only reads: returns the opcodes of
    the server's frames up to its Close, and that Close's code and reason. It echoes the Close,
    so the handler hears the code."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\n" + HANDSHAKE)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(4096)
        head, data = data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101 ")
        opcodes: list[int] = []
        while True:
            while len(data) < 2 or len(data) < 2 + (data[1] & 0x7F):
                chunk = s.recv(4096)
                assert chunk, "closed without a Close frame"
                data += chunk
            n = data[1] & 0x7F  # server control frames: short and unmasked
            opcode, payload, data = data[0] & 0x0F, data[2:2 + n], data[2 + n:]
            opcodes.append(opcode)
            if opcode == 0x8:
                s.sendall(bytes([0x88, 0x82, 0, 0, 0, 0]) + payload[:2])  # echo it, masked with 0
                return opcodes, int.from_bytes(payload[:2], "big"), payload[2:]


def pongs_and_echoes(port: int, wait: float) -> str:
    """Debian's ``websockets`` client (it answers Pings) holds the connection for ``wait``
    seconds, then sends one message; returns the echo."""

    async def go() -> str:
        async with websockets.connect(url_of(port), ping_interval=None) as c:
            await asyncio.sleep(wait)
            await c.send("still here")
            return str(await c.recv())

    return run(go())  # type: ignore[no-any-return]


def url_of(port: int) -> str:
    return f"ws://127.0.0.1:{port}/echo"


@pytest.mark.parametrize("io", TRANSPORTS)
@pytest.mark.parametrize("kind", ["app", "asgi"])
def test_a_client_that_never_answers_is_closed_1011_and_one_that_answers_stays(io: str, kind: str) -> None:
    seen = Seen()
    serve = keepalive_app(seen).serve if kind == "app" else (lambda **kw: asgi.serve(asgi_app(seen), **kw))
    with serve(port=0, io=io, **FAST) as srv:
        opcodes, code, reason = never_pongs(srv.port)
        assert opcodes == [0x9, 0x8]  # a Ping, then the Close
        assert (code, reason) == (1011, b"keepalive ping timeout")
        assert seen.wait_for(("ended", 1011))
        assert pongs_and_echoes(srv.port, 0.6) == "still here"  # six intervals, the HTTP idle timeout's twelve


@pytest.mark.parametrize("io", TRANSPORTS)
def test_idle_timeout_closes_1001(io: str) -> None:
    seen = Seen()
    with keepalive_app(seen).serve(port=0, io=io, websocket_idle_timeout=0.2) as srv:
        assert closed_by_server(srv, "/echo", ping_interval=None) == (1001, "idle timeout")
        assert seen.wait_for(("ended", 1001))


@pytest.mark.parametrize("kind", ["app", "asgi"])
def test_off_with_none_and_misspelt_options_refused_by_name(kind: str) -> None:
    seen = Seen()
    serve = keepalive_app(seen).serve if kind == "app" else (lambda **kw: asgi.serve(asgi_app(seen), **kw))
    with serve(port=0, websocket_ping_interval=None, websocket_idle_timeout=None) as srv:
        assert pongs_and_echoes(srv.port, 0.0) == "still here"
    with pytest.raises(TypeError, match="websocket_ping_intervall"):
        serve(port=0, websocket_ping_intervall=1.0)
    with pytest.raises(ValueError, match="must not be negative"):
        serve(port=0, websocket_ping_timeout=-1)


def test_plain_http_connections_keep_the_http_idle_timeout() -> None:
    seen = Seen()
    with keepalive_app(seen).serve(port=0, **FAST) as srv, socket.create_connection(("127.0.0.1", srv.port),
                                                                                    timeout=10) as s:
        s.sendall(b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while chunk := s.recv(4096):  # answered, then closed by the idle timeout: no Ping
            got += chunk
        assert got.startswith(b"HTTP/1.1 404 ")

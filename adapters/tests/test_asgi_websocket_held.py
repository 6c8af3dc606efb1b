"""lapwise.asgi holds a WebSocket connection's task like an HTTP request's: taking the
handshake from the io thread's batch raises nothing (an error there would drop the rest of
the batch), and an HTTP request served beside an open WebSocket is answered."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from lapwise import _native_status, asgi
from lifespan_support import complete_lifespan
from ws_support import run, url

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)
websockets = pytest.importorskip("websockets")


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await complete_lifespan(receive, send)
        return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"plain"})
        return
    await receive()
    await send({"type": "websocket.accept"})
    while (msg := await receive())["type"] != "websocket.disconnect":
        await send({"type": "websocket.send", "text": msg["text"]})


def test_websocket_taken_without_error_beside_http(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    with asgi.serve(echo_app, port=0) as srv:
        async def talk() -> str:
            async with websockets.connect(url(srv, "/ws")) as ws:
                await ws.send("hello")
                reply = await ws.recv()
                with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    assert s.recv(4096).startswith(b"HTTP/1.1 200")
                return reply
        assert run(talk()) == "hello"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

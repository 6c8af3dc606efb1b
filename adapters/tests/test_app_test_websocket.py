"""The test client's WebSockets (``lapwise._app_test_websocket``, ``TestClient.websocket_connect``):
text, binary and JSON both ways (small and large messages), the subprotocol, params and cookies
in the handshake, the server's close code, a refused handshake, and closing by the client."""

from __future__ import annotations

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App, WebSocketDisconnect  # noqa: E402
from lapwise.testing import TestClient, WebSocketRefused  # noqa: E402


def build() -> App:
    app = App()
    closed = []

    @app.websocket("/echo/{room}")
    async def echo(ws):
        await ws.accept(subprotocol="chat" if "chat" in ws.subprotocols else None)
        await ws.send_json({"room": ws.params["room"], "q": ws.query.get("q"),
                            "cookie": ws.headers.get("cookie")})
        try:
            async for message in ws:
                await ws.send(message)
        except WebSocketDisconnect as exc:
            closed.append(exc.code)
        closed.append(ws.close_code)

    @app.websocket("/bye")
    async def bye(ws):
        await ws.accept()
        await ws.send_text("leaving")
        await ws.close(4001, "done")

    @app.websocket("/private")
    async def private(ws):
        await ws.close()  # before accepting: refused

    app.closed = closed
    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(build(), cookies={"sid": "s1"}) as c:
        yield c


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536, 300_000])
def test_messages_both_ways(client, size):
    with client.websocket_connect("/echo/lobby", ["chat"], params={"q": "x"}) as ws:
        assert ws.subprotocol == "chat"
        assert ws.receive_json() == {"room": "lobby", "q": "x", "cookie": "sid=s1"}
        ws.send_text("é" * size)
        assert ws.receive_text() == "é" * size
        ws.send_bytes(bytes(range(256)) * (size // 256) + b"\x00" * (size % 256))
        assert len(ws.receive_bytes()) == size
        ws.send_json({"n": size})
        assert ws.receive_json() == {"n": size}


def test_type_checks_and_no_subprotocol(client):
    with client.websocket_connect("/echo/a") as ws:
        assert ws.subprotocol is None
        ws.receive()
        ws.send_bytes(b"b")
        with pytest.raises(TypeError, match="binary"):
            ws.receive_text()


def test_server_close_code(client):
    with client.websocket_connect("/bye") as ws:
        assert ws.receive_text() == "leaving"
        with pytest.raises(WebSocketDisconnect) as err:
            ws.receive()
        assert err.value.code == 4001 and ws.close_code == 4001


def test_refused_handshake(client):
    with pytest.raises(WebSocketRefused) as err:
        client.websocket_connect("/private")
    assert isinstance(err.value, WebSocketDisconnect) and err.value.status == 403
    with pytest.raises(WebSocketRefused) as err:
        client.websocket_connect("/nowhere")
    assert err.value.status == 404


def test_client_close_reaches_the_handler():
    app = build()
    with TestClient(app) as c:
        ws = c.websocket_connect("/echo/z")
        ws.receive_json()
        ws.close(1000)
        left = c.websocket_connect("/echo/y")  # closed by the client's close
    assert app.closed[0] == 1000 and left.close_code is not None

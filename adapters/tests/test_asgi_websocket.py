"""lapwise.asgi's ``websocket`` scope: a raw ASGI app (connect, accept with subprotocol and
headers, receive/send text and bytes, close codes both ways, refusal -> 403, the
websocket.http.response extension, errors), a Starlette WebSocketEndpoint and a FastAPI
``@app.websocket`` route, driven by Debian's ``websockets`` client on both transports; plus the
message limit (1009), fragments, a vanished client (1006) and the server stopping (1001)."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from lapwise import _native_status, asgi
from asgi_transports import TRANSPORTS
from lifespan_support import complete_lifespan
from ws_support import HANDSHAKE, Seen, closed_by_server, closed_by_stopping, run, url, vanish

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)
websockets = pytest.importorskip("websockets")
starlette_endpoints = pytest.importorskip("starlette.endpoints")
fastapi = pytest.importorskip("fastapi")


def raw_app(log: Seen) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await complete_lifespan(receive, send)
            return
        assert scope["type"] == "websocket"
        assert (await receive()) == {"type": "websocket.connect"}
        path = scope["path"]
        if path == "/refuse":
            await send({"type": "websocket.close"})
            return
        if path == "/http":
            await send({"type": "websocket.http.response.start", "status": 401,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "websocket.http.response.body", "body": b"not you", "more_body": True})
            await send({"type": "websocket.http.response.body", "body": b"!"})
            return
        if path == "/before":
            raise ValueError("before the accept")
        assert scope["client"][0] == "127.0.0.1" and "method" not in scope
        sub = "b" if "b" in scope["subprotocols"] else None
        scheme = scope["scheme"].encode()
        await send({"type": "websocket.accept", "subprotocol": sub, "headers": [(b"x-scope", scheme)]})
        if path == "/after":
            raise ValueError("after the accept")
        while True:
            msg = await receive()
            if msg["type"] == "websocket.disconnect":
                log.add((path, "disconnect", msg["code"]))
                return
            if msg["text"] == "close":
                await send({"type": "websocket.close", "code": 4002, "reason": "asked"})
            elif msg["text"] is not None:
                await send({"type": "websocket.send", "text": f"{scope['query_string'].decode()}|{msg['text']}"})
            else:
                await send({"type": "websocket.send", "bytes": msg["bytes"]})

    return app


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute

    class Echo(starlette_endpoints.WebSocketEndpoint):
        encoding = "text"

        async def on_receive(self, websocket: Any, data: str) -> None:
            await websocket.send_text("starlette:" + data)

    return Starlette(routes=[WebSocketRoute("/ws", Echo)])


def fastapi_app() -> Any:
    app = fastapi.FastAPI()

    @app.websocket("/items/{item_id}")
    async def items(websocket: fastapi.WebSocket, item_id: int, q: str = "") -> None:
        await websocket.accept()
        try:
            while True:
                data = await websocket.receive_json()
                await websocket.send_json({"item_id": item_id, "q": q, "data": data})
        except fastapi.WebSocketDisconnect:
            pass

    return app


@pytest.fixture(params=TRANSPORTS, scope="module")
def served(request: pytest.FixtureRequest) -> Any:
    log = Seen()
    with asgi.serve(raw_app(log), port=0, websocket_max_message=1 << 16, **TRANSPORTS[request.param]) as srv:
        yield srv, log


@pytest.mark.parametrize("compression", [None, "deflate"])
def test_echo_subprotocol_headers(served: Any, compression: str | None) -> None:
    srv, _ = served

    async def go() -> None:
        async with websockets.connect(url(srv, "/echo?a=1"), subprotocols=["a", "b"], compression=compression) as c:
            assert c.subprotocol == "b"
            assert c.response_headers["x-scope"] == "ws"
            await c.send("hi")
            assert await c.recv() == "a=1|hi"
            await c.send(b"\x01" * 5000)
            assert await c.recv() == b"\x01" * 5000
            await c.send(["frag", "ments"])
            assert await c.recv() == "a=1|fragments"

    run(go())


def test_close_codes_both_ways(served: Any) -> None:
    srv, log = served

    assert closed_by_server(srv, "/server-closes", "close") == (4002, "asked")

    async def client_closes() -> None:
        c = await websockets.connect(url(srv, "/client-closes"))
        await c.close(4003, "bye")

    run(client_closes())
    assert log.wait_for(("/server-closes", "disconnect", 4002))
    assert log.wait_for(("/client-closes", "disconnect", 4003))


def test_refusals_and_http_response(served: Any) -> None:
    srv, _ = served

    async def status(path: str) -> tuple[int, bytes]:
        with pytest.raises(websockets.InvalidStatusCode) as err:
            await websockets.connect(url(srv, path))
        return err.value.status_code, b""

    assert run(status("/refuse"))[0] == 403
    assert run(status("/before"))[0] == 500
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /http HTTP/1.1\r\nHost: x\r\n" + HANDSHAKE)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 401 ")
    assert data.endswith(b"\r\n\r\nnot you!")


def test_error_after_accept_closes_1011(served: Any) -> None:
    srv, _ = served

    assert closed_by_server(srv, "/after")[0] == 1011


def test_message_over_the_limit_closes_1009(served: Any) -> None:
    srv, log = served

    assert closed_by_server(srv, "/big", b"x" * ((1 << 16) + 1))[0] == 1009
    assert log.wait_for(("/big", "disconnect", 1009))


def test_client_vanishing_is_disconnect_1006(served: Any) -> None:
    srv, log = served
    vanish(srv, "/vanish")
    assert log.wait_for(("/vanish", "disconnect", 1006))


@pytest.mark.parametrize("io", TRANSPORTS)
def test_starlette_endpoint_and_fastapi_route(io: str) -> None:
    async def go(sport: int, fport: int) -> None:
        async with websockets.connect(f"ws://127.0.0.1:{sport}/ws") as c:
            await c.send("hi")
            assert await c.recv() == "starlette:hi"
        with pytest.raises(websockets.InvalidStatusCode) as err:
            await websockets.connect(f"ws://127.0.0.1:{sport}/missing")
        assert err.value.status_code == 403
        async with websockets.connect(f"ws://127.0.0.1:{fport}/items/7?q=x") as c:
            await c.send('{"n": 1}')
            assert json.loads(await c.recv()) == {"item_id": 7, "q": "x", "data": {"n": 1}}

    with asgi.serve(starlette_app(), port=0, **TRANSPORTS[io]) as s, \
            asgi.serve(fastapi_app(), port=0, **TRANSPORTS[io]) as f:
        run(go(s.port, f.port))


def test_stop_sends_1001_and_the_app_hears_it() -> None:
    log = Seen()
    srv = asgi.serve(raw_app(log), port=0)

    try:
        assert closed_by_stopping(srv, "/stopping", echoed=True) == (1001, "server stopping")
        assert log.wait_for(("/stopping", "disconnect", 1001))
    finally:
        srv.stop()

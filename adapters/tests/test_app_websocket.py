"""lapwise.App WebSocket routes (@app.websocket), driven by Debian's `websockets` client on both
transports: echo, path parameters, fragmented and large messages, the message limit (1009),
close codes both ways, subprotocols, refusals (403, 426), a client that vanishes, back-pressure
and the server stopping (1001)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from typing import Any

import pytest

from lapwise import App, _native_status
from lapwise._app_websocket import WebSocket, WebSocketDisconnect
from ws_support import HANDSHAKE, Seen, closed_by_server, closed_by_stopping, run, url, vanish

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)
websockets = pytest.importorskip("websockets")

TRANSPORTS = ["epoll", "asio"]


def make_app(seen: Seen) -> App:
    app = App()

    @app.websocket("/echo/{name}")
    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        async for message in ws:
            if isinstance(message, str):
                await ws.send_text(f"{ws.params['name']}:{message}")
            else:
                await ws.send_bytes(message)
        seen.add(("echo ended", ws.close_code))

    @app.websocket("/json")
    async def json_echo(ws: WebSocket) -> None:
        await ws.accept()
        value = await ws.receive_json()
        await ws.send_json({"got": value, "q": ws.query.get("q")})

    @app.websocket("/close")
    async def closer(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive_text()
        ws.close(4000, "bye")

    @app.websocket("/hold")
    async def hold(ws: WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                await ws.receive()
        except WebSocketDisconnect as exc:
            seen.add(("hold ended", exc.code))
            raise

    @app.websocket("/refuse")
    async def refuse(ws: WebSocket) -> None:
        ws.close()

    @app.websocket("/proto")
    async def proto(ws: WebSocket) -> None:
        await ws.accept(subprotocol="two" if "two" in ws.subprotocols else None, headers={"X-Chosen": "yes"})
        await ws.send_text(f"{ws.subprotocol}")

    @app.websocket("/flood/{count:int}")
    async def flood(ws: WebSocket) -> None:
        await ws.accept()
        block = b"x" * 16384
        for i in range(ws.params["count"]):
            await ws.send_bytes(i.to_bytes(4, "big") + block)
            seen.add(("sent", i))
        await ws.send_text("done")

    @app.websocket("/boom")
    async def boom(ws: WebSocket) -> None:
        await ws.accept()
        raise ValueError("handler exploded")

    return app


@pytest.fixture(params=TRANSPORTS, scope="module")
def served(request: pytest.FixtureRequest) -> Any:
    seen = Seen()
    with make_app(seen).serve(port=0, io=request.param, websocket_max_message=1 << 20,
                              max_output=64 << 10) as srv:
        yield srv, seen


@pytest.mark.parametrize("compression", [None, "deflate"])
def test_echo_text_binary_and_large(served: Any, compression: str | None) -> None:
    srv, _ = served

    async def go() -> None:
        async with websockets.connect(url(srv, "/echo/bob"), compression=compression, max_size=None) as c:
            await c.send("hi")
            assert await c.recv() == "bob:hi"
            await c.send(b"\x00\xff")
            assert await c.recv() == b"\x00\xff"
            big = bytes(range(256)) * 3000  # 768 KB: over max_output, under the message limit
            await c.send(big)
            assert await c.recv() == big

    run(go())


def test_fragmented_message_is_reassembled(served: Any) -> None:
    srv, _ = served

    async def go() -> None:
        async with websockets.connect(url(srv, "/echo/f")) as c:
            await c.send(["par", "tial", " text"])  # three frames: text + continuations
            assert await c.recv() == "f:partial text"
            await c.send([b"ab", b"cd"])
            assert await c.recv() == b"abcd"

    run(go())


def test_json_and_query(served: Any) -> None:
    srv, _ = served

    async def go() -> None:
        async with websockets.connect(url(srv, "/json?q=7")) as c:
            await c.send('{"a": [1, 2]}')
            assert await c.recv() == '{"got":{"a":[1,2]},"q":"7"}'

    run(go())


def test_message_over_the_limit_closes_1009(served: Any) -> None:
    srv, _ = served

    assert closed_by_server(srv, "/echo/big", b"x" * ((1 << 20) + 1))[0] == 1009


def test_close_codes_both_ways(served: Any) -> None:
    srv, seen = served

    assert closed_by_server(srv, "/close", "go") == (4000, "bye")

    async def client_closes() -> None:
        c = await websockets.connect(url(srv, "/hold"))
        await c.close(4001, "client leaving")

    run(client_closes())
    assert seen.wait_for(("hold ended", 4001))


def test_refusals(served: Any) -> None:
    srv, _ = served

    async def refused() -> int:
        with pytest.raises(websockets.InvalidStatusCode) as err:
            await websockets.connect(url(srv, "/refuse"))
        return err.value.status_code

    assert run(refused()) == 403
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/echo/x", timeout=10)
    assert err.value.code == 426


def test_subprotocol_and_headers(served: Any) -> None:
    srv, _ = served

    async def go() -> tuple[str | None, str, str | None]:
        async with websockets.connect(url(srv, "/proto"), subprotocols=["one", "two"]) as c:
            return c.subprotocol, await c.recv(), c.response_headers.get("X-Chosen")

    assert run(go()) == ("two", "two", "yes")


def test_handler_error_closes_1011(served: Any) -> None:
    srv, _ = served

    assert closed_by_server(srv, "/boom")[0] == 1011


def test_client_vanishing_is_reported_1006(served: Any) -> None:
    srv, seen = served
    before = seen.count(("hold ended", 1006))
    vanish(srv, "/hold")
    assert seen.wait_until(lambda: seen.items.count(("hold ended", 1006)) > before)


def read_frames(s: socket.socket, until: bytes) -> list[bytes]:
    """Server frames (unmasked, unfragmented) from `s` until a text frame equal to `until`."""
    data, frames = b"", []
    while True:
        while len(data) < 4 or len(data) < frame_end(data):
            chunk = s.recv(1 << 20)
            assert chunk, "closed early"
            data += chunk
        end = frame_end(data)
        start = end - payload_length(data)
        frames.append(data[start:end])
        data = data[end:]
        if frames[-1] == until:
            return frames


def payload_length(data: bytes) -> int:
    n = data[1] & 0x7F
    return int.from_bytes(data[2:4], "big") if n == 126 else int.from_bytes(data[2:10], "big") if n == 127 else n


def frame_end(data: bytes) -> int:
    n = data[1] & 0x7F
    if n == 127 and len(data) < 10:
        return 10
    return (2 if n < 126 else 4 if n == 126 else 10) + payload_length(data)


def test_back_pressure_holds_the_sender(served: Any) -> None:
    srv, seen = served
    count = 1000  # 16 MB: more than the socket buffers (a small receive buffer) and max_output
    with seen.changed:
        seen.items = [i for i in seen.items if not (isinstance(i, tuple) and i[0] == "sent")]
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.settimeout(20)
        s.connect(("127.0.0.1", srv.port))
        s.sendall(f"GET /flood/{count} HTTP/1.1\r\nHost: x\r\n".encode() + HANDSHAKE)
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        assert head.startswith(b"HTTP/1.1 101 ")
        with seen.changed:  # the handler runs until the bound stops it
            seen.changed.wait_for(lambda: ("sent", 100) in seen.items, 10)
            waited = not seen.changed.wait_for(lambda: ("sent", count - 1) in seen.items, 0.5)
        frames = read_frames(s, b"done")
    assert waited  # nothing was read: the handler waited for room
    assert [int.from_bytes(f[:4], "big") for f in frames[:-1]] == list(range(count))


def test_stop_sends_1001_and_the_handler_hears_it() -> None:
    seen = Seen()
    srv = make_app(seen).serve(port=0)

    try:
        assert closed_by_stopping(srv, "/hold") == (1001, "server stopping")
        assert seen.wait_for(("hold ended", 1001))
    finally:
        srv.stop()


def test_protocol_error_after_a_message_closes_1002_after_its_echo(served: Any) -> None:
    srv, _ = served
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /echo/e HTTP/1.1\r\nHost: x\r\n" + HANDSHAKE)
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        assert head.startswith(b"HTTP/1.1 101 ")
        # A masked text frame "ok", then an unmasked one (a protocol error), in one write.
        s.sendall(b"\x81\x82\x00\x00\x00\x00ok" + b"\x81\x01x")
        frames = read_frames(s, b"\x03\xeaclient frame not masked")
    assert frames == [b"e:ok", b"\x03\xeaclient frame not masked"]  # the echo, then Close 1002

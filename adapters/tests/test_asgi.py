"""lapwise.asgi: a raw ASGI 3 app (the scope in full, receive/send, lifespan, errors) on the
native server, on both transports. One server per transport for the module, on a free port."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket
import time

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from asgi_transports import TRANSPORTS  # noqa: E402
from lapwise import asgi  # noqa: E402

events: list[str] = []


async def raw_app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            events.append(msg["type"])
            if msg["type"] == "lifespan.startup":
                scope["state"]["greeting"] = "hi"
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/boom":
        raise ValueError("app exploded")
    if path == "/silent":
        return
    if path == "/after-response":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})
        events.append((await receive())["type"])  # the body message, then the disconnect
        events.append((await receive())["type"])
        return
    if path == "/hold":  # answers only after the client is gone
        events.append((await receive())["type"])
        events.append((await receive())["type"])
        events.append("hold answered")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"late"})
        return
    body = b""
    more = True
    while more:
        msg = await receive()
        assert msg["type"] == "http.request"
        body += msg["body"]
        more = msg["more_body"]
    if path == "/big-stream":  # 64 parts of 64 KiB through a 64 KiB output bound
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(64):
            await send({"type": "http.response.body", "body": bytes([97 + i % 26]) * 65536, "more_body": True})
        await send({"type": "http.response.body", "body": b"end"})
        return
    if path == "/forever":  # streams until the client is gone
        await send({"type": "http.response.start", "status": 200, "headers": []})
        disconnected = asyncio.ensure_future(receive())
        while True:
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})
            if disconnected.done() and disconnected.result()["type"] == "http.disconnect":
                events.append("stream saw disconnect")
                return
    if path == "/chunks":
        await send({"type": "http.response.start", "status": 201,
                    "headers": [(b"content-type", b"text/plain"), (b"set-cookie", b"a=1"),
                                (b"set-cookie", b"b=2"), (b"content-length", b"999")]})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    seen = {k: v for k, v in scope.items() if k not in ("headers", "state")}
    seen = {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in seen.items()}
    seen["headers"] = [[n.decode("latin-1"), v.decode("latin-1")] for n, v in scope["headers"]]
    seen["state"] = scope.get("state")
    seen["body"] = body.decode("latin-1")
    out = json.dumps(seen).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": out})


@pytest.fixture(scope="module", params=list(TRANSPORTS))
def server(request):
    events.clear()
    srv = asgi.serve(raw_app, port=0, root_path="/mnt", max_output=65536, **TRANSPORTS[request.param])
    yield srv
    srv.stop()
    assert events[-1] == "lifespan.shutdown"


def fetch(srv, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.getheaders(), res.read()
    finally:
        conn.close()


def test_scope_in_full(server):
    status, _, body = fetch(server, "POST", "/a%20b/c?x=1&x=2", b"payload",
                            {"X-One": "1", "x-two": "a", "X-Two": "b"})
    assert status == 200
    s = json.loads(body)
    assert s["type"] == "http"
    assert s["asgi"] == {"version": "3.0", "spec_version": "2.3"}
    assert s["http_version"] == "1.1"
    assert s["method"] == "POST"
    assert s["scheme"] == "http"
    assert s["path"] == "/a b/c"
    assert s["raw_path"] == "/a%20b/c"
    assert s["query_string"] == "x=1&x=2"
    assert s["root_path"] == "/mnt"
    assert s["server"] == [server.host, server.port]
    assert s["client"][0] == "127.0.0.1" and 0 < s["client"][1] < 65536
    assert s["state"] == {"greeting": "hi"}
    assert s["body"] == "payload"
    names = [n for n, _ in s["headers"]]
    assert names == [n.lower() for n in names]
    assert ["x-two", "a"] in s["headers"] and ["x-two", "b"] in s["headers"]  # repeated, in order
    assert ["x-one", "1"] in s["headers"]


def test_http_10_and_head(server):
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /x HTTP/1.0\r\nHost: a\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert json.loads(data.split(b"\r\n\r\n", 1)[1])["http_version"] == "1.0"
    status, _, body = fetch(server, "HEAD", "/x")
    assert status == 200 and body == b""


def test_streamed_body_messages_and_headers(server):
    status, headers, body = fetch(server, "GET", "/chunks")
    assert status == 201
    assert body == b"one two three"
    assert [v for n, v in headers if n.lower() == "set-cookie"] == ["a=1", "b=2"]
    # Streamed: chunked, and the app's (wrong) Content-Length is not passed on.
    assert [v for n, v in headers if n.lower() == "content-length"] == []
    assert [v for n, v in headers if n.lower() == "transfer-encoding"] == ["chunked"]
    assert dict((n.lower(), v) for n, v in headers)["content-type"] == "text/plain"


def test_no_content_type_unless_the_app_sends_one(server):
    status, headers, body = fetch(server, "GET", "/after-response")
    assert status == 200 and body == b"done"
    assert "content-type" not in {n.lower() for n, _ in headers}


def test_receive_after_the_response_is_a_disconnect(server):
    events.clear()
    fetch(server, "GET", "/after-response")
    for _ in range(100):  # the task ends on the loop thread, after the response left
        if len(events) == 2:
            break
        time.sleep(0.01)
    assert events == ["http.request", "http.disconnect"]


def test_app_errors_are_500(server, caplog):
    with caplog.at_level(logging.ERROR, logger="lapwise.asgi"):
        assert fetch(server, "GET", "/boom")[0] == 500
        assert fetch(server, "GET", "/silent")[0] == 500
    assert "ValueError" in caplog.text


def test_every_method_and_path_reaches_the_app(server):
    for method in asgi.METHODS:
        status, _, body = fetch(server, method, "/")
        assert status == 200, method
        if method != "HEAD":
            assert json.loads(body)["method"] == method


async def failing_startup(scope, receive, send):
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "no database"})


def test_failing_startup_stops_the_server_with_the_apps_error():
    with pytest.raises(asgi.LifespanError, match="no database"):
        asgi.serve(failing_startup, port=0)


async def no_lifespan(scope, receive, send):
    if scope["type"] != "http":
        raise RuntimeError("only http")
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body"})


@pytest.mark.parametrize("options, env, drives", [
    ({}, "", True),
    ({"io": "epoll"}, "asio", True),  # asked for by name: the environment does not matter
    ({"io": "auto"}, "asio", False),  # the core resolves auto to asio here: an io thread
    ({}, "asio", False),
    ({"io": "asio"}, "", False),
    ({"threads": 2}, "", False),
    ({"loop_drives": False}, "", False),
])
def test_the_loop_drives_the_server_with_one_epoll_thread(options, env, drives, monkeypatch):
    monkeypatch.setenv("LAPWISE_SERVER_IO", env)
    with asgi.serve(no_lifespan, port=0, **options) as srv:
        assert (srv._native.poll_fd >= 0) is drives  # the epoll descriptor the loop watches
        assert fetch(srv, "GET", "/x")[0] == 204


def test_an_app_without_lifespan_still_serves():
    with asgi.serve(no_lifespan, port=0) as srv:
        assert fetch(srv, "GET", "/")[0] == 204


def wait_for(event: str) -> None:
    for _ in range(500):  # bounded: at most ~5 s
        if event in events:
            return
        time.sleep(0.01)


def test_a_streamed_response_under_back_pressure(server):
    status, headers, body = fetch(server, "GET", "/big-stream")
    assert status == 200
    assert headers and dict((n.lower(), v) for n, v in headers)["transfer-encoding"] == "chunked"
    assert body == b"".join(bytes([97 + i % 26]) * 65536 for i in range(64)) + b"end"


def test_a_stream_learns_its_client_left(server):
    events.clear()
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /forever HTTP/1.1\r\nHost: a\r\n\r\n")
        assert sock.recv(65536)  # it streams
    wait_for("stream saw disconnect")
    assert "stream saw disconnect" in events


def test_a_held_request_learns_its_client_left(server):
    events.clear()
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
        for _ in range(500):
            if events:
                break
            time.sleep(0.01)
    wait_for("hold answered")
    assert events == ["http.request", "http.disconnect", "hold answered"]
    assert fetch(server, "GET", "/x")[0] == 200  # the server goes on


def test_sync_code_run_in_anyios_threadpool_reuses_its_worker_threads():
    # Starlette and FastAPI run sync endpoints and dependencies in anyio's thread pool, whose
    # workers live as long as the loop's root task: one worker serves request after request.
    anyio = pytest.importorskip("anyio")
    import threading

    idents = []

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        idents.append(await anyio.to_thread.run_sync(threading.get_native_id))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with asgi.serve(app, port=0, lifespan_timeout=2) as srv:
        for _ in range(5):
            assert fetch(srv, "GET", "/")[0] == 200
    assert len(set(idents)) == 1, idents

"""lapwise.App over the native server: decorators, request attributes, return types, sync and
async handlers, errors, const routes. One server for the module, on a free loopback port."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket

import pytest

from lapwise import _native_status
from lapwise.app import App, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

kept: list = []


def build() -> App:
    app = App(server_name="test-app")

    @app.get("/users/{id:int}")
    def user(req):
        return {"id": req.params["id"], "q": req.query.get("q"), "method": req.method}

    @app.get("/files/{rest:path}")
    def files(req):
        return {"rest": req.params["rest"], "path": req.path, "qs": req.query_string}

    @app.route("/echo", methods=["POST", "PUT"])
    def echo(req):
        return Response(201, {"Content-Type": req.headers.get("content-type", "x/y"), "X-Len": str(len(req.body))},
                        req.body)

    @app.post("/json")
    def parse(req):
        return [req.json(), req.headers.get("x-many")]

    @app.get("/text")
    def text(req):
        return "héllo"

    @app.get("/bytes")
    def raw(req):
        return b"\x00\x01"

    @app.get("/empty")
    def empty(req):
        return Response(204)

    @app.get("/boom")
    def boom(req):
        raise ValueError("handler exploded")

    @app.get("/bad-return")
    def bad_return(req):
        return object()

    @app.get("/bad-header")
    def bad_header(req):
        return Response(200, {"X-Evil": "a\r\nInjected: 1"}, "x")

    @app.get("/async/{n:int}")
    async def slow(req):
        n = req.params["n"]
        await asyncio.sleep(0.01)
        return {"n": n}

    @app.get("/async-boom")
    async def async_boom(req):
        await asyncio.sleep(0)
        raise KeyError("async exploded")

    @app.get("/keep")
    def keep(req):
        kept.append(req)
        return "kept"

    @app.get("/late")
    def late(req):
        kept.append(req)
        return "late"

    app.const("/plaintext", "Hello, World!", content_type="text/plain")
    app.const("/const-json", {"message": "Hello"}, headers={"X-Const": "1"})
    return app


@pytest.fixture(scope="module")
def srv():
    with build().serve(port=0, threads=2) as running:
        yield running


def call(srv, method, target, body=None, headers=None, conn=None):
    c = conn or http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    c.request(method, target, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r, data


CASES = [
    # (method, target, body, headers, status, content type, expected body)
    ("GET", "/users/42?q=a%20b&q=second", None, {}, 200, "application/json",
     {"id": 42, "q": "a b", "method": "GET"}),
    ("GET", "/users/7", None, {}, 200, "application/json", {"id": 7, "q": None, "method": "GET"}),
    ("GET", "/files/a%2Fb/c%C3%A9?x=1", None, {}, 200, "application/json",
     {"rest": "a/b/cé", "path": "/files/a/b/cé", "qs": "x=1"}),
    ("POST", "/echo", b"\x00abc", {"Content-Type": "application/x-thing"}, 201, "application/x-thing",
     b"\x00abc"),
    ("PUT", "/echo", b"", {}, 201, "x/y", b""),
    ("POST", "/json", b'{"a":[1,2.5,null]}', {}, 200, "application/json", [{"a": [1, 2.5, None]}, None]),
    ("GET", "/text", None, {}, 200, "text/plain", "héllo".encode()),
    ("GET", "/bytes", None, {}, 200, "application/octet-stream", b"\x00\x01"),
    ("GET", "/async/5", None, {}, 200, "application/json", {"n": 5}),
    ("GET", "/plaintext", None, {}, 200, "text/plain", b"Hello, World!"),
    ("GET", "/const-json", None, {}, 200, "application/json", {"message": "Hello"}),
    ("GET", "/users/x", None, {}, 404, "text/plain", b"Not Found"),
    ("DELETE", "/users/1", None, {}, 405, "text/plain", b"Method Not Allowed"),
]


@pytest.mark.parametrize("method,target,body,headers,status,ctype,expected", CASES,
                         ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_routes(srv, method, target, body, headers, status, ctype, expected):
    r, data = call(srv, method, target, body, headers)
    assert r.status == status
    assert r.headers.get_content_type() == ctype
    assert r.headers["Server"] == "test-app" and r.headers["Date"]
    if isinstance(expected, (dict, list)):
        assert json.loads(data) == expected
    else:
        assert data == expected


def test_response_headers_and_204(srv):
    r, data = call(srv, "POST", "/echo", b"12345")
    assert r.headers["X-Len"] == "5"
    r, data = call(srv, "GET", "/empty")
    assert r.status == 204 and data == b"" and r.headers.get("Content-Length") is None
    r, _ = call(srv, "GET", "/const-json")
    assert r.headers["X-Const"] == "1"
    r, _ = call(srv, "DELETE", "/users/1")
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"  # HEAD from GET; OPTIONS for every route


def test_repeated_headers_are_joined(srv):
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    conn.putrequest("POST", "/json")
    conn.putheader("X-Many", "a")
    conn.putheader("x-many", "b")
    conn.putheader("Content-Length", "2")
    conn.endheaders(b"{}")
    r = conn.getresponse()
    assert json.loads(r.read()) == [{}, "a, b"]
    conn.close()


@pytest.mark.parametrize("target,where,traceback", [
    ("/boom", "ValueError: handler exploded", True),
    ("/bad-return", "expected dict, list, str, bytes or Response", False),  # raised in C:
    ("/bad-header", "CR, LF and NUL", False),                               # no Python frames
    ("/async-boom", "KeyError: 'async exploded'", True)])
def test_errors_are_500_logged_and_the_server_survives(srv, caplog, target, where, traceback):
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    with caplog.at_level(logging.ERROR, logger="lapwise.app"):
        r, data = call(srv, "GET", target, conn=conn)
        assert r.status == 500 and data == b"Internal Server Error"
        r, data = call(srv, "GET", "/users/1", conn=conn)  # same connection still serves
        assert r.status == 200
    conn.close()
    text = "\n".join(rec.getMessage() + "\n" + (logging.Formatter().formatException(rec.exc_info)
                                                if rec.exc_info else "") for rec in caplog.records)
    assert where in text, text
    assert ("Traceback" in text) == traceback, text


def test_request_kept_past_its_answer_still_reads(srv):
    kept.clear()
    call(srv, "GET", "/keep?x=1")
    req = kept[0]
    assert (req.method, req.path, req.query) == ("GET", "/keep", {"x": "1"})
    assert req.body == b""


def test_pipelined_requests_in_order(srv):
    s = socket.create_connection((srv.host, srv.port), timeout=10)
    reqs = b"".join(b"GET /users/%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(20))
    s.sendall(reqs + b"GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    ids = [json.loads(part.split(b"\r\n\r\n", 1)[1].split(b"HTTP/1.1")[0])["id"]
           for part in data.split(b"HTTP/1.1 200 OK")[1:-1]]
    assert ids == list(range(20))
    assert data.endswith(b"Hello, World!")


def test_conflicting_routes_are_rejected_at_start():
    app = App()
    app.get("/a/{x}")(lambda req: "x")
    app.get("/a/{y}")(lambda req: "y")
    with pytest.raises(ValueError, match="conflict|/a/"):
        app.serve(port=0)


def test_bad_return_types_for_const():
    with pytest.raises(TypeError):
        App().const("/x", 3.5)


def test_serve_context_manager_stops_and_frees_the_port():
    app = App()
    app.get("/x")(lambda req: "x")
    with app.serve(port=0) as running:
        port = running.port
        r, data = call(running, "GET", "/x")
        assert data == b"x"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


@pytest.mark.parametrize("io", ["epoll", "asio"])
def test_head_is_answered_by_the_get_route_without_a_body(io):
    app = App()
    seen = []

    @app.get("/big")
    def big(req):
        seen.append(req.method)
        return "x" * 100_000  # sent apart from its head for a GET

    app.get("/small")(lambda req: {"a": 1})
    app.const("/const", "Hello, World!")
    app.route("/own", ("GET", "HEAD"))(lambda req: Response(200, {"X-Own": req.method}, "own"))
    app.post("/post-only")(lambda req: "p")
    with app.serve(port=0, io=io) as running:
        conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
        for target, length in (("/big", 100_000), ("/small", 7), ("/const", 13), ("/own", 3)):
            conn.request("GET", target)
            r = conn.getresponse()
            assert len(r.read()) == length
            conn.request("HEAD", target)  # same connection: no stray body in between
            r = conn.getresponse()
            assert r.status == 200 and r.getheader("Content-Length") == str(length)
            assert r.read() == b""
        assert seen == ["GET", "HEAD"]
        conn.request("HEAD", "/own")
        r = conn.getresponse()
        assert r.getheader("X-Own") == "HEAD"
        r.read()
        conn.request("HEAD", "/post-only")  # no GET route: still 405
        r = conn.getresponse()
        assert r.status == 405
        r.read()
        conn.request("OPTIONS", "/small")
        r = conn.getresponse()
        assert r.getheader("Allow") == "GET, HEAD, OPTIONS"
        r.read()
        conn.close()


def test_async_handlers_reuse_anyios_worker_threads():
    # anyio's thread pool (what run_in_threadpool uses) keeps its workers while the loop's root
    # task lives: one worker serves call after call instead of a new thread each.
    anyio = pytest.importorskip("anyio")
    import threading

    app = App()
    idents = []

    @app.get("/t")
    async def t(req):
        idents.append(await anyio.to_thread.run_sync(threading.get_native_id))
        return "ok"

    with app.serve(port=0) as running:
        for _ in range(5):
            assert call(running, "GET", "/t")[1] == b"ok"
    assert len(set(idents)) == 1, idents

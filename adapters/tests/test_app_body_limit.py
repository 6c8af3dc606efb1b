"""A route's own body limit (``route(max_body=)``, also on post/put/patch): over it, 413 before
the handler runs, by Content-Length or as a chunked body crosses it, for def, async def and
``stream=True`` routes; larger than the server's ``max_body`` it lets a larger body through,
and routes without one keep the server's."""

from __future__ import annotations

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App, Blueprint, BodyError  # noqa: E402

from http_fetch import fetch, raw_exchange  # noqa: E402

SERVER_LIMIT = 1000


def _app(calls):
    app = App()

    @app.post("/small", max_body=10)
    def small(req):
        calls.append("small")
        return {"got": len(req.body)}

    @app.put("/large", max_body=10_000)
    async def large(req):
        calls.append("large")
        return {"got": len(req.body)}

    @app.post("/plain")
    def plain(req):
        calls.append("plain")
        return {"got": len(req.body)}

    @app.route("/streamed", ("POST", "PATCH"), stream=True, max_body=100)
    def streamed(req):
        calls.append("streamed")
        try:
            return {"got": sum(len(piece) for piece in req.stream())}
        except BodyError as exc:
            return {"error": exc.status}, exc.status

    bp = Blueprint("files")

    @bp.patch("/up", max_body=5)
    def up(req):
        calls.append("up")
        return {"got": len(req.body)}

    app.register_blueprint(bp, url_prefix="/files")
    return app


def _chunked(method, path, size):
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                      for part in (b"c" * 7 for _ in range(size // 7)))
    if size % 7:
        chunks += b"%x\r\n%s\r\n" % (size % 7, b"c" * (size % 7))
    head = f"{method} {path} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    return head.encode() + chunks + b"0\r\n\r\n"


@pytest.mark.parametrize("method,path,size,status", [
    ("POST", "/small", 10, 200),
    ("POST", "/small", 11, 413),
    ("PUT", "/large", 5000, 200),  # over the server's limit, within the route's
    ("PUT", "/large", 10_001, 413),
    ("POST", "/plain", 1000, 200),
    ("POST", "/plain", 1001, 413),
    ("POST", "/streamed", 100, 200),
    ("PATCH", "/streamed", 101, 413),
    ("PATCH", "/files/up", 5, 200),
    ("PATCH", "/files/up", 6, 413),
    ("POST", "/nowhere", 1001, 413),  # no route: the server's limit
])
@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_each_route_holds_its_own_limit(method, path, size, status, framing):
    calls = []
    with _app(calls).serve(port=0, max_body=SERVER_LIMIT) as srv:
        if framing == "length":
            got, _, body = fetch(srv, method, path, b"x" * size)
        else:
            answer = raw_exchange(srv, _chunked(method, path, size))
            got, body = int(answer[9:12]), answer.partition(b"\r\n\r\n")[2]
            body = body.split(b"\r\n")[1] if b"chunked" in answer.partition(b"\r\n\r\n")[0] else body
        assert got == status
        if status == 200:
            assert body == b'{"got":%d}' % size
        elif framing == "length" or path != "/streamed":
            assert calls == []  # refused before any handler ran


def test_a_bad_limit_is_refused():
    app = App()
    for bad in (0, -1, 1.5, True, "10"):
        with pytest.raises(ValueError, match="max_body"):
            app.post("/x", max_body=bad)

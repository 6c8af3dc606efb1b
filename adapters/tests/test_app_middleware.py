"""@app.middleware: order, short-circuit, a changed result, errors through the error
handlers, sync and async routes, what it sees of HEAD/OPTIONS/404/405, WebSocket routes left
alone, one middleware of either kind around both kinds of route, and no wrapping at all without
middleware. test_app_bridge has the table of kinds."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from lapwise import _native_status
from lapwise.app import App, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def call(url, method="GET"):
    """(status, headers, body) of one request, error statuses included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def sync_app(seen):
    app = App()

    @app.middleware
    def outer(req, call_next):
        seen.append(("outer", req.method, req.path))
        if req.query.get("deny"):
            return Response(403, None, {"denied": req.path})  # call_next is never called
        out = call_next(req)
        return Response(201, None, out) if isinstance(out, dict) else out

    @app.middleware
    def inner(req, call_next):
        seen.append(("inner", req.method, req.path))
        out = call_next(req)
        return {**out, "inner": True} if isinstance(out, dict) else out

    @app.before_request
    def before(req):
        seen.append(("before", req.method, req.path))

    @app.get("/thing")
    def thing(req):
        seen.append(("handler", req.method, req.path))
        return {"thing": 1}

    @app.get("/boom")
    def boom(req):
        raise ValueError("boom")

    @app.errorhandler(ValueError)
    def on_value(exc):
        return Response(418, None, {"error": str(exc)})

    @app.errorhandler(404)
    def on_404(exc):
        return Response(404, None, {"missing": True})

    return app


def test_order_change_and_short_circuit():
    seen = []
    with sync_app(seen).serve(port=0) as srv:
        status, _, body = call(srv.url + "/thing")
        assert (status, json.loads(body)) == (201, {"thing": 1, "inner": True})
        assert [s[0] for s in seen] == ["outer", "inner", "before", "handler"]
        seen.clear()
        status, _, body = call(srv.url + "/thing?deny=1")
        assert (status, json.loads(body)) == (403, {"denied": "/thing"})
        assert [s[0] for s in seen] == ["outer"]


def test_exceptions_reach_the_error_handlers():
    seen = []
    with sync_app(seen).serve(port=0) as srv:
        status, _, body = call(srv.url + "/boom")
        assert (status, json.loads(body)) == (418, {"error": "boom"})


def test_head_options_404_405():
    """HEAD reaches the GET route's middleware as HEAD; OPTIONS, 404 (even with a 404 error
    handler) and 405 are answered before any route, so middleware does not see them."""
    seen = []
    with sync_app(seen).serve(port=0) as srv:
        status, _, body = call(srv.url + "/thing", "HEAD")
        assert (status, body) == (201, b"")
        assert ("outer", "HEAD", "/thing") in seen
        seen.clear()
        status, headers, _ = call(srv.url + "/thing", "OPTIONS")
        assert status == 204 and "GET" in headers["Allow"]
        status, _, body = call(srv.url + "/nowhere")
        assert (status, json.loads(body)) == (404, {"missing": True})
        assert call(srv.url + "/thing", "DELETE")[0] == 405
        assert seen == []


def test_async_routes_and_middleware():
    app = App()
    seen = []

    @app.middleware
    async def timing(req, call_next):
        seen.append("timing")
        out = await call_next(req)
        return Response(200, {"X-Middleware": "async"}, out)

    @app.get("/a")
    async def a(req):
        return {"a": 1}

    @app.get("/cut")
    async def cut(req):
        raise ValueError("cut")

    @app.errorhandler(ValueError)
    def on_value(exc):
        return Response(409, None, {"error": str(exc)})

    with app.serve(port=0) as srv:
        status, headers, body = call(srv.url + "/a")
        assert (status, headers["X-Middleware"], json.loads(body)) == (200, "async", {"a": 1})
        assert call(srv.url + "/cut")[0] == 409
    assert seen == ["timing", "timing"]


def test_one_middleware_of_either_kind_covers_both_kinds_of_route():
    """Mixed chains keep the order, the results and each part's thread: an async middleware
    runs on the loop and awaits a def route on the pool; a def middleware runs on the pool and
    waits for an async route on the loop."""
    app = App()
    seen = []

    def where():
        return threading.current_thread().name.rstrip("0123456789")

    @app.middleware
    async def outer_async(req, call_next):
        seen.append(("outer_async", where()))
        return Response(200, {"X-Outer": "async"}, await call_next(req))

    @app.middleware
    def inner_def(req, call_next):
        seen.append(("inner_def", where()))
        out = call_next(req)
        return {**out, "inner": "def"}

    @app.get("/def")
    def plain(req):
        seen.append(("def handler", where()))
        return {"kind": "def"}

    @app.get("/async")
    async def coro(req):
        seen.append(("async handler", where()))
        return {"kind": "async"}

    with app.serve(port=0) as srv:
        for path, kind in (("/def", "def"), ("/async", "async")):
            seen.clear()
            status, headers, body = call(srv.url + path)
            assert (status, headers["X-Outer"], json.loads(body)) == (200, "async", {"kind": kind, "inner": "def"})
            assert seen == [("outer_async", "lapwise-async"), ("inner_def", "lapwise-handler-"),
                            (f"{kind} handler", "lapwise-async" if kind == "async" else "lapwise-handler-")]
    with pytest.raises(TypeError):
        app.middleware(42)


def test_websocket_routes_are_left_alone():
    app = App()

    @app.middleware
    async def amw(req, call_next):
        raise AssertionError("middleware must not wrap a WebSocket route")

    @app.websocket("/ws")
    async def ws(sock):
        await sock.accept()

    route = app._routes[0]
    assert app._chain(route).call is route.handler


def test_no_middleware_no_wrapping():
    """Without middleware or hooks the server gets the handler itself: /json and /users pay
    nothing per request."""
    app = App()

    @app.get("/json")
    def j(req):
        return {"message": "Hello, World!"}

    @app.get("/users/{id:int}")
    async def users(req):
        return {"id": req.params["id"]}

    for route, is_async in zip(app._routes, (False, True)):
        chain = app._chain(route)
        assert (chain.call, chain.is_async, chain.pool_only) == (route.handler, is_async, False)

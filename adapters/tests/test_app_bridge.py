"""Routes, middleware and hooks of either kind behave alike: the table of every combination
(route x middleware x hooks, each def or async def) gives the same answers, order and error
handling; a def route awaited by an async middleware leaves the loop free while it blocks; a
route whose def chain waits on the loop is never run inline on an io thread; a chain that
alternates kinds holds one pool thread per request (no hang with one handler thread)."""

from __future__ import annotations

import itertools
import json
import threading
import urllib.error
import urllib.request

import pytest

from lapwise import _native_status
from lapwise._app_bridge import Bridge
from lapwise.app import App, HTTPError, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def call(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("X-Mw"), r.headers.get("X-After"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("X-Mw"), e.headers.get("X-After"), e.read()


def kinded(fn, is_async):
    """``fn`` itself, or an ``async def`` that returns what it returns."""
    if not is_async:
        return fn

    async def run(*args):
        return fn(*args)

    return run


def table_app(route_async: bool, mw_async: bool, hooks_async: bool, seen: list) -> App:
    app = App()

    def mw_body(req, out):
        if isinstance(out, dict):
            return Response(200, {"X-Mw": "1"}, {**out, "mw": True})
        return out

    if mw_async:
        @app.middleware
        async def mw(req, call_next):
            seen.append("mw")
            if req.query.get("mw") == "deny":
                return Response(401, None, "no")
            if req.query.get("mw") == "raise":
                raise KeyError("mw")
            return mw_body(req, await call_next(req))
    else:
        @app.middleware
        def mw(req, call_next):
            seen.append("mw")
            if req.query.get("mw") == "deny":
                return Response(401, None, "no")
            if req.query.get("mw") == "raise":
                raise KeyError("mw")
            return mw_body(req, call_next(req))

    def before(req):
        seen.append("before")
        if req.query.get("hook") == "deny":
            return Response(403, None, {"denied": True})
        if req.query.get("hook") == "raise":
            raise HTTPError(409, "hook")
        return None

    def after(req, out):
        seen.append("after")
        if isinstance(out, dict):
            return Response(200, {"X-After": "1"}, out)
        return out

    app.before_request(kinded(before, hooks_async))
    app.after_request(kinded(after, hooks_async))

    def handler(req):
        seen.append("handler")
        what = req.query.get("h")
        if what == "value":
            raise ValueError("bad value")
        if what == "http":
            raise HTTPError(418, "teapot")
        return {"id": req.params["id"]}

    app.route("/items/{id:int}")(kinded(handler, route_async))

    @app.errorhandler(ValueError)
    def on_value(exc):
        return Response(422, None, {"error": str(exc)})

    @app.errorhandler(KeyError)
    def on_key(exc):
        return Response(500, None, {"error": "key"})

    return app


CASES = ["", "?mw=deny", "?mw=raise", "?hook=deny", "?hook=raise", "?h=value", "?h=http"]


def run_table(route_async, mw_async, hooks_async):
    seen: list = []
    out = []
    with table_app(route_async, mw_async, hooks_async, seen).serve(port=0) as srv:
        for case in CASES:
            seen.clear()
            out.append((case, call(srv.url + "/items/7" + case), tuple(seen)))
    return out


def test_every_combination_of_kinds_answers_alike():
    reference = run_table(False, False, False)
    assert reference[0][1] == (200, None, "1", b'{"id":7}')  # after's Response is inside mw's
    assert reference[0][2] == ("mw", "before", "handler", "after")
    assert reference[1][1][0] == 401 and reference[1][2] == ("mw",)
    assert reference[2][1][0] == 500 and json.loads(reference[2][1][3]) == {"error": "key"}
    assert reference[3][1][0] == 403 and reference[3][2] == ("mw", "before")
    assert reference[4][1][:1] == (409,) and reference[4][1][3] == b"hook"
    assert reference[5][1][0] == 422 and json.loads(reference[5][1][3]) == {"error": "bad value"}
    assert reference[6][1][0] == 418 and reference[6][2] == ("mw", "before", "handler")
    for kinds in itertools.product((False, True), repeat=3):
        if any(kinds):
            assert run_table(*kinds) == reference, kinds


def test_a_blocking_def_route_under_async_middleware_leaves_the_loop_free():
    """The def handler blocks on the pool while an async route answers on the loop."""
    app = App()
    release = threading.Event()

    @app.middleware
    async def passthrough(req, call_next):
        return await call_next(req)

    @app.get("/block")
    def block(req):
        return {"released": release.wait(10)}

    @app.get("/free")
    async def free(req):
        release.set()
        return {"free": True}

    with app.serve(port=0) as srv:
        result = {}
        t = threading.Thread(target=lambda: result.update(block=call(srv.url + "/block")))
        t.start()
        assert call(srv.url + "/free")[0] == 200
        t.join(10)
        assert not t.is_alive()
        assert json.loads(result["block"][3]) == {"released": True}


def test_a_def_chain_that_waits_on_the_loop_stays_on_the_pool():
    app = App()

    @app.before_request
    async def check(req):
        return None

    @app.get("/x")
    def x(req):
        return {"thread": threading.current_thread().name}

    assert app._chain(app._routes[0], Bridge(print, print)).pool_only is True
    with app.serve(port=0) as srv:
        for _ in range(40):  # a cheap def route would be moved inline after 16 fast calls
            status, _, _, body = call(srv.url + "/x")
            assert status == 200 and json.loads(body)["thread"].startswith("lapwise-handler-")


def test_a_request_holds_one_pool_thread_whatever_its_chain():
    """def -> async def -> def -> async def -> def, with one handler thread and several
    requests at once: the def parts run on the thread parked for their own request (the pool's
    queue would never reach them), so every request is answered."""
    app = App()
    threads = set()

    @app.middleware
    def outer_def(req, call_next):
        threads.add(threading.current_thread().name)
        return {**call_next(req), "outer_def": True}

    @app.middleware
    async def outer_async(req, call_next):
        return {**(await call_next(req)), "outer_async": True}

    @app.middleware
    def inner_def(req, call_next):
        threads.add(threading.current_thread().name)
        return {**call_next(req), "inner_def": True}

    @app.middleware
    async def inner_async(req, call_next):
        return {**(await call_next(req)), "inner_async": True}

    @app.get("/x")
    def x(req):
        threads.add(threading.current_thread().name)
        return {"id": int(req.query["i"])}

    with app.serve(port=0, handler_threads=1) as srv:
        results = {}

        def ask(i):
            results[i] = call(f"{srv.url}/x?i={i}")

        askers = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
        for t in askers:
            t.start()
        for t in askers:
            t.join(20)
        assert not any(t.is_alive() for t in askers)
    for i, (status, _, _, body) in results.items():
        expected = {"id": i, "outer_def": True, "outer_async": True, "inner_def": True, "inner_async": True}
        assert status == 200 and json.loads(body) == expected
    assert threads == {"lapwise-handler-1"}

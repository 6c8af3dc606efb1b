"""before_request / after_request hooks (sync and async routes, an early answer) and the
startup / shutdown hooks."""

from __future__ import annotations

import json
import urllib.request

import pytest

from lapwise import _native_status
from lapwise.app import App, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.headers.get("X-After"), json.loads(r.read())


def test_request_and_lifecycle_hooks():
    app = App()
    events = []

    @app.get("/sync")
    def sync(req):
        return {"route": "sync"}

    @app.get("/async")
    async def async_(req):
        return {"route": "async"}

    @app.before_request
    def guard(req):
        events.append(("before", req.path))
        if req.query.get("deny"):
            return Response(403, None, {"denied": req.path})
        return None

    @app.after_request
    def stamp(req, out):
        if isinstance(out, dict):
            return Response(200, {"X-After": req.path}, out)
        return out

    app.on_startup(lambda: events.append(("startup", None)))
    app.on_shutdown(lambda: events.append(("shutdown", None)))

    with app.serve(port=0) as running:
        assert events == [("startup", None)]
        assert get(running.url + "/sync") == (200, "/sync", {"route": "sync"})
        assert get(running.url + "/async") == (200, "/async", {"route": "async"})
        with pytest.raises(urllib.error.HTTPError) as denied:
            get(running.url + "/sync?deny=1")
        assert denied.value.code == 403 and json.loads(denied.value.read()) == {"denied": "/sync"}
    assert events[-1] == ("shutdown", None)
    assert events.count(("before", "/sync")) == 2


def test_a_failing_startup_hook_stops_the_start():
    app = App()
    app.get("/")(lambda req: "x")

    @app.on_startup
    def fail():
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError, match="no database"):
        app.serve(port=0)

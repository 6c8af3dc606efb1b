"""What a handler returns: Flask's tuples ((body, status), (body, headers), (body, status,
headers)) from routes and error handlers, Response.add_header, and a malformed tuple as a
500."""

from __future__ import annotations

import json

import pytest
from http_fetch import fetch

from lapwise import _native_status
from lapwise.app import App, HTTPError, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def test_tuple_returns_and_add_header():
    app = App()

    @app.post("/items")
    def create(req):
        return {"id": 1}, 201

    @app.get("/tagged")
    def tagged(req):
        return "hi", {"X-Tag": "t"}

    @app.get("/all")
    async def everything(req):
        return {"ok": True}, 202, [("X-A", "1"), ("X-B", "2")]

    @app.get("/bad")
    def bad(req):
        return {"x": 1}, "201", {}

    @app.get("/added")
    def added(req):
        return Response(200, {"X-One": "1"}, "b").add_header("X-Two", "2")

    @app.get("/teapot")
    def teapot(req):
        raise HTTPError(418)

    @app.get("/missing")
    def missing(req):
        raise KeyError("k")

    @app.errorhandler(418)
    def on_teapot(exc):
        return {"error": "teapot"}, {"X-Err": "1"}  # the error's status, these headers

    @app.errorhandler(KeyError)
    def on_key(exc):
        return {"error": "key"}, 404

    with app.serve(port=0) as srv:
        status, headers, body = fetch(srv, "POST", "/items", body=b"")
        assert (status, headers["content-type"], json.loads(body)) == (201, "application/json", {"id": 1})
        status, headers, body = fetch(srv, "GET", "/tagged")
        assert (status, headers["x-tag"], body) == (200, "t", b"hi")
        status, headers, body = fetch(srv, "GET", "/all")
        assert (status, headers["x-a"], headers["x-b"], json.loads(body)) == (202, "1", "2", {"ok": True})
        assert fetch(srv, "GET", "/bad")[0] == 500
        status, headers, body = fetch(srv, "GET", "/added")
        assert (headers["x-one"], headers["x-two"], body) == ("1", "2", b"b")
        status, headers, body = fetch(srv, "GET", "/teapot")
        assert (status, headers["x-err"], json.loads(body)) == (418, "1", {"error": "teapot"})
        status, _, body = fetch(srv, "GET", "/missing")
        assert (status, json.loads(body)) == (404, {"error": "key"})

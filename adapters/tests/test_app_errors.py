"""lapwise.App error handlers: by exception class (nearest base first), by status (HTTPError,
a malformed JSON body, any other exception as 500), and the defaults when none is registered."""

from __future__ import annotations

import http.client
import json
import logging

import pytest

from lapwise import HTTPError, _native_status
from lapwise.app import App, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


class Missing(LookupError):
    pass


def call(running, method, target, body=None):
    conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
    try:
        conn.request(method, target, body=body)
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        conn.close()


def make_app(with_handlers: bool) -> App:
    app = App()

    @app.get("/teapot")
    def teapot(req):
        raise HTTPError(418, "short and stout")

    @app.get("/gone")
    async def gone(req):
        raise HTTPError(410)

    @app.get("/missing")
    def missing(req):
        raise Missing("no such user")

    @app.get("/value")
    def value(req):
        raise ValueError("bad value")

    @app.get("/boom")
    def boom(req):
        raise RuntimeError("boom")

    @app.post("/body")
    def body(req):
        return req.json()

    if with_handlers:
        @app.errorhandler(LookupError)
        def lookup(exc):
            return Response(404, None, {"error": exc.args[0]})

        @app.errorhandler(ValueError)
        def bad(exc):
            return {"bad": str(exc)}  # sent with the error's own status

        @app.errorhandler(410)
        def on_410(exc):
            return "it went away"

        @app.errorhandler(500)
        def on_500(exc):
            raise KeyError("the handler fails too")

    return app


def test_defaults_without_handlers(caplog):
    with make_app(False).serve(port=0) as running, caplog.at_level(logging.ERROR, "lapwise.app"):
        assert call(running, "GET", "/teapot")[::2] == (418, b"short and stout")
        assert call(running, "GET", "/gone")[::2] == (410, b"Gone")
        assert call(running, "GET", "/missing")[0] == 500
        status, _, data = call(running, "POST", "/body", b'{"a":')
        assert status == 400 and json.loads(data)["position"] == 5
    assert "raised Missing" in caplog.text
    assert "HTTPError" not in caplog.text  # an HTTPError is an answer, not a failure


def test_handlers_by_class_then_status(caplog):
    with make_app(True).serve(port=0) as running, caplog.at_level(logging.ERROR, "lapwise.app"):
        status, ctype, data = call(running, "GET", "/missing")  # LookupError's handler
        assert (status, ctype, json.loads(data)) == (404, "application/json", {"error": "no such user"})
        status, _, data = call(running, "GET", "/value")  # a body: the error's status (500)
        assert (status, json.loads(data)) == (500, {"bad": "bad value"})
        status, _, data = call(running, "POST", "/body", b"[1,")  # JSONDecodeError is a ValueError
        assert status == 400 and json.loads(data)["bad"].startswith("Expecting value")
        assert call(running, "GET", "/gone")[::2] == (410, b"it went away")  # async handler
        assert call(running, "GET", "/teapot")[::2] == (418, b"short and stout")  # no handler
        assert call(running, "GET", "/boom")[::2] == (500, b"Internal Server Error")
    assert "the error handler for RuntimeError raised KeyError" in caplog.text


def test_errorhandler_keys_are_checked():
    app = App()
    with pytest.raises(TypeError):
        app.errorhandler("404")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        app.errorhandler(200)
    with pytest.raises(ValueError):
        HTTPError(302)

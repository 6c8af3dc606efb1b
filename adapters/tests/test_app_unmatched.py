"""Error handlers for 404 and 405, which the server core answers itself unless the App has a
handler for them: then the handler answers (405 keeps its Allow header), HEAD and OPTIONS
behave as before, and an App without such handlers gets the core's plain answers."""

from __future__ import annotations

import http.client

import pytest

from lapwise import _native_status
from lapwise._app_errors import HTTPError
from lapwise.app import App, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def ask(running, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
    conn.request(method, path)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def routes(app: App) -> None:
    @app.get("/items/{id:int}")
    def item(req):
        return {"id": req.params["id"]}

    @app.post("/items/{id:int}")
    def save(req):
        return "saved"

    app.const("/plain", "hi")


def test_handlers_answer_404_and_405():
    app = App()
    routes(app)

    @app.errorhandler(404)
    def not_found(exc):
        return {"error": "nothing here", "status": exc.status}

    @app.errorhandler(405)
    def not_allowed(exc):
        return f"use {exc.headers['Allow']}"

    with app.serve(port=0) as running:
        status, headers, body = ask(running, "GET", "/missing/%41")
        assert (status, headers["content-type"], body) == (404, "application/json",
                                                           b'{"error":"nothing here","status":404}')
        status, headers, body = ask(running, "DELETE", "/items/3")
        assert (status, headers["allow"], body) == (405, "GET, HEAD, POST, OPTIONS", b"use GET, HEAD, POST, OPTIONS")
        assert ask(running, "PUT", "/plain")[:2][0] == 405
        assert ask(running, "GET", "/items/3")[2] == b'{"id":3}'  # matched routes as before
        assert ask(running, "HEAD", "/items/3")[:1] == (200,)
        status, headers, _ = ask(running, "OPTIONS", "/items/3")
        assert (status, headers["allow"]) == (204, "GET, HEAD, POST, OPTIONS")


def test_a_404_handler_alone_leaves_405_its_default():
    app = App()
    routes(app)

    @app.errorhandler(404)
    def not_found(exc):
        return Response(404, {"X-Custom": "1"}, "custom")

    with app.serve(port=0) as running:
        status, headers, body = ask(running, "GET", "/nowhere")
        assert (status, headers["x-custom"], body) == (404, "1", b"custom")
        status, headers, body = ask(running, "DELETE", "/items/1")
        assert (status, headers["allow"], body) == (405, "GET, HEAD, POST, OPTIONS", b"Method Not Allowed")


def test_an_httperror_class_handler_takes_them_too():
    app = App()
    routes(app)

    @app.errorhandler(HTTPError)
    def any_http(exc):
        return Response(exc.status, exc.headers, f"[{exc.status}]")

    with app.serve(port=0) as running:
        assert ask(running, "GET", "/x")[::2] == (404, b"[404]")
        status, headers, body = ask(running, "PATCH", "/items/2")
        assert (status, headers["allow"], body) == (405, "GET, HEAD, POST, OPTIONS", b"[405]")


def test_without_handlers_the_core_answers():
    app = App()
    routes(app)
    with app.serve(port=0) as running:
        assert ask(running, "GET", "/x")[::2] == (404, b"Not Found")
        status, headers, body = ask(running, "DELETE", "/items/1")
        assert (status, headers["allow"], body) == (405, "GET, HEAD, POST, OPTIONS", b"Method Not Allowed")

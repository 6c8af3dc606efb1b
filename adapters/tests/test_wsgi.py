"""lapwise.wsgi: a raw WSGI app (environ, start_response with exc_info, write(), close() always
called, a streamed iterable, file_wrapper) and a Flask app, on the native server."""

from __future__ import annotations

import io
import json
import threading

import pytest

from http_fetch import fetch

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import wsgi  # noqa: E402

closed: list[str] = []


class Body:
    def __init__(self, parts, name):
        self.parts, self.name = parts, name

    def __iter__(self):
        return iter(self.parts)

    def close(self):
        closed.append(self.name)


def raw_app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/env":
        seen = {k: v for k, v in environ.items() if isinstance(v, str)}
        seen["body"] = environ["wsgi.input"].read().decode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(seen).encode()]
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "999")])
        return Body([b"a" * 70000, b"b" * 70000, b"end"], "stream")
    if path == "/gathered":  # not a list, but an honest Content-Length: sent whole
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return Body([b"abc", b"def", b"ghi"], "gathered")
    if path == "/write":
        write = start_response("201 Created", [("X-Kind", "write")])
        write(b"written,")
        return Body([b"returned"], "write")
    if path == "/file":
        start_response("200 OK", [])
        return environ["wsgi.file_wrapper"](io.BytesIO(b"0123456789" * 10000), 4096)
    if path == "/exc":
        start_response("200 OK", [("X-Before", "1")])
        try:
            raise ValueError("late failure")
        except ValueError:
            import sys
            start_response("503 Service Unavailable", [("X-After", "1")], sys.exc_info())
        return [b"recovered"]
    if path == "/boom":
        raise RuntimeError("app exploded")
    if path == "/boom-iter":
        def gen():  # two pieces: the response streams (one piece would be answered whole)
            yield b"x"
            yield b"y"
            raise RuntimeError("mid-stream")
        start_response("200 OK", [])
        return Body(gen(), "boom-iter")
    start_response("404 Not Found", [])
    return [b""]


@pytest.fixture(scope="module", params=["epoll", "asio"])
def server(request):
    with wsgi.serve(raw_app, port=0, pool=4, io=request.param, root_path="/mnt", max_output=65536) as srv:
        yield srv


def test_environ(server):
    status, _, body = fetch(server, "POST", "/env?a=1&a=2", b"data", {"Content-Type": "text/x", "X-A": "1"})
    assert status == 200
    env = json.loads(body)
    assert env["REQUEST_METHOD"] == "POST"
    assert env["SCRIPT_NAME"] == "/mnt" and env["PATH_INFO"] == "/env"
    assert env["QUERY_STRING"] == "a=1&a=2"
    assert env["CONTENT_TYPE"] == "text/x" and env["CONTENT_LENGTH"] == "4"
    assert env["HTTP_X_A"] == "1" and env["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert env["wsgi.url_scheme"] == "http" and env["body"] == "data"


def test_streamed_iterable_and_close(server):
    closed.clear()
    status, headers, body = fetch(server, "GET", "/stream")
    assert status == 200 and body == b"a" * 70000 + b"b" * 70000 + b"end"
    assert headers["transfer-encoding"] == "chunked" and "content-length" not in headers
    assert closed == ["stream"]


def test_iterable_with_its_length_is_sent_whole(server):
    closed.clear()
    status, headers, body = fetch(server, "GET", "/gathered")
    assert (status, body, headers["content-length"]) == (200, b"abcdefghi", "9")
    assert "transfer-encoding" not in headers and closed == ["gathered"]


def test_write_callable(server):
    closed.clear()
    status, headers, body = fetch(server, "GET", "/write")
    assert (status, body, headers["x-kind"]) == (201, b"written,returned", "write")
    assert closed == ["write"]


def test_file_wrapper(server):
    status, _, body = fetch(server, "GET", "/file")
    assert status == 200 and body == b"0123456789" * 10000


def test_start_response_with_exc_info_replaces_the_headers(server):
    status, headers, body = fetch(server, "GET", "/exc")
    assert (status, body) == (503, b"recovered")
    assert "x-after" in headers and "x-before" not in headers


def test_errors(server):
    closed.clear()
    assert fetch(server, "GET", "/boom")[0] == 500
    status, _, body = fetch(server, "GET", "/boom-iter")  # the status left: the stream just ends
    assert status == 200 and body == b"xy"
    assert closed == ["boom-iter"]


def test_flask_app():
    flask = pytest.importorskip("flask")
    app = flask.Flask("lapwise_test")
    bp = flask.Blueprint("api", "lapwise_test_bp", url_prefix="/api")

    @bp.route("/items/<int:item_id>", methods=["GET", "POST"])
    def item(item_id):
        if flask.request.method == "POST":
            return flask.jsonify(id=item_id, got=flask.request.get_json(), q=flask.request.args.getlist("q"))
        res = flask.make_response(flask.jsonify(id=item_id, cookie=flask.request.cookies.get("c")))
        res.set_cookie("seen", "1")
        return res

    @bp.route("/gen")
    def gen():
        return flask.Response((f"{i}," for i in range(3)), mimetype="text/plain")

    @app.errorhandler(404)
    def missing(e):
        return flask.jsonify(error="missing"), 404

    app.register_blueprint(bp)
    with wsgi.serve(app, port=0, pool=2) as srv:
        status, headers, body = fetch(srv, "GET", "/api/items/3", headers={"Cookie": "c=v"})
        assert status == 200 and json.loads(body) == {"id": 3, "cookie": "v"}
        assert headers["set-cookie"].startswith("seen=1")
        status, _, body = fetch(srv, "POST", "/api/items/4?q=a&q=b", b'{"x": 1}', {"Content-Type": "application/json"})
        assert status == 200 and json.loads(body) == {"id": 4, "got": {"x": 1}, "q": ["a", "b"]}
        status, _, body = fetch(srv, "GET", "/api/gen")
        assert status == 200 and body == b"0,1,2,"
        status, _, body = fetch(srv, "GET", "/nope")
        assert status == 404 and json.loads(body) == {"error": "missing"}


def test_a_cheap_app_moves_inline_and_a_streaming_one_back_to_the_pool():
    threads = []

    def app(environ, start_response):
        threads.append(threading.current_thread().name)
        start_response("200 OK", [("Content-Type", "text/plain")])
        if environ["PATH_INFO"] == "/stream":
            return iter([b"a", b"b", b"c"])  # three pieces: a streamed response
        return iter([b"one"])  # a generator over one piece is answered whole

    with wsgi.serve(app, port=0, pool=4) as srv:
        route = srv._loop.route
        for _ in range(200):
            assert fetch(srv, "GET", "/cheap")[2] == b"one"
            if route.inline:
                break
        assert route.inline, "a cheap app is proven and moved onto the io thread"
        n = len(threads)
        assert fetch(srv, "GET", "/cheap")[2] == b"one"
        assert not threads[n].startswith("lapwise-handler")  # ran on the io thread
        status, headers, body = fetch(srv, "GET", "/stream")  # streams: the rest goes to the pool
        assert (status, body) == (200, b"abc")
        assert not route.inline and route.blocking
        n = len(threads)
        assert fetch(srv, "GET", "/cheap")[2] == b"one"
        assert threads[n].startswith("lapwise-handler")  # and stays there

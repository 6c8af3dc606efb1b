"""lapwise.wsgi once the app runs on the io thread (the native WsgiInline of bind_wsgi.cc):
every way an app can answer, each checked against what PEP 3333 and the pool path do, and the
environ the native builder makes. The app is proven cheap first, so each request below takes
the native path (unless a loaded machine made one call slow: the pool path answers the same)."""

from __future__ import annotations

import json
import logging
import sys
import tempfile

import pytest

from http_fetch import fetch, raw_exchange

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "WsgiInline"):
    pytest.skip("lapwise._native with the WSGI glue is not built", allow_module_level=True)

from lapwise import wsgi  # noqa: E402

closed: list[str] = []


class Body:
    """An iterable with close(), as frameworks return."""

    def __init__(self, parts, name, fail_close=False):
        self.parts, self.name, self.fail_close = parts, name, fail_close

    def __iter__(self):
        return iter(self.parts)

    def close(self):
        closed.append(self.name)
        if self.fail_close:
            raise OSError("close failed")


def failing():
    raise RuntimeError("first piece")
    yield b"never"


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/env":
        seen = {k: v for k, v in environ.items() if isinstance(v, str)}
        seen["body"] = environ["wsgi.input"].read().decode("latin-1")
        seen["errors_is_stderr"] = environ["wsgi.errors"] is sys.stderr
        seen["terminated"] = environ["wsgi.input_terminated"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(seen).encode()]
    if path == "/empty-list":
        start_response("204 No Content", [])
        return []
    if path == "/tuple":
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Kind", "tuple")])
        return (b"tuple",)
    if path == "/one":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body([b"one piece"], "one")
    if path == "/none":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body([], "none")
    if path == "/str-status":
        start_response("404", [("Content-Type", "text/plain")])
        return [b"bare code"]
    if path == "/raise":
        raise RuntimeError("app exploded")
    if path == "/raise-iter":
        start_response("200 OK", [])
        return Body(failing(), "raise-iter")
    if path == "/no-start":
        return [b"never started"]
    if path == "/twice":
        start_response("200 OK", [])
        start_response("200 OK", [])
        return [b"twice"]
    if path == "/write":
        write = start_response("201 Created", [("X-Kind", "write")])
        write(bytearray(b"written,"))
        return Body([b"returned"], "write")
    if path == "/exc":
        start_response("200 OK", [("X-Before", "1")])
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("503 Service Unavailable", [("X-After", "1")], sys.exc_info())
        return [b"recovered"]
    if path == "/close-fails":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body([b"sent anyway"], "close-fails", fail_close=True)
    if path == "/file":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return environ["wsgi.file_wrapper"](open(environ["QUERY_STRING"], "rb"))  # noqa: SIM115
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"cheap"]


@pytest.fixture(scope="module", params=["epoll", "asio"])
def server(request):
    with wsgi.serve(app, port=0, pool=4, io=request.param) as srv:
        route = srv._loop.route
        for _ in range(400):
            assert fetch(srv, "GET", "/cheap")[2] == b"cheap"
            if route.inline:
                break
        assert route.inline, "the app is proven cheap and runs on the io thread"
        yield srv
        # No answer here streams (which would keep the app on the pool for good); a slow call
        # on a loaded machine may still send it to the pool for a probe, which is no failure.
        assert not route.blocking


def test_one_item_lists_tuples_and_iterables_are_answered_whole(server):
    closed.clear()
    assert fetch(server, "GET", "/empty-list")[:1] == (204,)
    status, headers, body = fetch(server, "GET", "/tuple")
    assert (status, headers["x-kind"], body) == (200, "tuple", b"tuple")
    status, headers, body = fetch(server, "GET", "/one")
    assert (status, body, headers["content-length"]) == (200, b"one piece", "9")
    assert "transfer-encoding" not in headers
    status, headers, body = fetch(server, "GET", "/none")
    assert (status, body, headers["content-length"]) == (200, b"", "0")
    assert closed == ["one", "none"]
    assert fetch(server, "GET", "/str-status")[::2] == (404, b"bare code")


def test_head_has_the_length_a_get_would_have(server):
    status, headers, body = fetch(server, "HEAD", "/one")
    assert (status, headers["content-length"], body) == (200, "9", b"")


def test_failures_answer_500_and_close_the_iterable(server, caplog):
    closed.clear()
    with caplog.at_level(logging.ERROR, logger="lapwise"):
        assert fetch(server, "GET", "/raise")[0] == 500
        assert fetch(server, "GET", "/raise-iter")[0] == 500
        assert fetch(server, "GET", "/no-start")[0] == 500
        assert fetch(server, "GET", "/twice")[0] == 500
    assert closed == ["raise-iter"]
    text = caplog.text
    assert "app exploded" in text and "first piece" in text
    assert "without calling start_response" in text and "called twice" in text


def test_write_and_exc_info(server):
    closed.clear()
    status, headers, body = fetch(server, "GET", "/write")
    assert (status, headers["x-kind"], body) == (201, "write", b"written,returned")
    assert closed == ["write"]
    status, headers, body = fetch(server, "GET", "/exc")
    assert (status, body) == (503, b"recovered")
    assert "x-after" in headers and "x-before" not in headers


def test_a_close_that_raises_is_logged_and_the_answer_stands(server, caplog):
    closed.clear()
    with caplog.at_level(logging.ERROR, logger="lapwise.wsgi"):
        assert fetch(server, "GET", "/close-fails")[::2] == (200, b"sent anyway")
    assert closed == ["close-fails"]
    assert "close() raised" in caplog.text


def test_file_wrapper_over_a_real_file(server, tmp_path):
    data = bytes(range(256)) * 300
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    status, headers, body = fetch(server, "GET", f"/file?{path}")
    assert (status, body, headers["content-length"]) == (200, data, str(len(data)))


def test_environ(server):
    status, _, body = fetch(server, "POST", "/env?a=1&a=2", b"data",
                            {"Content-Type": "text/x", "X-A": "1", "x-long-header-name-" + "n" * 120: "v"})
    assert status == 200
    env = json.loads(body)
    assert (env["REQUEST_METHOD"], env["PATH_INFO"], env["QUERY_STRING"]) == ("POST", "/env", "a=1&a=2")
    assert (env["CONTENT_TYPE"], env["CONTENT_LENGTH"], env["body"]) == ("text/x", "4", "data")
    assert env["HTTP_X_A"] == "1" and env["HTTP_X_LONG_HEADER_NAME_" + "N" * 120] == "v"
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1" and env["SCRIPT_NAME"] == ""
    assert env["REMOTE_ADDR"] == "127.0.0.1" and int(env["REMOTE_PORT"]) > 0
    assert (env["SERVER_NAME"], env["SERVER_PORT"]) == ("127.0.0.1", str(server.port))
    assert env["errors_is_stderr"] is True and env["terminated"] is True
    assert "HTTP_CONTENT_TYPE" not in env and "HTTP_CONTENT_LENGTH" not in env


def test_environ_from_raw_bytes(server):
    """Repeated fields joined with ",", a path's non-UTF-8 bytes as latin-1 (PEP 3333), HTTP/1.0,
    and a chunked body read whole gets its CONTENT_LENGTH."""
    out = raw_exchange(server, b"GET /%65nv?x=%FF HTTP/1.0\r\nAccept: a\r\nX-Dup: 1\r\naccept: b\r\n"
                               b"x-dup: 2\r\nX-Same: 1\r\nX-Same: 1\r\n\r\n")
    env = json.loads(out.split(b"\r\n\r\n", 1)[1])
    assert env["PATH_INFO"] == "/env" and env["QUERY_STRING"] == "x=%FF"
    assert env["HTTP_ACCEPT"] == "a,b" and env["HTTP_X_DUP"] == "1,2" and env["HTTP_X_SAME"] == "1,1"
    assert env["SERVER_PROTOCOL"] == "HTTP/1.0"
    out = raw_exchange(server, b"POST /env HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                               b"Connection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    env = json.loads(out.split(b"\r\n\r\n", 1)[1])
    assert (env["CONTENT_LENGTH"], env["body"], env["HTTP_HOST"]) == ("5", "abcde", "h")


def test_path_bytes_are_latin1(server):
    out = raw_exchange(server, b"GET /caf%C3%A9/%FF HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200")
    seen = []

    def echo(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    with wsgi.serve(echo, port=0, pool=1) as srv:
        raw_exchange(srv, b"GET /caf%C3%A9/%FF HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert seen == ["/caf\xc3\xa9/\xff"]


def test_a_streamed_body_goes_to_the_pool_and_back(server):
    big = b"z" * (300 << 10)
    status, _, body = fetch(server, "POST", "/env", big, {"Content-Type": "application/octet-stream"})
    assert status == 200 and json.loads(body)["body"] == big.decode()
    assert fetch(server, "GET", "/cheap")[2] == b"cheap"


def test_start_response_object():
    native = _native_status.module()
    start = native.WsgiStart()
    assert (start.status, start.code, start.headers, start.started) == (None, 0, None, False)
    with pytest.raises(RuntimeError, match="before start_response"):
        start.write(b"x")
    write = start("200 OK", [("A", "1")])
    assert (start.status, start.code, start.headers) == ("200 OK", 200, [("A", "1")])
    buf = bytearray(b"kept")
    write(buf)
    buf[:] = b"gone"
    assert start.written == [b"kept"]
    with pytest.raises(RuntimeError, match="called twice"):
        start("500 Oops", [])
    try:
        raise KeyError("before the head")
    except KeyError:
        start("500 Internal Server Error", [("B", "2")], sys.exc_info())
    assert (start.code, start.headers) == (500, [("B", "2")])
    start.started = True
    try:
        raise KeyError("after the head")
    except KeyError:
        info = sys.exc_info()
    with pytest.raises(KeyError, match="after the head") as caught:
        start("500 Internal Server Error", [], exc_info=info)
    assert caught.value is info[1]
    got = []
    start.sink = got.append
    start.write(b"to the sink")
    assert got == [b"to the sink"]
    for bad, error in (("OK", ValueError), ("2x0 OK", ValueError), (200, TypeError)):
        with pytest.raises(error):
            native.WsgiStart()(bad, [])
    assert native.WsgiStart()("0200 Padded", []) is not None  # int() of the code's text


def test_native_environ_of_a_pool_call():
    """The pool path builds its environ with the same native call."""
    seen = []

    def slow_app(environ, start_response):
        seen.append(dict(environ))
        start_response("200 OK", [])
        return [b"ok"]

    with tempfile.TemporaryDirectory():
        with wsgi.serve(slow_app, port=0, pool=1, root_path="/mnt") as srv:
            assert fetch(srv, "GET", "/x?y=1", headers={"X-A": "1"})[2] == b"ok"
    env = seen[0]
    assert (env["SCRIPT_NAME"], env["PATH_INFO"], env["QUERY_STRING"]) == ("/mnt", "/x", "y=1")
    assert env["HTTP_X_A"] == "1" and env["wsgi.input"].read() == b""
    assert env["wsgi.version"] == (1, 0) and env["wsgi.file_wrapper"] is wsgi.FileWrapper

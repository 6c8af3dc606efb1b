"""The hosting corpus's raw-socket reader on canned server bytes: interim answers, chunked bodies
with extensions and trailers, HEAD, close-delimited bodies, a server that stops mid-body, and
the normaliser's choices (selected headers, Allow as a set, a signed session cookie's value)."""

from __future__ import annotations

import socket
import threading

import pytest

from .hosting_replay import exchange, normalise, statuses


@pytest.fixture
def canned():
    """A one-connection server on 127.0.0.1 that reads the request, sends ``reply`` and closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    box: dict[str, bytes] = {}

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(box["reply"])
    threads: list[threading.Thread] = []

    def start(reply: bytes) -> int:
        box["reply"] = reply
        t = threading.Thread(target=serve, daemon=True)
        t.start()
        threads.append(t)
        return listener.getsockname()[1]
    yield start
    for t in threads:
        t.join(5)
    listener.close()


GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"


def test_interim_then_chunked_with_extensions_and_trailers(canned):
    port = canned(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: text/plain\r\nDate: x\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n")
    t = exchange("127.0.0.1", port, [GET], ["GET"])
    assert statuses(t) == [100, 200] and t.answers[1].body == b"abcde"
    assert normalise(t) == (((100, (), b""), (200, (("content-type", "text/plain"),), b"abcde")), "")


def test_head_answer_has_no_body_and_the_next_answer_follows(canned):
    port = canned(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")
    t = exchange("127.0.0.1", port, [GET], ["HEAD", "GET"])
    assert [(a.status, a.body) for a in t.answers] == [(200, b""), (404, b"no")]


def test_close_delimited_body(canned):
    port = canned(b"HTTP/1.0 200 OK\r\nContent-Type: a/b\r\n\r\nto the end")
    assert exchange("127.0.0.1", port, [GET], ["GET"]).answers[0].body == b"to the end"


def test_body_cut_short_is_an_error_not_an_answer(canned):
    port = canned(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    t = exchange("127.0.0.1", port, [GET], ["GET"])
    assert t.answers == [] and "Content-Length" in t.error and normalise(t)[1].startswith("error")


def test_missing_answer_after_close(canned):
    port = canned(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t = exchange("127.0.0.1", port, [GET], ["GET", "GET"])
    assert statuses(t) == [200] and t.closed


def test_normaliser_sorts_allow_and_hides_a_signed_session(canned):
    port = canned(b"HTTP/1.1 405 Method Not Allowed\r\nAllow: HEAD, GET\r\nServer: s\r\n"
                  b"Set-Cookie: session=eyJ.abc.123; HttpOnly; Path=/\r\nContent-Length: 0\r\n\r\n")
    (answer,), _ = normalise(exchange("127.0.0.1", port, [GET], ["GET"]))
    assert answer[1] == (("allow", "GET, HEAD"), ("set-cookie", "session=<signed>; HttpOnly; Path=/"))

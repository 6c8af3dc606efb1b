"""Server-Sent Events: the event format (multi-line data, every field, comments, JSON data,
invalid fields refused), EventSourceResponse's headers, keep-alive comments while the source
is quiet, and a client that leaves noticed through them (the source closed)."""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading

import pytest

from lapwise import _native_status
from lapwise._app_sse import EventSourceResponse, ServerSentEvent, encode_event
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def test_event_format():
    assert encode_event("one") == b"data: one\n\n"
    assert encode_event("a\nb\r\nc\rd") == b"data: a\ndata: b\ndata: c\ndata: d\n\n"
    assert encode_event("") == b"data: \n\n"
    assert encode_event(ServerSentEvent(data={"n": [1, "\u2713"]})) == '{"n":[1,"\u2713"]}'.join(
        ["data: ", "\n\n"]).encode()
    assert encode_event({"data": "x", "event": "tick", "id": "7", "retry": 3000, "comment": "hi\nthere"}) == \
        b": hi\n: there\nevent: tick\nid: 7\nretry: 3000\ndata: x\n\n"
    assert encode_event(ServerSentEvent(comment="")) == b":\n\n"
    for bad in ({"event": "a\nb"}, {"id": "1\r"}, {"id": "a\0b"}, {"retry": -1}, {"retry": 1.5},
                {"retry": True}):
        with pytest.raises(ValueError):
            ServerSentEvent(data="x", **bad).encode()


def stream_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    return data


def test_event_source_response_through_the_app():
    app = App()

    @app.get("/events")
    async def events(req):
        async def source():
            for i in range(3):
                yield ServerSentEvent(data=f"n={i}\nmore", event="tick", id=str(i))
        return EventSourceResponse(source())

    @app.get("/sync")
    def sync_events(req):
        return EventSourceResponse(iter(["a", {"data": "b", "id": "2"}]), headers={"Cache-Control": "no-store"})

    with app.serve(port=0) as running:
        conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
        conn.request("GET", "/events")
        r = conn.getresponse()
        assert r.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        assert (r.getheader("Cache-Control"), r.getheader("X-Accel-Buffering")) == ("no-cache", "no")
        assert r.read() == b"".join(b"event: tick\nid: %d\ndata: n=%d\ndata: more\n\n" % (i, i) for i in range(3))
        conn.request("GET", "/sync")
        r = conn.getresponse()
        assert r.getheader("Cache-Control") == "no-store"
        assert r.read() == b"data: a\n\nid: 2\ndata: b\n\n"
        conn.close()


def test_keep_alives_and_a_client_that_left():
    app = App()
    closed = threading.Event()

    @app.get("/quiet")
    async def quiet(req):
        async def source():
            try:
                yield "hello"
                await asyncio.Event().wait()  # never another event
            finally:
                closed.set()
        return EventSourceResponse(source(), ping=0.05)

    with app.serve(port=0) as running:
        sock = socket.create_connection((running.host, running.port), timeout=10)
        sock.sendall(b"GET /quiet HTTP/1.1\r\nHost: x\r\n\r\n")
        data = stream_head(sock)
        while data.count(b": ping\n\n") < 2:
            data += sock.recv(4096)
        assert b"data: hello\n\n" in data
        sock.close()
        assert closed.wait(10)  # the next keep-alive found the client gone

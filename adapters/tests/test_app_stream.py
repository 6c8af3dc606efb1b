"""Streamed responses: generators (on the handler pool, never an io thread), async
generators and StreamingResponse; back-pressure from a client that does not read; the
generator closed when the client leaves or a shutdown cuts the stream; HEAD; errors before
and after the first chunk."""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading
import time
from typing import Any

import pytest

from lapwise import _native_status
from lapwise._app_sse import EventSourceResponse
from lapwise._app_stream import StreamingResponse
from lapwise.app import App, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def wait_for(predicate, limit: float = 10.0) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def get(running, path: str, method: str = "GET") -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
    conn.request(method, path)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r, data


def test_generators_and_streaming_response():
    app = App()
    threads: list[str] = []

    @app.get("/sync")
    def sync_gen(req):
        threads.append(threading.current_thread().name)
        for i in range(3):
            threads.append(threading.current_thread().name)
            yield f"line {i}\n"

    @app.get("/async")
    async def async_gen(req):
        async def rows():
            for i in range(3):
                await asyncio.sleep(0)
                yield b"row %d," % i
        return StreamingResponse(rows(), status=201, headers={"X-Kind": "rows"}, media_type="text/csv")

    @app.get("/asyncgen")
    async def plain_async_gen(req):
        yield b"a"
        yield b""  # empty chunks are skipped
        yield b"b"

    @app.get("/list")
    def listed(req):
        return StreamingResponse([b"x", "y"])

    @app.get("/empty")
    def empty(req):
        return StreamingResponse(iter(()), media_type="text/plain")

    with app.serve(port=0) as running:
        r, data = get(running, "/sync")
        assert (r.status, r.getheader("Transfer-Encoding"), r.getheader("Content-Type"), data) == \
            (200, "chunked", "text/plain; charset=utf-8", b"line 0\nline 1\nline 2\n")
        assert threads and all(name.startswith("lapwise-handler") for name in threads[1:]), threads
        r, data = get(running, "/async")
        assert (r.status, r.getheader("Content-Type"), r.getheader("X-Kind"), data) == \
            (201, "text/csv", "rows", b"row 0,row 1,row 2,")
        assert get(running, "/asyncgen")[1] == b"ab"
        r, data = get(running, "/list")
        assert (r.getheader("Content-Type"), data) == ("application/octet-stream", b"xy")
        assert get(running, "/empty")[1] == b""


def test_head_does_not_run_the_generator():
    app = App()
    ran: list[int] = []

    @app.get("/s")
    def s(req):
        ran.append(1)
        yield "never"

    with app.serve(port=0) as running:
        r, data = get(running, "/s", "HEAD")
        assert (r.status, data, ran) == (200, b"", [])


def test_back_pressure_holds_the_generator():
    app = App()
    produced = [0]

    @app.get("/flood")
    def flood(req):
        while True:
            produced[0] += 65536
            yield b"z" * 65536

    with app.serve(port=0, max_output=256 * 1024) as running:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.connect((running.host, running.port))
        sock.sendall(b"GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
        last = -1
        while produced[0] != last:  # until the producer stops for want of room
            last = produced[0]
            time.sleep(0.3)
        held = produced[0]
        got = 0
        while got < held + 2_000_000:  # reading lets it go on
            got += len(sock.recv(1 << 20))
        sock.close()
    # Without back-pressure the generator would run on without bound.
    assert held < 16 * 1024 * 1024, held
    assert produced[0] > held


def endless(app: App, kind: str, chunk: str, pause: float) -> threading.Event:
    """GET /s: a sync or async generator sending ``chunk`` every ``pause`` s for ever; the
    event is set once the generator was closed."""
    closed = threading.Event()

    if kind == "sync":
        @app.get("/s")
        def sync_forever(req):
            try:
                while True:
                    time.sleep(pause)
                    yield chunk
            finally:
                closed.set()
    else:
        @app.get("/s")
        async def async_forever(req):
            try:
                while True:
                    await asyncio.sleep(pause)
                    yield chunk
            finally:
                closed.set()
    return closed


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_client_leaving_closes_the_generator(kind):
    app = App()
    closed = endless(app, kind, "tick\n", 0.01)
    with app.serve(port=0) as running:
        sock = socket.create_connection((running.host, running.port), timeout=10)
        sock.sendall(b"GET /s HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"tick" in sock.recv(4096)
        sock.close()
        assert closed.wait(10)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_shutdown_cuts_an_endless_stream(kind):
    app = App()
    closed = endless(app, kind, ".", 0.05)
    running = app.serve(port=0, shutdown_timeout=0.5)
    sock = socket.create_connection((running.host, running.port), timeout=10)
    sock.sendall(b"GET /s HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"." in sock.recv(4096)
    running.stop()
    assert closed.wait(10)
    rest = b""
    while chunk := sock.recv(4096):
        rest += chunk
    sock.close()
    # The stream was ended, not cut mid-chunk: whole chunks, then the last one (0). The drain
    # deadline's close may win the race with the end: then whole chunks only.
    while rest and not rest.startswith(b"0\r\n"):
        size_line, _, after = rest.partition(b"\r\n")
        size = int(size_line, 16)
        assert after[size:size + 2] == b"\r\n", rest
        rest = after[size + 2:]
    assert rest in (b"", b"0\r\n\r\n")


def test_errors_before_and_after_the_first_chunk():
    app = App()

    @app.errorhandler(KeyError)
    def on_key(exc):
        return Response(409, None, "conflict")

    @app.get("/before")
    def before(req):
        raise KeyError("x")
        yield "never"

    @app.get("/after")
    async def after(req):
        yield "partial"
        raise KeyError("y")

    with app.serve(port=0) as running:
        r, data = get(running, "/before")
        assert (r.status, data) == (409, b"conflict")
        r, data = get(running, "/after")
        assert (r.status, data) == (200, b"partial")


def test_slow_sync_streams_hold_no_pool_thread():
    """Six sync streams to clients that never read, on a pool of two threads: each parks
    once its output is full, and a def route still answers."""
    app = App()
    started: list[int] = []
    produced = [0]

    @app.get("/flood")
    def flood(req):
        started.append(1)
        for _ in range(4096):  # bounded, should back-pressure ever fail
            produced[0] += 1
            yield b"z" * 65536

    @app.get("/ping")
    def ping(req):
        return "pong"

    socks = []
    with app.serve(port=0, handler_threads=2, max_output=128 * 1024) as running:
        try:
            for _ in range(6):
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
                sock.connect((running.host, running.port))
                sock.sendall(b"GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
                socks.append(sock)
            assert wait_for(lambda: len(started) == 6)
            last = -1
            while produced[0] != last:  # until every producer waits for room
                last = produced[0]
                time.sleep(0.3)
            r, data = get(running, "/ping")
            assert (r.status, data) == (200, b"pong")
        finally:
            for sock in socks:
                sock.close()


def quiet_source(kind: str, said: threading.Event, how: list[str]) -> Any:
    """A source that sends one item and then nothing for a long while (bounded: 60 s),
    recording how it was ended."""
    if kind == "sync":
        def flood():
            try:
                yield "hello"
                said.set()
                while True:  # the client stops reading: the stream parks for want of room
                    yield "z" * 65536
            except GeneratorExit:
                how.append("GeneratorExit")
                raise
            finally:
                how.append("finally")
        return flood()

    async def quiet():
        try:
            yield "hello"
            said.set()
            await asyncio.sleep(60)
            yield "too late"
        except asyncio.CancelledError:
            how.append("CancelledError")
            raise
        finally:
            how.append("finally")
    return quiet()


# A quiet stream (no part in flight) learns its client left because the server core watches
# the connection while the stream is open (cores/server/README.md: streamed responses).
@pytest.mark.parametrize("kind", ["sync", "async", "sse"])
def test_a_quiet_stream_is_closed_when_its_client_leaves(kind):
    app = App()
    said = threading.Event()
    how: list[str] = []

    if kind == "sync":
        @app.get("/q")
        def sync_q(req):
            return StreamingResponse(quiet_source("sync", said, how))
    else:
        @app.get("/q")
        async def async_q(req):
            source = quiet_source("async", said, how)
            return StreamingResponse(source) if kind == "async" else EventSourceResponse(source, ping=None)

    with app.serve(port=0, max_output=64 * 1024, shutdown_timeout=1) as running:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        sock.connect((running.host, running.port))
        sock.settimeout(10)
        sock.sendall(b"GET /q HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"hello" not in data:
            data += sock.recv(4096)
        assert said.wait(10)
        sock.close()
        assert wait_for(lambda: "finally" in how, 5), how
    assert how == ["GeneratorExit" if kind == "sync" else "CancelledError", "finally"]

"""lapwise.asgi's runner: the requests of one batch run one after the other in one task while
they complete without suspending, each in a context of its own; the first that suspends keeps
the task and the rest go on in another. What a task per request would give must hold: context
isolation, a current task, no request held back by another, cancellation at a cut."""

from __future__ import annotations

import asyncio
import contextvars
import json
import socket
import threading

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from asgi_transports import TRANSPORTS  # noqa: E402
from lapwise import asgi  # noqa: E402

request_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_var")


async def answer(send, payload) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


def runner_app():
    released = asyncio.Event()

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        path = scope["path"]
        before = request_var.get("unset")
        request_var.set(path)
        if path == "/wait":  # suspends until /release comes, maybe in the same batch
            await released.wait()
            await answer(send, {"before": before, "after": request_var.get("unset")})
            return
        if path == "/release":
            released.set()
        task = asyncio.current_task()
        await answer(send, {"before": before, "task": task is not None})

    return app


def exchange_all(host: str, port: int, paths: list[str]) -> list[dict]:
    """Sends every request on a connection of its own before reading any answer (so that they
    reach the server together), then reads each answer."""
    socks = [socket.create_connection((host, port), timeout=10) for _ in paths]
    try:
        for sock, path in zip(socks, paths):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".encode())
        out = []
        for sock in socks:
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 "), head
            out.append(json.loads(body))
        return out
    finally:
        for sock in socks:
            sock.close()


@pytest.fixture(scope="module", params=list(TRANSPORTS))
def server(request):
    srv = asgi.serve(runner_app(), port=0, **TRANSPORTS[request.param])
    yield srv
    srv.stop()


def test_each_request_starts_in_a_context_of_its_own(server):
    answers = exchange_all(server.host, server.port, [f"/r{i}" for i in range(48)])
    assert [a["before"] for a in answers] == ["unset"] * 48
    assert all(a["task"] for a in answers)  # asyncio.current_task() (sniffio, anyio) is set


def test_a_request_that_waits_holds_back_no_other(server):
    # /wait is answered only once /release has run: were the requests after /wait queued
    # behind it in its task, neither would ever be answered (the socket timeout would fail).
    paths = ["/a", "/wait", "/b", "/c", "/release", "/d"]
    answers = dict(zip(paths, exchange_all(server.host, server.port, paths)))
    assert answers["/wait"] == {"before": "unset", "after": "/wait"}  # its own context throughout
    assert all(answers[p]["before"] == "unset" for p in paths)


def test_an_app_giving_an_awaitable_that_is_not_a_coroutine():
    class Awaitable:
        def __init__(self, coro):
            self.coro = coro

        def __await__(self):
            return self.coro.__await__()

    async def inner(scope, receive, send):
        await answer(send, {"before": "unset", "task": True})

    def app(scope, receive, send):
        if scope["type"] != "http":
            async def no_lifespan():
                raise RuntimeError("no lifespan")
            return Awaitable(no_lifespan())
        return Awaitable(inner(scope, receive, send))

    with asgi.serve(app, port=0, lifespan_timeout=2) as srv:
        assert exchange_all(srv.host, srv.port, ["/x", "/y"]) == [{"before": "unset", "task": True}] * 2


def test_a_cut_cancels_a_waiting_request_and_answers_503():
    heard = []
    entered = threading.Event()

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        entered.set()
        try:
            await asyncio.Event().wait()  # never set
        except asyncio.CancelledError:
            heard.append("cancelled")
            raise

    srv = asgi.serve(app, port=0, lifespan_timeout=2, shutdown_timeout=0.3)
    try:
        with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
            sock.sendall(b"GET /never HTTP/1.1\r\nHost: a\r\n\r\n")
            assert entered.wait(10)
            srv.stop()
            assert sock.recv(65536).startswith(b"HTTP/1.1 503 ")
    finally:
        srv.stop()
    assert heard == ["cancelled"]

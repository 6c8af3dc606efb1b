"""lapwise.App's asyncio loop: when it runs the server itself (an App with ``async def`` parts,
one thread on epoll) and what handlers see then: an inline ``def`` route on the loop's thread
sees no running loop, as on an io thread, and a shutdown still cuts a hanging ``async def``
handler with a 503."""

from __future__ import annotations

import asyncio
import json
import socket
import threading

import pytest

from http_fetch import fetch
from lapwise import _native_status
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


async def pass_through(req, call_next):
    return await call_next(req)


def kinds_app(kind: str) -> App:
    app = App()
    if kind == "async":
        @app.get("/x")
        async def async_route(req):
            return "x"
    elif kind == "async-middleware":
        app.middleware(pass_through)
        app.get("/x")(lambda req: "x")
    elif kind == "websocket":
        app.get("/x")(lambda req: "x")

        @app.websocket("/ws")
        async def ws_route(ws):
            await ws.close()
    else:
        app.get("/x")(lambda req: "x")
    return app


@pytest.mark.parametrize("kind, options, env, drives", [
    ("async", {}, "", True),
    ("async-middleware", {}, "", True),
    ("websocket", {}, "", True),
    ("def", {}, "", False),  # no loop at all: the io thread serves
    ("async", {"loop_drives": False}, "", False),
    ("async", {}, "0", False),  # $LAPWISE_LOOP_DRIVES=0 keeps the io thread
    ("async", {"loop_drives": True}, "0", True),  # the option wins
    ("async", {"threads": 2}, "", False),
    ("async", {"io": "asio"}, "", False),
])
def test_the_loop_drives_the_server_when_the_app_has_async_parts(kind, options, env, drives, monkeypatch):
    monkeypatch.setenv("LAPWISE_LOOP_DRIVES", env)
    monkeypatch.delenv("LAPWISE_SERVER_IO", raising=False)
    with kinds_app(kind).serve(port=0, **options) as srv:
        assert (srv._native.poll_fd >= 0) is drives  # the epoll descriptor the loop watches
        assert fetch(srv, "GET", "/x")[:3:2] == (200, b"x")


def seen_by(req) -> dict:
    try:
        asyncio.get_running_loop()
        running = True
    except RuntimeError:
        running = False
    return {"thread": threading.current_thread().name, "running_loop": running}


def test_a_def_route_inline_on_the_loop_thread_sees_no_running_loop(monkeypatch):
    monkeypatch.delenv("LAPWISE_LOOP_DRIVES", raising=False)
    app = App()

    @app.get("/async")
    async def async_route(req):
        return seen_by(req)

    @app.post("/def")
    def def_route(req):
        return {**seen_by(req), "read": req.read().decode()}  # bytes in a def handler

    with app.serve(port=0, io="epoll") as srv:
        assert srv._native.poll_fd >= 0
        for _ in range(40):  # a cheap def route proves itself on the pool, then runs inline
            status, _, body = fetch(srv, "POST", "/def", b"abc")
            assert status == 200
        assert json.loads(body) == {"thread": "lapwise-async", "running_loop": False, "read": "abc"}
        status, _, body = fetch(srv, "GET", "/async")
        assert json.loads(body) == {"thread": "lapwise-async", "running_loop": True}


@pytest.mark.parametrize("drives", [True, False])
def test_a_stop_cuts_a_hanging_async_handler_with_503(drives):
    app = App()
    entered = threading.Event()

    @app.get("/hang")
    async def hang(req):
        entered.set()
        await asyncio.sleep(30)

    srv = app.serve(port=0, io="epoll", loop_drives=drives, shutdown_timeout=0.3)
    try:
        assert (srv._native.poll_fd >= 0) is drives
        sock = socket.create_connection((srv.host, srv.port), timeout=10)
        sock.sendall(b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
        assert entered.wait(10)
        assert srv._pending() == (1, 0)
        assert srv.stop() is False  # one request cut
        answer = sock.recv(4096)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 503")
    finally:
        srv.stop()


def test_requests_of_one_poll_behave_as_in_tasks_of_their_own():
    """Many requests at once: the ones that wait (asyncio.timeout needs a current task) and the
    ones that complete at once all get their own answer, and a context variable one handler
    sets is not seen by the next."""
    import contextvars
    import concurrent.futures

    mark: contextvars.ContextVar[str] = contextvars.ContextVar("mark", default="unset")
    app = App()

    @app.get("/r/{n:int}")
    async def route(req):
        n = req.params["n"]
        seen = mark.get()
        mark.set(f"set by {n}")
        assert asyncio.current_task() is not None
        if n % 3 == 0:
            async with asyncio.timeout(5):
                await asyncio.sleep(0.01)
        if n % 7 == 0:
            raise ValueError("seven")
        return {"n": n, "seen": seen, "after": mark.get()}

    with app.serve(port=0, io="epoll") as srv:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda n: fetch(srv, "GET", f"/r/{n}"), range(1, 97)))
    for n, (status, _, body) in zip(range(1, 97), answers):
        if n % 7 == 0:
            assert status == 500
        else:
            assert (status, json.loads(body)) == (200, {"n": n, "seen": "unset", "after": f"set by {n}"})


def test_a_request_kept_past_its_answer_still_reads():
    """Answered together with others, a request an async handler kept reads as one a def
    handler kept: every attribute was built before the answer."""
    kept = []
    app = App()

    @app.get("/keep/{n:int}")
    async def keep(req):
        kept.append(req)
        return "kept"

    with app.serve(port=0, io="epoll") as srv:
        assert fetch(srv, "GET", "/keep/3?q=a", headers={"X-Mark": "m"})[2] == b"kept"
    (req,) = kept
    assert (req.method, req.path, req.query, req.params, req.headers["x-mark"], req.body) == \
        ("GET", "/keep/3", {"q": "a"}, {"n": 3}, "m", b"")


def test_a_cheap_def_route_under_async_middleware_runs_inline_until_it_is_slow(monkeypatch):
    """Awaited from an async def middleware, a def route proves itself on the pool, then runs
    inline on the loop's thread (no running loop shown), back on the pool after a slow call;
    a blocking=True route never leaves the pool."""
    monkeypatch.delenv("LAPWISE_LOOP_DRIVES", raising=False)
    app = App()
    app.middleware(pass_through)
    slow = threading.Event()

    @app.post("/def")
    def def_route(req):
        if slow.is_set():
            slow.clear()
            threading.Event().wait(0.05)  # over the inline budget: the loop was held
        return {**seen_by(req), "read": req.read().decode()}

    @app.get("/blocking", blocking=True)
    def blocking_route(req):
        return seen_by(req)

    def last(path: str, n: int, body: bytes | None = None) -> dict:
        for _ in range(n):
            status, _, out = fetch(srv, "POST" if body is not None else "GET", path, body)
            assert status == 200
        return json.loads(out)

    with app.serve(port=0, io="epoll") as srv:
        assert srv._native.poll_fd >= 0
        assert last("/def", 40, b"abc") == {"thread": "lapwise-async", "running_loop": False, "read": "abc"}
        slow.set()
        assert last("/def", 1, b"x")["thread"] == "lapwise-async"  # the slow inline call
        assert last("/def", 1, b"y")["thread"].startswith("lapwise-handler")  # back on the pool
        assert last("/blocking", 40)["thread"].startswith("lapwise-handler")

"""Sync (``def``) handlers of lapwise.App never hold an io thread: with one io thread, handlers
that block run side by side on the handler pool, each response is written as its handler
returns, and const and fast routes keep answering meanwhile. Handlers block on events the test
releases, so the checks are about order, not time."""

from __future__ import annotations

import http.client
import threading
import time

import pytest

from lapwise import _native_status
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


WAIT = 20.0  # how long anything may block before the test gives up


class Gate:
    """Handlers that enter, then block until released; counts who is inside."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = 0
        self.peak = 0
        self.entered = threading.Condition(self.lock)
        self.release = {name: threading.Event() for name in ("a", "b", "c", "d", "e")}
        # Ten handlers that return only once all ten are inside at the same time.
        self.together = threading.Barrier(10, timeout=WAIT)

    def hold(self, name: str) -> str:
        with self.lock:
            self.inside += 1
            self.peak = max(self.peak, self.inside)
            self.entered.notify_all()
        try:
            assert self.release[name].wait(WAIT), "never released"
        finally:
            with self.lock:
                self.inside -= 1
        return name

    def wait_inside(self, n: int) -> None:
        with self.lock:
            assert self.entered.wait_for(lambda: self.inside >= n, WAIT), \
                f"{self.inside} handlers entered, expected {n}"


def build(gate: Gate) -> App:
    app = App(server_name="pool-test")

    @app.get("/hold/{name}")
    def hold(req):
        return gate.hold(req.params["name"])

    @app.get("/together")
    def together(req):  # noqa: ARG001
        gate.together.wait()  # BrokenBarrierError (a 500) unless all ten run side by side
        return "together"

    @app.get("/users/{id:int}")
    def users(req):
        return {"id": req.params["id"]}

    app.const("/plaintext", "Hello, World!")
    return app


def build_where(slow_once: list[bool]) -> App:
    """Routes that answer with the name of the thread their handler ran on."""
    app = App(server_name="pool-test")

    @app.get("/where")
    def where(req):  # noqa: ARG001
        return threading.current_thread().name

    @app.get("/where-blocking", blocking=True)
    def where_blocking(req):  # noqa: ARG001
        return threading.current_thread().name

    @app.get("/where-slow-once")
    def where_slow_once(req):  # noqa: ARG001
        if slow_once[0]:
            slow_once[0] = False
            time.sleep(0.1)
        return threading.current_thread().name

    @app.get("/where-turns-slow")
    def where_turns_slow(req):  # noqa: ARG001
        if slow_once[1]:
            time.sleep(0.03)
        return threading.current_thread().name

    return app


class Fetch(threading.Thread):
    """One GET on its own connection, in the background."""

    def __init__(self, port: int, target: str) -> None:
        super().__init__(daemon=True)
        self.port, self.target = port, target
        self.status: int | None = None
        self.body = b""
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT + 10)
            c.request("GET", self.target)
            r = c.getresponse()
            self.status, self.body = r.status, r.read()
            c.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def result(self) -> tuple[int | None, bytes]:
        self.join(WAIT + 15)
        assert not self.is_alive(), f"GET {self.target} never finished"
        assert self.error is None, f"GET {self.target}: {self.error!r}"
        return self.status, self.body


def get(port: int, target: str, timeout: float = 5.0) -> tuple[int, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", target)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


@pytest.fixture
def served():
    gate = Gate()
    app = build(gate)
    running = app.serve(port=0, threads=1, shutdown_timeout=2.0)  # default handler_threads
    yield gate, running
    for ev in gate.release.values():
        ev.set()
    running.stop()


def test_const_and_fast_routes_answer_while_handlers_block(served):
    gate, srv = served
    held = [Fetch(srv.port, f"/hold/{n}") for n in ("a", "b", "c")]
    gate.wait_inside(3)
    # The one io thread is free: a const route and a (fast) handler route answer now.
    assert get(srv.port, "/plaintext") == (200, b"Hello, World!")
    assert get(srv.port, "/users/7") == (200, b'{"id":7}')
    assert all(f.is_alive() for f in held)
    for n in ("a", "b", "c"):
        gate.release[n].set()
    assert [f.result() for f in held] == [(200, b"a"), (200, b"b"), (200, b"c")]


def test_each_response_is_written_as_its_handler_returns(served):
    gate, srv = served
    first = Fetch(srv.port, "/hold/a")
    second = Fetch(srv.port, "/hold/b")
    gate.wait_inside(2)
    gate.release["b"].set()
    assert second.result() == (200, b"b")  # while a still blocks
    assert first.is_alive() and gate.inside == 1
    gate.release["a"].set()
    assert first.result() == (200, b"a")


def test_ten_blocking_handlers_run_side_by_side(served):
    # Each handler blocks until all ten are inside at once: one io thread running them one
    # after another could never answer any.
    _, srv = served
    fetches = [Fetch(srv.port, "/together") for _ in range(10)]
    assert [f.result() for f in fetches] == [(200, b"together")] * 10


def test_the_pool_is_bounded_by_handler_threads():
    gate = Gate()
    running = build(gate).serve(port=0, threads=1, handler_threads=2)
    try:
        held = [Fetch(running.port, f"/hold/{n}") for n in ("a", "b", "c", "d")]
        gate.wait_inside(2)
        time.sleep(0.3)  # room for a third to enter, if the bound did not hold
        assert gate.peak == 2
        for ev in gate.release.values():
            ev.set()
        assert sorted(f.result()[1] for f in held) == [b"a", b"b", b"c", b"d"]
    finally:
        for ev in gate.release.values():
            ev.set()
        running.stop()


def test_a_cheap_route_moves_inline_and_a_slow_call_sends_it_back():
    from lapwise import _app_pool

    slow_once = [False, False]
    with build_where(slow_once).serve(port=0, threads=1) as srv:
        check_where(srv, slow_once, _app_pool.PROMOTE_AFTER)


def check_where(srv, slow_once: list[bool], promote_after: int) -> None:
    """Where each route's calls run. A loaded machine can preempt a pool call past FAST_S (the
    route then needs more calls) or an inline one past the budget (its next call is a probe):
    the checks wait for a state rather than count calls exactly, and retry a scenario."""
    pool_name = "lapwise-handler-"

    def on_pool(path: str) -> bool:
        return get(srv.port, path)[1].decode().startswith(pool_name)

    def calls_until_inline(path: str) -> int:
        for n in range(1, 2001):
            if not on_pool(path):
                return n
        pytest.fail(f"{path} never went inline")

    assert on_pool("/where")  # unproven: on the pool
    assert calls_until_inline("/where") >= promote_after  # then proven cheap: inline
    assert all(on_pool("/where-blocking") for _ in range(promote_after + 4))  # never inline
    for _ in range(3):  # one slow inline call: a probe on the pool, fast, so inline again
        calls_until_inline("/where-slow-once")
        slow_once[0] = True
        assert not on_pool("/where-slow-once")  # 100 ms inline: over the budget
        assert on_pool("/where-slow-once")  # the probe
        if not on_pool("/where-slow-once"):
            break
    else:
        pytest.fail("a fast probe did not bring the route back inline")
    # A handler that turned slow for good: slow inline, slow on the probe, then on the pool.
    calls_until_inline("/where-turns-slow")
    slow_once[1] = True
    assert not on_pool("/where-turns-slow")  # 30 ms inline
    assert on_pool("/where-turns-slow")  # the probe: slow too
    assert all(on_pool("/where-turns-slow") for _ in range(5))


def test_a_long_batch_of_inline_handlers_spills_to_the_pool(monkeypatch):
    from lapwise import _app_pool

    monkeypatch.setattr(_app_pool, "FAST_S", 1.0)  # let a 2 ms handler go inline
    app = App()

    @app.get("/busy")
    def busy(req):  # noqa: ARG001
        end = time.perf_counter() + 0.002
        while time.perf_counter() < end:
            pass
        return threading.current_thread().name

    pool_name = "lapwise-handler-"
    with app.serve(port=0, threads=1) as srv:
        # 24 pipelined requests reach the handler in one batch: 48 ms of handlers, over the
        # 10 ms batch budget, so the batch starts inline and its rest (about 19) goes to the
        # pool. A loaded machine may stretch one inline call past 10 ms, which sends the next
        # call to the pool as a probe: hence a few tries, each once the route is inline again.
        seen = []
        for _ in range(5):
            wait_inline(srv.port, pool_name)
            names = pipelined_names(srv.port, "/busy", 24)
            assert len(names) == 24
            inline = sum(not n.startswith(pool_name) for n in names)
            seen.append(inline)
            if 1 <= inline <= 12:
                break
        else:
            pytest.fail(f"inline calls per batch of 24: {seen}; expected a batch cut short")


def wait_inline(port: int, pool_name: str) -> None:
    for _ in range(2000):
        if not get(port, "/busy")[1].decode().startswith(pool_name):
            return
    pytest.fail("the route never went inline")


def pipelined_names(port: int, target: str, n: int) -> list[str]:
    """Sends n pipelined GETs on one connection; the bodies (thread names) in order."""
    import socket

    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    one = f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    s.sendall(one * (n - 1) + one.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
    data = b""
    while chunk := s.recv(1 << 16):
        data += chunk
    s.close()
    return [part.split(b"\r\n\r\n", 1)[1][:40].split(b"HTTP/1.1")[0].decode()
            for part in data.split(b"HTTP/1.1 200 OK")[1:]]

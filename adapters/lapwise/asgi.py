"""Serve an ASGI 3 application on lapwise's native server.

    import lapwise.asgi
    with lapwise.asgi.serve(app, port=0) as srv:      # startup has run; srv.url
        ...                                             # leaving: drain, then shutdown
    lapwise.asgi.run(app, port=8000)                   # until SIGTERM/SIGINT

Every request of every method on every path reaches the app, on one asyncio loop (uvloop
when importable). The requests of one batch run one after the other in one task while each
completes without waiting, every one in a context of its own (``asgi_run_batch``, native): a
request that waits keeps that task, and the rest go on in another, so each request behaves as
in a task of its own without the cost of one. With one thread on the epoll transport
(the default) that loop runs the server itself (the native option ``external_loop``): it
polls the server's epoll descriptor, gets each poll's ready requests in one batch on its own
thread, and the whole answers of one loop iteration are written by the ``answer_many`` call
that hands them over: no io thread, no thread switch, no GIL hand-off. With more threads, on
Asio, or with ``loop_drives=False``, io threads hand requests over in batches instead: each
batch takes the GIL once and wakes the loop once. ``options`` are the native server's (see
``lapwise.App.serve``), plus ``root_path`` (the scope's), ``lifespan_timeout`` (seconds for
startup and for shutdown, default 10) and ``loop_drives``. Responses stream with
back-pressure and ``http.disconnect`` comes when the client leaves (``_asgi_exchange``).
Request bodies over ``stream_body_over`` bytes (64 KiB by default), and chunked or
``Expect: 100-continue`` ones not wholly received, reach ``receive()`` in pieces as they
arrive (``more_body`` True until the last), the connection not read while the app does not
ask (at most ``body_window`` bytes wait); ``100 Continue`` goes out at the first
``receive()``. Smaller bodies come whole in one message. The scope's ``client`` and
``server`` are the connection's addresses.
Files go out with ``sendfile``: the scope offers ``http.response.pathsend`` and
``http.response.zerocopysend``, ``FileResponse`` uses pathsend, and ``send_files_by_path``
makes Starlette's own ``FileResponse`` use it (``_asgi_files``).
WebSocket upgrades get the ``websocket`` scope (``_asgi_websocket``: accept with subprotocol
and headers, text and bytes both ways, close codes, refusal with 403, the
``websocket.http.response`` extension); options ``websocket_max_message`` (bytes, default
16 MiB: a larger message closes with 1009) and ``websocket_deflate`` (default True). A stop
sends Close 1001 to every WebSocket and waits for the close handshakes.

Methods outside GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS get 405 from the core.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import threading
from collections.abc import Callable
from typing import Any

from . import _native_status
from ._app_async import new_loop
from ._app_pool import PENDING
from ._asgi_exchange import Exchange, http_scope, scope_template
from ._asgi_files import FileResponse, send_files_by_path
from ._asgi_lifespan import Lifespan, LifespanError
from ._asgi_websocket import WebSocketExchange, websocket_scope
from ._app_websocket import take_options as websocket_options
from ._coro_steps import awaited as _awaited, resume as _resume
from ._loop_driver import LoopDriver, loop_drives
from ._websocket_conn import on_batch as websocket_events
from ._proxy_headers import asgi_proxy_headers
from ._proxy_headers import take_options as proxy_options
from ._served import METHODS, STREAM_BODY_OVER, Served, start_native
from .app import App, Running, _cut_response

__all__ = ["serve", "run", "LifespanError", "METHODS", "FileResponse", "send_files_by_path"]

log = logging.getLogger("lapwise.asgi")


_TASK_NAME = "lapwise-asgi-request"


def _log_error(exc: BaseException, where: str, method: str | None, path: str | None) -> None:
    log.error("%s %s: the ASGI app raised %s", method, path, type(exc).__name__, exc_info=exc)


class _Bridge:
    """The loop thread, the batch handoff from the io threads, and the pending requests."""

    def __init__(self, app: Any, server: tuple[str, int], root_path: str, lifespan_timeout: float,
                 *, answer_many: Callable[[list[tuple[Any, ...]]], Any] | None = None,
                 thread: bool = True) -> None:
        """``answer_many`` and ``thread=False`` are for driving the bridge in-process (the
        harness's hosted lap driver): whole answers go to that callable, and the caller runs
        ``self.loop`` itself."""
        self.app = app
        self.server = server
        self.root_path = root_path
        self.lifespan_timeout = lifespan_timeout
        self.lifespan = Lifespan(app)
        self.loop = new_loop()
        self._inbox: list[Any] = []
        self._woken = False
        # Streamed parts taken / clients gone (piece None), and body pieces (data, end, error).
        self._resumes: list[tuple[Any, bool, tuple[bytes, bool, int] | None]] = []
        self._resumes_woken = False
        self._template = scope_template(server, root_path)
        self._context = contextvars.copy_context()  # what each request's context starts from
        self._run_batch = _native_status.module().asgi_run_batch
        self._outbox: list[tuple[Any, ...]] = []  # whole responses not yet handed to the core
        self._flush_due = False
        self._answer_many = answer_many or _native_status.module().answer_many
        # native request -> (its exchange, its task) while the app holds it. Read by other
        # threads (pending, cut) without a lock: single dict operations are atomic.
        self._held: dict[Any, tuple[Exchange, asyncio.Task[None] | None]] = {}
        # How the hooks reach the loop: from the io threads, thread-safely; once the loop
        # drives the server itself (drive()), the hooks run on its own thread.
        self._wake: Callable[..., Any] = self.loop.call_soon_threadsafe
        self._driver: LoopDriver | None = None  # the loop runs the native server (drive())
        if not thread:
            return
        started = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(started,), name="lapwise-asgi", daemon=True)
        self._thread.start()
        started.wait()

    def _main(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._root(started))

    async def _root(self, started: threading.Event) -> None:
        """The loop's root task, alive until ``stop``: what runs under ``run_until_complete``
        is where anyio (Starlette's and FastAPI's ``run_in_threadpool``) ties its worker
        threads. Without one, anyio ties each worker to the request's own task and a sync
        dependency or endpoint costs a new thread per request."""
        self._stopped = self.loop.create_future()
        started.set()
        await self._stopped

    def call(self, coro: Any, timeout: float) -> Any:
        """Runs ``coro`` on the loop from another thread and waits at most ``timeout`` s."""
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return fut.result(timeout)
        except concurrent.futures.TimeoutError:
            fut.cancel()
            raise LifespanError(f"lifespan did not answer within {timeout:g} s") from None

    # The io thread's side, with the GIL (taken once for its whole batch).
    def enter(self, req: Any) -> Any:
        self._inbox.append(req)
        if not self._woken:  # one wake-up of the loop for all the batch
            self._woken = True
            self._wake(self._take)
        return PENDING

    def resume(self, req: Any, gone: bool) -> None:
        """A streamed part was taken, or the client left: batched like ``enter``."""
        self._queue_resume((req, gone, None))

    def piece(self, req: Any, data: bytes, end: bool, error: int) -> None:
        """A piece of a streamed body the exchange asked for: batched like ``enter``."""
        self._queue_resume((req, False, (data, end, error)))

    def _queue_resume(self, item: tuple[Any, bool, tuple[bytes, bool, int] | None]) -> None:
        self._resumes.append(item)
        if not self._resumes_woken:
            self._resumes_woken = True
            self._wake(self._take_resumes)

    # The loop driving the server (the native option external_loop): no io thread.
    def drive(self, server: Any) -> None:
        """From now on the loop's thread runs ``server`` (started with ``external_loop``:
        ``_loop_driver``): the hooks run on the loop's thread inside its polls, what they queue
        is taken right after each poll, and whole answers are written by ``answer_many``
        itself."""
        self._driver = LoopDriver(self.loop, server, self._before_poll, self._after_poll)
        self._wake = self.loop.call_soon
        self.loop.call_soon_threadsafe(self._driver.attach)

    def _before_poll(self) -> None:
        self._woken = self._resumes_woken = True  # what the poll hands over is taken right after it

    def _after_poll(self) -> None:
        self._take_resumes()
        self._take()

    # The loop's side.
    def _take_resumes(self) -> None:
        self._resumes_woken = False
        batch, self._resumes = self._resumes, []
        for req, gone, piece in batch:
            if (held := self._held.get(req)) is None:
                continue
            ex = held[0]
            if piece is None:
                ex.resumed(gone)
            else:
                ex.piece(*piece)

    def _take(self) -> None:
        self._woken = False
        batch, self._inbox = self._inbox, []
        state = self.lifespan.state if self.lifespan.supported else None
        template = self._template
        if template["server"] != self.server or template["root_path"] != self.root_path:
            self._template = template = scope_template(self.server, self.root_path)
        loop, held, outbox, kick = self.loop, self._held, self._outbox, self._kick
        runs: list[tuple[dict[str, Any], Exchange]] = []
        for req in batch:
            native_ws = req.websocket
            if native_ws is not None:  # a WebSocket handshake: _asgi_websocket
                wex = WebSocketExchange(req, native_ws, loop, websocket_scope(req, template, state))
                held[req] = (wex, loop.create_task(self._run_websocket(wex)))  # type: ignore[assignment]
                continue
            ex = Exchange(req, loop, outbox, kick)
            try:
                scope = http_scope(req, template, state)
            except BaseException as exc:  # noqa: BLE001 - answered, never lost
                ex.fail(exc)
                continue
            held[req] = (ex, None)
            runs.append((scope, ex))
        if runs:
            # Named: a Task left unnamed formats a "Task-<n>" name of its own, a tenth of its cost.
            asyncio.Task(self._runner(runs, 0), loop=loop, name=_TASK_NAME)

    async def _runner(self, runs: list[tuple[dict[str, Any], Exchange]], start: int) -> None:
        """Runs the requests of ``runs`` from ``start`` on, one after the other, in this one
        task while each completes without suspending (the common case: a whole answer, no
        await that waits): ``asgi_run_batch`` (bind_asgi.cc) runs their first steps, each in a
        context of its own as in a task of its own. The first that suspends keeps this task
        until it ends, and the requests after it go on in a new task."""
        out = self._run_batch(runs, start, self.app, self._context, self._held, self._ended, self._raised,
                              _awaited)
        if out is None:
            return
        i, coro, ctx, waited = out
        if i + 1 < len(runs):
            asyncio.Task(self._runner(runs, i + 1), loop=self.loop, name=_TASK_NAME)
        scope, ex = runs[i]
        self._held[ex.req] = (ex, asyncio.current_task(self.loop))
        try:
            await _resume(coro, ctx, waited)
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._raised(scope, ex, exc)
            return
        finally:
            self._held.pop(ex.req, None)
        self._ended(scope, ex)

    def _raised(self, scope: dict[str, Any], ex: Exchange, exc: BaseException) -> None:
        if ex.streaming and not ex.answered:  # the status is sent: the error only ends it
            log.error("%s %s: the ASGI app raised %s while streaming", scope["method"], scope["path"],
                      type(exc).__name__, exc_info=exc)
        ex.fail(exc)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise exc

    @staticmethod
    def _ended(scope: dict[str, Any], ex: Exchange) -> None:
        if not ex.answered:
            if ex.streaming:  # returned before its last body message: the stream ends here
                ex.end()
            elif ex.status:
                ex.whole(b"")
            else:
                ex.fail(RuntimeError("the ASGI app returned without sending a response"))

    def _kick(self) -> None:
        """The outbox of whole responses stopped being empty (the exchanges append to it): it
        goes to the core with the others of this loop iteration, in one batch (one io-thread
        wake-up, or with the loop driving the server, one write turn)."""
        if not self._flush_due:
            self._flush_due = True
            self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_due = False
        batch = self._outbox  # the exchanges hold this list: emptied in place
        if batch:
            try:
                self._answer_many(batch)
            finally:
                batch.clear()

    async def _run_websocket(self, wex: WebSocketExchange) -> None:
        try:
            await wex.run(self.app)
        finally:
            self._held.pop(wex.req, None)

    # Running's interface: pending / cut / stop.
    def pending(self) -> int:
        return len(self._held) + len(self._outbox)

    def cut(self) -> int:
        self._flush()  # what is answered already leaves first
        held = list(self._held.values())
        self._held.clear()
        cut = 0
        for ex, task in held:
            if not ex.answered:
                cut += 1
                ex.answer(_cut_response())
            if task is not None:  # None: not started yet (its runner skips it, answered)
                self.loop.call_soon_threadsafe(task.cancel)
        return cut

    def _end_root(self) -> None:
        if self._driver is not None:  # a server not stopped yet stops now, on this thread
            self._driver.last()
            self._driver = None
        if not self._stopped.done():
            self._stopped.set_result(None)

    def stop(self, timeout: float = 1.0) -> None:
        """Runs the lifespan shutdown (bounded), then stops the loop; idempotent."""
        if not self._thread.is_alive():
            return
        try:
            self.call(self.lifespan.shutdown(), self.lifespan_timeout)
        except BaseException as exc:  # noqa: BLE001 - logged; the stop goes on
            log.error("ASGI lifespan shutdown failed: %s", exc)
        self.loop.call_soon_threadsafe(self._end_root)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()


def serve(app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 1, *, root_path: str = "",
          lifespan_timeout: float = 10.0, server_name: str = "lapwise", **options: Any) -> Running:
    """Runs the app's lifespan startup, then serves it in the background; returns at once with
    the address. Raises ``LifespanError`` (the server never listens) when startup fails, and
    the native server's error (``ValueError``: cannot listen on ...) when it cannot start."""
    native = _native_status.module()
    if (trusted := proxy_options(options)) is not None:
        app = asgi_proxy_headers(app, trusted)
    ws_options = websocket_options(options)
    external = loop_drives(threads, options)
    server = native.Server({"host": host, "port": port, "threads": threads, "server_name": server_name,
                            "tell_gone": True, "stream_body_over": STREAM_BODY_OVER, "external_loop": external,
                            **options})
    server.set_websocket(websocket_events, **ws_options)
    bridge = _Bridge(app, (host, port), root_path, lifespan_timeout)
    try:
        bridge.call(bridge.lifespan.startup(), lifespan_timeout)
        running = start_native(server, bridge, _log_error, host, options.get("shutdown_timeout"))
        if external:
            bridge.drive(server)
    except BaseException:
        bridge.lifespan.supported = False  # a failed startup has no shutdown
        bridge.stop(0.5)
        raise
    bridge.server = (host, running.port)
    return running


def run(app: Any, host: str = "127.0.0.1", port: int = 8000, threads: int = 1, **options: Any) -> None:
    """Serves until SIGTERM/SIGINT, then drains and stops as ``lapwise.App.run`` does; the
    lifespan shutdown runs after the drain."""
    App.run(Served(serve, app), host, port, threads, **options)  # type: ignore[arg-type]

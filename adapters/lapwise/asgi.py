"""Serve an ASGI 3 application on lapwise's native server.

    import lapwise.asgi
    with lapwise.asgi.serve(app, port=0) as srv:      # startup has run; srv.url
        ...                                             # leaving: drain, then shutdown
    lapwise.asgi.run(app, port=8000)                   # until SIGTERM/SIGINT

Every request of every method on every path reaches the app. The io threads hand requests
over in batches: each batch takes the GIL once and wakes the one asyncio loop (uvloop when
importable) once, and the loop starts one task per request. ``options`` are the native
server's (see ``lapwise.App.serve``), plus ``root_path`` (the scope's) and
``lifespan_timeout`` (seconds for startup and for shutdown, default 10). Responses stream with
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

Methods outside GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS get 405 from the core.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from typing import Any

from . import _native_status
from ._app_pool import PENDING
from ._asgi_exchange import Exchange, http_scope
from ._asgi_files import FileResponse, send_files_by_path
from ._asgi_lifespan import Lifespan, LifespanError
from ._served import METHODS, STREAM_BODY_OVER, Served, start_native
from .app import App, Response, Running, _cut_response

__all__ = ["serve", "run", "LifespanError", "METHODS", "FileResponse", "send_files_by_path"]

log = logging.getLogger("lapwise.asgi")


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _log_error(exc: BaseException, where: str, method: str | None, path: str | None) -> None:
    log.error("%s %s: the ASGI app raised %s", method, path, type(exc).__name__, exc_info=exc)


class _Bridge:
    """The loop thread, the batch handoff from the io threads, and the pending requests."""

    def __init__(self, app: Any, server: tuple[str, int], root_path: str, lifespan_timeout: float) -> None:
        self.app = app
        self.server = server
        self.root_path = root_path
        self.lifespan_timeout = lifespan_timeout
        self.lifespan = Lifespan(app)
        self.loop = _new_loop()
        self._inbox: list[Any] = []
        self._woken = False
        # Streamed parts taken / clients gone (piece None), and body pieces (data, end, error).
        self._resumes: list[tuple[Any, bool, tuple[bytes, bool, int] | None]] = []
        self._resumes_woken = False
        self._pending: dict[asyncio.Task[None], Exchange] = {}
        self._exchanges: dict[Any, Exchange] = {}  # native request -> its exchange, while held
        self._lock = threading.Lock()
        started = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(started,), name="lapwise-asgi", daemon=True)
        self._thread.start()
        started.wait()

    def _main(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(started.set)
        self.loop.run_forever()

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
            self.loop.call_soon_threadsafe(self._take)
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
            self.loop.call_soon_threadsafe(self._take_resumes)

    # The loop's side.
    def _take_resumes(self) -> None:
        self._resumes_woken = False
        batch, self._resumes = self._resumes, []
        for req, gone, piece in batch:
            if (ex := self._exchanges.get(req)) is None:
                continue
            if piece is None:
                ex.resumed(gone)
            else:
                ex.piece(*piece)

    def _take(self) -> None:
        self._woken = False
        batch, self._inbox = self._inbox, []
        state = self.lifespan.state if self.lifespan.supported else None
        for req in batch:
            ex = Exchange(req, self.loop)
            try:
                scope = http_scope(req, self.server, self.root_path, state)
            except BaseException as exc:  # noqa: BLE001 - answered, never lost
                ex.fail(exc)
                continue
            task = self.loop.create_task(self._run(scope, ex))
            self._exchanges[req] = ex
            with self._lock:
                self._pending[task] = ex
            task.add_done_callback(self._forget)

    async def _run(self, scope: dict[str, Any], ex: Exchange) -> None:
        try:
            await self.app(scope, ex.receive, ex.send)
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            if ex.streaming and not ex.answered:  # the status is sent: the error only ends it
                log.error("%s %s: the ASGI app raised %s while streaming", scope["method"], scope["path"],
                          type(exc).__name__, exc_info=exc)
            ex.fail(exc)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            return
        if not ex.answered:
            if ex.streaming:  # returned before its last body message: the stream ends here
                ex.end()
            elif ex.status:
                ex.answer(Response(ex.status, ex.headers, b""))
            else:
                ex.fail(RuntimeError("the ASGI app returned without sending a response"))

    def _forget(self, task: asyncio.Task[None]) -> None:
        with self._lock:
            ex = self._pending.pop(task, None)
        if ex is not None:
            self._exchanges.pop(ex.req, None)

    # Running's interface: pending / cut / stop.
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def cut(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, {}
        cut = 0
        for task, ex in pending.items():
            if not ex.answered:
                cut += 1
                ex.answer(_cut_response())
            self.loop.call_soon_threadsafe(task.cancel)
        return cut

    def stop(self, timeout: float = 1.0) -> None:
        """Runs the lifespan shutdown (bounded), then stops the loop; idempotent."""
        if not self._thread.is_alive():
            return
        try:
            self.call(self.lifespan.shutdown(), self.lifespan_timeout)
        except BaseException as exc:  # noqa: BLE001 - logged; the stop goes on
            log.error("ASGI lifespan shutdown failed: %s", exc)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()


def serve(app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 1, *, root_path: str = "",
          lifespan_timeout: float = 10.0, server_name: str = "lapwise", **options: Any) -> Running:
    """Runs the app's lifespan startup, then serves it in the background; returns at once with
    the address. Raises ``LifespanError`` (the server never listens) when startup fails, and
    the native server's error (``ValueError``: cannot listen on ...) when it cannot start."""
    native = _native_status.module()
    server = native.Server({"host": host, "port": port, "threads": threads, "server_name": server_name,
                            "tell_gone": True, "stream_body_over": STREAM_BODY_OVER, **options})
    bridge = _Bridge(app, (host, port), root_path, lifespan_timeout)
    try:
        bridge.call(bridge.lifespan.startup(), lifespan_timeout)
        running = start_native(server, bridge, _log_error, host, options.get("shutdown_timeout"))
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

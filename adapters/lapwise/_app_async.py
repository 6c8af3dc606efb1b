"""The asyncio loop thread that runs lapwise.App's ``async def`` handlers.

The io thread that received a request calls the handler, gets a coroutine back and hands it to
``schedule``: the coroutine runs on this loop, and its outcome answers the request from the
loop thread (the native side posts the response back to the connection's io thread).

A shutdown that runs out of time ``cut``s what is still pending: each such request is answered
with the cut response (503) at once and its task is cancelled; the loop is then stopped without
waiting for tasks that ignore the cancellation.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from ._app_pool import PENDING


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when it is installed (its timers, callbacks and socket wake-ups are C:
    a streamed part or a WebSocket message costs the loop several microseconds less), else
    asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class LoopThread:
    """One daemon thread running one asyncio event loop until ``stop()``."""

    def __init__(self, cut_response: Callable[[], Any]) -> None:
        self.loop = new_loop()
        self._cut_response = cut_response
        self._lock = threading.RLock()  # reentrant: see HandlerPool._lock
        self._pending: dict[concurrent.futures.Future[Any], Any] = {}  # future -> its request
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lapwise-async", daemon=True)
        self.thread = self._thread
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._root())

    async def _root(self) -> None:
        """The loop's root task, alive until ``stop``: anyio (``run_in_threadpool``) ties its
        worker threads to the task run by ``run_until_complete``; without one it ties each
        worker to the handler's own task, a new thread per call."""
        self._root_task = asyncio.current_task()
        self._stopped: asyncio.Future[None] = self.loop.create_future()
        self._started.set()
        await self._stopped

    def schedule(self, coro: Coroutine[Any, Any, Any], req: Any) -> None:
        """Runs ``coro`` on the loop; its result (or exception) answers ``req``."""
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        with self._lock:
            self._pending[fut] = req
        fut.add_done_callback(self._finish)

    def _finish(self, fut: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            req = self._pending.pop(fut, None)
        if req is None:  # cut: answered already
            return
        if fut.cancelled():
            req._respond(self._cut_response())
            return
        try:
            result = fut.result()
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            req._fail(exc)
        else:
            if result is not PENDING:  # PENDING: the coroutine answered it (a file body)
                req._respond(result)

    def _end_root(self) -> None:
        if not self._stopped.done():
            self._stopped.set_result(None)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def cut(self) -> int:
        """Answers every pending request with the cut response and cancels its task; returns
        how many were cut."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for fut, req in pending.items():
            req._respond(self._cut_response())
            fut.cancel()  # also cancels the task, on the loop thread
        return len(pending)

    def stop(self, timeout: float = 1.0) -> None:
        """Cancels every task, stops the loop and joins the thread for at most ``timeout``
        seconds (a task that blocks the loop is left behind: the thread is a daemon);
        idempotent."""
        if not self._thread.is_alive():
            return
        self.cut()  # a task cancelled below would answer its request only after the loop stopped

        def _cancel_all_and_stop() -> None:
            for t in asyncio.all_tasks(self.loop):
                if t is not self._root_task:
                    t.cancel()
            # One more turn lets the cancelled tasks run their cleanup before the loop stops.
            self.loop.call_soon(self._end_root)

        try:
            self.loop.call_soon_threadsafe(_cancel_all_and_stop)
        except RuntimeError:  # closed already
            return
        self._thread.join(timeout=timeout)
        if not self._thread.is_alive():
            self.loop.close()


class LazyLoop:
    """A LoopThread started by the first coroutine that needs it (an ``async def`` handler, or
    a callable that returns an awaitable), so apps without async handlers run no loop."""

    def __init__(self, cut_response: Callable[[], Any]) -> None:
        self._cut_response = cut_response
        self._lock = threading.Lock()
        self._loop: LoopThread | None = None

    def _started(self) -> LoopThread:
        if self._loop is None:
            with self._lock:
                if self._loop is None:
                    self._loop = LoopThread(self._cut_response)
        return self._loop

    def schedule(self, coro: Coroutine[Any, Any, Any], req: Any) -> None:
        self._started().schedule(coro, req)

    def start(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Runs ``coro`` on the loop; its outcome comes in the future returned. The coroutine's
        task gets a copy of this thread's context. Not from the loop's own thread (whoever
        waits for the future would block the loop it waits for: ``_app_bridge``)."""
        loop = self._started()
        if threading.current_thread() is loop.thread:
            coro.close()
            raise RuntimeError("an async def part waited for on the loop thread itself")
        return asyncio.run_coroutine_threadsafe(coro, loop.loop)

    def pending(self) -> int:
        loop = self._loop
        return loop.pending() if loop is not None else 0

    def cut(self) -> int:
        loop = self._loop
        return loop.cut() if loop is not None else 0

    def stop(self, timeout: float = 1.0) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop(timeout)

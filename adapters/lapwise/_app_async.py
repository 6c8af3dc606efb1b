"""The asyncio loop thread that runs lapwise.App's ``async def`` handlers.

The io thread that received a request calls the handler, gets a coroutine back and hands it to
``schedule``: the coroutine runs on this loop, and its outcome answers the request from the
loop thread (the native side posts the response back to the connection's io thread).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from collections.abc import Coroutine
from typing import Any


def _finish(req: Any, fut: concurrent.futures.Future[Any]) -> None:
    try:
        result = fut.result()
    except BaseException as exc:  # noqa: BLE001 - every outcome answers the request (500)
        req._fail(exc)
    else:
        req._respond(result)


class LoopThread:
    """One daemon thread running one asyncio event loop until ``stop()``."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lapwise-async", daemon=True)
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._started.set)
        self.loop.run_forever()

    def schedule(self, coro: Coroutine[Any, Any, Any], req: Any) -> None:
        """Runs ``coro`` on the loop; its result (or exception) answers ``req``."""
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        fut.add_done_callback(functools.partial(_finish, req))

    def stop(self) -> None:
        """Stops the loop (pending tasks are cancelled, which answers their requests) and
        joins the thread; idempotent."""
        if not self._thread.is_alive():
            return

        async def _cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(_cancel_all(), self.loop).result(timeout=5)
        except (concurrent.futures.TimeoutError, RuntimeError):
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


class LazyLoop:
    """A LoopThread started by the first coroutine that needs it (an ``async def`` handler, or
    a callable that returns an awaitable), so apps without async handlers run no loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: LoopThread | None = None

    def schedule(self, coro: Coroutine[Any, Any, Any], req: Any) -> None:
        if self._loop is None:
            with self._lock:
                if self._loop is None:
                    self._loop = LoopThread()
        self._loop.schedule(coro, req)

    def stop(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()

"""The asyncio loop thread that runs lapwise.App's ``async def`` handlers.

Two ways the loop gets its coroutines:

- The loop drives the server (``drive``: the App has ``async def`` parts and serves with one
  thread on the epoll transport, ``_loop_driver``): there is no io thread, the server's turns
  run on the loop's own thread, and the handlers' coroutines of one poll run right after it,
  one after the other in one task while each completes without waiting (each in a context of
  its own, as in a task of its own; one that waits keeps that task, and the rest go on in
  another: ``_coro_steps``). Each outcome answers its request on the same thread, written at
  once: no thread switch, no GIL hand-off, no wake-up, and no task per request.
- Otherwise an io thread that received a request calls the handler, gets a coroutine back and
  hands it to ``schedule`` across threads: the coroutine runs on this loop, and its outcome
  answers the request from the loop thread (the native side posts the response back to the
  connection's io thread). Pool threads (a ``def`` callable that returned an awaitable) always
  hand coroutines over this way.

A shutdown that runs out of time ``cut``s what is still pending: each such request is answered
with the cut response (503) at once and its task is cancelled; the loop is then stopped without
waiting for tasks that ignore the cancellation.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
import types
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from . import _native_status
from ._app_pool import PENDING
from ._coro_steps import awaited, resume
from ._loop_driver import LoopDriver

# Named: a task left unnamed formats a "Task-<n>" name of its own, a tenth of its cost.
_TASK_NAME = "lapwise-app-handler"
_TAKEN: Any = (None, None)  # a run begun: its list no longer holds its request


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
        # Request -> [the task it keeps once it waits, None until then], for the coroutines
        # started on the loop's own thread. Read and emptied by other threads (pending, cut)
        # without a lock: each dict operation is atomic, and whoever pops a request answers it.
        self._tasks: dict[Any, list[asyncio.Task[Any] | None]] = {}
        self._runs: list[tuple[Coroutine[Any, Any, Any], Any]] = []  # scheduled, not yet begun
        self._runs_due = False  # a runner is made that has not taken self._runs yet
        self._driver: LoopDriver | None = None
        self._ident = -1
        self._context = contextvars.Context()  # what each request's context starts from
        self._respond_many = _native_status.module().respond_many
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lapwise-async", daemon=True)
        self.thread = self._thread
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        self._ident = threading.get_ident()
        self._context = contextvars.copy_context()
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

    def drive(self, server: Any) -> None:
        """From now on this loop runs ``server`` (started with ``external_loop``)."""
        self._driver = LoopDriver(self.loop, server)
        self.loop.call_soon_threadsafe(self._driver.attach)

    def schedule(self, coro: Coroutine[Any, Any, Any], req: Any) -> None:
        """Runs ``coro`` on the loop; its result (or exception) answers ``req``."""
        if threading.get_ident() == self._ident:  # the loop drives the server: run here
            self._tasks[req] = [None]
            self._runs.append((coro if isinstance(coro, types.CoroutineType) else awaited(coro), req))
            if not self._runs_due:  # its first step takes this one and those scheduled after it
                self._runs_due = True
                asyncio.Task(self._runner(None, 0), loop=self.loop, name=_TASK_NAME)
            return
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

    async def _runner(self, runs: list[tuple[Coroutine[Any, Any, Any], Any]] | None, start: int) -> None:
        """Runs the coroutines of ``runs`` (None: those scheduled since this task was made, a
        poll's batch) from ``start`` on, one after the other, in this one task while each
        completes without waiting (the common case), each in a context of its own as in a task
        of its own (``_coro_steps``). The first that waits keeps this task until
        it ends, and the ones after it go on in a new task. The results are answered together
        (``respond_many``), each request then held by its pair alone: the native side builds
        the attributes of a request still referenced when answered, a cost of its own."""
        if runs is None:
            self._runs_due = False
            runs, self._runs = self._runs, []
        tasks, base, answers = self._tasks, self._context, []
        try:
            for i in range(start, len(runs)):
                coro, req = runs[i]
                runs[i] = _TAKEN
                if (holder := tasks.get(req)) is None:  # cut before it began
                    coro.close()
                    continue
                ctx = base.copy()
                try:
                    waited = ctx.run(coro.send, None)
                except StopIteration as stop:
                    if tasks.pop(req, None) is not None and stop.value is not PENDING:
                        answers.append((req, stop.value))  # PENDING: it answered (a file body)
                    continue
                except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
                    self._failed(req, exc)
                    continue
                if i + 1 < len(runs):
                    asyncio.Task(self._runner(runs, i + 1), loop=self.loop, name=_TASK_NAME)
                if answers:  # the ones before it do not wait for it
                    self._respond_many(answers)
                    answers.clear()
                holder[0] = asyncio.current_task(self.loop)
                await self._answer(resume(coro, ctx, waited), req)
                return
        finally:
            if answers:
                req = None  # the last one's pair is then its only holder
                self._respond_many(answers)

    async def _answer(self, coro: Awaitable[Any], req: Any) -> None:
        """Awaits a coroutine started on the loop's thread; its outcome answers ``req``, unless
        a cut took the request first."""
        try:
            result = await coro
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._failed(req, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        if self._tasks.pop(req, None) is not None and result is not PENDING:
            req._respond(result)  # PENDING: the coroutine answered it (a file body)

    def _failed(self, req: Any, exc: BaseException) -> None:
        """A coroutine raised: its request is answered (the cut response for a cancellation),
        unless a cut took it first. KeyboardInterrupt and SystemExit go on up."""
        if self._tasks.pop(req, None) is not None:
            if isinstance(exc, asyncio.CancelledError):
                req._respond(self._cut_response())
            else:
                req._fail(exc)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise exc

    def _end_root(self) -> None:
        if self._driver is not None:  # a server not stopped yet stops now, on this thread
            self._driver.last()
            self._driver = None
        if not self._stopped.done():
            self._stopped.set_result(None)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending) + len(self._tasks)

    def cut(self) -> int:
        """Answers every pending request with the cut response and cancels its task; returns
        how many were cut."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for fut, req in pending.items():
            req._respond(self._cut_response())
            fut.cancel()  # also cancels the task, on the loop thread
        cut = len(pending)
        for req in list(self._tasks):
            if (holder := self._tasks.pop(req, None)) is not None:
                cut += 1
                req._respond(self._cut_response())
                if (task := holder[0]) is not None:  # None: not begun, or in its first step
                    self.loop.call_soon_threadsafe(task.cancel)
        return cut

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

    def started(self) -> LoopThread:
        """The loop, started now if it was not."""
        if self._loop is None:
            with self._lock:
                if self._loop is None:
                    self._loop = LoopThread(self._cut_response)
        return self._loop

    def schedule(self, coro: Coroutine[Any, Any, Any], req: Any) -> None:
        self.started().schedule(coro, req)

    def drive(self, server: Any) -> None:
        """Starts the loop now; it runs ``server`` (``LoopThread.drive``)."""
        self.started().drive(server)

    def start(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Runs ``coro`` on the loop; its outcome comes in the future returned. The coroutine's
        task gets a copy of this thread's context. Not from the loop's own thread (whoever
        waits for the future would block the loop it waits for: ``_app_bridge``)."""
        loop = self.started()
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

"""Where lapwise.App runs a sync (``def``) handler: inline on the io thread, or on a pool.

A handler that blocks (``time.sleep``, a database call, a slow computation) must not hold the
io thread: that thread also answers const routes and every other connection it owns. But a
thread hop costs more than a cheap handler itself (the /json handler path costs about 4 µs of
CPU per request; waking a pool thread and posting the answer back costs several times that).
So each route proves itself first:

- A route starts on the pool. Each pool call is timed (wall clock); after ``PROMOTE_AFTER``
  calls in a row that each took under ``FAST_S``, the route runs inline on the io thread.
- An inline call that takes longer than ``INLINE_BUDGET_S`` sends the route back to the pool,
  and it must then prove itself over four times as many calls (at most 4096), so a handler
  that is usually fast but sometimes blocks stalls its io thread a few times, then stays off it.
- ``blocking=True`` on the route keeps it on the pool for good (for handlers known to block,
  so that not even one call can stall the io thread).

The pool has a bounded number of daemon threads (``handler_threads``, default 32), started as
they are needed; requests beyond that wait in its queue. A pool handler answers its request
itself as soon as it returns (the server core accepts an answer from any thread and writes it
on the connection's io thread), never after the rest of a batch.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from ._app_routes import JSONBodyError

log = logging.getLogger("lapwise.app")

DEFAULT_THREADS = 32
FAST_S = 0.001  # a pool call this short could have run inline without harm
PROMOTE_AFTER = 16  # fast pool calls in a row before a route runs inline
# An inline call longer than this stalled the io thread: back to the pool. Well above FAST_S so
# that the scheduler preempting the io thread mid-call (a loaded machine) rarely demotes a route.
INLINE_BUDGET_S = 0.01

# What a dispatcher returns to the native server when the request went to the pool: the
# server leaves it unanswered, and the pool answers it through req._respond / req._fail.
PENDING = object()


class HandlerPool:
    """Bounded daemon threads taking (call, req) items from one queue; tracks the requests
    it holds so that a shutdown can cut them."""

    def __init__(self, size: int, cut_response: Callable[[], Any]) -> None:
        if size < 1:
            raise ValueError(f"handler_threads must be at least 1, not {size}")
        self.size = size
        self._cut_response = cut_response
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._held: set[Any] = set()  # requests queued or running, unanswered
        self._closed = False

    def submit(self, run: Callable[[Any], None], req: Any) -> None:
        with self._lock:
            self._held.add(req)
            spawn = self._idle == 0 and self._threads < self.size
            if spawn:
                self._threads += 1
            else:
                self._idle -= 1 if self._idle else 0  # this item takes an idle thread
        if spawn:
            threading.Thread(target=self._work, name=f"lapwise-handler-{self._threads}",
                             daemon=True).start()
        self._queue.put((run, req))

    def _work(self) -> None:
        while True:
            run, req = self._queue.get()
            if req is None:
                return
            if not self._closed:
                try:
                    run(req)
                except BaseException:  # noqa: BLE001 - run answers the request itself; never die
                    log.exception("lapwise handler pool: unexpected error")
            with self._lock:
                self._held.discard(req)
                self._idle += 1

    def done(self, req: Any) -> None:
        """The request was answered (before its item left the queue, for a cut one)."""
        with self._lock:
            self._held.discard(req)

    def cut(self) -> int:
        """Answers every request the pool still holds with the cut response (503) and drops
        what is queued; handlers still running are abandoned (their answers are ignored).
        Returns how many requests were cut."""
        with self._lock:
            self._closed = True
            held, self._held = list(self._held), set()
        for req in held:
            req._respond(self._cut_response())
        return len(held)

    def pending(self) -> int:
        with self._lock:
            return len(self._held)

    def close(self) -> None:
        """Lets idle threads end (running ones end after their handler)."""
        self._closed = True
        with self._lock:
            n = self._threads
        for _ in range(n):
            self._queue.put((None, None))


def sync_dispatcher(fn: Callable[[Any], Any], pool: HandlerPool,
                    schedule: Callable[[Any, Any], None], blocking: bool,
                    fail: Callable[[Any, BaseException], None],
                    bad_body: Callable[[JSONBodyError], Any]) -> Callable[[Any], Any]:
    """The callable the native server calls for a sync route: ``fn`` inline while it proves
    cheap, else on ``pool`` (see the module doc). ``fail(req, exc)`` answers a pool handler's
    exception; ``bad_body(exc)`` is the answer to a malformed JSON body. A closure rather than
    a class: it is on the fast path of every inline request."""
    clock = time.perf_counter
    # [runs inline, fast pool calls in a row, calls needed to go inline]
    state = [False, 0, PROMOTE_AFTER]

    def on_pool(req: Any) -> None:
        t0 = clock()
        try:
            result = fn(req)
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request (500)
            pool.done(req)
            fail(req, exc)
            return
        took = clock() - t0
        if hasattr(result, "__await__"):  # a sync callable that returned an awaitable
            pool.done(req)
            schedule(result, req)
            return
        pool.done(req)
        req._respond(result)
        if blocking:
            return
        if took < FAST_S:
            state[1] += 1
            if state[1] >= state[2]:
                state[0] = True
        else:
            state[1] = 0

    def dispatch(req: Any) -> Any:
        if state[0]:
            t0 = clock()
            try:
                return fn(req)
            except JSONBodyError as exc:
                return bad_body(exc)
            finally:
                if clock() - t0 > INLINE_BUDGET_S:
                    state[0] = False
                    state[1] = 0
                    state[2] = min(state[2] * 4, 4096)
        pool.submit(on_pool, req)
        return PENDING

    dispatch.__wrapped__ = fn  # type: ignore[attr-defined]
    return dispatch

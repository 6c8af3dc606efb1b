"""Where lapwise.App runs a sync (``def``) handler: inline on the io thread, or on a pool.

A handler that blocks (``time.sleep``, a database call, a slow computation) must not hold the
io thread: that thread also answers const routes and every other connection it owns. But a
thread hop costs more than a cheap handler itself: measured on the app spec's /json and
/users routes (2-core Xeon VM, server pinned, 64 connections), 3.8-4.5 µs of server CPU per
request inline against 6.1-6.8 µs when every call goes through the pool. So each route proves
itself first:

- A route starts on the pool. Each pool call is timed (wall clock); after ``PROMOTE_AFTER``
  calls in a row that each took under ``FAST_S``, the route runs inline on the io thread.
- The native server times every call (two clock reads in C++: the same from Python would add
  a tenth to a cheap request) and reports one longer than ``INLINE_BUDGET_S``. The route's
  next call then runs on the pool as a probe, since a loaded machine also preempts an io
  thread in the middle of a 2 µs call: slow there too, or slow inline three times within
  ``STRIKE_WINDOW`` calls, and the route goes back to the pool, to prove itself over four times
  as many calls (at most 4096). A handler that always blocks stalls its io thread once; one
  that blocks now and then, a few times.
- Once a batch of ready requests has run ``BATCH_BUDGET_S`` on the io thread, at more than
  ``SPILL_MEAN_S`` per call on average, the rest of the batch goes to the pool (each inline
  route's ``submit``), whatever the routes' state.
- ``blocking=True`` on the route keeps it on the pool for good (for handlers known to block,
  so that not even one call can stall the io thread).

When the App's asyncio loop drives the server (``_loop_driver``) the loop's thread is the io
thread: an inline handler runs there, and one that blocks stalls the ``async def`` handlers
too, for the same bounded time.

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

log = logging.getLogger("lapwise.app")

DEFAULT_THREADS = 32
FAST_S = 0.001  # a pool call this short could have run inline without harm
PROMOTE_AFTER = 16  # fast pool calls in a row before a route runs inline
# An inline call longer than this stalled the io thread: back to the pool. Well above FAST_S so
# that the scheduler preempting the io thread mid-call (a loaded machine) rarely demotes a route.
INLINE_BUDGET_S = 0.01
# Once one batch of ready requests has run this long on an io thread, the rest of it goes to the
# pool: a batch of handlers each cheap on its own cannot hold the io thread much longer either.
# Far above what a batch of cheap handlers takes (1,024 pipelined requests at ~2 µs: 2 ms).
BATCH_BUDGET_S = 0.01
# ... but only while the batch's calls took more than this on average: a batch of 2 µs calls
# that took 10 ms was preempted, and the pool would only make each call dearer.
SPILL_MEAN_S = 0.0001
STRIKE_WINDOW = 1000  # slow inline calls this close (in calls of the route) add up

# What SyncRoute.submit returns to the native server when the request went to the pool: the
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
        # Reentrant: a second signal's handler cuts from the main thread, which may be inside
        # cut() already.
        self._lock = threading.RLock()
        self._threads = 0
        self._idle = 0
        self._held: set[Any] = set()  # requests queued or running, unanswered
        self._closed = False

    def submit(self, run: Callable[[Any], None], req: Any) -> None:
        if self._closed:  # after a cut, nothing would take it from the queue
            req._respond(self._cut_response())
            return
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


class SyncRoute:
    """Where one ``def`` route runs (see the module doc). The native server calls whichever
    callable is installed for the route's ids (``install(id, callable)``): ``submit`` while on
    the pool, the handler itself once inline, so an inline call costs nothing here. The server
    times every call and reports one over ``INLINE_BUDGET_S`` to ``slow``."""

    def __init__(self, fn: Callable[[Any], Any], pool: HandlerPool,
                 schedule: Callable[[Any, Any], None], blocking: bool, streamed_bodies: bool = False,
                 inline: Callable[[Any], Any] | None = None, whole_app: bool = False) -> None:
        self.fn = fn
        # What the io thread calls once the route is inline: ``fn`` unless told (an interface
        # bridge runs the app there in a mode that never waits for the io thread itself).
        self._on_io = fn if inline is None else inline
        # With streamed request bodies, a request whose body is streamed goes to the pool even
        # when the route runs inline: reading its body waits for the io thread.
        self._inline = self._streamed_to_pool if streamed_bodies else self._on_io
        self.blocking = blocking
        self.ids: list[int] = []
        self.state = "pool"  # "pool" (proving itself), "inline", "probe" (one slow inline call)
        self._pool = pool
        self._schedule = schedule
        self._fast_runs = 0  # pool calls under FAST_S in a row
        self._needed = PROMOTE_AFTER
        self._strikes = 0  # slow inline calls, each within STRIKE_WINDOW calls of the last
        self._strike_at = 0  # the route's call count at the last one
        self._install: Callable[[int, Callable[[Any], Any]], None] | None = None
        # A whole application behind one route (a WSGI app) proves itself differently. While
        # its last pool call was fast, its pool calls run one at a time: a call of tens of
        # microseconds that shares the GIL with many of its kind takes milliseconds of wall time
        # and would never look cheap (a slow call ends that at once, so a blocking app waits
        # behind at most one call). And a slow call halves the count of fast ones instead of
        # clearing it: an app serves many paths, and on a loaded machine a preempted call of a
        # cheap one would otherwise keep it on the pool for ever. Slow inline calls are still
        # reported and demote it as for any route.
        self._alone = threading.Lock() if whole_app else None

    @property
    def inline(self) -> bool:
        return self.state == "inline"

    def start(self, install: Callable[[int, Callable[[Any], Any]], None]) -> None:
        self._install = install

    def submit(self, req: Any) -> Any:
        self._pool.submit(self._run, req)
        return PENDING

    def _run(self, req: Any) -> None:  # on a pool thread
        alone = self._alone if self._alone is not None and self.state == "pool" and self._fast_runs else None
        if alone is not None:
            alone.acquire()
        try:
            t0 = time.perf_counter()
            result = self.fn(req)
            took = time.perf_counter() - t0
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._pool.done(req)
            req._fail(exc)
            return
        finally:
            if alone is not None:
                alone.release()
        self._pool.done(req)
        if result is PENDING:  # it answered (or will answer) the request itself
            pass
        elif hasattr(result, "__await__"):  # a sync callable that returned an awaitable
            self._schedule(result, req)
        else:
            req._respond(result)
        if self.blocking:
            return
        if self.state == "probe":  # the verdict on a slow inline call
            if took < FAST_S:
                self._move("inline")  # the thread was preempted, the handler is cheap
            else:
                self._demote()
        elif self.state == "pool":
            if took < FAST_S:
                self._fast_runs += 1
            else:
                self._fast_runs = self._fast_runs // 2 if self._alone is not None else 0
            if self._fast_runs >= self._needed:
                self._move("inline")

    def _streamed_to_pool(self, req: Any) -> Any:
        return self.submit(req) if req.body_streamed else self._on_io(req)

    def slow(self, seconds: float, calls: int) -> None:
        """An inline call took ``seconds`` (over the budget; the route's ``calls``-th). The next
        call goes to the pool as a probe: the io thread may only have been preempted (a loaded
        machine does that to a 2 µs call too). A handler slow on the pool as well, or slow
        inline three times within STRIKE_WINDOW calls, goes back to the pool."""
        if self.state != "inline":
            return
        self._strikes = self._strikes + 1 if calls - self._strike_at <= STRIKE_WINDOW else 1
        self._strike_at = calls
        log.debug("%s: an inline call took %.1f ms", getattr(self.fn, "__qualname__", self.fn),
                  seconds * 1e3)
        if self._strikes >= 3:
            self._demote()
        else:
            self._move("probe")

    def keep_on_pool(self) -> None:
        """From now on every call runs on the pool (as ``blocking=True`` routes do)."""
        self.blocking = True
        if self.state != "pool":
            self._move("pool")

    def _demote(self) -> None:
        self._needed = min(self._needed * 4, 4096)
        self._strikes = 0
        self._move("pool")
        log.debug("%s: back to the handler pool", getattr(self.fn, "__qualname__", self.fn))

    def _move(self, state: str) -> None:
        self.state = state
        self._fast_runs = 0
        if self._install is not None:
            for route_id in self.ids:
                self._install(route_id, self._inline if state == "inline" else self.submit)

"""How the ``def`` and ``async def`` parts of one lapwise.App route call each other.

A route's chain (middleware, hooks, handler) may mix kinds: an ``async def`` middleware around
a ``def`` handler, a ``def`` middleware around an ``async def`` one, an ``async def`` hook on a
``def`` route. Each part runs where its kind runs, so that no part blocks the loop and no
coroutine runs off it:

- ``awaiting(fn)``: a ``def`` part called from an ``async def`` one. It starts on the handler
  pool; the loop awaits its result (two thread hand-offs: to the pool and back). As a ``def``
  route does (``_app_pool``), it proves itself: after ``PROMOTE_AFTER`` pool calls in a row
  under ``FAST_S`` it runs inline on the loop's thread (seeing no running loop, as an inline
  ``def`` route does), and an inline call over ``INLINE_BUDGET_S`` sends it back to the pool
  to prove itself over four times as many calls. A part that waits on the loop itself, a
  ``blocking=True`` route's, and a request whose body is still streaming stay on the pool.
- ``blocking(afn)``: an ``async def`` part called from a ``def`` one. Its coroutine runs on the
  loop while the calling thread (always a pool thread: ``Chain.pool_only``) is parked.

A parked thread also runs the ``def`` parts its own coroutine awaits (a ``def`` middleware
around an ``async def`` one around a ``def`` route): they reach it through its mailbox instead
of the pool's queue. Otherwise every pool thread could be parked waiting for coroutines that
wait for a free pool thread, and the route would hang as soon as its requests in flight
outnumber ``handler_threads``. So one request holds at most one pool thread, whatever the
chain. The mailbox reaches the coroutine through a context variable (a task runs in a copy of
the context it was started from).

Results and exceptions pass through unchanged, so error handlers see the same exception
whatever the kinds. A shutdown that cuts the request cancels what is still waiting.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import queue
import time
from asyncio import events
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from ._app_pool import FAST_S, INLINE_BUDGET_S, PROMOTE_AFTER

Submit = Callable[[Callable[[Any], None], Any], None]
StartOnLoop = Callable[[Coroutine[Any, Any, Any]], concurrent.futures.Future[Any]]


class _PoolCall:
    """One ``def`` part sent to the pool (or to a parked thread); the pool holds it as it
    holds a request, so that a cut (``_respond``) cancels the awaiting coroutine instead of
    leaving it waiting."""

    __slots__ = ("fn", "req", "loop", "future", "proof")

    def __init__(self, fn: Callable[[Any], Any], req: Any, loop: asyncio.AbstractEventLoop,
                 future: asyncio.Future[Any], proof: _Proof | None = None) -> None:
        self.fn = fn
        self.req = req
        self.loop = loop
        self.future = future
        self.proof = proof

    def run(self, _self: Any = None) -> None:  # on a pool thread
        t0 = time.perf_counter()
        try:
            out = self.fn(self.req)
        except BaseException as exc:  # noqa: BLE001 - the awaiting part raises it
            self.loop.call_soon_threadsafe(_settle, self.future, None, exc)
        else:
            self.loop.call_soon_threadsafe(_settle, self.future, out, None)
        if self.proof is not None:
            self.proof.on_pool(time.perf_counter() - t0)

    def _respond(self, _result: Any) -> None:  # the pool's cut
        self.loop.call_soon_threadsafe(_cancel, self.future)


class _Proof:
    """Whether one awaited ``def`` part runs inline on the loop's thread (see the module doc)."""

    __slots__ = ("inline", "_fast", "_needed")

    def __init__(self) -> None:
        self.inline = False
        self._fast = 0  # pool calls under FAST_S in a row
        self._needed = PROMOTE_AFTER

    def on_pool(self, took: float) -> None:
        self._fast = self._fast + 1 if took < FAST_S else 0
        if self._fast >= self._needed:
            self.inline = True

    def call(self, fn: Callable[[Any], Any], req: Any, loop: asyncio.AbstractEventLoop) -> Any:
        """``fn(req)`` here, on the loop's thread, shown no running loop; timed."""
        t0 = time.perf_counter()
        events._set_running_loop(None)
        try:
            return fn(req)
        finally:
            events._set_running_loop(loop)
            if time.perf_counter() - t0 > INLINE_BUDGET_S:  # it held the loop: back to the pool
                self.inline = False
                self._fast = 0
                self._needed = min(self._needed * 4, 4096)


def _settle(fut: asyncio.Future[Any], out: Any, exc: BaseException | None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(out)


def _cancel(fut: asyncio.Future[Any]) -> None:
    if not fut.done():
        fut.cancel()


class _Mailbox:
    """What a parked pool thread takes: ``def`` parts of its coroutine, then None (done)."""

    __slots__ = ("items", "open")

    def __init__(self) -> None:
        self.items: queue.SimpleQueue[_PoolCall | None] = queue.SimpleQueue()
        self.open = True


_PARKED: contextvars.ContextVar[_Mailbox | None] = contextvars.ContextVar("lapwise_parked", default=None)


class Bridge:
    """The pool's ``submit`` and the loop's ``start`` one App serves with."""

    def __init__(self, submit: Submit, start_on_loop: StartOnLoop) -> None:
        self._submit = submit
        self._start = start_on_loop

    def awaiting(self, fn: Callable[[Any], Any], pool_only: bool = False) -> Callable[[Any], Awaitable[Any]]:
        """``fn`` as an ``async def`` callable: each call runs ``fn`` on the pool (on the
        parked thread of its request, when it has one), or inline once it proved cheap there
        (never with ``pool_only``: a part that may block or waits on the loop)."""
        submit = self._submit
        proof = None if pool_only else _Proof()

        async def on_pool(req: Any) -> Any:
            loop = asyncio.get_running_loop()
            parked = _PARKED.get()
            if proof is not None and proof.inline and parked is None and not req.body_streamed:
                return proof.call(fn, req, loop)
            call = _PoolCall(fn, req, loop, loop.create_future(), proof)
            if parked is not None and parked.open:
                parked.items.put(call)
            else:
                submit(call.run, call)
            return await call.future

        return on_pool

    def _wait(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Runs ``coro`` on the loop, serving its ``def`` parts here until it is done."""
        mailbox = _Mailbox()
        token = _PARKED.set(mailbox)
        try:
            fut = self._start(coro)  # the task copies this context, mailbox included
        finally:
            _PARKED.reset(token)
        fut.add_done_callback(lambda _: mailbox.items.put(None))
        try:
            while (call := mailbox.items.get()) is not None:
                call.run()
        finally:
            mailbox.open = False
        return fut.result()

    def blocking(self, afn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``afn`` (``async def``) as a ``def`` callable: each call runs its coroutine on the
        loop while this (pool) thread is parked."""
        wait = self._wait

        def on_loop(req: Any) -> Any:
            return wait(afn(req))

        return on_loop

    def blocking_hook(self, hook: Callable[..., Any]) -> Callable[..., Any]:
        """An ``async def`` hook (any arguments) as a ``def`` one, as ``blocking``."""
        wait = self._wait

        def on_loop(*args: Any) -> Any:
            return wait(hook(*args))

        return on_loop

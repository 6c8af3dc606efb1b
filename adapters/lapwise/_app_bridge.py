"""How the ``def`` and ``async def`` parts of one lapwise.App route call each other.

A route's chain (middleware, hooks, handler) may mix kinds: an ``async def`` middleware around
a ``def`` handler, a ``def`` middleware around an ``async def`` one, an ``async def`` hook on a
``def`` route. Each part runs where its kind runs, so that no part blocks the loop and no
coroutine runs off it:

- ``awaiting(fn)``: a ``def`` part called from an ``async def`` one. It runs on the handler
  pool; the loop awaits its result (two thread hand-offs: to the pool and back).
- ``blocking(afn)``: an ``async def`` part called from a ``def`` one. Its coroutine runs on the
  loop; the calling thread (always a pool thread: ``Chain.pool_only``) waits for the result.

Results and exceptions pass through unchanged, so error handlers see the same exception
whatever the kinds. A shutdown that cuts the request cancels what is still waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

Submit = Callable[[Callable[[Any], None], Any], None]
RunOnLoop = Callable[[Coroutine[Any, Any, Any]], Any]


class _PoolCall:
    """One ``def`` part sent to the pool; the pool holds it as it holds a request, so that a
    cut (``_respond``) cancels the awaiting coroutine instead of leaving it waiting."""

    __slots__ = ("fn", "req", "loop", "future")

    def __init__(self, fn: Callable[[Any], Any], req: Any, loop: asyncio.AbstractEventLoop,
                 future: asyncio.Future[Any]) -> None:
        self.fn = fn
        self.req = req
        self.loop = loop
        self.future = future

    def run(self, _self: Any) -> None:  # on a pool thread
        try:
            out = self.fn(self.req)
        except BaseException as exc:  # noqa: BLE001 - the awaiting part raises it
            self.loop.call_soon_threadsafe(_settle, self.future, None, exc)
        else:
            self.loop.call_soon_threadsafe(_settle, self.future, out, None)

    def _respond(self, _result: Any) -> None:  # the pool's cut
        self.loop.call_soon_threadsafe(_cancel, self.future)


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


class Bridge:
    """The pool's ``submit`` and the loop's ``run`` one App serves with."""

    def __init__(self, submit: Submit, run_on_loop: RunOnLoop) -> None:
        self._submit = submit
        self._run_on_loop = run_on_loop

    def awaiting(self, fn: Callable[[Any], Any]) -> Callable[[Any], Awaitable[Any]]:
        """``fn`` as an ``async def`` callable: each call runs ``fn`` on the pool."""
        submit = self._submit

        async def on_pool(req: Any) -> Any:
            loop = asyncio.get_running_loop()
            call = _PoolCall(fn, req, loop, loop.create_future())
            submit(call.run, call)
            return await call.future

        return on_pool

    def blocking(self, afn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``afn`` (``async def``) as a ``def`` callable: each call runs its coroutine on the
        loop and waits for it (call it from a pool thread only)."""
        run = self._run_on_loop

        def on_loop(req: Any) -> Any:
            return run(afn(req))

        return on_loop

    def blocking_hook(self, hook: Callable[..., Any]) -> Callable[..., Any]:
        """An ``async def`` hook (any arguments) as a ``def`` one, as ``blocking``."""
        run = self._run_on_loop

        def on_loop(*args: Any) -> Any:
            return run(hook(*args))

        return on_loop

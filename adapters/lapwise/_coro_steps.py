"""Coroutines stepped outside a task of their own, then handed to one: what lets many requests
share one asyncio Task while each completes without waiting (``lapwise.asgi`` and
``lapwise.App``'s loop). A request's first step runs in a context of its own (``ctx.run``); one
that suspends on an awaitable goes on under ``resume`` inside the task it then keeps, exactly
as in a task of its own: what the task sends or throws in reaches the coroutine, in its context.
"""

from __future__ import annotations

import contextvars
import types
from typing import Any


@types.coroutine
def resume(coro: Any, ctx: contextvars.Context, waited: Any) -> Any:
    """Goes on with a request's coroutine that suspended on ``waited`` (as its own task would,
    in its own context): what the task sends or throws in is passed on to it."""
    while True:
        try:
            value = yield waited
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:  # noqa: BLE001 - thrown in by the task (a cancel): passed on
            try:
                waited = ctx.run(coro.throw, exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                waited = ctx.run(coro.send, value)
            except StopIteration as stop:
                return stop.value


async def awaited(aw: Any) -> Any:
    """An awaitable that is not a coroutine, as a coroutine (so that it can be stepped)."""
    return await aw

"""Request hooks for lapwise.App: ``before_request`` functions run before every handler (one
that returns something other than None answers the request instead), ``after_request``
functions get the request and what the handler returned and return what is sent. Routes are
wrapped only when the app has hooks, so an app without them pays nothing per request.

The hooks run where their route's handler runs. Around an ``async def`` route, ``async def``
hooks are awaited and ``def`` hooks called on the loop thread (keep those cheap: they hold the
loop). Around a ``def`` route, ``def`` hooks are called on the handler's thread and ``async
def`` hooks run on the loop while that thread waits (``_app_bridge``): the route then always
runs on the handler pool, never inline on an io thread."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ._app_bridge import Bridge

Hook = Callable[..., Any]


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def is_async_callable(fn: Any) -> bool:
    """An ``async def`` function (or an object whose ``__call__`` is one)."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


def with_hooks(handler: Callable[[Any], Any], before: list[Hook], after: list[Hook],
               is_async: bool, bridge: Bridge | None = None) -> tuple[Callable[[Any], Any], bool]:
    """(``handler`` with the hooks around it, whether it waits on the loop): ``handler``
    itself when there are none. ``bridge`` runs ``async def`` hooks around a ``def`` route."""
    if not before and not after:
        return handler, False
    if is_async:
        @functools.wraps(handler)
        async def run_async(req: Any) -> Any:
            for hook in before:
                if (early := await _maybe_await(hook(req))) is not None:
                    return early
            out = await handler(req)
            for hook in after:
                out = await _maybe_await(hook(req, out))
            return out

        return run_async, False

    waits = any(is_async_callable(h) for h in before + after)
    if waits and bridge is None:
        raise TypeError("async def hooks around a def route need the App's loop bridge")
    sync_before = [bridge.blocking_hook(h) if bridge and is_async_callable(h) else h for h in before]
    sync_after = [bridge.blocking_hook(h) if bridge and is_async_callable(h) else h for h in after]

    @functools.wraps(handler)
    def run(req: Any) -> Any:
        for hook in sync_before:
            if (early := hook(req)) is not None:
                return early
        out = handler(req)
        for hook in sync_after:
            out = hook(req, out)
        return out

    return run, waits

"""Request hooks for lapwise.App: ``before_request`` functions run before every handler (one
that returns something other than None answers the request instead), ``after_request``
functions get the request and what the handler returned and return what is sent. Routes are
wrapped only when the app has hooks, so an app without them pays nothing per request. A hook
runs where its route's handler runs (an ``async def`` route awaits async hooks too)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

Hook = Callable[..., Any]


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def with_hooks(handler: Callable[[Any], Any], before: list[Hook], after: list[Hook],
               is_async: bool) -> Callable[[Any], Any]:
    """``handler`` with the hooks around it (``handler`` itself when there are none)."""
    if not before and not after:
        return handler
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

        return run_async

    @functools.wraps(handler)
    def run(req: Any) -> Any:
        for hook in before:
            if (early := hook(req)) is not None:
                return early
        out = handler(req)
        for hook in after:
            out = hook(req, out)
        return out

    return run

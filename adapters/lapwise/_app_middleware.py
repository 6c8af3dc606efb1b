"""Middleware for lapwise.App: ``fn(req, call_next)`` wraps every handler route, the first
registered outermost (as Starlette orders them), outside the before/after hooks.
``call_next(req)`` runs the rest of the chain (inner middleware, the hooks, the handler) and
returns what the handler returned, unconverted (a dict, a ``Response``, a tuple, ...); what the
middleware returns is converted as a handler's result would be. Returning without calling
``call_next`` answers the request instead; an exception raised in it reaches the App's error
handlers.

One middleware covers every route, whatever the kinds (``_app_bridge``):

- ``async def`` middleware around a ``def`` route runs on the loop; its ``call_next`` is
  awaitable and runs the ``def`` rest of the chain on the handler pool, or inline on the
  loop's thread once it proved cheap there (``_app_bridge``), so a blocking handler holds the
  loop once at most (``blocking=True``: never).
- ``def`` middleware around an ``async def`` route runs on the handler pool (never inline on an
  io thread); its ``call_next`` runs the ``async def`` rest on the loop and waits for it (its
  thread runs the ``def`` parts further in: a request holds one pool thread at most).

Each part keeps its own kind's ``call_next``: a ``def`` middleware calls it, an ``async def``
one awaits it. A chain of one kind has no hand-off; each change of kind costs two thread
hand-offs per request (a ``def`` route under an ``async def`` middleware: loop -> pool ->
loop, after an io thread -> loop one when an io thread serves). Routes are wrapped only when
the app has middleware, so an app without any pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._app_bridge import Bridge
from ._app_hooks import Hook, is_async_callable, with_hooks

Middleware = Callable[[Any, Callable[[Any], Any]], Any]


@dataclass
class Chain:
    """One route's callable for the server: ``call``, its kind, and ``pool_only`` (a ``def``
    chain that waits on the loop somewhere: it must never run inline on an io thread)."""

    call: Callable[[Any], Any]
    is_async: bool
    pool_only: bool = False


def check_middleware(fn: Any) -> None:
    """Refuses what cannot be a middleware as it is registered."""
    if not callable(fn):
        raise TypeError(f"middleware {fn!r} is not callable")


def _link(mw: Middleware, inner: Callable[[Any], Any], is_async: bool) -> Callable[[Any], Any]:
    if is_async:
        async def run_async(req: Any) -> Any:
            return await mw(req, inner)

        return run_async

    def run(req: Any) -> Any:
        return mw(req, inner)

    return run


def build_chain(handler: Callable[[Any], Any], is_async: bool, before: list[Hook], after: list[Hook],
                middleware: list[Middleware], bridge: Bridge | None = None, blocking: bool = False) -> Chain:
    """``handler`` inside the hooks and then the middleware (first outermost); ``handler``
    itself when there are none. ``bridge`` joins parts of different kinds (required only when
    the kinds differ). ``blocking``: a ``def`` handler that may block, never run inline on the
    loop's thread."""
    call, pool_only = with_hooks(handler, before, after, is_async, bridge)
    for mw in reversed(middleware):
        mw_async = is_async_callable(mw)
        inner = call
        if mw_async != is_async:
            if bridge is None:
                raise TypeError("middleware of another kind than its route needs the App's loop bridge")
            inner = bridge.awaiting(call, pool_only or blocking) if mw_async else bridge.blocking(call)
            pool_only = pool_only or not mw_async
        call, is_async = _link(mw, inner, mw_async), mw_async
    return Chain(call, is_async, pool_only and not is_async)

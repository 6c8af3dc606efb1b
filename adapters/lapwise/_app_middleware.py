"""Middleware for lapwise.App: ``fn(req, call_next)`` wraps every handler route, the first
registered outermost (as Starlette orders them). ``call_next(req)`` runs the rest of the chain
(inner middleware, the before/after hooks, the handler) and returns what the handler returned,
unconverted (a dict, a ``Response``, a tuple, ...); what the middleware returns is converted
as a handler's result would be. Returning without calling ``call_next`` answers the request
instead; an exception raised in it reaches the App's error handlers.

A middleware runs where its route's handler runs, so each route gets the middleware of its
own kind, in registration order: ``def`` middleware (calling ``call_next``) around ``def``
routes, ``async def`` middleware (awaiting it) around ``async def`` routes; an app with both
kinds of routes registers one version of each. A route left with none while middleware of the
other kind exists is refused when the server starts, naming both: running one kind inside the
other would hide a thread hop or a blocking call inside every request, and skipping the route
silently would bypass what the middleware enforces. Routes are wrapped only when the app has
middleware, so an app without any pays nothing."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

Middleware = Callable[[Any, Callable[[Any], Any]], Any]


def middleware_is_async(fn: Any) -> bool:
    """An ``async def`` middleware (or an object whose ``__call__`` is one)."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


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


def with_middleware(handler: Callable[[Any], Any], chain: list[Middleware], is_async: bool,
                    route: str) -> Callable[[Any], Any]:
    """``handler`` inside the middleware of its kind in ``chain`` (first outermost);
    ``handler`` itself when the chain is empty. ``route`` names the route in the error a kind mismatch raises."""
    own = [mw for mw in chain if middleware_is_async(mw) == is_async]
    if chain and not own:
        mw_kind, route_kind = ("a def", "an async def") if is_async else ("an async def", "a def")
        raise TypeError(f"middleware {getattr(chain[0], '__qualname__', chain[0])!r} is {mw_kind} "
                        f"function but route {route} is {route_kind} handler and no middleware "
                        "of its kind is registered: register a version of each kind")
    for mw in reversed(own):
        handler = _link(mw, handler, is_async)
    return handler

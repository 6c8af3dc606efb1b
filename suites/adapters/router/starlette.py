"""router/starlette: Starlette's own routing (``starlette.routing.Route``), driven the way
``starlette.routing.Router`` drives it: ``route.matches(scope)`` on each route in insertion order,
the first FULL match wins, PARTIAL matches (path right, method wrong) make the 405.

Differences kept on purpose (they are Starlette's; the conformance tables record them):
- first match in insertion order, no priority, no conflict or duplicate check;
- a GET route also answers HEAD (Starlette adds HEAD to every GET route);
- parameters come converted (``{id:int}`` gives an int) and are turned back into text with the
  route's own convertor, so ``007`` comes back as ``7``;
- its regexes end in ``$``, which also matches before a final newline.
The 405's allowed list is built from the methods given to add(), in insertion order, over every
PARTIAL route (Starlette's Router would answer with the first PARTIAL route's methods).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from . import _pattern
from .base import BACKTRACKING, INT, METHOD_405, PATH, Match, NoMatch, Router

_NOT_FOUND = NoMatch(404)


def _endpoint(request: Any) -> None:  # never called: only matching is measured
    raise AssertionError("router/starlette never dispatches")


class StarletteRouter(Router):
    name: ClassVar[str] = "starlette"
    features: ClassVar[frozenset[str]] = frozenset({BACKTRACKING, METHOD_405, INT, PATH})

    @classmethod
    def available(cls) -> Availability:
        return requires_module("starlette.routing")

    def __init__(self) -> None:
        from starlette.routing import Match as StarletteMatch

        self._full = StarletteMatch.FULL
        self._partial = StarletteMatch.PARTIAL
        self._routes: list[tuple[Any, str, int]] = []  # (Route, method as added, value)

    def add(self, method: str, pattern: str, value: int) -> None:
        from starlette.routing import Route

        _pattern.check_method(method)
        _pattern.parse(pattern)  # canonical syntax errors are the same for every router
        self._routes.append((Route(pattern, _endpoint, methods=[method]), method, value))

    def match(self, method: str, path: str) -> Match | NoMatch:
        scope = {"type": "http", "method": method, "path": path}
        allowed: list[str] = []
        full, partial = self._full, self._partial
        for route, route_method, value in self._routes:
            kind, child = route.matches(scope)
            if kind is full:
                convertors = route.param_convertors
                return Match(value, {k: convertors[k].to_string(v)
                                     for k, v in child["path_params"].items()})
            if kind is partial and route_method not in allowed:
                allowed.append(route_method)
        return NoMatch(405, tuple(allowed)) if allowed else _NOT_FOUND

"""router/werkzeug: Werkzeug's ``Map``/``Rule`` routing (its state-machine matcher), with the
canonical pattern translated to a rule (``{id:int}`` -> ``<int:id>``) and one ``MapAdapter``
bound once and reused.

Choices and differences (the conformance tables record the differences):
- ``strict_slashes`` stays on, and the ``RequestRedirect`` it raises for ``/users`` when only
  ``/users/`` exists is answered as 404: lapwise routers never redirect, and a trailing slash is
  part of the path. ``merge_slashes`` is off, so ``/a//b`` is not rewritten to ``/a/b``.
- Werkzeug strips leading slashes (``//a`` is ``/a``), upper-cases the request method, lets a GET
  rule answer HEAD, and its ``path`` converter needs at least one character (not starting with
  '/'); its ``int`` converter accepts any Unicode digit and gives an int, turned back into text
  here with ``str`` (so ``007`` comes back as ``7``).
- The 405's allowed list is in route insertion order (Werkzeug gives a set), listing the methods
  given to add() (not the HEAD that Werkzeug adds to GET rules).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from . import _pattern
from .base import BACKTRACKING, INT, METHOD_405, PATH, PRIORITY, Match, NoMatch, Router

_NOT_FOUND = NoMatch(404)


class WerkzeugRouter(Router):
    name: ClassVar[str] = "werkzeug"
    features: ClassVar[frozenset[str]] = frozenset({PRIORITY, BACKTRACKING, METHOD_405, INT, PATH})

    @classmethod
    def available(cls) -> Availability:
        return requires_module("werkzeug.routing")

    def __init__(self) -> None:
        from werkzeug.exceptions import MethodNotAllowed, NotFound
        from werkzeug.routing import Map, RequestRedirect

        self._map = Map(strict_slashes=True, merge_slashes=False, redirect_defaults=False)
        self._urls = self._map.bind("localhost")  # add() after bind is fine: match() remaps
        self._not_found, self._not_allowed, self._redirect = NotFound, MethodNotAllowed, RequestRedirect
        self._routes: list[tuple[str, int]] = []  # endpoint (index) -> (method as added, value)

    def add(self, method: str, pattern: str, value: int) -> None:
        from werkzeug.routing import Rule

        _pattern.check_method(method)
        rule = _pattern.to_werkzeug(_pattern.parse(pattern))
        self._map.add(Rule(rule, endpoint=len(self._routes), methods=[method]))
        self._routes.append((method, value))

    def match(self, method: str, path: str) -> Match | NoMatch:
        try:
            endpoint, args = self._urls.match(path, method=method)
        except self._not_found:
            return _NOT_FOUND
        except self._redirect:
            return _NOT_FOUND
        except self._not_allowed as exc:
            return NoMatch(405, self._allowed(path, exc.valid_methods or ()))
        return Match(self._routes[endpoint][1], {k: str(v) for k, v in args.items()})

    def _allowed(self, path: str, valid: Any) -> tuple[str, ...]:
        """The methods of the routes matching ``path``, in insertion order: each method Werkzeug
        lists is matched again to find its rule, and kept only if that rule was added for it."""
        found = []
        for m in valid:
            try:
                endpoint, _ = self._urls.match(path, method=m)
            except (self._not_found, self._not_allowed, self._redirect):
                continue
            if self._routes[endpoint][0] == m:
                found.append((endpoint, m))
        return tuple(m for _, m in sorted(found))

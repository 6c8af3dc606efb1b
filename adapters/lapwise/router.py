"""``lapwise.Router``: the radix-tree router core (lapwise::router::radix_router).

    router = lapwise.Router()
    router.add("GET", "/users/{id:int}", 1)
    router.match("GET", "/users/42")    # Match(value=1, params={'id': '42'})
    router.match("POST", "/users/42")   # NoMatch(status=405, allowed=('GET',))

Patterns use the canonical syntax ``{name}``, ``{name:int}`` (ASCII digits) and ``{name:path}``
(the rest of the path, possibly empty); ``to_canonical`` converts httprouter (``:name``,
``*name``) and Werkzeug (``<int:name>``) patterns. At each position a static segment beats a
parameter, which beats a catch-all, whatever the insertion order, and a failed branch falls
back to the next. Duplicate and conflicting routes raise ``RouteError`` naming both routes.
Parameter values are the path's own text (strings; ``{x:int}`` only restricts what matches).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from . import _native_status

MAX_VALUE = 0xFFFFFFFF  # route values are uint32 in the core


@dataclass(frozen=True, slots=True)
class Match:
    """The route's value and its parameters by name."""

    value: int
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NoMatch:
    """No route: ``status`` 404, or 405 when the path exists under ``allowed`` methods only."""

    status: int
    allowed: tuple[str, ...] = ()


class RouteError(ValueError):
    """An invalid, duplicate or conflicting route; the message names both routes."""


class Router:
    """Method + path -> value. Lookups are one native call each (no Python frame between);
    ``match_many`` loops in C++ without the GIL. Adding routes while ``match_many`` runs in
    another thread raises RuntimeError."""

    # The binding's class: the harness builds the same wrapper over the linear comparison core.
    _core_name: ClassVar[str] = "RadixRouter"

    def __init__(self) -> None:
        self._core: Any = getattr(_native_status.module(), self._core_name)(Match, NoMatch)
        # Instance attributes shadow the methods below, so a lookup is the core's builtin.
        self.match = self._core.matcher()  # type: ignore[assignment]
        self.match_many = self._core.many_matcher()  # type: ignore[assignment]

    def add(self, method: str, pattern: str, value: int) -> None:
        """Adds a route; RouteError for an invalid, duplicate or conflicting one (the router
        is then unchanged). ``value`` is any uint32 (an index into the caller's handlers)."""
        if not isinstance(value, int) or not 0 <= value <= MAX_VALUE:
            raise RouteError(f"value {value!r} of {method} {pattern} is not a uint32")
        err = self._core.add(method, pattern, value)
        if err is not None:
            raise RouteError(err[1])

    def match(self, method: str, path: str) -> Match | NoMatch:  # shadowed in __init__
        """Looks up one request."""
        return self._core.matcher()(method, path)

    def match_many(self, reqs: Sequence[tuple[str, str]]) -> list[Match | NoMatch]:  # ditto
        """Looks up many (method, path) pairs in one call."""
        return self._core.many_matcher()(reqs)

    def __len__(self) -> int:
        return len(self._core)


def to_canonical(pattern: str, syntax: str) -> str:
    """``pattern`` written in ``syntax`` ("httprouter", "werkzeug" or "canonical") in the
    canonical syntax; ValueError names the offending part."""
    return str(_native_status.module().router_to_canonical(pattern, syntax))


__all__ = ["MAX_VALUE", "Match", "NoMatch", "RouteError", "Router", "to_canonical"]

"""The router adapter interface. Every router (native, pure Python, peers) implements it, so
answers compare with ``==`` across implementations.

Answers are the product's ``lapwise.Match`` and ``lapwise.NoMatch``, and errors its
``lapwise.RouteError``. Routes use the canonical syntax ``{name}``, ``{name:int}``,
``{name:path}``. Parameter values are
the path's own text (strings, not converted), so a ``Match`` from any router is comparable.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import ClassVar

from lapwise.router import Match, NoMatch, RouteError

from ..adapter import Adapter

# Feature names for ``Router.features``: the lapwise behaviours a router implements. A
# conformance case lists the features it needs; a router without one of them is expected to fail
# that case (strict xfail), so a feature a router has but does not declare is noticed too.
PRIORITY = "priority"  # static > param > catch-all at each position, whatever the insertion order
BACKTRACKING = "backtracking"  # a failed higher-priority branch falls back to the next one
REJECTS_CONFLICTS = "rejects_conflicts"  # duplicates and conflicting parameters raise RouteError
METHOD_405 = "method_405"  # a path known under other methods only -> NoMatch(405, allowed)
INT = "int"  # {name:int} matches ASCII digits [0-9]+ only
PATH = "path"  # {name:path} matches the rest of the path, possibly empty
ALL_FEATURES: frozenset[str] = frozenset(
    {PRIORITY, BACKTRACKING, REJECTS_CONFLICTS, METHOD_405, INT, PATH})


class Router(Adapter):
    kind: ClassVar[str] = "router"
    # Features this router implements the lapwise way; conformance cases that need a feature
    # are skipped (recorded as "differs by design") for routers without it.
    features: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def add(self, method: str, pattern: str, value: int) -> None:
        """Adds a route; raises RouteError for invalid, duplicate or conflicting routes."""

    @abc.abstractmethod
    def match(self, method: str, path: str) -> Match | NoMatch:
        """Looks up one request."""

    def match_many(self, reqs: Sequence[tuple[str, str]]) -> list[Match | NoMatch]:
        """Looks up many requests; native routers loop in C++."""
        return [self.match(m, p) for m, p in reqs]


__all__ = ["ALL_FEATURES", "BACKTRACKING", "INT", "METHOD_405", "PATH", "PRIORITY",
           "REJECTS_CONFLICTS", "Match", "NoMatch", "RouteError", "Router"]

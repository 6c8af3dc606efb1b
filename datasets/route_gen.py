"""Generated route tables for the router cost-growth benchmarks (10 -> 10,000 routes).

The same table as ``cores/router/bench/route_gen.h`` (make_growth_table), so the Google Benchmark
(native-direct) and pytest-benchmark (through the adapters) growth curves are over equal inputs:
six routes per resource under /api/v1..v3 -- list (GET, POST), /search, an item (GET, DELETE)
and a nested ``{item:int}`` -- with resource names numbered past the first 16 nouns, so the tree
grows wide at the resource segment. Lookups hit routes spread evenly over the table and carry
the parameters the route must return, computed here from the pattern (an independent oracle).
"""

from __future__ import annotations

from dataclasses import dataclass, field

_NOUNS = ("users", "orders", "products", "invoices", "accounts", "teams", "projects", "events",
          "tickets", "comments", "files", "messages", "payments", "groups", "reports", "tags")
_KINDS = (("GET", ""), ("POST", ""), ("GET", "/search"), ("GET", "/{id}"), ("DELETE", "/{id}"),
          ("GET", "/{id}/items/{item:int}"))


@dataclass(frozen=True)
class GeneratedRoute:
    method: str
    pattern: str  # canonical syntax
    value: int


@dataclass(frozen=True)
class GeneratedLookup:
    method: str
    path: str
    value: int  # the route it must find
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteTable:
    routes: list[GeneratedRoute]
    lookups: list[GeneratedLookup]


def growth_table(n: int, samples: int = 64) -> RouteTable:
    """``n`` routes (values 0..n-1, all distinct) and ``samples`` lookups (fewer if n is 0)."""
    routes = []
    for k in range(n):
        r = k // 6
        base = f"/api/v{r % 3 + 1}/{_NOUNS[r % 16]}" + (str(r // 16) if r >= 16 else "")
        method, tail = _KINDS[k % 6]
        routes.append(GeneratedRoute(method, base + tail, k))
    lookups = []
    for j in range(samples if n > 0 else 0):
        k = j * n // samples
        g = routes[k]
        path = g.pattern.split("{", 1)[0]
        params: dict[str, str] = {}
        rid, item = str(48213 + k), str(k % 97)
        if k % 6 >= 3:
            path += rid
            params["id"] = rid
        if k % 6 == 5:
            path += "/items/" + item
            params["item"] = item
        lookups.append(GeneratedLookup(g.method, path, g.value, params))
    return RouteTable(routes, lookups)

"""A tiny timing harness for Python adapters, so that the ratio gate can compare adapters
(floors such as "router/native is at least N x faster than router/starlette"):

    python -m suites.gate.pytime ADAPTER_ID SCENARIO [--reps K]

Builds the scenario's table, verifies every answer, then times ``reps`` passes of
``match_many`` over the scenario's requests and prints ONE number: the median nanoseconds per
request. Exits 77 (reported as MISSING by the gate) when the adapter or dataset is unavailable.

Scenarios (kind router): ``<set>_all`` for each route set of ../shared/datasets/routes (every
route requested literally, as go-http-routing-benchmark's *All does).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from .ratio import EXIT_UNAVAILABLE


def _router_scenario(adapter_cls: type, scenario: str) -> tuple[object, list[tuple[str, str]], list[int]]:
    import datasets
    from suites.adapters.router import _pattern

    set_name = scenario.removesuffix("_all")
    if not scenario.endswith("_all") or set_name not in datasets.ROUTE_SETS:
        raise SystemExit(f"unknown router scenario {scenario!r}: one of "
                         + ", ".join(f"{s}_all" for s in datasets.ROUTE_SETS))
    router = adapter_cls()
    reqs, want = [], []
    for value, route in enumerate(datasets.routes(set_name)):
        router.add(route.method, _pattern.from_httprouter(route.pattern), value)
        reqs.append((route.method, route.pattern))
        want.append(value)
    return router, reqs, want


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m suites.gate.pytime", description=__doc__.split("\n\n")[0])
    p.add_argument("adapter", help="adapter id, e.g. router/py-trie")
    p.add_argument("scenario", help="e.g. github_all")
    p.add_argument("--reps", type=int, default=15)
    args = p.parse_args(argv)
    from suites.adapters import registry

    try:
        cls = registry.get(args.adapter)
    except (LookupError, ValueError) as exc:
        print(f"{args.adapter}: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    if cls.kind != "router":
        print(f"{args.adapter}: pytime times routers only so far", file=sys.stderr)
        return 2
    try:
        router, reqs, want = _router_scenario(cls, args.scenario)
    except FileNotFoundError as exc:  # datasets.DatasetMissing
        print(f"{args.scenario}: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    got = router.match_many(reqs)
    for (method, path), value, answer in zip(reqs, want, got):
        if getattr(answer, "value", None) != value:
            print(f"{args.adapter}: wrong answer for {method} {path}: {answer!r}, want route {value}",
                  file=sys.stderr)
            return 3
    times = []
    for _ in range(args.reps):
        start = time.perf_counter_ns()
        router.match_many(reqs)
        times.append((time.perf_counter_ns() - start) / len(reqs))
    print(f"{statistics.median(times):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

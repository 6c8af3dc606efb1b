"""Router lookups through every adapter (pytest-benchmark).

- router.github_all: one pass over the 203 GitHub API routes per round, each requested with its
  own pattern text (go-http-routing-benchmark's GithubAll), via match();
- router.github_all_many: the same 203 lookups in one match_many() call;
- router.growth[<n>]: 64 lookups spread over a generated table of n = 10 .. 10,000 routes
  (datasets.route_gen, the same table as the C++ benches), via match().
Every benchmark first checks all of its answers against the expected values read off the route
table (an oracle independent of any router); a wrong answer fails before anything is timed.
``extra_info`` carries adapter, scenario, param and ops (lookups per timed call) for the importer.
"""

from __future__ import annotations

import pytest

import datasets
from datasets.route_gen import growth_table
from suites.adapters.pytest_params import adapter_params
from suites.adapters.router._pattern import from_httprouter
from suites.adapters.router.base import Match, Router

GROWTH_SIZES = ("10", "100", "1000", "10000")
# Largest growth table per adapter, where building a bigger one costs more than the suite can
# spend (measured on the 2-core CI machine); every adapter runs up to 1000 routes.
MAX_GROWTH = {"router/werkzeug": (1000, "Map.add of 10,000 rules takes ~9 s")}


def github() -> tuple[list[tuple[str, str, int]], list[tuple[str, str]], list[Match]]:
    """Canonical routes, the GithubAll requests (path == pattern text) and their answers."""
    try:
        routes = datasets.routes("github")
    except datasets.DatasetMissing as exc:
        pytest.skip(str(exc))
    table = [(r.method, from_httprouter(r.pattern), i) for i, r in enumerate(routes)]
    reqs = [(r.method, r.pattern) for r in routes]
    expected = [Match(i, {seg[1:]: seg for seg in r.pattern.split("/") if seg.startswith(":")})
                for i, r in enumerate(routes)]
    return table, reqs, expected


def build(router_cls: type[Router], table) -> Router:
    router = router_cls()
    for method, pattern, value in table:
        router.add(method, pattern, value)
    return router


def info(benchmark, router_cls: type[Router], scenario: str, ops: int, param: str | None = None):
    benchmark.extra_info.update(adapter=router_cls.adapter_id(), scenario=scenario, ops=ops)
    if param is not None:
        benchmark.extra_info["param"] = param


def check(got: list, expected: list, reqs: list) -> None:
    wrong = [f"{m} {p}: {g!r} != {e!r}" for (m, p), g, e in zip(reqs, got, expected) if g != e]
    assert len(got) == len(expected) and not wrong, "wrong answers: " + "; ".join(wrong[:3])


@pytest.mark.parametrize("router_cls", adapter_params("router"))
def test_github_all(benchmark, router_cls: type[Router]) -> None:
    table, reqs, expected = github()
    match = build(router_cls, table).match
    check([match(m, p) for m, p in reqs], expected, reqs)
    info(benchmark, router_cls, "router.github_all", len(reqs))

    def one_pass() -> None:
        for m, p in reqs:
            match(m, p)

    benchmark(one_pass)


@pytest.mark.parametrize("router_cls", adapter_params("router"))
def test_github_all_many(benchmark, router_cls: type[Router]) -> None:
    table, reqs, expected = github()
    match_many = build(router_cls, table).match_many
    check(match_many(reqs), expected, reqs)
    info(benchmark, router_cls, "router.github_all_many", len(reqs))
    benchmark(match_many, reqs)


@pytest.mark.parametrize("size", GROWTH_SIZES)
@pytest.mark.parametrize("router_cls", adapter_params("router"))
def test_growth(benchmark, router_cls: type[Router], size: str) -> None:
    limit, why = MAX_GROWTH.get(router_cls.adapter_id(), (None, ""))
    if limit is not None and int(size) > limit:
        pytest.skip(f"{router_cls.adapter_id()} stops at {limit} routes: {why}")
    gen = growth_table(int(size))
    match = build(router_cls, [(r.method, r.pattern, r.value) for r in gen.routes]).match
    reqs = [(lk.method, lk.path) for lk in gen.lookups]
    check([match(m, p) for m, p in reqs], [Match(lk.value, lk.params) for lk in gen.lookups], reqs)
    info(benchmark, router_cls, "router.growth", len(reqs), size)

    def one_pass() -> None:
        for m, p in reqs:
            match(m, p)

    benchmark(one_pass)

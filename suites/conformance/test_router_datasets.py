"""Every route set of ../shared/datasets/routes through every router adapter.

Each set is imported from httprouter syntax (suites.adapters.router._pattern.from_httprouter) and added
in file order. Then: every route, requested with its own pattern text (the GithubAll way:
``/users/:user`` gives ``{"user": ":user"}``) and with realistic values, returns its own value
and exactly the parameters read off the pattern; the lookups of lookups.tsv hit a route; and
every answer -- including misses and 405s -- equals router/native's (router/py-trie's when the
native module is not built).
"""

from __future__ import annotations

import functools

import pytest

import datasets
from suites.adapters import registry
from suites.adapters.pytest_params import adapter_params
from suites.adapters.router._pattern import from_httprouter
from suites.adapters.router.base import Match, NoMatch, Router

SETS = datasets.ROUTE_SETS


@functools.cache
def table(name: str) -> tuple[tuple[str, str, str, int], ...]:
    """(method, httprouter pattern, canonical pattern, value) of each route, in file order."""
    return tuple((r.method, r.pattern, from_httprouter(r.pattern), i)
                 for i, r in enumerate(datasets.routes(name)))


def realistic(segment: str) -> str:
    """A plausible value for one httprouter wildcard segment (``:id`` -> digits)."""
    name = segment[1:]
    if segment.startswith("*"):
        return "css/site.min.css"
    if "id" in name.lower() or name == "number":
        return "118051310819094153327"
    return {"owner": "octocat", "user": "octocat", "org": "github", "repo": "hello-world"}.get(
        name, f"v-{name}")


def request(pattern: str, fill) -> tuple[str, dict[str, str]]:
    """The path for an httprouter pattern with each wildcard segment replaced by fill(segment),
    and the parameters a canonical router must return for it (read off the pattern alone)."""
    segs = pattern[1:].split("/")
    out, params = [], {}
    for seg in segs:
        if seg[:1] in (":", "*"):
            value = fill(seg)
            params[seg[1:] or "wildcard"] = value
            out.append(value)
        else:
            out.append(seg)
    return "/" + "/".join(out), params


def build(router_cls: type[Router], name: str) -> Router:
    router = router_cls()
    for method, _, canonical, value in table(name):
        router.add(method, canonical, value)
    return router


@functools.cache
def reference_cls() -> type[Router]:
    try:
        return registry.get("router/native")
    except LookupError:
        return registry.get("router/py-trie")


def requests_for(name: str) -> list[tuple[str, str]]:
    """Hits (literal and realistic), wrong methods and misses for every route of the set."""
    reqs = []
    for method, pattern, _, _ in table(name):
        literal, _ = request(pattern, lambda seg: seg)
        real, _ = request(pattern, realistic)
        other = "PATCH" if method != "PATCH" else "GET"
        reqs += [(method, literal), (method, real), (other, real), (method, real + "/x"),
                 (method, real.rstrip("/") + "/"), (method, real[:-1])]
    return reqs


@pytest.fixture(scope="module", params=SETS)
def route_set(request: pytest.FixtureRequest) -> str:
    try:
        datasets.path("routes", f"{request.param}.txt")
    except datasets.DatasetMissing as exc:
        pytest.skip(str(exc))
    return request.param


@pytest.mark.parametrize("router_cls", adapter_params("router"))
def test_every_route_finds_itself(router_cls: type[Router], route_set: str) -> None:
    router = build(router_cls, route_set)
    wrong = []
    for method, pattern, _, value in table(route_set):
        for fill in (lambda seg: seg, realistic):
            path, params = request(pattern, fill)
            got = router.match(method, path)
            if got != Match(value, params):
                wrong.append(f"{method} {path}: {got!r}, expected {Match(value, params)!r}")
    assert not wrong, f"{len(wrong)} wrong answers, first: " + "; ".join(wrong[:5])


@pytest.mark.parametrize("router_cls", adapter_params("router"))
def test_agrees_with_reference(router_cls: type[Router], route_set: str) -> None:
    reqs = requests_for(route_set)
    expected = build(reference_cls(), route_set).match_many(reqs)
    router = build(router_cls, route_set)
    got = [router.match(m, p) for m, p in reqs]
    wrong = [f"{m} {p}: {g!r}, {reference_cls().adapter_id()} says {e!r}"
             for (m, p), g, e in zip(reqs, got, expected) if g != e]
    assert not wrong, f"{len(wrong)} of {len(reqs)} differ, first: " + "; ".join(wrong[:5])
    assert router.match_many(reqs) == got, "match_many() disagrees with match()"
    assert any(isinstance(e, NoMatch) and e.status == 405 for e in expected)  # 405s are covered
    assert any(isinstance(e, NoMatch) and e.status == 404 for e in expected)  # so are misses


@pytest.mark.parametrize("router_cls", adapter_params("router"))
def test_lookups_tsv(router_cls: type[Router], datasets) -> None:
    lookups = datasets.lookups()
    assert lookups, "lookups.tsv has no single lookups"
    for name in {lk.dataset for lk in lookups}:
        router = build(router_cls, name)
        reference = build(reference_cls(), name)
        for lk in (x for x in lookups if x.dataset == name):
            got = router.match(lk.method, lk.path)
            assert isinstance(got, Match), f"{lk.benchmark}: {lk.method} {lk.path} -> {got!r}"
            assert got == reference.match(lk.method, lk.path), lk.benchmark

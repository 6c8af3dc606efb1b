"""The native router adapters' own behaviour (what the conformance tables do not reach): argument
errors, input shapes match_many accepts, uint32 values, thread use, and that results are real
Match/NoMatch instances built without __init__."""

from __future__ import annotations

import threading

import pytest

from suites.adapters.router.base import Match, NoMatch, RouteError
from suites.adapters.router.native import NativeRouter
from suites.adapters.router.native_linear import NativeLinearRouter

ROUTERS = [NativeRouter, NativeLinearRouter]


@pytest.fixture(params=ROUTERS, ids=lambda c: c.adapter_id())
def router(request):
    cls = request.param
    if not cls.available():
        pytest.skip(cls.available().reason)
    r = cls()
    r.add("GET", "/users/{id}", 1)
    r.add("POST", "/users/{id}", 2)
    r.add("GET", "/static/{p:path}", 3)
    return r


def test_results_are_the_package_classes(router) -> None:
    m = router.match("GET", "/users/7")
    assert type(m) is Match and m == Match(1, {"id": "7"}) and hash(NoMatch(404)) is not None
    assert type(m.params) is dict and m.params["id"] == "7"
    with pytest.raises(AttributeError):
        m.value = 5  # still frozen
    nm = router.match("PUT", "/users/7")
    assert type(nm) is NoMatch and nm == NoMatch(405, ("GET", "POST"))
    assert router.match("GET", "/nope") == NoMatch(404)


def test_params_dicts_are_not_shared(router) -> None:
    a, b = router.match("GET", "/users/1"), router.match("GET", "/users/1")
    a.params["id"] = "changed"
    assert b.params == {"id": "1"}


def test_bad_arguments_raise_type_errors(router) -> None:
    with pytest.raises(TypeError):
        router.match("GET", b"/users/1")
    with pytest.raises(TypeError):
        router.match("GET")
    with pytest.raises(TypeError):
        router.match_many([("GET", 5)])
    with pytest.raises(ValueError):
        router.match_many([("GET", "/a", "extra")])
    with pytest.raises(TypeError):
        router.match_many(5)


def test_match_many_accepts_any_sequence_of_pairs(router) -> None:
    reqs = [("GET", "/users/1"), ["POST", "/users/2"], ("GET", "/static/a/b")]
    expected = [router.match(m, p) for m, p in reqs]
    assert router.match_many(reqs) == expected
    assert router.match_many(tuple(reqs)) == expected
    assert router.match_many(iter(reqs)) == expected
    assert router.match_many([]) == []


def test_surrogates_and_non_ascii_round_trip(router) -> None:
    for value in ("\udcff", "caf\u00e9", "\U0001f600", "a\x00b"):
        assert router.match("GET", f"/users/{value}") == Match(1, {"id": value})
        assert router.match_many([("GET", f"/users/{value}")]) == [Match(1, {"id": value})]


def test_add_errors_are_route_errors_and_change_nothing(router) -> None:
    with pytest.raises(RouteError, match='conflict: "GET /users/{name}"'):
        router.add("GET", "/users/{name}", 9)
    with pytest.raises(RouteError, match="uint32"):
        router.add("GET", "/v", -1)
    with pytest.raises(RouteError, match="uint32"):
        router.add("GET", "/v", 2**32)
    router.add("GET", "/v", 2**32 - 1)
    assert router.match("GET", "/v") == Match(2**32 - 1)
    assert router.match("GET", "/users/7") == Match(1, {"id": "7"})
    assert len(router) == 4


def test_names_stay_right_after_adds(router) -> None:
    """The binding caches parameter-name strings by address in the router: an add() must not
    leave a stale name behind."""
    assert router.match("GET", "/users/1") == Match(1, {"id": "1"})
    for i in range(200):
        router.add("GET", f"/r{i}/{{n{i}}}", 100 + i)
    assert router.match("GET", "/users/1") == Match(1, {"id": "1"})
    assert router.match("GET", "/r150/x") == Match(250, {"n150": "x"})


def test_match_many_from_threads_agrees(router) -> None:
    reqs = [("GET", f"/users/{i}") for i in range(2000)] + [("PUT", "/users/1")] * 100
    expected = [router.match(m, p) for m, p in reqs]
    results: list[object] = []

    def work() -> None:
        results.append(router.match_many(reqs) == expected)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4


def test_core_rejects_result_types_without_slots() -> None:
    if not NativeRouter.available():
        pytest.skip(NativeRouter.available().reason)
    from lapwise import _native

    class Plain:
        pass

    with pytest.raises(TypeError, match="slot"):
        _native.RadixRouter(Plain, NoMatch)

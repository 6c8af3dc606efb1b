"""lapwise.Router: the product router over the radix core (the harness's conformance suite
checks every case against the other routers; this is the public surface)."""

from __future__ import annotations

import pytest

import lapwise
from lapwise.router import Match, NoMatch, RouteError, Router, to_canonical

pytestmark = pytest.mark.skipif(lapwise.native_error() is not None,
                                reason=str(lapwise.native_error()))


def test_match_params_and_405() -> None:
    r = Router()
    r.add("GET", "/users/{id:int}", 1)
    r.add("GET", "/files/{rest:path}", 2)
    assert len(r) == 2
    assert r.match("GET", "/users/42") == Match(1, {"id": "42"})
    assert r.match("GET", "/files/a/b") == Match(2, {"rest": "a/b"})
    assert r.match("POST", "/users/42") == NoMatch(405, ("GET",))
    assert r.match("GET", "/users/x") == NoMatch(404)
    got = r.match_many([("GET", "/users/1"), ("GET", "/nope")])
    assert got == [Match(1, {"id": "1"}), NoMatch(404)]


def test_conflicts_name_both_routes_and_change_nothing() -> None:
    r = Router()
    r.add("GET", "/a/{x}", 1)
    with pytest.raises(RouteError, match="/a/{x}"):
        r.add("GET", "/a/{y}", 2)
    with pytest.raises(RouteError, match="uint32"):
        r.add("GET", "/b", -1)
    assert len(r) == 1


def test_to_canonical() -> None:
    assert to_canonical("/users/:id/*rest", "httprouter") == "/users/{id}/{rest:path}"
    assert to_canonical("/u/<int:id>", "werkzeug") == "/u/{id:int}"
    with pytest.raises(ValueError):
        to_canonical("/a", "nginx")


def test_the_package_names_are_the_module_names() -> None:
    assert (lapwise.Router, lapwise.Match, lapwise.NoMatch, lapwise.RouteError) == (
        Router, Match, NoMatch, RouteError)

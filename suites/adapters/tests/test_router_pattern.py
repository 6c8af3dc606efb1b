"""The Python side of the route syntax: the canonical parser, the httprouter importer (checked
against the native to_canonical on every dataset pattern and on tricky inputs) and the Werkzeug
rule writer."""

from __future__ import annotations

import pytest

from suites.adapters.router import _pattern
from suites.adapters.router._pattern import Part, from_httprouter, parse, to_werkzeug
from suites.adapters.router.base import RouteError


def native_or_skip():
    from lapwise import _native_status

    if _native_status.error() is not None:
        pytest.skip(_native_status.error())
    native = _native_status.module()
    if not hasattr(native, "router_to_canonical"):
        pytest.skip("lapwise._native was built without the router core")
    return native


@pytest.mark.parametrize("pattern, parts", [
    ("/", (Part("static", ""),)),
    ("/users/{id}", (Part("static", "users"), Part("param", "id"))),
    ("/u/{id:int}/x/", (Part("static", "u"), Part("int", "id"), Part("static", "x"),
                        Part("static", ""))),
    ("/s/{rest:path}", (Part("static", "s"), Part("path", "rest"))),
    ("/a//b", (Part("static", "a"), Part("static", ""), Part("static", "b"))),
    ("/caf\u00e9/:x/*", (Part("static", "caf\u00e9"), Part("static", ":x"), Part("static", "*"))),
])
def test_parse_valid(pattern: str, parts: tuple[Part, ...]) -> None:
    assert parse(pattern) == parts
    assert "/" + "/".join(p.canonical() for p in parts) == pattern


@pytest.mark.parametrize("pattern, phrase", [
    ("", "starts with '/'"),
    ("users", "starts with '/'"),
    ("/a{id}", "must fill a whole segment"),
    ("/{id}.json", "must fill a whole segment"),
    ("/{a}{b}", "must fill a whole segment"),
    ("/u/{id", "unbalanced '{'"),
    ("/u/id}", "unbalanced '}'"),
    ("/u/{i{d}", "unbalanced '{'"),
    ("/u/{id:uuid}", "unknown converter"),
    ("/u/{id:}", "unknown converter"),
    ("/u/{}", "empty parameter name"),
    ("/u/{:int}", "empty parameter name"),
    ("/u/{1d}", "invalid parameter name"),
    ("/u/{a-b}", "invalid parameter name"),
    ("/s/{p:path}/x", "must be the last part"),
    ("/a/{x}/{x:int}", "used twice"),
    ("".join(f"/{{p{i}}}" for i in range(17)), "too many parameters"),
    ("/" + "a" * 4096, "too long"),
])
def test_parse_invalid(pattern: str, phrase: str) -> None:
    with pytest.raises(RouteError) as info:
        parse(pattern)
    assert phrase in str(info.value)


def test_parse_limits_are_inclusive() -> None:
    assert len(parse("".join(f"/{{p{i}}}" for i in range(16)))) == 16
    assert parse("/" + "a" * 4095)


@pytest.mark.parametrize("method, ok", [
    ("GET", True), ("M-SEARCH", True), ("get", True), ("X" * 32, True), ("X" * 33, False),
    ("", False), ("GE T", False), ("G\u00c9T", False), ("GET\n", False),
])
def test_check_method(method: str, ok: bool) -> None:
    if ok:
        _pattern.check_method(method)
    else:
        with pytest.raises(RouteError):
            _pattern.check_method(method)


TRICKY_HTTPROUTER = [
    "/", "/users/:id", "/static/*", "/static/*filepath", "/a/:b/c/:d", "/a:b", "/a/b:c",
    "/a/*x/y", "/a/:", "/a/{b}", "/a/}", "/:1x", "/a/*", "/a//:b", "/caf\u00e9/:n",
]


@pytest.mark.parametrize("pattern", TRICKY_HTTPROUTER)
def test_from_httprouter_agrees_with_native(pattern: str) -> None:
    native = native_or_skip()
    try:
        expected = native.router_to_canonical(pattern, "httprouter")
    except ValueError:
        with pytest.raises(RouteError):
            from_httprouter(pattern)
    else:
        assert from_httprouter(pattern) == expected


def test_from_httprouter_on_every_dataset_pattern() -> None:
    import datasets as datasets

    native = native_or_skip()
    try:
        patterns = {r.pattern for name in datasets.ROUTE_SETS for r in datasets.routes(name)}
    except datasets.DatasetMissing as exc:
        pytest.skip(str(exc))
    assert len(patterns) > 100
    for p in sorted(patterns):
        assert from_httprouter(p) == native.router_to_canonical(p, "httprouter"), p


@pytest.mark.parametrize("pattern, rule", [
    ("/", "/"),
    ("/u/{id}", "/u/<id>"),
    ("/u/{id:int}/x", "/u/<int:id>/x"),
    ("/s/{p:path}", "/s/<path:p>"),
])
def test_to_werkzeug(pattern: str, rule: str) -> None:
    assert to_werkzeug(parse(pattern)) == rule


def test_to_werkzeug_round_trips_through_native_importer() -> None:
    native = native_or_skip()
    for pattern in ("/u/{id}", "/u/{id:int}/x", "/s/{p:path}", "/a/b/"):
        assert native.router_to_canonical(to_werkzeug(parse(pattern)), "werkzeug") == pattern


def test_to_werkzeug_rejects_angle_brackets() -> None:
    with pytest.raises(RouteError, match="Werkzeug"):
        to_werkzeug(parse("/a<b>"))

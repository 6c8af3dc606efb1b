"""Names with several values (``lapwise._app_multidict``): QueryParams on its own, and
req.query_params served: every pair kept in order, decoded as req.query is, whose first values
it agrees with."""

from __future__ import annotations

import pytest

from lapwise import _native_status
from lapwise._app_multidict import QueryParams

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App  # noqa: E402
from lapwise.testing import TestClient  # noqa: E402


def test_query_params_access():
    q = QueryParams([("a", "1"), ("b", "2"), ("a", "3")])
    assert (q["a"], q.get("a"), q.get("z", "d"), q.getlist("a"), q.getlist("z")) == ("1", "1", "d", ["1", "3"], [])
    assert (q.keys(), q.values(), q.items()) == (["a", "b"], ["1", "2"], [("a", "1"), ("b", "2")])
    assert q.multi_items() == [("a", "1"), ("b", "2"), ("a", "3")]
    assert ("a" in q, "z" in q, len(q), list(q)) == (True, False, 2, ["a", "b"])
    assert q == QueryParams([("a", "1"), ("b", "2"), ("a", "3")]) != QueryParams([("a", "1")])
    assert repr(QueryParams([("a", "1")])) == "QueryParams([('a', '1')])"
    with pytest.raises(KeyError):
        q["z"]
    with pytest.raises(TypeError):
        hash(q)


QUERIES = [  # (query string, every pair)
    ("", []),
    ("tag=a&tag=b&x=1&tag=c", [("tag", "a"), ("tag", "b"), ("x", "1"), ("tag", "c")]),
    ("a=x+y&b=%E2%9C%93&c=%zz", [("a", "x y"), ("b", "\u2713"), ("c", "%zz")]),
    ("k&k=&=v&&m=1=2", [("k", ""), ("k", ""), ("", "v"), ("m", "1=2")]),
    ("%61=1&a=2", [("a", "1"), ("a", "2")]),
    ("n=%FF", [("n", "\ufffd")]),
]


@pytest.fixture(scope="module")
def client():
    app = App()

    @app.get("/q")
    def q(req):
        return {"pairs": req.query_params.multi_items(), "first": req.query}

    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("qs,pairs", QUERIES, ids=[q or "empty" for q, _ in QUERIES])
def test_query_params_served(client, qs, pairs):
    got = client.get("/q?" + qs if qs else "/q").json()
    assert [tuple(p) for p in got["pairs"]] == pairs
    first: dict[str, str] = {}
    for k, v in pairs:
        first.setdefault(k, v)
    assert got["first"] == first  # req.query is each key's first value

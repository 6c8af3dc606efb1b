"""App.url_for (``_app_routes.RouteNames`` and ``reverse``): names from the function or
``name=``, parameters filled and percent-encoded ({x:int}, {x:path}), the rest as the query
string, and unknown, ambiguous or incomplete names refused."""

from __future__ import annotations

import pytest

from lapwise._app_routes import reverse
from lapwise.app import App


def test_reverse_fills_and_encodes():
    assert reverse("/users/{id:int}", {"id": 7}) == "/users/7"
    assert reverse("/files/{rest:path}", {"rest": "a b/c.txt"}) == "/files/a%20b/c.txt"
    assert reverse("/tags/{tag}", {"tag": "a/b?"}) == "/tags/a%2Fb%3F"
    assert reverse("/s", {"q": "x y", "page": 2, "none": None}) == "/s?q=x+y&page=2"
    assert reverse("/s", {"tag": ["a", "b"]}) == "/s?tag=a&tag=b"
    with pytest.raises(KeyError, match="'id'"):
        reverse("/users/{id:int}", {})
    with pytest.raises(TypeError):
        reverse("/users/{id:int}", {"id": "7"})


def test_url_for_by_function_name_and_by_name():
    app = App()

    @app.get("/users/{id:int}")
    def user(req):
        return {}

    @app.post("/users", name="create_user")
    def users(req):
        return {}

    @app.route("/a", ("GET", "POST"))
    def shared(req):
        return {}

    @app.get("/b", name="shared")  # the same name for another pattern: ambiguous
    def other(req):
        return {}

    @app.websocket("/live/{room}")
    async def live(ws):
        await ws.accept()

    assert app.url_for("user", id=3, tab="posts") == "/users/3?tab=posts"
    assert app.url_for("create_user") == "/users"
    assert app.url_for("live", room="x") == "/live/x"
    with pytest.raises(LookupError, match="several routes are named 'shared'"):
        app.url_for("shared")
    with pytest.raises(LookupError, match="no route is named 'nope'"):
        app.url_for("nope")


def test_one_function_on_two_methods_of_one_pattern_keeps_its_name():
    app = App()

    def item(req):
        return {}

    app.get("/items/{id}")(item)
    app.delete("/items/{id}")(item)
    assert app.url_for("item", id="x") == "/items/x"

"""Blueprints (``lapwise._app_blueprint``): routes of every kind under a prefix (the
blueprint's or the one given when registering), their url_for names, nesting, one blueprint on
two prefixes, the App's hooks and error handlers over them, and what is refused."""

from __future__ import annotations

import pytest

from lapwise import _native_status
from lapwise._app_blueprint import join_prefix

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App, Blueprint, HTTPError  # noqa: E402
from lapwise.testing import TestClient  # noqa: E402


@pytest.mark.parametrize("prefix,pattern,joined", [
    ("", "/a", "/a"), ("/api", "/a", "/api/a"), ("/api/", "/a", "/api/a"), ("/api", "/", "/api/"),
])
def test_join_prefix(prefix, pattern, joined):
    assert join_prefix(prefix, pattern) == joined


def build() -> tuple[App, list[str]]:
    users = Blueprint("users", url_prefix="/users")
    seen: list[str] = []

    @users.get("/{id:int}")
    def show(req):
        if req.params["id"] == 0:
            raise HTTPError(404, "no user 0")
        return {"id": req.params["id"]}

    @users.post("/", name="create")
    async def make(req):
        return req.json(), 201

    @users.route("/{id:int}/tags", methods=("GET", "PUT"))
    def tags(req):
        return {"method": req.method}

    @users.websocket("/{id:int}/feed")
    async def feed(ws):
        await ws.accept()
        await ws.send_text(f"feed {ws.params['id']}")
        await ws.close()

    v1 = Blueprint("v1")
    v1.register_blueprint(users)

    @v1.get("/health")
    def health(req):
        return "ok"

    app = App()

    @app.before_request
    def log(req):
        seen.append(req.path)

    @app.errorhandler(404)
    def nf(exc):
        return {"error": str(exc.detail)}

    app.register_blueprint(v1, url_prefix="/api/v1")
    app.register_blueprint(users, url_prefix="/legacy")
    return app, seen


def test_routes_under_their_prefixes_and_names():
    app, seen = build()
    assert app.url_for("v1.users.show", id=3) == "/api/v1/users/3"
    assert app.url_for("v1.users.create") == "/api/v1/users/"
    assert app.url_for("users.show", id=3) == "/legacy/3"
    assert app.url_for("v1.health") == "/api/v1/health"
    with TestClient(app) as c:
        assert c.get("/api/v1/users/3").json() == {"id": 3}
        assert c.get("/legacy/4").json() == {"id": 4}
        r = c.post("/api/v1/users/", json={"name": "ann"})
        assert (r.status_code, r.json()) == (201, {"name": "ann"})
        assert c.put("/legacy/1/tags").json() == {"method": "PUT"}
        assert c.get("/api/v1/health").text == "ok"
        assert c.get("/api/v1/users/0").json() == {"error": "no user 0"}  # the App's error handler
        assert c.get("/users/3").status_code == 404  # the blueprint's own prefix was replaced
        with c.websocket_connect("/api/v1/users/9/feed") as ws:
            assert ws.receive_text() == "feed 9"
    assert seen[:2] == ["/api/v1/users/3", "/legacy/4"]  # the App's hooks cover them


@pytest.mark.parametrize("make,error", [
    (lambda: Blueprint(""), ValueError),
    (lambda: Blueprint("a.b"), ValueError),
    (lambda: Blueprint("a", url_prefix="api"), ValueError),
    (lambda: Blueprint("a").get("no-slash"), ValueError),
    (lambda: Blueprint("a").get("/x")(42), TypeError),
    (lambda: Blueprint("a").register_blueprint(Blueprint("b"), url_prefix="x"), ValueError),
])
def test_refused(make, error):
    with pytest.raises(error):
        make()


def test_the_same_route_twice_is_refused_when_serving():
    bp = Blueprint("bp")
    bp.get("/x")(lambda req: "x")
    app = App()
    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/a")
    with pytest.raises(ValueError):
        app.serve(port=0).stop()

"""lapwise.testing.TestClient (and app.test_client()): requests with params, headers, cookies
and each kind of body; answers read whole; cookies kept, scoped and deleted; the server's
unhandled exceptions raised in the test; redirects; middleware, hooks, error handlers and
static files as served; the server started and stopped by the client, never left behind."""

from __future__ import annotations

import gc
import socket
import time

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App, HTTPError, Response, redirect  # noqa: E402
from lapwise.testing import TestClient, TestResponse  # noqa: E402


def build_app(tmp_path=None) -> App:
    app = App()

    @app.get("/echo/{id:int}")
    def echo(req):
        return {"id": req.params["id"], "query": req.query_params.multi_items(),
                "key": req.headers.get("x-key"), "cookies": req.cookies}

    @app.post("/body")
    def body(req):
        ctype = req.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            return {"json": req.json()}
        if ctype.startswith(("multipart/", "application/x-www-form-urlencoded")):
            form = req.form()
            return {"form": [(k, v if isinstance(v, str) else [v.filename, v.content_type, v.read().decode()])
                             for k, v in form.multi_items()]}
        return {"raw": req.body.decode(), "type": ctype}

    @app.get("/login")
    def login(req):
        return Response(200, None, "in").set_cookie("sid", "s1").set_cookie("scoped", "p", path="/echo")

    @app.get("/logout")
    def logout(req):
        return Response(200, None, "out").delete_cookie("sid")

    @app.get("/boom")
    def boom(req):
        raise KeyError("lost")

    @app.get("/teapot")
    def teapot(req):
        raise HTTPError(418, "short and stout")

    @app.route("/go", methods=("GET", "POST"))
    def go(req):
        return redirect(req.query["to"], int(req.query.get("status", "302")))

    @app.route("/landing", methods=("GET", "POST"))
    def landing(req):
        return {"method": req.method, "body": req.body.decode()}

    @app.get("/text")
    def text(req):
        return Response(200, {"Content-Type": "text/plain; charset=latin-1"}, "café".encode("latin-1"))

    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(build_app()) as c:
        yield c


def test_get_with_params_and_headers(client):
    r = client.get("/echo/7?a=0", params={"tag": ["x", "y"], "q": "a b"}, headers={"X-Key": "k"})
    assert isinstance(r, TestResponse) and (r.status_code, r.reason) == (200, "OK")
    assert r.json() == {"id": 7, "query": [["a", "0"], ["tag", "x"], ["tag", "y"], ["q", "a b"]], "key": "k",
                        "cookies": {}}
    assert r.headers["content-type"] == r.headers["Content-Type"] == "application/json"
    assert r.data == r.content == r.text.encode()
    assert r.url == client.base_url + "/echo/7?a=0&tag=x&tag=y&q=a+b"


@pytest.mark.parametrize("kw,expected", [
    ({"json": {"a": [1, 2]}}, {"json": {"a": [1, 2]}}),
    ({"data": {"name": "Ada", "tag": ["a", "b"]}}, {"form": [["name", "Ada"], ["tag", "a"], ["tag", "b"]]}),
    ({"data": {"caption": "cat"}, "files": {"photo": ("cat.png", b"PNG", "image/png")}},
     {"form": [["caption", "cat"], ["photo", ["cat.png", "image/png", "PNG"]]]}),
    ({"content": b"raw bytes", "headers": {"Content-Type": "text/x"}}, {"raw": "raw bytes", "type": "text/x"}),
    ({"data": "raw str"}, {"raw": "raw str", "type": ""}),
])
def test_post_bodies(client, kw, expected):
    assert client.post("/body", **kw).json() == expected


def test_text_is_decoded_by_charset(client):
    assert client.get("/text").text == "café"


def test_head_options_and_unmatched(client):
    r = client.head("/echo/1")
    assert (r.status_code, r.content, int(r.headers["content-length"]) > 0) == (200, b"", True)
    r = client.options("/echo/1")
    assert (r.status_code, r.headers["allow"]) == (204, "GET, HEAD, OPTIONS")
    assert client.get("/nowhere").status_code == 404
    assert client.delete("/echo/1").status_code == 405


def test_cookies_are_kept_scoped_and_deleted():
    with TestClient(build_app(), cookies={"pre": "1"}) as c:
        assert c.get("/echo/1").json()["cookies"] == {"pre": "1"}
        assert c.get("/login").headers.get_all("set-cookie") == ["sid=s1; Path=/", "scoped=p; Path=/echo"]
        assert c.cookies == {"pre": "1", "sid": "s1", "scoped": "p"}
        assert c.get("/echo/1").json()["cookies"] == {"scoped": "p", "pre": "1", "sid": "s1"}
        assert c.post("/body", content=b"x").status_code == 200  # /body is outside /echo
        c.set_cookie("extra", "e")
        got = c.get("/echo/1", cookies={"once": "o"}).json()["cookies"]
        assert got == {"scoped": "p", "pre": "1", "sid": "s1", "extra": "e", "once": "o"}
        c.get("/logout")
        assert "sid" not in c.cookies
        assert c.get("/echo/1", headers={"Cookie": "own=1"}).json()["cookies"] == {"own": "1"}


def test_server_exceptions_are_raised_in_the_test(client):
    with pytest.raises(KeyError, match="lost"):
        client.get("/boom")
    assert client.get("/teapot").status_code == 418  # an HTTPError is an answer, not a failure
    with TestClient(build_app(), raise_server_exceptions=False) as quiet:
        r = quiet.get("/boom")
        assert (r.status_code, r.text) == (500, "Internal Server Error")


def test_handled_exceptions_are_answers():
    app = build_app()
    app.errorhandler(KeyError)(lambda exc: ({"missing": exc.args[0]}, 404))
    with app.test_client() as c:
        r = c.get("/boom")
        assert (r.status_code, r.json()) == (404, {"missing": "lost"})


def test_redirects(client):
    r = client.get("/go", params={"to": "/landing"})
    assert (r.status_code, r.headers["location"], r.is_redirect) == (302, "/landing", True)
    r = client.get("/go", params={"to": "/landing"}, follow_redirects=True)
    assert (r.status_code, r.json(), [h.status_code for h in r.history]) == (
        200, {"method": "GET", "body": ""}, [302])
    r = client.post("/go", params={"to": "/landing", "status": "303"}, content=b"x", follow_redirects=True)
    assert r.json() == {"method": "GET", "body": ""}
    r = client.post("/go", params={"to": "landing", "status": "307"}, content=b"x", follow_redirects=True)
    assert r.json() == {"method": "POST", "body": "x"}
    r = client.get("/go", params={"to": "https://example.org/"}, follow_redirects=True)
    assert (r.status_code, r.headers["location"]) == (302, "https://example.org/")


def test_only_its_own_server(client):
    assert client.get(client.base_url + "/echo/2").json()["id"] == 2
    with pytest.raises(ValueError, match="its own app"):
        client.get("http://example.org/echo/1")


def test_middleware_hooks_error_handlers_and_static_run_as_served(tmp_path):
    (tmp_path / "a.txt").write_text("static text")
    app = App()
    order = []
    app.static("/files", tmp_path)

    @app.middleware
    def mw(req, call_next):
        order.append("mw")
        out = call_next(req)
        if isinstance(out, Response):
            out.add_header("X-Mw", "1")
        return out

    @app.before_request
    def before(req):
        order.append("before")
        if req.headers.get("x-deny"):
            raise HTTPError(403)

    @app.get("/x")
    def x(req):
        return Response(200, None, "x")

    @app.errorhandler(404)
    def nf(exc):
        return "custom 404"

    with app.test_client() as c:
        r = c.get("/x")
        assert (r.text, r.headers["x-mw"]) == ("x", "1")
        r = c.get("/files/a.txt")
        assert (r.text, r.headers["x-mw"]) == ("static text", "1")
        assert c.get("/files/a.txt", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
        assert c.get("/x", headers={"X-Deny": "1"}).status_code == 403
        assert (c.get("/nowhere").status_code, c.get("/nowhere").text) == (404, "custom 404")
    assert order[:4] == ["mw", "before", "mw", "before"]


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_lifecycle_with_and_close():
    app = build_app()
    events = []
    app.on_startup(lambda: events.append("start"))
    app.on_shutdown(lambda: events.append("stop"))
    with TestClient(app) as c:
        assert events == ["start"]
        port = c.get("/echo/1").json() and int(c.base_url.rsplit(":", 1)[1])
    assert events == ["start", "stop"] and _refused(port)
    c = TestClient(app)
    assert events == ["start", "stop"]  # nothing starts before the first request
    c.get("/echo/1")
    port = int(c.base_url.rsplit(":", 1)[1])
    c.close()
    c.close()
    assert events == ["start", "stop"] * 2 and _refused(port)


def test_a_dropped_client_stops_its_server():
    app = build_app()
    events = []
    app.on_shutdown(lambda: events.append("stop"))
    c = TestClient(app)
    c.get("/echo/1")
    port = int(c.base_url.rsplit(":", 1)[1])
    del c
    gc.collect()
    assert events == ["stop"] and _refused(port)


def test_a_connection_closed_while_idle_is_opened_again():
    with TestClient(build_app(), idle_timeout=0.1) as c:
        assert c.get("/echo/1").status_code == 200
        time.sleep(0.5)  # the server closes the idle connection
        assert c.get("/echo/2").json()["id"] == 2

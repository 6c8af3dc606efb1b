"""CORS for lapwise.App (``lapwise._app_cors``): preflights answered or refused as Starlette
does, the allow headers on def and async def routes, streams, static files, const routes and
error answers, nothing added to requests without an Origin, and the settings refused at setup."""

from __future__ import annotations

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App, HTTPError, Response, cors  # noqa: E402
from lapwise._app_cors import CorsPolicy  # noqa: E402

GOOD = "https://app.example"
BAD = "https://evil.example"
PREFLIGHT = "access-control-request-method"


def _app(tmp_path, **options):
    (tmp_path / "a.txt").write_text("static")
    app = App()

    @app.get("/json")
    def json_route(req):
        return {"a": 1}

    @app.route("/items", ("GET", "POST"))
    async def items(req):
        return {"async": True}

    @app.get("/missing")
    def missing(req):
        raise HTTPError(404, "no such thing")

    @app.get("/boom")
    async def boom(req):
        raise RuntimeError("failed on purpose")

    @app.get("/stream")
    def stream(req):
        yield "a"
        yield "b"

    @app.get("/own")
    def own(req):
        return Response(201, {"Vary": "Accept"}, "own")

    @app.route("/mine", ("OPTIONS",))
    def mine(req):
        return Response(204, {"X-Mine": "1"}, None)

    app.const("/const", "hello")
    app.static("/static", tmp_path)
    cors(app, **options)
    return app


def _cors_headers(r):
    return {k.lower(): v for k, v in r.headers.items()
            if k.lower().startswith("access-control-") or k.lower() == "vary"}


LISTED = {"allow_origins": [GOOD], "allow_methods": ["GET", "POST"], "allow_headers": ["X-Token"],
          "expose_headers": ["X-Total"]}
ALLOWED = {"access-control-allow-origin": GOOD, "vary": "Origin", "access-control-expose-headers": "X-Total"}


@pytest.mark.parametrize("method,path,status,body", [
    ("GET", "/json", 200, b'{"a":1}'),
    ("GET", "/items", 200, b'{"async":true}'),
    ("POST", "/items", 200, b'{"async":true}'),
    ("GET", "/missing", 404, b"no such thing"),
    ("GET", "/boom", 500, b"Internal Server Error"),
    ("GET", "/stream", 200, b"ab"),
    ("GET", "/const", 200, b"hello"),
    ("GET", "/static/a.txt", 200, b"static"),
    ("GET", "/static/none.txt", 404, None),
    ("GET", "/no/such/path", 404, b"Not Found"),
    ("DELETE", "/json", 405, None),
])
def test_every_answer_to_an_allowed_origin_carries_the_headers(tmp_path, method, path, status, body):
    with _app(tmp_path, **LISTED).test_client(raise_server_exceptions=False) as client:
        r = client.request(method, path, headers={"Origin": GOOD})
        assert r.status_code == status
        assert body is None or r.content == body
        assert _cors_headers(r) == ALLOWED
        plain = client.request(method, path)  # no Origin: answered as without CORS
        assert plain.status_code == status and _cors_headers(plain) == {}


def test_an_origin_not_allowed_gets_vary_only(tmp_path):
    with _app(tmp_path, **LISTED).test_client() as client:
        r = client.get("/json", headers={"Origin": BAD})
        assert r.status_code == 200 and _cors_headers(r) == {"vary": "Origin"}


def test_headers_join_those_the_handler_set(tmp_path):
    with _app(tmp_path, **LISTED).test_client() as client:
        r = client.get("/own", headers={"Origin": GOOD})
        assert r.status_code == 201 and r.content == b"own"
        assert r.headers.get_all("vary") == ["Accept", "Origin"]


@pytest.mark.parametrize("asked,requested_headers,status,body", [
    ("POST", None, 200, b"OK"),
    ("GET", "x-token, Content-Type", 200, b"OK"),
    ("PUT", None, 400, b"Disallowed CORS method"),
    ("POST", "X-Other", 400, b"Disallowed CORS headers"),
    ("PUT", "X-Other", 400, b"Disallowed CORS method, headers"),
])
def test_preflight_is_answered_or_refused(tmp_path, asked, requested_headers, status, body):
    headers = {"Origin": GOOD, PREFLIGHT: asked}
    if requested_headers:
        headers["Access-Control-Request-Headers"] = requested_headers
    with _app(tmp_path, **LISTED).test_client() as client:
        for path in ("/json", "/items", "/const", "/static/a.txt", "/mine"):
            r = client.options(path, headers=headers)
            assert (r.status_code, r.content) == (status, body), path
            got = _cors_headers(r)
            assert got["access-control-allow-origin"] == GOOD and got["vary"] == "Origin"
            assert got["access-control-allow-methods"] == "GET, POST"
            assert got["access-control-allow-headers"].split(", ")[0] == "X-Token"
            assert got["access-control-max-age"] == "600"
            assert "X-Mine" not in r.headers  # the app's own OPTIONS route is not reached


def test_preflight_from_an_origin_not_allowed_is_400(tmp_path):
    with _app(tmp_path, **LISTED).test_client() as client:
        r = client.options("/json", headers={"Origin": BAD, PREFLIGHT: "GET"})
        assert (r.status_code, r.content) == (400, b"Disallowed CORS origin")


def test_plain_options_still_lists_the_methods(tmp_path):
    with _app(tmp_path, **LISTED).test_client() as client:
        assert client.options("/items").headers["Allow"] == "GET, HEAD, POST, OPTIONS"
        assert client.options("/json", headers={"Origin": GOOD}).headers["Allow"] == "GET, HEAD, OPTIONS"
        assert client.options("/mine").headers["X-Mine"] == "1"


def test_star_origin_answers_star_and_const_routes_stay_native(tmp_path):
    app = _app(tmp_path, allow_origins="*", allow_methods="*", allow_headers="*")
    with app.test_client() as client:
        r = client.get("/json", headers={"Origin": BAD})
        assert _cors_headers(r) == {"access-control-allow-origin": "*", "vary": "Origin"}
        assert client.get("/const").headers["Access-Control-Allow-Origin"] == "*"
        pre = client.options("/json", headers={"Origin": BAD, PREFLIGHT: "PATCH",
                                               "Access-Control-Request-Headers": "X-A, X-B"})
        assert pre.status_code == 200
        assert pre.headers["Access-Control-Allow-Methods"] == "PATCH"
        assert pre.headers["Access-Control-Allow-Headers"] == "x-a, x-b"
    assert [c.pattern for c in app._consts] == ["/const"]


def test_credentials_echo_the_origin(tmp_path):
    app = _app(tmp_path, allow_origin_regex=r"https://[a-z]+\.example", allow_credentials=True, max_age=60)
    with app.test_client() as client:
        r = client.get("/items", headers={"Origin": GOOD})
        assert _cors_headers(r) == {"access-control-allow-origin": GOOD, "vary": "Origin",
                                    "access-control-allow-credentials": "true"}
        assert _cors_headers(client.get("/json", headers={"Origin": "https://a.example.org"})) == {"vary": "Origin"}
        pre = client.options("/json", headers={"Origin": GOOD, PREFLIGHT: "GET"})
        assert pre.headers["Access-Control-Allow-Credentials"] == "true"
        assert pre.headers["Access-Control-Max-Age"] == "60"


def test_a_second_serve_installs_nothing_twice(tmp_path):
    app = _app(tmp_path, **LISTED)
    for _ in range(2):
        with app.test_client() as client:
            assert client.get("/const", headers={"Origin": GOOD}).headers["Access-Control-Allow-Origin"] == GOOD
    assert sum(r.methods == ("OPTIONS",) for r in app._routes) == 9  # 7 patterns, the static mount, /mine


@pytest.mark.parametrize("options,error", [
    ({"allow_origins": "*", "allow_credentials": True}, "allow_credentials"),
    ({"allow_origins": ["https://a.example", "*"], "allow_credentials": True}, "allow_credentials"),
])
def test_star_with_credentials_is_refused(options, error):
    with pytest.raises(ValueError, match=error):
        cors(App(), **options)


def test_cors_twice_is_refused():
    app = App()
    cors(app, "*")
    with pytest.raises(ValueError, match="already"):
        cors(app, "*")


def test_policy_headers():
    policy = CorsPolicy([GOOD], ["get"], ["X-A"], False, "X-Total", 5, None)
    assert policy.methods == ("GET",) and policy.allows(GOOD) and not policy.allows(BAD)
    assert policy.answer_headers(GOOD) == [("Access-Control-Allow-Origin", GOOD), ("Vary", "Origin"),
                                           ("Access-Control-Expose-Headers", "X-Total")]


@pytest.mark.parametrize("options", [{"loop_drives": False}, {"threads": 2}, {"io": "asio"}])
def test_async_routes_in_every_serving_mode(tmp_path, options):
    with _app(tmp_path, **LISTED).test_client(raise_server_exceptions=False, **options) as client:
        for method, path, status in [("GET", "/items", 200), ("GET", "/boom", 500), ("GET", "/json", 200)]:
            r = client.request(method, path, headers={"Origin": GOOD})
            assert r.status_code == status and _cors_headers(r) == ALLOWED
            assert _cors_headers(client.request(method, path)) == {}

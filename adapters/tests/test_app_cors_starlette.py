"""``lapwise.cors`` against Starlette's ``CORSMiddleware`` with the same settings, request by
request: the same status, body and Access-Control-* values wherever a browser reads them.
Where they differ by design (an origin not allowed gets no CORS header at all here; ``"*"``
methods are echoed rather than listed) the rows leave those headers out."""

from __future__ import annotations

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)
starlette = pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.applications import Starlette  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.middleware.cors import CORSMiddleware  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402
from starlette.testclient import TestClient as StarletteClient  # noqa: E402

from lapwise import App, cors  # noqa: E402

GOOD = "https://app.example"
SETTINGS = {
    "listed": {"allow_origins": [GOOD], "allow_methods": ["GET", "POST"], "allow_headers": ["X-Token"],
               "expose_headers": ["X-Total"], "max_age": 60},
    "star": {"allow_origins": ["*"], "allow_methods": ["GET", "PUT"], "allow_headers": ["*"]},
    "credentials": {"allow_origin_regex": r"https://[a-z]+\.example", "allow_credentials": True,
                    "allow_methods": ["GET", "DELETE"], "allow_headers": ["X-A", "X-B"]},
}
ROWS = [  # method, headers
    ("GET", {"Origin": GOOD}),
    ("POST", {"Origin": GOOD}),
    ("GET", {}),
    ("OPTIONS", {"Origin": GOOD, "Access-Control-Request-Method": "POST"}),
    ("OPTIONS", {"Origin": GOOD, "Access-Control-Request-Method": "PUT"}),
    ("OPTIONS", {"Origin": GOOD, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-token"}),
    ("OPTIONS", {"Origin": GOOD, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-B"}),
    ("OPTIONS", {"Origin": GOOD, "Access-Control-Request-Method": "DELETE",
                 "Access-Control-Request-Headers": "content-type"}),
    ("OPTIONS", {"Origin": "https://evil.other", "Access-Control-Request-Method": "GET"}),
]


def _starlette_app(options):
    async def echo(request):
        return PlainTextResponse("hello")

    return Starlette(routes=[Route("/r", echo, methods=["GET", "POST"])],
                     middleware=[Middleware(CORSMiddleware, **options)])


def _lapwise_app(options):
    app = App()

    @app.route("/r", ("GET", "POST"))
    def echo(req):
        return "hello"

    cors(app, **options)
    return app


def _tokens(value):
    return None if value is None else sorted(t.strip().lower() for t in value.split(","))


def _seen(r, star_methods):
    """What a browser reads of an answer (header values normalised)."""
    h = {k.lower(): v for k, v in r.headers.items()}
    seen = {"status": r.status_code, "body": r.content,
            "origin": h.get("access-control-allow-origin"),
            "credentials": h.get("access-control-allow-credentials"),
            "expose": h.get("access-control-expose-headers"),
            "max_age": h.get("access-control-max-age"),
            "allow_headers": _tokens(h.get("access-control-allow-headers"))}
    if not star_methods:
        seen["allow_methods"] = _tokens(h.get("access-control-allow-methods"))
    return seen


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("method,headers", ROWS)
def test_answers_as_starlettes_cors_middleware(setting, method, headers):
    options = SETTINGS[setting]
    star_methods = options.get("allow_methods") == ["*"]
    with StarletteClient(_starlette_app(options)) as theirs:
        expected = _seen(theirs.request(method, "/r", headers=headers), star_methods)
    with _lapwise_app(options).test_client() as ours:
        got = _seen(ours.request(method, "/r", headers=headers), star_methods)
    if expected["status"] < 300 and expected["origin"] is None and method != "OPTIONS":
        # An origin not allowed (or none): Starlette still sends its other CORS headers, we send none.
        expected.update(credentials=None, expose=None)
    assert got == expected

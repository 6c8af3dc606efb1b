"""lapwise.redirect (``lapwise._app_redirect``): each redirect status, the location sent as
given (relative kept relative, escapes kept, what a URL may not hold percent-encoded, no header
injection), the HTML body, and the statuses refused."""

from __future__ import annotations

import pytest

from http_fetch import fetch

from lapwise import _native_status
from lapwise._app_redirect import REDIRECT_STATUSES, redirect

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App  # noqa: E402

LOCATIONS = [  # (given, sent)
    ("/users/1", "/users/1"),
    ("users/1?tab=posts#top", "users/1?tab=posts#top"),
    ("../up", "../up"),
    ("https://example.org/a?b=c&d=e", "https://example.org/a?b=c&d=e"),
    ("/a%20b", "/a%20b"),
    ("/a b/é", "/a%20b/%C3%A9"),
    ("/x\r\nSet-Cookie: evil=1", "/x%0D%0ASet-Cookie:%20evil=1"),
    ('/q?x="<y>"', "/q?x=%22%3Cy%3E%22"),
]


@pytest.fixture(scope="module")
def served():
    app = App()

    @app.get("/go/{status:int}")
    def go(req):
        return redirect(req.query["to"], status=req.params["status"])

    @app.post("/login")
    def login(req):
        return redirect("/home", 303).set_cookie("sid", "1")

    with app.serve(port=0) as srv:
        yield srv


@pytest.mark.parametrize("status", REDIRECT_STATUSES)
@pytest.mark.parametrize("given,sent", LOCATIONS)
def test_location_is_sent_as_given(served, status, given, sent):
    from urllib.parse import quote

    got, headers, body = fetch(served, "GET", f"/go/{status}?to={quote(given, safe='')}")
    assert got == status
    assert headers["location"] == sent
    assert "set-cookie" not in headers
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert f'href="{sent.replace("&", "&amp;")}"'.encode() in body


def test_default_status_is_302_and_headers_can_be_added(served):
    assert redirect("/x").status == 302
    status, headers, _ = fetch(served, "POST", "/login", b"")
    assert (status, headers["location"], headers["set-cookie"]) == (303, "/home", "sid=1; Path=/")


@pytest.mark.parametrize("status", [200, 300, 304, 305, 400, "302"])
def test_other_statuses_are_refused(status):
    with pytest.raises(ValueError, match="redirect status"):
        redirect("/x", status)

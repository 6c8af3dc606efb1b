"""Cookies: the Cookie header parsed, Set-Cookie written with its attributes (several on one
response), delete_cookie, and values a cookie cannot carry refused."""

from __future__ import annotations

import datetime
import http.client

import pytest

from lapwise import _native_status
from lapwise._app_cookies import parse_cookies, set_cookie_header
from lapwise.app import App, Response

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def test_parse_cookies():
    assert parse_cookies('a=1; b="two"; a=3; junk; =x; c=') == {"a": "1", "b": "two", "c": ""}


def test_set_cookie_header_attributes():
    when = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert set_cookie_header("sid", "abc", max_age=60, expires=when, domain="example.com", secure=True,
                             httponly=True, samesite="lax") == \
        "sid=abc; Max-Age=60; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/; Domain=example.com; " \
        "Secure; HttpOnly; SameSite=Lax"
    for bad in ({"name": "a b"}, {"value": "x;y"}, {"value": 'q"'}, {"samesite": "None"},
                {"samesite": "sometimes"}, {"path": "/a;b"}):
        with pytest.raises(ValueError):
            set_cookie_header(bad.pop("name", "n"), bad.pop("value", "v"), **bad)
    with pytest.raises(ValueError, match="aware"):
        set_cookie_header("n", "v", expires=datetime.datetime(2030, 1, 1))


def test_cookies_through_the_app():
    app = App()

    @app.get("/login")
    def login(req):
        seen = parse_cookies(req.headers.get("cookie", ""))
        return Response(200, {"X-Seen": seen.get("theme", "-")}, "ok") \
            .set_cookie("sid", "s3cr3t", httponly=True, samesite="Strict") \
            .set_cookie("theme", "dark", max_age=3600) \
            .delete_cookie("old")

    with app.serve(port=0) as running:
        conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
        conn.request("GET", "/login", headers={"Cookie": "theme=light; sid=x"})
        r = conn.getresponse()
        r.read()
        conn.close()
    assert r.getheader("X-Seen") == "light"
    assert [v for k, v in r.getheaders() if k.lower() == "set-cookie"] == [
        "sid=s3cr3t; Path=/; HttpOnly; SameSite=Strict",
        "theme=dark; Max-Age=3600; Path=/",
        "old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"]

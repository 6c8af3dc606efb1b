"""Signed-cookie sessions (``lapwise._app_session``): kept across requests for def and async
def routes, written only when changed, deleted when emptied, refused when forged, changed
or too old, there for every hook and the handler whatever the order they were added in, and
the answer shapes the Set-Cookie is added to."""

from __future__ import annotations

import time

import pytest

from lapwise import _native_status
from lapwise._app_session import Session, with_header
from lapwise._app_signed import sign

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App, HTTPError, Response, StreamingResponse, sessions  # noqa: E402
from lapwise.testing import TestClient  # noqa: E402

KEY = "test-key-" + "x" * 24


@pytest.mark.parametrize("change,modified", [
    (lambda s: s.__setitem__("a", 2), True),
    (lambda s: s.__delitem__("a"), True),
    (lambda s: s.pop("a"), True),
    (lambda s: s.pop("zz", None), False),
    (lambda s: s.popitem(), True),
    (lambda s: s.setdefault("a", 5), False),
    (lambda s: s.setdefault("new", 5), True),
    (lambda s: s.update(b=1), True),
    (lambda s: s.clear(), True),
    (lambda s: s.get("a"), False),
    (lambda s: s["a"], False),
])
def test_session_knows_when_it_changed(change, modified):
    s = Session({"a": 1})
    change(s)
    assert s.modified is modified
    assert Session().modified is False
    empty = Session()
    empty.clear()
    assert empty.modified is False


@pytest.mark.parametrize("out,status,body", [
    ({"a": 1}, 200, {"a": 1}),
    ("text", 200, "text"),
    (("made", 201), 201, "made"),
    (("x", {"X-A": "1"}), 200, "x"),
    (("x", 202, [("X-A", "1")]), 202, "x"),
    (None, 200, None),
])
def test_with_header_makes_a_response(out, status, body):
    made = with_header(out, "Set-Cookie", "s=1")
    assert (made.status, made.body) == (status, body)
    assert ("Set-Cookie", "s=1") in list(made.headers.items() if isinstance(made.headers, dict) else made.headers)


def test_with_header_keeps_responses_and_streams():
    resp = Response(204, {"X": "1"}, b"")
    assert with_header(resp, "A", "b") is resp and resp.headers == [("X", "1"), ("A", "b")]

    def gen():
        yield "x"

    assert isinstance(with_header(gen(), "A", "b"), StreamingResponse)


def build() -> App:
    app = App()
    seen = []

    @app.before_request  # added before sessions(): still sees the session
    def early(req):
        seen.append(("before", dict(req.session)))

    @app.get("/count")
    def count(req):
        req.session["n"] = req.session.get("n", 0) + 1
        return {"n": req.session["n"]}

    @app.get("/acount")
    async def acount(req):
        req.session["n"] = req.session.get("n", 0) + 1
        return {"n": req.session["n"]}, 201

    @app.get("/read")
    def read(req):
        return dict(req.session)

    @app.get("/nested")
    def nested(req):
        req.session.setdefault("items", [])
        req.session["items"].append(len(req.session["items"]))
        req.session.modified = True  # a change inside a value is not seen by itself
        return req.session["items"]

    @app.get("/logout")
    def logout(req):
        req.session.clear()
        return "bye"

    @app.get("/fail")
    def fail(req):
        req.session["lost"] = True
        raise HTTPError(409)

    @app.get("/huge")
    def huge(req):
        req.session["blob"] = "x" * 5000
        return "too big"

    @app.get("/stream")
    def stream(req):
        req.session["streamed"] = True  # before the generator runs: its head carries the cookie

        def parts():
            yield "a"
            yield "b"

        return parts()

    sessions(app, KEY, max_age=60)

    @app.after_request  # added after sessions(): its change is still written
    def late(req, out):
        if req.query.get("late"):
            req.session["late"] = True
        return out

    app.seen = seen
    return app


def test_kept_across_requests_for_both_kinds_of_route():
    with TestClient(build()) as c:
        assert c.get("/count").json() == {"n": 1}
        cookie = c.get("/count").headers["set-cookie"]
        assert cookie.startswith("session=") and cookie.endswith("; Max-Age=60; Path=/; HttpOnly; SameSite=Lax")
        r = c.get("/acount")
        assert (r.status_code, r.json()) == (201, {"n": 3})
        assert c.get("/read?late=1").json() == {"n": 3}
        assert c.get("/read").json() == {"n": 3, "late": True}
        assert c.get("/nested").json() == [0] and c.get("/nested").json() == [0, 1]
        r = c.get("/stream")
        assert (r.text, "set-cookie" in r.headers) == ("ab", True)
        assert c.get("/read").json()["streamed"] is True


def test_written_only_when_changed_and_deleted_when_emptied():
    app = build()
    with TestClient(app) as c:
        assert "set-cookie" not in c.get("/read").headers
        c.get("/count")
        r = c.get("/logout")
        assert r.headers["set-cookie"].startswith("session=; Max-Age=0; Expires=Thu, 01 Jan 1970")
        assert c.cookies == {} and c.get("/read").json() == {}
        assert "set-cookie" not in c.get("/logout").headers  # nothing to delete
    assert app.seen[0] == ("before", {})


def test_an_error_answer_writes_nothing():
    with TestClient(build()) as c:
        r = c.get("/fail")
        assert (r.status_code, "set-cookie" in r.headers) == (409, False)


def test_a_cookie_over_4_kib_is_refused():
    with TestClient(build()) as c, pytest.raises(ValueError, match="4 KiB"):
        c.get("/huge")


def _cookie(data: bytes, key: str = KEY, at: float | None = None) -> str:
    return sign(key.encode(), data, now=at)


@pytest.mark.parametrize("value,expected", [
    (_cookie(b'{"user":"ann"}'), {"user": "ann"}),
    (_cookie(b'{"user":"ann"}', key="another key"), {}),
    (_cookie(b'{"user":"ann"}', at=time.time() - 120), {}),  # older than max_age=60
    (_cookie(b"not json"), {}),
    (_cookie(b"[1, 2]"), {}),
    ("garbage", {}),
])
def test_forged_changed_or_old_cookies_are_empty_sessions(value, expected):
    with TestClient(build()) as c:
        assert c.get("/read", cookies={"session": value}).json() == expected


def test_middleware_cannot_read_it():
    app = build()

    @app.middleware
    def peek(req, call_next):
        try:
            req.session
        except RuntimeError as exc:
            return {"refused": "middleware" in str(exc)}
        return call_next(req)

    with TestClient(app) as c:
        assert c.get("/read").json() == {"refused": True}


def test_without_sessions_req_session_says_why():
    app = App()
    app.get("/s")(lambda req: dict(req.session))
    with TestClient(app) as c, pytest.raises(RuntimeError, match="lapwise.sessions"):
        c.get("/s")


@pytest.mark.parametrize("kw,match", [
    ({"secret_key": ""}, "secret key"),
    ({"secret_key": KEY, "same_site": "none"}, "secure"),
    ({"secret_key": KEY, "cookie_name": "bad name"}, "token"),
])
def test_bad_settings_are_refused_at_once(kw, match):
    with pytest.raises(ValueError, match=match):
        sessions(App(), **kw)

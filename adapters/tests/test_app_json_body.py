"""lapwise.App and a malformed JSON body: ``req.json()`` raises JSONBodyError, answered 400 with
the body's true position (sync handlers inline or on the pool, and async handlers alike); a
handler may catch it as a ValueError."""

from __future__ import annotations

import http.client
import json

import pytest

from lapwise import _native_status
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


@pytest.fixture(scope="module")
def srv():
    app = App()

    @app.post("/sync")
    def sync(req):
        return req.json()

    @app.post("/pool", blocking=True)
    def pool(req):
        return req.json()

    @app.post("/async")
    async def async_(req):
        return req.json()

    @app.post("/caught")
    def caught(req):
        try:
            return req.json()
        except ValueError as exc:
            return {"caught": type(exc).__name__}

    with app.serve(port=0) as running:
        yield running


def post(srv, target: str, body: bytes) -> tuple[int, bytes]:
    c = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        c.request("POST", target, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


BAD = [
    # body, true position, line, column (what json.loads reports)
    (b'{"a":', 5, 1, 6),
    (b'[1,2', 4, 1, 5),
    (b'{"a":1} x', 8, 1, 9),
    (b'\n\n {"a": tru}', 9, 3, 8),
    (b'{"a":1,}', 7, 1, 8),
    (b'"\xff"', 1, 1, 2),
]


@pytest.mark.parametrize("target", ["/sync", "/pool", "/async"])
@pytest.mark.parametrize("body,pos,line,col", BAD, ids=[repr(b[0]) for b in BAD])
def test_malformed_body_is_400_with_the_true_position(srv, target, body, pos, line, col):
    for _ in range(20 if target == "/sync" else 1):  # /sync: on the pool first, then inline
        status, data = post(srv, target, body)
        assert status == 400, data
        answer = json.loads(data)
        assert answer["error"] == "malformed JSON body"
        assert (answer["position"], answer["line"], answer["column"]) == (pos, line, col), answer


def test_well_formed_body_and_a_caught_error(srv):
    assert post(srv, "/sync", b'{"a":[1,2]}') == (200, b'{"a":[1,2]}')
    assert post(srv, "/caught", b"{") == (200, b'{"caught":"JSONBodyError"}')


def test_nan_and_infinity_are_never_sent_as_json(caplog):
    """NaN/Infinity are not JSON: a handler returning one gets a 500 whose logged error names
    the value's path, and a body holding them (what json.dumps writes) still reads."""
    import logging

    app = App()

    @app.get("/nan")
    def nan(req):
        return {"ok": 1, "x": [1.0, float("nan")]}

    @app.get("/inf")
    async def inf(req):
        return {"y": float("-inf")}

    @app.post("/echo")
    def echo(req):
        return {"got": repr(req.json())}

    with app.serve(port=0) as running, caplog.at_level(logging.ERROR, logger="lapwise.app"):
        conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
        for target, path in (("/nan", "$.x[1]"), ("/inf", "$.y")):
            conn.request("GET", target)
            r = conn.getresponse()
            assert r.status == 500 and r.read() == b"Internal Server Error"
            text = "\n".join(rec.getMessage() + str(rec.exc_info and rec.exc_info[1])
                             for rec in caplog.records)
            assert f"{path}: Out of range float values are not JSON compliant" in text, text
        conn.request("POST", "/echo", body=b'[NaN, Infinity, -Infinity, 1e400]',
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        assert r.status == 200 and json.loads(r.read()) == {"got": "[nan, inf, -inf, inf]"}
        conn.close()

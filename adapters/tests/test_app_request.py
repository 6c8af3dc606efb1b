"""The request attributes added in Python: req.cookies (tolerant of what browsers send,
quoted values unquoted, the first of a repeated name wins) and req.form (see test_app_forms)."""

from __future__ import annotations

import http.client
import json

import pytest

from lapwise import _native_status
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def test_request_cookies():
    app = App()

    @app.get("/c")
    def cookies(req):
        return req.cookies

    sent = {
        "a=1; b=2": {"a": "1", "b": "2"},
        'sid="quoted value"; x=1': {"sid": "quoted value", "x": "1"},
        "dup=first; dup=second": {"dup": "first"},
        "  spaced = v ;;noequals; =nameless; e=": {"spaced": "v", "e": ""},
        "k=v=w; t=%20": {"k": "v=w", "t": "%20"},
    }
    with app.serve(port=0) as running:
        conn = http.client.HTTPConnection(running.host, running.port, timeout=10)
        for header, expected in sent.items():
            conn.request("GET", "/c", headers={"Cookie": header})
            r = conn.getresponse()
            assert json.loads(r.read()) == expected, header
        conn.request("GET", "/c")
        r = conn.getresponse()
        assert json.loads(r.read()) == {}
        conn.close()


@pytest.mark.parametrize("kind", ["def", "async"])
def test_request_client_and_server_addresses(kind):
    app = App()

    def where(req):
        return {"client": list(req.client), "server": list(req.server)}

    async def awhere(req):
        return where(req)

    app.get("/where")(where if kind == "def" else awhere)
    with app.serve(port=0) as srv:
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        try:
            conn.request("GET", "/where")
            got = json.loads(conn.getresponse().read())
            local = list(conn.sock.getsockname())
        finally:
            conn.close()
    assert got == {"client": local, "server": ["127.0.0.1", srv.port]}

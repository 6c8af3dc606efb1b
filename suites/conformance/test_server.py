"""Every server answers every route it declares identically (status, body, media type, the
required headers) before anything is loaded; every server process is stopped by its pid."""

from __future__ import annotations

import http.client
import os

import pytest

from suites.adapters.pytest_params import adapter_params
from suites.adapters.server.base import JSON_BODY, PLAINTEXT_BODY, users_body

# (route, method, target, body, request headers, expected status, media type, expected body)
CASES = [
    ("plaintext", "GET", "/plaintext", None, {}, 200, "text/plain", PLAINTEXT_BODY),
    ("json", "GET", "/json", None, {}, 200, "application/json", JSON_BODY),
    ("users", "GET", "/users/42", None, {}, 200, "application/json", users_body(42, None)),
    ("users", "GET", "/users/7?q=caf%C3%A9&x=1", None, {}, 200, "application/json",
     users_body(7, "café")),
    ("users", "GET", "/users/7?q=", None, {}, 200, "application/json", users_body(7, "")),
    ("echo", "POST", "/echo", b'{"a":[1,2,3]}', {"Content-Type": "application/json"}, 200,
     "application/json", b'{"a":[1,2,3]}'),
    ("echo", "POST", "/echo", b"\x00\xffbytes", {}, 200, "application/octet-stream", b"\x00\xffbytes"),
]


@pytest.fixture(params=adapter_params("server"))
def server(request):
    srv = request.param()
    address = srv.start()
    yield srv, address
    srv.stop()
    with pytest.raises(ProcessLookupError):  # stopped by pid, and reaped
        os.kill(address.pid, 0)


def test_routes_answer_the_app_spec(server):
    srv, address = server
    conn = http.client.HTTPConnection(address.host, address.port, timeout=10)
    checked = 0
    for route, method, target, body, headers, status, media, expected in CASES:
        if route not in srv.routes:
            continue
        if srv.drops_keep_alive:
            conn.close()
        conn.request(method, target, body=body, headers=headers)
        resp = conn.getresponse()
        got = resp.read()
        where = f"{srv.adapter_id()} {method} {target}"
        assert resp.status == status, where
        assert got == expected, where
        assert resp.headers.get_content_type() == media, where
        for name in ("Server", "Date"):
            assert bool(resp.headers[name]) != (name.lower() in srv.omits_headers), \
                f"{where}: {name} header {'missing' if not resp.headers[name] else 'present but listed as omitted'}"
        assert int(resp.headers["Content-Length"]) == len(got), where
        checked += 1
    conn.close()
    assert checked >= 2


def test_unknown_route_is_404_and_connection_survives(server):
    srv, address = server
    conn = http.client.HTTPConnection(address.host, address.port, timeout=10)
    conn.request("GET", "/no/such/route")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 404
    if srv.drops_keep_alive:  # the reason is recorded by the adapter; a new connection instead
        conn.close()
    conn.request("GET", "/plaintext")  # same keep-alive connection
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == PLAINTEXT_BODY
    conn.close()

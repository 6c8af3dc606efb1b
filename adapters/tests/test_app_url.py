"""The request's URL parts (``lapwise._app_url``): req.url, base_url, host_url, host, scheme
from the Host header, the path as sent and the query string; the connection's address without
a Host header."""

from __future__ import annotations

import json

import pytest

from http_fetch import raw_exchange

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App  # noqa: E402

PARTS = ("url", "base_url", "host_url", "host", "scheme")


@pytest.fixture(scope="module")
def served():
    app = App()

    @app.get("/{rest:path}")
    def parts(req):
        return {name: getattr(req, name) for name in PARTS}

    with app.serve(port=0) as srv:
        yield srv


CASES = [  # (target, Host, url, base_url, host_url, host)
    ("/a/b?x=1&y=2", "example.org", "http://example.org/a/b?x=1&y=2", "http://example.org/a/b",
     "http://example.org/", "example.org"),
    ("/", "example.org:8080", "http://example.org:8080/", "http://example.org:8080/",
     "http://example.org:8080/", "example.org:8080"),
    ("/p", "example.org:80", "http://example.org/p", "http://example.org/p", "http://example.org/",
     "example.org"),
    ("/a%20b/%C3%A9?q=%E2%9C%93+x", "h", "http://h/a%20b/%C3%A9?q=%E2%9C%93+x", "http://h/a%20b/%C3%A9",
     "http://h/", "h"),
    ("/x?", "[::1]:9", "http://[::1]:9/x", "http://[::1]:9/x", "http://[::1]:9/", "[::1]:9"),
]


@pytest.mark.parametrize("target,host,url,base_url,host_url,hostname", CASES)
def test_parts_from_the_host_header(served, target, host, url, base_url, host_url, hostname):
    answer = raw_exchange(served, f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert json.loads(body) == {"url": url, "base_url": base_url, "host_url": host_url, "host": hostname,
                                "scheme": "http"}


def test_without_a_host_header_the_connection_address(served):
    answer = raw_exchange(served, b"GET /p?q=1 HTTP/1.0\r\n\r\n")
    where = f"{served.host}:{served.port}"
    assert json.loads(answer.partition(b"\r\n\r\n")[2]) == {
        "url": f"http://{where}/p?q=1", "base_url": f"http://{where}/p", "host_url": f"http://{where}/",
        "host": where, "scheme": "http"}

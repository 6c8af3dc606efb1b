"""req.form() through the App: url-encoded and multipart bodies, awaited in async handlers,
a large upload spooled to disk, 400 for a malformed body and 413 over a limit, an empty form
for other content types."""

from __future__ import annotations

import http.client
import json

import pytest

from lapwise import _native_status
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

BOUNDARY = "b0und4ry"


def multipart(*parts: bytes) -> bytes:
    return b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + p + b"\r\n" for p in parts) + \
        b"--" + BOUNDARY.encode() + b"--\r\n"


def describe(form) -> list:
    def value(v):
        if isinstance(v, str):
            return v
        return {"filename": v.filename, "type": v.content_type, "size": v.size, "memory": v.in_memory,
                "head": v.read(8).decode("latin-1")}
    return [[n, value(v)] for n, v in form.multi_items()]


@pytest.fixture(scope="module")
def server():
    app = App()

    @app.post("/sync")
    def sync_form(req):
        with req.form(spool_bytes=1024, max_parts=5) as form:
            return describe(form)

    @app.post("/async")
    async def async_form(req):
        with await req.form() as form:
            return describe(form)

    with app.serve(port=0) as running:
        yield running


def post(server, path: str, body: bytes, ctype: str | None) -> tuple[int, object]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("POST", path, body, {"Content-Type": ctype} if ctype else {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, json.loads(data) if r.getheader("Content-Type") == "application/json" else data.decode()


@pytest.mark.parametrize("path", ["/sync", "/async"])
def test_urlencoded(server, path):
    assert post(server, path, b"a=1&b=x+y&a=%E2%9C%93&flag", "application/x-www-form-urlencoded") == \
        (200, [["a", "1"], ["b", "x y"], ["a", "\u2713"], ["flag", ""]])


@pytest.mark.parametrize("path", ["/sync", "/async"])
def test_multipart_with_a_large_file(server, path):
    big = b"0123456789" * 20_000
    body = multipart(b'Content-Disposition: form-data; name="title"\r\n\r\nHi',
                     b'Content-Disposition: form-data; name="up"; filename="big.txt"\r\n'
                     b"Content-Type: text/plain\r\n\r\n" + big)
    status, got = post(server, path, body, f'multipart/form-data; boundary="{BOUNDARY}"')
    assert status == 200
    assert got == [["title", "Hi"], ["up", {"filename": "big.txt", "type": "text/plain", "size": len(big),
                                            "memory": path == "/async", "head": "01234567"}]]


def test_malformed_and_over_limit(server):
    ctype = f"multipart/form-data; boundary={BOUNDARY}"
    assert post(server, "/sync", b"--" + BOUNDARY.encode() + b"\r\nnope", ctype)[0] == 400
    assert post(server, "/sync", b"", "multipart/form-data")[0] == 400  # no boundary
    six = multipart(*[b'Content-Disposition: form-data; name="f"\r\n\r\nv'] * 6)
    status, text = post(server, "/sync", six, ctype)
    assert status == 413 and "more than 5 parts" in text


def test_other_content_types_give_an_empty_form(server):
    assert post(server, "/sync", b'{"a": 1}', "application/json") == (200, [])
    assert post(server, "/sync", b"a=1", None) == (200, [])

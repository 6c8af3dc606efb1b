"""App.static (``lapwise._app_static``): files with sendfile, traversal attempts (``..``,
encoded, NUL, backslash, a symlink out), 304 by ETag and by date, 206, 416, several ranges,
If-Range, HEAD, keep-alive after a file, and hooks, middleware and error handlers around it."""

from __future__ import annotations

import http.client
import os
import socket

import pytest

from http_fetch import fetch

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App  # noqa: E402

DATA = os.urandom(300_000)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("static")
    root = base / "public"
    (root / "sub").mkdir(parents=True)
    (root / "data.bin").write_bytes(DATA)
    (root / "sub" / "page.html").write_text("<p>hi</p>")
    (root / "empty.txt").write_bytes(b"")
    (base / "secret.txt").write_text("secret")
    (root / "out").symlink_to(base / "secret.txt")
    (root / "in").symlink_to(root / "sub" / "page.html")
    app = App()
    app.static("/static", root, cache_control="max-age=60")
    app.get("/other")(lambda req: "other")
    with app.serve(port=0) as srv:
        yield srv


def raw(srv, path: str) -> bytes:
    """The status line for a request target sent byte for byte (no client normalisation)."""
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        s.sendall(b"GET " + path.encode("latin-1") + b" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out.split(b"\r\n", 1)[0]


def test_a_file_with_its_headers(served):
    status, headers, body = fetch(served, "GET", "/static/data.bin")
    assert status == 200 and body == DATA
    assert headers["content-length"] == str(len(DATA))
    assert headers["content-type"] == "application/octet-stream"
    assert headers["accept-ranges"] == "bytes" and headers["cache-control"] == "max-age=60"
    assert headers["etag"].startswith('"') and headers["last-modified"].endswith("GMT")
    status, headers, body = fetch(served, "GET", "/static/sub/page.html")
    assert (status, body) == (200, b"<p>hi</p>")
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert fetch(served, "GET", "/static/empty.txt")[2] == b""
    assert fetch(served, "GET", "/static/in")[2] == b"<p>hi</p>"  # a symlink that stays inside
    assert fetch(served, "GET", "/other")[2] == b"other"


@pytest.mark.parametrize("target", [
    "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/sub/../../secret.txt",
    "/static/sub/%2E%2E/%2e%2e/secret.txt", "/static/..%2fsecret.txt", "/static/out",
    "/static/data.bin%00.txt", "/static/sub%5c..%5c..%5csecret.txt", "/static/./data.bin",
    "/static/sub", "/static/missing", "/static//etc/passwd",
])
def test_traversal_and_non_files_are_404(served, target):
    assert raw(served, target).startswith(b"HTTP/1.1 404"), target


def test_conditional_get_by_etag_and_by_date(served):
    _, headers, _ = fetch(served, "GET", "/static/data.bin")
    tag, modified = headers["etag"], headers["last-modified"]
    status, h304, body = fetch(served, "GET", "/static/data.bin", headers={"If-None-Match": tag})
    assert (status, body) == (304, b"") and h304["etag"] == tag
    assert fetch(served, "GET", "/static/data.bin", headers={"If-None-Match": f'"x", W/{tag}'})[0] == 304
    assert fetch(served, "GET", "/static/data.bin", headers={"If-None-Match": "*"})[0] == 304
    assert fetch(served, "GET", "/static/data.bin", headers={"If-None-Match": '"other"'})[0] == 200
    assert fetch(served, "GET", "/static/data.bin", headers={"If-Modified-Since": modified})[0] == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert fetch(served, "GET", "/static/data.bin", headers={"If-Modified-Since": old})[0] == 200
    # If-None-Match wins over If-Modified-Since
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert fetch(served, "GET", "/static/data.bin", headers=both)[0] == 200
    assert fetch(served, "GET", "/static/data.bin", headers={"If-Modified-Since": "garbage"})[0] == 200


@pytest.mark.parametrize("spec,first,last", [
    ("bytes=0-99", 0, 99), ("bytes=1000-", 1000, len(DATA) - 1), ("bytes=-500", len(DATA) - 500, len(DATA) - 1),
    ("bytes=299990-400000", 299990, len(DATA) - 1), ("bytes=-999999", 0, len(DATA) - 1),
])
def test_a_single_range_is_206(served, spec, first, last):
    status, headers, body = fetch(served, "GET", "/static/data.bin", headers={"Range": spec})
    assert status == 206 and body == DATA[first:last + 1]
    assert headers["content-range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("spec", ["bytes=300000-", "bytes=999999-1000000", "bytes=-0"])
def test_an_unsatisfiable_range_is_416(served, spec):
    status, headers, _ = fetch(served, "GET", "/static/data.bin", headers={"Range": spec})
    assert status == 416 and headers["content-range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("spec", ["bytes=0-1,5-9", "bytes=9-1", "items=0-1", "bytes=x-y"])
def test_several_or_malformed_ranges_get_the_whole_file(served, spec):
    status, _, body = fetch(served, "GET", "/static/data.bin", headers={"Range": spec})
    assert status == 200 and body == DATA


def test_if_range(served):
    _, headers, _ = fetch(served, "GET", "/static/data.bin")
    same = {"Range": "bytes=0-9", "If-Range": headers["etag"]}
    assert fetch(served, "GET", "/static/data.bin", headers=same)[0] == 206
    changed = {"Range": "bytes=0-9", "If-Range": '"changed"'}
    assert fetch(served, "GET", "/static/data.bin", headers=changed)[:3:2] == (200, DATA)


def test_head_has_the_headers_and_no_body(served):
    status, headers, body = fetch(served, "HEAD", "/static/data.bin")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(DATA)) and "etag" in headers
    status, headers, _ = fetch(served, "HEAD", "/static/data.bin", headers={"Range": "bytes=0-9"})
    assert status == 206 and headers["content-length"] == "10"


def test_keep_alive_between_files(served):
    conn = http.client.HTTPConnection(served.host, served.port, timeout=10)
    try:
        for path, want in (("/static/data.bin", DATA), ("/static/sub/page.html", b"<p>hi</p>"),
                           ("/static/data.bin", DATA)):
            conn.request("GET", path)
            res = conn.getresponse()
            assert res.status == 200 and res.read() == want
    finally:
        conn.close()


def test_the_directory_must_exist(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        App().static("/s", tmp_path / "missing")
    with pytest.raises(ValueError, match="starts with"):
        App().static("s", tmp_path)


def test_a_large_file_is_never_held_in_memory(tmp_path):
    """64 MB through App.static in this process: the peak RSS grows by far less than the file
    (the core sends it from the page cache; the client here reads 1 MiB at a time)."""
    size = 64 << 20
    with open(tmp_path / "large.bin", "wb") as f:
        f.truncate(size)  # sparse: no page of it is written
    app = App()
    app.static("/s", tmp_path)

    def peak_mb() -> float:
        with open("/proc/self/status") as status:
            line = next(x for x in status if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    with app.serve(port=0) as srv:
        before = peak_mb()
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
        try:
            conn.request("GET", "/s/large.bin")
            res = conn.getresponse()
            got = 0
            while block := res.read(1 << 20):
                got += len(block)
        finally:
            conn.close()
        grown = peak_mb() - before
    assert got == size
    assert grown < 16, f"peak RSS grew {grown:.0f} MB for a {size >> 20} MB file"


@pytest.mark.parametrize("mw_kind", ["def", "async"])
def test_hooks_middleware_and_error_handlers_see_static_files(tmp_path, mw_kind):
    """before_request may refuse a file, after_request and middleware see a StaticResponse
    whose body is the open file (and add headers to it), a missing file reaches the 404 error
    handler, and the file is still sent whole, by range, or as a 304."""
    from lapwise import HTTPError, Response
    from lapwise._app_static import FileBody, StaticResponse

    (tmp_path / "a.bin").write_bytes(DATA)
    app = App()
    app.static("/files", tmp_path)
    seen = []

    @app.before_request
    def guard(req):
        if req.headers.get("authorization") != "k":
            raise HTTPError(401, "no key")

    @app.after_request
    def stamp(req, out):
        if isinstance(out, StaticResponse):
            assert isinstance(out.body, FileBody) and out.body.size == len(DATA)
            seen.append((out.status, out.body.offset, out.body.count))
            out.add_header("X-Static", "seen")
        return out

    def mark(out):
        return out.add_header("X-Mw", mw_kind) if isinstance(out, Response) else out

    if mw_kind == "async":
        @app.middleware
        async def tag(req, call_next):
            return mark(await call_next(req))
    else:
        @app.middleware
        def tag(req, call_next):
            return mark(call_next(req))

    @app.errorhandler(404)
    def missing(exc):
        return Response(404, None, {"missing": True})

    key = {"Authorization": "k"}
    with app.serve(port=0) as srv:
        status, _, body = fetch(srv, "GET", "/files/a.bin")
        assert (status, body) == (401, b"no key")
        for _ in range(20):  # also once the def chain runs inline on the io thread
            status, headers, body = fetch(srv, "GET", "/files/a.bin", headers=key)
            assert (status, body, headers["x-static"], headers["x-mw"]) == (200, DATA, "seen", mw_kind)
        status, headers, body = fetch(srv, "GET", "/files/a.bin", headers={**key, "Range": "bytes=10-19"})
        assert (status, body, headers["x-static"]) == (206, DATA[10:20], "seen")
        status, headers, body = fetch(srv, "GET", "/files/a.bin", headers={**key, "If-None-Match": headers["etag"]})
        assert (status, body, headers["x-mw"]) == (304, b"", mw_kind) and "x-static" not in headers
        status, _, body = fetch(srv, "GET", "/files/nope.bin", headers=key)
        assert (status, body) == (404, b'{"missing":true}')
        status, headers, body = fetch(srv, "HEAD", "/files/a.bin", headers=key)
        assert (status, body, headers["content-length"]) == (200, b"", str(len(DATA)))
    assert seen[0] == (200, 0, len(DATA)) and (206, 10, 10) in seen

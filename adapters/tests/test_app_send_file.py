"""lapwise.send_file (``lapwise._app_send_file``): a file as an ordinary route's answer, sent
with sendfile: its headers (type, validators, Cache-Control, Content-Disposition with RFC 6266
names), conditional GET, Range, HEAD, a missing file as 404, from def and async def routes,
and hooks that see it as a StaticResponse."""

from __future__ import annotations

import os

import pytest

from http_fetch import fetch

from lapwise import _native_status
from lapwise._app_send_file import content_disposition

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import App, StaticResponse, send_file, send_from_directory  # noqa: E402

DATA = os.urandom(200_000)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("send_file")
    (root / "data.bin").write_bytes(DATA)
    (root / "notes.txt").write_text("some notes\n")
    (root / "dir").mkdir()
    app = App()
    seen = []

    @app.get("/plain")
    def plain(req):
        return send_file(root / "data.bin")

    @app.get("/typed")
    def typed(req):
        return send_file(str(root / "data.bin"), mimetype="application/x-test", max_age=600)

    @app.get("/attachment")
    def attachment(req):
        return send_file(root / "notes.txt", as_attachment=True, download_name=req.query.get("name"))

    @app.get("/inline")
    def inline(req):
        return send_file(root / "notes.txt", download_name="read me.txt")

    @app.get("/async")
    async def in_async(req):
        return send_file(root / "notes.txt")

    @app.post("/posted")
    def posted(req):
        return send_file(root / "notes.txt")

    @app.get("/missing")
    def missing(req):
        return send_file(root / "nope.bin")

    @app.get("/dir")
    def a_dir(req):
        return send_file(root / "dir")

    @app.get("/hooked")
    def hooked(req):
        return send_file(root / "notes.txt")

    @app.after_request
    def stamp(req, out):
        if req.path == "/hooked":
            seen.append((type(out).__name__, isinstance(out, StaticResponse), out.status))
            out.add_header("X-Seen", "yes")
        return out

    @app.errorhandler(404)
    def not_found(exc):
        return {"error": "no such file"}

    with app.serve(port=0) as srv:
        srv.seen = seen
        yield srv


def test_whole_file_and_its_headers(served):
    status, h, body = fetch(served, "GET", "/plain")
    assert (status, body) == (200, DATA)
    assert h["content-type"] == "application/octet-stream" and h["content-length"] == str(len(DATA))
    assert h["accept-ranges"] == "bytes" and h["cache-control"] == "no-cache"
    assert h["etag"].startswith('"') and h["last-modified"].endswith("GMT")
    assert "content-disposition" not in h
    status, h, _ = fetch(served, "GET", "/typed")
    assert (h["content-type"], h["cache-control"]) == ("application/x-test", "public, max-age=600")


@pytest.mark.parametrize("target,expected", [
    ("/attachment", 'attachment; filename="notes.txt"'),
    ("/attachment?name=report.csv", 'attachment; filename="report.csv"'),
    ("/attachment?name=r%C3%A9sum%C3%A9%20%E2%9C%93.txt",
     "attachment; filename=\"resume .txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%9C%93.txt"),
    ("/attachment?name=a%22b%5Cc.txt", 'attachment; filename="a\\"b\\\\c.txt"'),
    ("/inline", 'inline; filename="read me.txt"'),
])
def test_content_disposition(served, target, expected):
    status, h, body = fetch(served, "GET", target)
    assert (status, body, h["content-disposition"]) == (200, b"some notes\n", expected)


def test_content_disposition_drops_control_characters():
    assert content_disposition("attachment", "a\r\nb.txt") == 'attachment; filename="ab.txt"; ' \
        "filename*=UTF-8''a%0D%0Ab.txt"


def test_type_follows_the_download_name(served):
    _, h, _ = fetch(served, "GET", "/attachment?name=report.csv")
    assert h["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("headers,status,body", [
    ({"Range": "bytes=10-19"}, 206, DATA[10:20]),
    ({"Range": "bytes=-5"}, 206, DATA[-5:]),
    ({"Range": f"bytes={len(DATA)}-"}, 416, b""),
    ({"Range": "bytes=0-1,5-6"}, 200, DATA),
    ({"Range": "bytes=0-1", "If-Range": '"stale"'}, 200, DATA),
])
def test_ranges(served, headers, status, body):
    got, h, data = fetch(served, "GET", "/plain", headers=headers)
    assert (got, data) == (status, body)
    if status == 206:
        assert h["content-range"] == f"bytes {10 if '10' in headers['Range'] else len(DATA) - 5}-" \
            f"{19 if '10' in headers['Range'] else len(DATA) - 1}/{len(DATA)}"
    if status == 416:
        assert h["content-range"] == f"bytes */{len(DATA)}"


def test_conditional_get(served):
    _, h, _ = fetch(served, "GET", "/plain")
    status, h304, body = fetch(served, "GET", "/plain", headers={"If-None-Match": h["etag"]})
    assert (status, body, h304["etag"]) == (304, b"", h["etag"])
    assert "content-disposition" not in h304 and "accept-ranges" not in h304
    status, _, _ = fetch(served, "GET", "/plain", headers={"If-Modified-Since": h["last-modified"]})
    assert status == 304
    status, _, body = fetch(served, "GET", "/plain", headers={"If-None-Match": '"other"'})
    assert (status, body) == (200, DATA)


def test_head_sends_the_headers_only(served):
    status, h, body = fetch(served, "HEAD", "/plain")
    assert (status, body, h["content-length"]) == (200, b"", str(len(DATA)))


def test_async_route_and_post_route(served):
    assert fetch(served, "GET", "/async")[::2] == (200, b"some notes\n")
    # Conditional and Range headers apply to GET and HEAD only.
    status, _, body = fetch(served, "POST", "/posted", b"", headers={"Range": "bytes=0-1"})
    assert (status, body) == (200, b"some notes\n")


@pytest.mark.parametrize("target", ["/missing", "/dir"])
def test_not_a_file_is_404(served, target):
    assert fetch(served, "GET", target)[::2] == (404, b'{"error":"no such file"}')


def test_hooks_see_a_static_response(served):
    status, h, body = fetch(served, "GET", "/hooked", headers={"Range": "bytes=0-3"})
    assert (status, body, h["x-seen"]) == (206, b"some", "yes")
    assert served.seen[-1] == ("SentFile", True, 200)


@pytest.fixture(scope="module")
def from_directory(tmp_path_factory):
    base = tmp_path_factory.mktemp("send_from_directory")
    root = base / "files"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "page.txt").write_text("page")
    (base / "secret.txt").write_text("secret")
    (root / "out").symlink_to(base / "secret.txt")
    app = App()

    @app.get("/dl/{name:path}")
    def download(req):
        return send_from_directory(root, req.params["name"], as_attachment=True)

    with app.serve(port=0) as srv:
        yield srv


@pytest.mark.parametrize("target,status", [
    ("/dl/sub/page.txt", 200),
    ("/dl/sub//page.txt", 200),
    ("/dl/../secret.txt", 404),
    ("/dl/sub/%2e%2e/%2e%2e/secret.txt", 404),
    ("/dl/sub%5cpage.txt", 404),
    ("/dl/sub/page.txt%00", 404),
    ("/dl/out", 404),
    ("/dl/sub", 404),
    ("/dl/nope.txt", 404),
])
def test_send_from_directory_checks_the_path(from_directory, target, status):
    got, h, body = fetch(from_directory, "GET", target)
    assert got == status
    if status == 200:
        assert (body, h["content-disposition"]) == (b"page", 'attachment; filename="page.txt"')

"""lapwise.asgi's file extensions (``_asgi_files``): pathsend and zerocopysend offered in the
scope and sent with sendfile (offset, count, the file position, more_body streaming, HEAD),
and ``FileResponse`` (pathsend where offered, plain body messages elsewhere), also inside a
Starlette app."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from http_fetch import fetch

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import asgi  # noqa: E402
from lapwise.asgi import FileResponse  # noqa: E402

DATA = os.urandom(1 << 20)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("asgi") / "data.bin"
    path.write_bytes(DATA)
    return path


def make_app(path):
    seen: dict[str, object] = {}

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        seen["extensions"] = scope.get("extensions")
        route = scope["path"]
        if route == "/response":
            await FileResponse(path, headers={"X-Kind": "file"})(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream")]})
        if route == "/pathsend":
            await send({"type": "http.response.pathsend", "path": str(path)})
        elif route == "/zerocopy":
            with open(path, "rb") as f:
                await send({"type": "http.response.zerocopysend", "file": f, "offset": 10, "count": 300000})
        elif route == "/position":
            with open(path, "rb") as f:  # no offset: from the position, which moves on
                f.seek(100)
                await send({"type": "http.response.zerocopysend", "file": f, "count": 1000, "more_body": True})
                seen["position"] = f.tell()
                await send({"type": "http.response.body", "body": b"|", "more_body": True})
                await send({"type": "http.response.zerocopysend", "file": f, "count": 1000})
        elif route == "/mixed":
            await send({"type": "http.response.body", "body": b"<", "more_body": True})
            with open(path, "rb") as f:
                await send({"type": "http.response.zerocopysend", "file": f, "more_body": True})
            await send({"type": "http.response.body", "body": b">"})

    return app, seen


@pytest.fixture(scope="module")
def served(data_file):
    app, seen = make_app(data_file)
    with asgi.serve(app, port=0) as srv:
        yield srv, seen


def test_the_scope_offers_both_extensions(served):
    srv, seen = served
    fetch(srv, "GET", "/pathsend")
    assert set(seen["extensions"]) >= {"http.response.pathsend", "http.response.zerocopysend"}


def test_pathsend_sends_the_whole_file(served):
    status, headers, body = fetch(served[0], "GET", "/pathsend")
    assert status == 200 and body == DATA
    assert headers["content-length"] == str(len(DATA))


def test_zerocopysend_offset_and_count(served):
    status, headers, body = fetch(served[0], "GET", "/zerocopy")
    assert status == 200 and body == DATA[10:300010]
    assert headers["content-length"] == "300000"


def test_zerocopysend_from_the_position_streams_with_more_body(served):
    srv, seen = served
    status, headers, body = fetch(srv, "GET", "/position")
    assert status == 200 and body == DATA[100:1100] + b"|" + DATA[1100:2100]
    assert headers["transfer-encoding"] == "chunked"
    assert seen["position"] == 1100


def test_a_file_part_between_body_parts(served):
    status, _, body = fetch(served[0], "GET", "/mixed")
    assert status == 200 and body == b"<" + DATA + b">"


def test_head_sends_no_file_bytes(served):
    status, headers, body = fetch(served[0], "HEAD", "/pathsend")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(DATA))


def test_file_response_uses_pathsend_with_validators(served, data_file):
    status, headers, body = fetch(served[0], "GET", "/response")
    assert status == 200 and body == DATA
    assert headers["content-type"] == "application/octet-stream" and headers["x-kind"] == "file"
    assert headers["etag"].startswith('"') and headers["last-modified"].endswith("GMT")


def test_file_response_without_the_extension_sends_body_messages(data_file):
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    asyncio.run(FileResponse(data_file)({"type": "http", "method": "GET"}, None, send))
    assert sent[0]["type"] == "http.response.start"
    assert b"".join(m.get("body", b"") for m in sent[1:]) == DATA
    assert all(m["type"] == "http.response.body" for m in sent[1:])


def test_in_a_starlette_app(data_file):
    starlette = pytest.importorskip("starlette.applications")
    from starlette.routing import Route

    async def download(request):
        return FileResponse(data_file)

    app = starlette.Starlette(routes=[Route("/download", download)])
    with asgi.serve(app, port=0) as srv:
        status, headers, body = fetch(srv, "GET", "/download")
    assert status == 200 and body == DATA


def test_send_files_by_path_makes_starlettes_file_response_use_pathsend(data_file):
    responses = pytest.importorskip("starlette.responses")
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.routing import Route

    from lapwise.asgi import send_files_by_path

    class Patched(responses.FileResponse):
        pass

    assert send_files_by_path(Patched) is Patched
    assert send_files_by_path(Patched) is Patched  # idempotent
    ran: list[str] = []

    async def download(request):
        return Patched(data_file, media_type="application/x-test",
                       background=BackgroundTask(lambda: ran.append("background")))

    kinds: list[str] = []
    inner = Starlette(routes=[Route("/download", download)])

    async def app(scope, receive, send):
        async def watched(message):
            if scope["type"] == "http":
                kinds.append(message["type"])
            await send(message)
        await inner(scope, receive, watched)

    with asgi.serve(app, port=0) as srv:
        status, headers, body = fetch(srv, "GET", "/download")
        assert status == 200 and body == DATA and headers["content-type"] == "application/x-test"
        assert kinds == ["http.response.start", "http.response.pathsend"]
        for _ in range(500):  # the background task runs after the response is out
            if ran:
                break
            time.sleep(0.01)
        assert ran == ["background"]
        kinds.clear()
        status, headers, body = fetch(srv, "HEAD", "/download")
        assert status == 200 and body == b"" and headers["content-length"] == str(len(DATA))

    sent: list[dict] = []  # a server without the extension: Starlette's own body messages

    async def collect(message):
        sent.append(message)

    asyncio.run(Patched(data_file)({"type": "http", "method": "GET"}, None, collect))
    assert b"".join(m.get("body", b"") for m in sent[1:]) == DATA
    assert responses.FileResponse.__call__ is not Patched.__call__  # the base is untouched


def test_send_files_by_path_in_a_fastapi_app(data_file):
    fastapi = pytest.importorskip("fastapi")
    from fastapi.responses import FileResponse as FastAPIFileResponse

    from lapwise.asgi import send_files_by_path

    class Patched(FastAPIFileResponse):
        pass

    send_files_by_path(Patched)
    app = fastapi.FastAPI()

    @app.get("/download/{name}")
    async def download(name: str):
        return Patched(data_file, filename=name)

    with asgi.serve(app, port=0) as srv:
        status, headers, body = fetch(srv, "GET", "/download/report.bin")
    assert status == 200 and body == DATA
    assert headers["content-disposition"] == 'attachment; filename="report.bin"'


def test_file_response_conditional_and_ranges(served):
    srv = served[0]
    _, headers, _ = fetch(srv, "GET", "/response")
    assert headers["accept-ranges"] == "bytes"
    status, h304, body = fetch(srv, "GET", "/response", headers={"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"") and h304["etag"] == headers["etag"]
    assert fetch(srv, "GET", "/response", headers={"If-Modified-Since": headers["last-modified"]})[0] == 304
    status, h206, body = fetch(srv, "GET", "/response", headers={"Range": "bytes=100-199"})
    assert (status, body) == (206, DATA[100:200])  # zerocopysend with offset and count
    assert h206["content-range"] == f"bytes 100-199/{len(DATA)}" and h206["content-length"] == "100"
    status, h416, _ = fetch(srv, "GET", "/response", headers={"Range": f"bytes={len(DATA)}-"})
    assert status == 416 and h416["content-range"] == f"bytes */{len(DATA)}"
    assert fetch(srv, "GET", "/response", headers={"Range": "bytes=0-1,4-5"})[:3:2] == (200, DATA)
    status, hhead, body = fetch(srv, "HEAD", "/response", headers={"Range": "bytes=-10"})
    assert (status, body) == (206, b"") and hhead["content-length"] == "10"


def test_file_response_range_without_the_extensions(data_file):
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "headers": [(b"range", b"bytes=70000-200000")]}
    asyncio.run(FileResponse(data_file)(scope, None, send))
    assert sent[0]["status"] == 206
    assert b"".join(m.get("body", b"") for m in sent[1:]) == DATA[70000:200001]

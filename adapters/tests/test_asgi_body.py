"""lapwise.asgi request bodies: pieces with real ``more_body``, 100-continue at the first
receive(), failures as http.disconnect, the scope's client and server, and a 50 MB upload read
through Starlette's ``request.stream()`` with bounded memory; on both transports."""

from __future__ import annotations

import hashlib
import threading

import pytest

from asgi_transports import TRANSPORTS
from body_upload import CONTINUE, connect, expect_continue, read_response, reset_peak_rss, rss_kib, upload
from lifespan_support import complete_lifespan

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import asgi  # noqa: E402

seen: dict[str, object] = {}


async def body_app(scope, receive, send):
    if scope["type"] == "lifespan":
        await complete_lifespan(receive, send)
        return
    path = scope["path"]
    if path == "/scope":
        seen["client"], seen["server"] = scope["client"], scope["server"]
        body = b"%s:%d %s:%d" % (scope["client"][0].encode(), scope["client"][1],
                                 scope["server"][0].encode(), scope["server"][1])
    elif path == "/refuse":  # answers without reading
        body = b"refused"
        await send({"type": "http.response.start", "status": 403, "headers": []})
        await send({"type": "http.response.body", "body": body})
        return
    else:  # counts the pieces and hashes the body
        digest = hashlib.sha256()
        pieces = 0
        size = 0
        more = True
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                seen["disconnect"] = size
                break
            digest.update(msg["body"])
            size += len(msg["body"])
            pieces += 1
            more = msg["more_body"]
        body = b"%d %d %s" % (size, pieces, digest.hexdigest().encode())
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module", params=list(TRANSPORTS))
def server(request):
    with asgi.serve(body_app, port=0, max_body=64 << 20, body_window=1 << 16, **TRANSPORTS[request.param]) as srv:
        yield srv


def answer_of(head: bytes, body: bytes) -> tuple[int, bytes]:
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize("chunked", [False, True])
def test_a_large_body_arrives_in_pieces(server, chunked):
    total = 3 << 20
    head, body = upload(server, "/sum", total, piece=50_000, chunked=chunked)
    size, pieces, digest = body.split()
    assert answer_of(head, b"")[0] == 200
    assert int(size) == total
    assert int(pieces) >= total // (1 << 16)  # never more than the window in one message
    assert digest.decode() == hashlib.sha256(b"x" * total).hexdigest()


def test_a_small_body_is_one_message(server):
    head, body = upload(server, "/sum", 1000)
    assert body.split()[:2] == [b"1000", b"1"]


def test_scope_client_and_server_are_the_connection(server):
    sock = connect(server)
    try:
        sock.sendall(b"GET /scope HTTP/1.1\r\nHost: t\r\n\r\n")
        _, body, _ = read_response(sock)
        assert body == b"%s:%d %s:%d" % (sock.getsockname()[0].encode(), sock.getsockname()[1],
                                         sock.getpeername()[0].encode(), sock.getpeername()[1])
    finally:
        sock.close()


def test_100_continue_at_the_first_receive(server):
    interim, head, body = expect_continue(server, "/sum", b"hello")
    assert interim == CONTINUE
    assert head.startswith(b"HTTP/1.1 200")
    assert body.startswith(b"5 1 ")


def test_no_100_continue_when_the_app_answers_without_reading(server):
    sock = connect(server)
    try:
        sock.sendall(b"POST /refuse HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        head, body, rest = read_response(sock)
        assert head.startswith(b"HTTP/1.1 403") and body == b"refused"
        assert b"connection: close" in head.lower()
        assert sock.recv(100) == b""  # then the connection closes: the body was never sent
    finally:
        sock.close()


@pytest.mark.parametrize("chunked", [False, True])
def test_an_unread_body_is_dropped_and_the_connection_goes_on(server, chunked):
    sock = connect(server)
    try:
        framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: 3000000"
        sock.sendall(b"POST /refuse HTTP/1.1\r\nHost: t\r\n" + framing + b"\r\n\r\n")
        head, body, rest = read_response(sock)
        assert head.startswith(b"HTTP/1.1 403") and body == b"refused"
        piece = b"y" * 100_000
        for _ in range(30):
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        sock.sendall(b"GET /scope HTTP/1.1\r\nHost: t\r\n\r\n")
        head, body, _ = read_response(sock, rest)
        assert head.startswith(b"HTTP/1.1 200") and body.startswith(b"127.0.0.1:")
    finally:
        sock.close()


def test_a_chunked_body_over_max_body_is_413(server):
    with asgi.serve(body_app, port=0, io=server._native.io, max_body=100_000) as small:
        head, _ = upload(small, "/sum", 300_000, piece=20_000, chunked=True)
        assert head.startswith(b"HTTP/1.1 413")
        assert seen.pop("disconnect") <= 100_000  # the app saw a disconnect, not a whole body


def test_a_client_leaving_mid_body_is_a_disconnect(server):
    seen.pop("disconnect", None)
    sock = connect(server)
    sock.sendall(b"POST /sum HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 200_000)
    sock.close()
    done = threading.Event()
    for _ in range(200):
        if "disconnect" in seen:
            break
        done.wait(0.05)
    assert 0 <= seen.pop("disconnect") <= 200_000


starlette = pytest.importorskip("starlette")


def starlette_upload_app():
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def up(request: Request):
        digest = hashlib.sha256()
        size = 0
        async for chunk in request.stream():
            digest.update(chunk)
            size += len(chunk)
        return PlainTextResponse(f"{size} {digest.hexdigest()}")

    return Starlette(routes=[Route("/up", up, methods=["POST"])])


def test_starlette_stream_reads_50_mb_with_bounded_memory(server):
    """The upload is never held whole: the process's peak RSS grows by far less than it."""
    total = 50 << 20
    with asgi.serve(starlette_upload_app(), port=0, io=server._native.io, max_body=64 << 20) as srv:
        upload(srv, "/up", 1 << 20)  # warm: first-use allocations are not the bound
        before = rss_kib("VmRSS")
        reset_peak_rss()
        head, body = upload(srv, "/up", total, piece=1 << 16)
        peak = rss_kib("VmHWM")
    assert head.startswith(b"HTTP/1.1 200"), head
    size, digest = body.split()
    assert int(size) == total
    assert digest.decode() == hashlib.sha256(b"x" * total).hexdigest()
    growth_mib = (peak - before) / 1024
    print(f"\n50 MB upload through Starlette request.stream() on {server._native.io}: "
          f"peak RSS {before / 1024:.1f} -> {peak / 1024:.1f} MiB (+{growth_mib:.1f} MiB)")
    assert growth_mib < 16, f"peak RSS grew {growth_mib:.1f} MiB for a 50 MiB upload"

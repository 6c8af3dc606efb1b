"""req.stream() on a stream=True route: a 50 MB upload hashed piece by piece with flat memory,
a chunked upload through for and async for, 100-continue sent at the first read (and never
when the handler answers without reading), 413 for a body over max_body (Content-Length and
chunked) with the server serving on, a client that leaves mid-upload ending the iteration with
BodyError, req.body / req.json() / await req.read() reading the rest whole, and a route without
stream=True getting its body whole on an App that streams, and a request kept past its answer
with its body unread."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from body_upload import CONTINUE, connect, expect_continue, read_response, reset_peak_rss, rss_kib, upload

from lapwise import _native_status
from lapwise._app_body import BodyError
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server") or \
        not hasattr(_native_status.module().Server, "set_piece"):
    pytest.skip("lapwise._native with streamed request bodies is not built", allow_module_level=True)

MAX_BODY = 64 << 20
errors: list[BaseException] = []
kept: list = []
answered = threading.Event()


def digest(pieces, sizes):
    h = hashlib.sha256()
    for piece in pieces:
        sizes.append(len(piece))
        h.update(piece)
    return h.hexdigest()


@pytest.fixture(scope="module")
def server():
    app = App()

    @app.post("/hash", stream=True)
    def hash_sync(req):
        sizes: list[int] = []
        try:
            out = digest(req.stream(), sizes)
        except BodyError as exc:
            errors.append(exc)
            answered.set()
            raise
        return {"sha256": out, "size": sum(sizes), "pieces": len(sizes), "max_piece": max(sizes, default=0),
                "streamed": req.body_streamed}

    @app.post("/ahash", stream=True)
    async def hash_async(req):
        h = hashlib.sha256()
        size = 0
        async for piece in req.stream():
            h.update(piece)
            size += len(piece)
        return {"sha256": h.hexdigest(), "size": size}

    @app.post("/deny", stream=True)
    def deny(req):
        return {"denied": True}  # the body is never read

    @app.post("/keep", stream=True)
    def keep(req):
        kept.append(req)  # referenced past its answer, its body unread: answering must not wait for it
        return {"kept": True}

    @app.post("/rest", stream=True)
    def rest(req):
        first = next(iter(req.stream()))
        return {"first": len(first), "rest": len(req.body)}

    @app.post("/sjson", stream=True)
    def sjson(req):
        streamed = req.body_streamed
        return {"n": req.json()["n"], "streamed": streamed, "after": req.body_streamed}

    @app.post("/aread", stream=True)
    async def aread(req):
        try:
            req.body
        except RuntimeError as exc:
            early = str(exc)
        else:
            early = ""
        data = await req.read()
        return {"size": len(data), "same": req.body == data, "json": req.json()["n"], "early": early[:29]}

    @app.post("/whole")
    def whole_sync(req):
        return {"size": len(req.body), "streamed": req.body_streamed}

    @app.post("/awhole")
    async def whole_async(req):
        return {"size": len(req.body), "n": len(req.json()["pad"])}

    with app.serve(port=0, max_body=MAX_BODY, body_timeout=10) as running:
        yield running


def answer(head: bytes, body: bytes) -> tuple[int, dict]:
    status = int(head.split(b" ", 2)[1])
    return status, (json.loads(body) if body.startswith(b"{") else {"raw": body})


def test_a_50_mb_upload_is_hashed_with_flat_memory(server):
    total = 50 << 20
    expected = hashlib.sha256(b"x" * total).hexdigest()
    upload(server, "/hash", 1 << 20)  # warm: allocator arenas, the pool thread
    before = rss_kib("VmRSS")
    reset_peak_rss()
    head, body = upload(server, "/hash", total, piece=256 << 10)
    peak = rss_kib("VmHWM")
    status, got = answer(head, body)
    assert status == 200, body
    assert (got["sha256"], got["size"], got["streamed"]) == (expected, total, True)
    assert got["pieces"] > 100 and got["max_piece"] <= 64 << 10  # the body_window, 64 KiB
    growth_mib = (peak - before) / 1024
    print(f"\n50 MB upload through req.stream(): peak RSS {before / 1024:.1f} -> {peak / 1024:.1f} MiB "
          f"(+{growth_mib:.1f} MiB)")
    assert growth_mib < 16, f"peak RSS grew {growth_mib:.1f} MiB for a 50 MiB upload"


def test_async_for_over_a_chunked_upload(server):
    total = 3 << 20
    head, body = upload(server, "/ahash", total, piece=10_000, chunked=True)
    assert answer(head, body) == (200, {"sha256": hashlib.sha256(b"x" * total).hexdigest(), "size": total})
    head, body = upload(server, "/hash", total, piece=10_000, chunked=True)
    status, got = answer(head, body)
    assert (status, got["size"], got["pieces"] > 1) == (200, total, True)


def test_a_small_body_is_one_piece(server):
    head, body = upload(server, "/hash", 100)
    status, got = answer(head, body)
    assert (status, got["size"], got["pieces"], got["streamed"]) == (200, 100, 1, False)


def test_100_continue_at_the_first_read_and_not_without_one(server):
    data = b"y" * 300_000
    interim, head, body = expect_continue(server, "/hash", data)
    assert interim == CONTINUE
    assert answer(head, body)[1]["sha256"] == hashlib.sha256(data).hexdigest()
    interim, head, body = expect_continue(server, "/deny", data)
    assert interim == b"" and answer(head, body) == (200, {"denied": True})
    assert b"connection: close" in head.lower()


def test_over_max_body_is_413_and_the_server_goes_on(server):
    sock = connect(server)
    try:
        sock.sendall(b"POST /hash HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1))
        head, _, _ = read_response(sock)
    finally:
        sock.close()
    assert head.startswith(b"HTTP/1.1 413")
    errors.clear()
    head, _ = upload(server, "/hash", MAX_BODY + (1 << 20), piece=1 << 20, chunked=True)
    assert head.startswith(b"HTTP/1.1 413")
    assert [e.status for e in errors] == [413]
    head, body = upload(server, "/hash", 1000)
    assert answer(head, body)[1]["size"] == 1000


def test_a_client_that_leaves_mid_upload_ends_the_iteration(server):
    errors.clear()
    answered.clear()
    sock = connect(server)
    sock.sendall(b"POST /hash HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n" + b"z" * 500_000)
    sock.close()
    assert answered.wait(10)
    assert len(errors) == 1 and errors[0].status == 400 and "cut short" in str(errors[0])
    head, body = upload(server, "/hash", 1000)
    assert answer(head, body)[1]["size"] == 1000


def test_body_and_json_read_the_rest_whole(server):
    head, body = upload(server, "/rest", 1 << 20)
    assert answer(head, body) == (200, {"first": 64 << 10, "rest": (1 << 20) - (64 << 10)})
    # Expect: 100-continue makes even a small body stream: req.json() reads it whole.
    interim, head, body = expect_continue(server, "/sjson", json.dumps({"n": 1}).encode())
    assert interim == CONTINUE and answer(head, body) == (200, {"n": 1, "streamed": True, "after": False})


def test_await_read_in_an_async_handler(server):
    payload = json.dumps({"n": 5, "pad": "p" * 200_000}).encode()
    sock = connect(server)
    try:
        sock.sendall(b"POST /aread HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
        head, body, _ = read_response(sock)
    finally:
        sock.close()
    assert answer(head, body) == (200, {"size": len(payload), "same": True, "json": 5,
                                        "early": "req.body of a streamed body i"})


@pytest.mark.parametrize("path", ["/whole", "/awhole"])
def test_a_route_without_stream_gets_its_body_whole(server, path):
    payload = json.dumps({"pad": "q" * 300_000}).encode()
    sock = connect(server)
    try:
        sock.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n"
                     % len(payload) + payload)
        head, body, _ = read_response(sock)
    finally:
        sock.close()
    status, got = answer(head, body)
    assert status == 200 and got["size"] == len(payload)


def test_a_request_kept_past_its_answer_does_not_wait_for_its_body(server):
    head, body = upload(server, "/keep", 1 << 20)
    assert answer(head, body) == (200, {"kept": True})
    req = kept.pop()
    assert req.path == "/keep"
    with pytest.raises(RuntimeError, match="already answered"):
        req.body

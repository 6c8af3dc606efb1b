"""lapwise.wsgi request bodies: ``wsgi.input`` streamed and bounded (read(n), readline,
iteration, chunked bodies without a length), the connection's addresses in the environ, and a
Flask app reading a chunked upload; on both transports."""

from __future__ import annotations

import hashlib

import pytest

from body_upload import CONTINUE, connect, expect_continue, read_response, reset_peak_rss, rss_kib, upload

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import wsgi  # noqa: E402


def body_app(environ, start_response):
    inp = environ["wsgi.input"]
    path = environ["PATH_INFO"]
    if path == "/env":
        out = " ".join(environ[k] for k in ("REMOTE_ADDR", "REMOTE_PORT", "SERVER_NAME", "SERVER_PORT"))
        out += " %s %s" % (environ.get("CONTENT_LENGTH", "-"), environ["wsgi.input_terminated"])
        body = out.encode()
    elif path == "/lines":  # readline, then iteration, then read(n) of what is left
        first = inp.readline()
        rest = list(inp)
        body = b"%d %d %d" % (len(first), len(rest), sum(map(len, rest)))
    elif path == "/sized":  # read(n) in odd sizes up to CONTENT_LENGTH
        length = int(environ.get("CONTENT_LENGTH") or 0)
        digest = hashlib.sha256()
        got = 0
        while got < length:
            data = inp.read(min(12_345, length - got))
            if not data:
                break
            digest.update(data)
            got += len(data)
        body = b"%d %s %d" % (got, digest.hexdigest().encode(), len(inp.read()))
    else:  # read to the end without a length: chunked bodies too
        digest = hashlib.sha256()
        size = 0
        while data := inp.read(65536):
            digest.update(data)
            size += len(data)
        body = b"%d %s" % (size, digest.hexdigest().encode())
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


@pytest.fixture(scope="module", params=["epoll", "asio"])
def server(request):
    with wsgi.serve(body_app, port=0, io=request.param, max_body=64 << 20) as srv:
        yield srv


@pytest.mark.parametrize("chunked", [False, True])
def test_a_large_body_is_read_to_its_end(server, chunked):
    total = 3 << 20
    head, body = upload(server, "/all", total, piece=40_000, chunked=chunked)
    assert head.startswith(b"HTTP/1.1 200")
    assert body == b"%d %s" % (total, hashlib.sha256(b"x" * total).hexdigest().encode())


def test_read_n_honours_content_length(server):
    total = 1_000_000
    head, body = upload(server, "/sized", total)
    assert body == b"%d %s 0" % (total, hashlib.sha256(b"x" * total).hexdigest().encode())


@pytest.mark.parametrize("chunked", [False, True])
def test_readline_and_iteration(server, chunked):
    total = 200_000  # lines of 10 bytes: "xxxxxxxxx\n"
    head, body = upload(server, "/lines", total, piece=7_770, chunked=chunked, fill=b"xxxxxxxxx\n")
    assert body == b"10 %d %d" % (total // 10 - 1, total - 10)


def test_environ_has_the_connection_addresses(server):
    sock = connect(server)
    try:
        sock.sendall(b"POST /env HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        sock.sendall(b"0\r\n\r\n")
        _, body, _ = read_response(sock)
        host, port = sock.getsockname()
        assert body == b"%s %d %s %d - True" % (host.encode(), port, server.host.encode(), server.port)
    finally:
        sock.close()


def test_100_continue_at_the_first_read(server):
    interim, head, body = expect_continue(server, "/all", b"abc")
    assert interim == CONTINUE
    assert body == b"3 " + hashlib.sha256(b"abc").hexdigest().encode()


flask = pytest.importorskip("flask")


def test_flask_reads_a_chunked_upload_with_bounded_memory(server):
    app = flask.Flask("upload")

    @app.post("/up")
    def up():
        digest = hashlib.sha256()
        size = 0
        stream = flask.request.stream
        while data := stream.read(1 << 16):
            digest.update(data)
            size += len(data)
        return f"{size} {digest.hexdigest()}"

    total = 20 << 20
    with wsgi.serve(app, port=0, io=server._native.io, max_body=64 << 20) as srv:
        upload(srv, "/up", 1 << 20, chunked=True)  # warm
        before = rss_kib("VmRSS")
        reset_peak_rss()
        head, body = upload(srv, "/up", total, piece=1 << 16, chunked=True)
        peak = rss_kib("VmHWM")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert body == b"%d %s" % (total, hashlib.sha256(b"x" * total).hexdigest().encode())
    growth_mib = (peak - before) / 1024
    print(f"\n20 MB chunked upload through Flask request.stream on {server._native.io}: "
          f"peak RSS +{growth_mib:.1f} MiB")
    assert growth_mib < 16

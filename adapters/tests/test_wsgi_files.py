"""lapwise.wsgi's ``wsgi.file_wrapper``: a real file goes out with sendfile (its ``read`` is
never called) from its position, bounded by the app's Content-Length; other file-likes are
read; ``close()`` is always called; HEAD sends no body."""

from __future__ import annotations

import io

import pytest

from http_fetch import fetch

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import wsgi  # noqa: E402

DATA = bytes(range(256)) * 4096  # 1 MiB


class Watched(io.FileIO):
    """A real file that records reads and closes."""

    log: list[str] = []

    def read(self, size: int = -1) -> bytes:
        self.log.append("read")
        return super().read(size)

    def close(self) -> None:
        if not self.closed:
            self.log.append("close")
        super().close()


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("wsgi") / "data.bin"
    path.write_bytes(DATA)
    return path


@pytest.fixture(scope="module")
def server(data_file):
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        wrap = environ["wsgi.file_wrapper"]
        if path == "/whole":
            start_response("200 OK", [("Content-Type", "application/octet-stream")])
            return wrap(Watched(data_file))
        if path == "/from-position":
            f = Watched(data_file)
            f.seek(1000)
            start_response("200 OK", [("Content-Length", "5000")])
            return wrap(f)
        if path == "/bytesio":
            start_response("200 OK", [])
            return wrap(io.BytesIO(DATA[:70000]), 8192)
        start_response("404 Not Found", [])
        return [b""]

    with wsgi.serve(app, port=0) as srv:
        yield srv


def test_a_real_file_is_sent_without_reading_it_and_closed(server):
    Watched.log.clear()
    status, headers, body = fetch(server, "GET", "/whole")
    assert status == 200 and body == DATA
    assert headers["content-length"] == str(len(DATA))
    assert headers["content-type"] == "application/octet-stream"
    assert Watched.log == ["close"]


def test_the_file_position_and_content_length_bound_what_is_sent(server):
    status, headers, body = fetch(server, "GET", "/from-position")
    assert status == 200 and body == DATA[1000:6000]
    assert headers["content-length"] == "5000"


def test_a_file_like_without_a_descriptor_is_read(server):
    status, _, body = fetch(server, "GET", "/bytesio")
    assert status == 200 and body == DATA[:70000]


def test_head_sends_the_length_and_no_body(server):
    Watched.log.clear()
    status, headers, body = fetch(server, "HEAD", "/whole")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(DATA))
    assert Watched.log == ["close"]


def test_keep_alive_after_a_file(server):
    import http.client

    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for path, want in (("/whole", DATA), ("/from-position", DATA[1000:6000]), ("/whole", DATA)):
            conn.request("GET", path)
            res = conn.getresponse()
            assert res.status == 200 and res.read() == want
    finally:
        conn.close()


def test_flask_send_file_goes_out_with_sendfile(data_file):
    flask = pytest.importorskip("flask")
    app = flask.Flask(__name__)

    @app.get("/object")
    def by_object():
        return flask.send_file(Watched(data_file), mimetype="application/x-test")

    @app.get("/path")
    def by_path():
        return flask.send_file(data_file)

    Watched.log.clear()
    with wsgi.serve(app, port=0) as srv:
        status, headers, body = fetch(srv, "GET", "/object")
        assert status == 200 and body == DATA and headers["content-type"] == "application/x-test"
        assert Watched.log == ["close"]  # wsgi.file_wrapper, sent without a read
        status, headers, body = fetch(srv, "GET", "/path")
        assert status == 200 and body == DATA and headers["content-length"] == str(len(DATA))
        ranged = fetch(srv, "GET", "/path", headers={"Range": "bytes=10-19"})
        assert ranged[0] == 206 and ranged[2] == DATA[10:20]  # Werkzeug's own range wrapper

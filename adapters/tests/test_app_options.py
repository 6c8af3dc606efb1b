"""lapwise.App's run/serve options: a misspelt or unknown option is refused with its name (a
server silently running with the default instead would be worse)."""

from __future__ import annotations

import pytest

from lapwise import _native_status
from lapwise.app import App

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


@pytest.mark.parametrize("option", ["max_bdy", "workers"])
def test_unknown_options_are_refused_with_their_name(option):
    app = App()
    app.get("/x")(lambda req: "x")
    with pytest.raises(TypeError, match=f"'{option}'.*known: .*max_body"):
        app.serve(port=0, **{option: 4})
    with pytest.raises(TypeError, match=f"'{option}'"):
        app.run(port=0, **{option: 4})


def test_known_options_are_taken():
    app = App()
    app.get("/x")(lambda req: "x")
    with app.serve(port=0, max_body=10, shutdown_timeout=1.5, handler_threads=2) as running:
        assert running.shutdown_timeout == 1.5


def test_handler_threads_must_be_positive():
    with pytest.raises(ValueError, match="handler_threads"):
        App().serve(port=0, handler_threads=0)


def test_automatic_options_lists_the_allowed_methods():
    import http.client

    app = App()
    app.get("/users/{id:int}")(lambda req: "get")
    app.post("/users/{id:int}")(lambda req: "post")
    app.const("/plaintext", "Hello")
    app.route("/own", methods=["GET", "OPTIONS"])(lambda req: "own options")
    with app.serve(port=0) as running:
        def ask(method: str, target: str) -> tuple[int, str | None, bytes]:
            c = http.client.HTTPConnection(running.host, running.port, timeout=10)
            try:
                c.request(method, target)
                r = c.getresponse()
                return r.status, r.getheader("Allow"), r.read()
            finally:
                c.close()

        assert ask("OPTIONS", "/users/7") == (204, "GET, HEAD, POST, OPTIONS", b"")
        assert ask("OPTIONS", "/plaintext") == (204, "GET, HEAD, OPTIONS", b"")
        assert ask("OPTIONS", "/own") == (200, None, b"own options")  # the app's own
        status, allow, _ = ask("DELETE", "/users/7")
        assert (status, allow) == (405, "GET, HEAD, POST, OPTIONS")
        assert ask("OPTIONS", "/nowhere")[0] == 404


def _bind_plain(host: str, port: int) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind((host, port))


@pytest.mark.parametrize("io", ["epoll", "asio"])
@pytest.mark.parametrize("threads", [1, 2])
def test_a_port_in_use_is_an_oserror_unless_both_reuse_it(io, threads):
    import errno
    import urllib.request

    app = App()
    app.get("/who")(lambda req: "first")
    other = App()
    other.get("/who")(lambda req: "second")
    with app.serve(port=0, threads=threads, io=io) as first:
        with pytest.raises(OSError, match="address already in use") as caught:
            other.serve(port=first.port, io=io)
        assert caught.value.errno == errno.EADDRINUSE
        with pytest.raises(OSError, match="address already in use"):
            other.serve(port=first.port, io=io, reuse_port=True)  # the first did not agree
        with pytest.raises(OSError):
            _bind_plain(first.host, first.port)  # nobody else gets in either
        # The server's own threads all accept from the one port.
        for _ in range(4):
            with urllib.request.urlopen(first.url + "/who", timeout=10) as r:
                assert r.read() == b"first"


@pytest.mark.parametrize("io", ["epoll", "asio"])
def test_reuse_port_true_on_both_sides_shares_the_port(io):
    import urllib.request

    app = App()
    app.get("/who")(lambda req: "first")
    other = App()
    other.get("/who")(lambda req: "second")
    with app.serve(port=0, threads=2, io=io, reuse_port=True) as first:
        with pytest.raises(OSError, match="address already in use"):
            other.serve(port=first.port, io=io)  # the second did not agree
        with other.serve(port=first.port, io=io, reuse_port=True) as second:
            assert second.port == first.port
            with urllib.request.urlopen(first.url + "/who", timeout=10) as r:
                assert r.read() in (b"first", b"second")

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

        assert ask("OPTIONS", "/users/7") == (204, "GET, POST, OPTIONS", b"")
        assert ask("OPTIONS", "/plaintext") == (204, "GET, OPTIONS", b"")
        assert ask("OPTIONS", "/own") == (200, None, b"own options")  # the app's own
        status, allow, _ = ask("DELETE", "/users/7")
        assert (status, allow) == (405, "GET, POST, OPTIONS")
        assert ask("OPTIONS", "/nowhere")[0] == 404

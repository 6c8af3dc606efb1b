"""The app spec on lapwise.App with /plaintext and /json pre-rendered (answered by the native
io threads without entering Python); /users and /echo are Python handlers. Run as ``python -m
suites.adapters.server.apps.native_const HOST PORT [THREADS]``; SIGTERM stops it gracefully."""

from __future__ import annotations

import sys

from lapwise.app import App

from suites.adapters.server.apps.native_py import add_dynamic


def build() -> App:
    app = App(server_name="lapwise-native-const")
    app.const("/plaintext", b"Hello, World!", content_type="text/plain")
    app.const("/json", {"message": "Hello, World!"})
    add_dynamic(app)
    return app


if __name__ == "__main__":
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    build().run(sys.argv[1], int(sys.argv[2]), threads=threads)

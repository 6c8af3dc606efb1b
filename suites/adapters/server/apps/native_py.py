"""The app spec (suites.adapters.server.base) on lapwise.App with a Python handler for every route:
JSON is serialized per request. Run as ``python -m suites.adapters.server.apps.native_py HOST PORT
[THREADS]``; SIGTERM stops it gracefully."""

from __future__ import annotations

import sys

from lapwise.app import App, Response


def build(app: App | None = None) -> App:
    """Adds the four app-spec routes (all Python handlers) to ``app`` (a new App if None)."""
    app = app or App(server_name="lapwise-native-py")

    @app.get("/plaintext")
    def plaintext(req):  # noqa: ANN001, ARG001 - the handler signature of lapwise.App
        return Response(200, {"Content-Type": "text/plain"}, b"Hello, World!")

    @app.get("/json")
    def json_(req):  # noqa: ANN001, ARG001
        return {"message": "Hello, World!"}

    add_dynamic(app)
    return app


def add_dynamic(app: App) -> None:
    """/users/{id:int} and POST /echo: the two routes that always need a handler."""

    @app.get("/users/{id:int}")
    def users(req):  # noqa: ANN001
        user_id = req.params["id"]
        return {"id": user_id, "name": f"user{user_id}", "q": req.query.get("q")}

    @app.post("/echo")
    def echo(req):  # noqa: ANN001
        ctype = req.headers.get("content-type", "application/octet-stream")
        return Response(200, {"Content-Type": ctype}, req.body)


if __name__ == "__main__":
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    build().run(sys.argv[1], int(sys.argv[2]), threads=threads)

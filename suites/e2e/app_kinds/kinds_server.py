"""The ``/json`` and ``/users/{id:int}`` routes on lapwise.App in one of nine shapes, served on
127.0.0.1 until stdin closes: ``def`` or ``async def`` routes, bare, under one pass-through
``def`` or ``async def`` middleware, or with CORS on (``lapwise.cors``, allowing
``CORS_ORIGIN``), or ``mixed``: ``def`` routes in an App that also has an ``async def`` one (so
its asyncio loop drives the server and the ``def`` routes run on that loop's thread).
``python -m suites.e2e.app_kinds.kinds_server SHAPE PORT [thread]`` prints ``ready`` once it
listens (SHAPE: ``def``, ``def+def_mw``, ``def+async_mw``, ``def+cors``, ``async``,
``async+def_mw``, ``async+async_mw``, ``async+cors``, ``mixed``); ``thread`` serves with
``loop_drives=False`` (an io thread hands requests to the loop)."""

from __future__ import annotations

import sys
from typing import Any

from lapwise.app import App

SHAPES = ("def", "def+def_mw", "def+async_mw", "def+cors", "async", "async+def_mw", "async+async_mw",
          "async+cors", "mixed")
CORS_ORIGIN = "https://app.example"


def build(shape: str) -> App:
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    app = App()
    if shape.endswith("+def_mw"):
        @app.middleware
        def passthrough(req: Any, call_next: Any) -> Any:
            return call_next(req)
    elif shape.endswith("+async_mw"):
        @app.middleware
        async def apassthrough(req: Any, call_next: Any) -> Any:
            return await call_next(req)
    if shape.startswith("async"):
        @app.get("/json")
        async def ajson_route(req: Any) -> Any:
            return {"message": "Hello, World!"}

        @app.get("/users/{id:int}")
        async def ausers(req: Any) -> Any:
            user_id = req.params["id"]
            return {"id": user_id, "name": f"user{user_id}", "q": req.query.get("q")}
    else:
        @app.get("/json")
        def json_route(req: Any) -> Any:
            return {"message": "Hello, World!"}

        @app.get("/users/{id:int}")
        def users(req: Any) -> Any:
            user_id = req.params["id"]
            return {"id": user_id, "name": f"user{user_id}", "q": req.query.get("q")}
    if shape.endswith("+cors"):
        from lapwise import cors  # here: the @base shapes may run a lapwise without it

        cors(app, [CORS_ORIGIN])
    if shape == "mixed":
        @app.get("/async")
        async def async_route(req: Any) -> Any:
            return "async"
    return app


if __name__ == "__main__":
    extra = {"loop_drives": False} if sys.argv[3:] == ["thread"] else {}
    with build(sys.argv[1]).serve("127.0.0.1", int(sys.argv[2]), **extra):
        print("ready", flush=True)
        sys.stdin.read()

"""One ``/json`` route on lapwise.App in one of six shapes, served on 127.0.0.1 until stdin
closes: a ``def`` or ``async def`` route, bare or under one pass-through ``def`` or ``async
def`` middleware. ``python -m suites.e2e.app_kinds.kinds_server SHAPE PORT`` prints ``ready``
once it listens (SHAPE: ``def``, ``def+def_mw``, ``def+async_mw``, ``async``,
``async+def_mw``, ``async+async_mw``)."""

from __future__ import annotations

import sys
from typing import Any

from lapwise.app import App

SHAPES = ("def", "def+def_mw", "def+async_mw", "async", "async+def_mw", "async+async_mw")


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
    if shape.startswith("def"):
        @app.get("/json")
        def json_route(req: Any) -> Any:
            return {"message": "Hello, World!"}
    else:
        @app.get("/json")
        async def ajson_route(req: Any) -> Any:
            return {"message": "Hello, World!"}
    return app


if __name__ == "__main__":
    with build(sys.argv[1]).serve("127.0.0.1", int(sys.argv[2])):
        print("ready", flush=True)
        sys.stdin.read()

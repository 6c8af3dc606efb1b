"""The app on aiohttp.web; run as ``python -m suites.adapters.server.apps.aiohttp_app HOST PORT``."""

from __future__ import annotations

import json
import sys

from aiohttp import web


def _json(obj: object) -> web.Response:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    return web.Response(body=body, content_type="application/json")


async def plaintext(request: web.Request) -> web.Response:
    return web.Response(body=b"Hello, World!", content_type="text/plain")


async def json_route(request: web.Request) -> web.Response:
    return _json({"message": "Hello, World!"})


async def users(request: web.Request) -> web.Response:
    user_id = int(request.match_info["id"])
    return _json({"id": user_id, "name": f"user{user_id}", "q": request.query.get("q")})


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    ctype = request.headers.get("Content-Type", "application/octet-stream")
    return web.Response(body=body, headers={"Content-Type": ctype})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/plaintext", plaintext)
    app.router.add_get("/json", json_route)
    app.router.add_get(r"/users/{id:\d+}", users)
    app.router.add_post("/echo", echo)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host=sys.argv[1], port=int(sys.argv[2]), access_log=None,
                print=None, handle_signals=True)

"""The app on Starlette: what a typical FastAPI/Starlette user runs under uvicorn."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


def _json(obj: object) -> Response:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, media_type="application/json")


async def plaintext(request: Request) -> Response:
    return PlainTextResponse("Hello, World!")


async def json_route(request: Request) -> Response:
    return _json({"message": "Hello, World!"})


async def users(request: Request) -> Response:
    user_id = request.path_params["id"]
    return _json({"id": user_id, "name": f"user{user_id}", "q": request.query_params.get("q")})


async def echo(request: Request) -> Response:
    body = await request.body()
    return Response(body, media_type=request.headers.get("content-type", "application/octet-stream"))


app = Starlette(routes=[
    Route("/plaintext", plaintext, methods=["GET"]),
    Route("/json", json_route, methods=["GET"]),
    Route("/users/{id:int}", users, methods=["GET"]),
    Route("/echo", echo, methods=["POST"]),
])

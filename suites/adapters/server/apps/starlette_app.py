"""The app on Starlette: what a typical FastAPI/Starlette user runs under uvicorn. Serves the app
spec of base.py and the hosted surface of hosted_surface.py with Starlette's own features
(routing with convertors, a pure ASGI middleware (cheap: the app is also timed), exception
handlers, form parsing, streaming, static files, lifespan)."""

from __future__ import annotations

import contextlib
import json

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .hosted_surface import MAX_Q, MarkMiddleware, STATIC_DIR, TEAPOT, TeapotError, file_summary, parts, token_of


def _json(obj: object, status: int = 200) -> Response:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type="application/json")


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


async def read_item(request: Request) -> Response:
    q = request.query_params.get("q")
    if q is not None and len(q) > MAX_Q:
        return _json({"detail": f"q longer than {MAX_Q}"}, 422)
    return _json({"item_id": request.path_params["item_id"], "q": q,
                  "token": token_of(request.headers.get("x-token"))})


async def create_item(request: Request) -> Response:
    try:
        item = await request.json()
        name, price, tags = item["name"], item["price"], item.get("tags", [])
        valid = (isinstance(name, str) and isinstance(price, (int, float)) and not isinstance(price, bool)
                 and isinstance(tags, list) and all(isinstance(t, str) for t in tags))
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        return _json({"detail": "body must be {name: str, price: number, tags: [str]}"}, 422)
    return _json({"name": name, "total": price * 2, "tags": tags})


async def query(request: Request) -> Response:
    pairs = request.query_params.multi_items()
    return _json({"k": request.query_params.getlist("k"), "pairs": [list(p) for p in pairs]})


async def names(request: Request) -> Response:
    return _json({"name": request.path_params["name"]})


async def cookies(request: Request) -> Response:
    response = _json({"session": request.cookies.get("session")})
    response.set_cookie("seen", "yes", httponly=True)
    return response


async def form(request: Request) -> Response:
    fields: dict[str, str] = {}
    files: dict[str, object] = {}
    async with request.form() as data:
        for key, value in data.multi_items():
            if isinstance(value, str):
                fields[key] = value
            else:
                files[key] = file_summary(value.filename, await value.read())
    return _json({"fields": fields, "files": files})


async def size(request: Request) -> Response:
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
    return _json({"size": total})


async def stream(request: Request) -> Response:
    n = int(request.query_params.get("n", "3"))

    async def chunks():
        for part in parts(n):
            yield part.encode()
    return StreamingResponse(chunks(), media_type="text/plain")


async def teapot(request: Request) -> Response:
    raise TeapotError()


async def on_teapot(request: Request, exc: Exception) -> Response:
    return _json(TEAPOT, 418)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    app.state.ready = True
    yield


app = Starlette(
    routes=[
        Route("/plaintext", plaintext, methods=["GET"]),
        Route("/json", json_route, methods=["GET"]),
        Route("/users/{id:int}", users, methods=["GET"]),
        Route("/echo", echo, methods=["POST"]),
        Route("/items/{item_id:int}", read_item, methods=["GET"]),
        Route("/items", create_item, methods=["POST"]),
        Route("/query", query, methods=["GET"]),
        Route("/names/{name}", names, methods=["GET"]),
        Route("/cookies", cookies, methods=["GET"]),
        Route("/form", form, methods=["POST"]),
        Route("/size", size, methods=["POST"]),
        Route("/stream", stream, methods=["GET"]),
        Route("/teapot", teapot, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ],
    middleware=[Middleware(MarkMiddleware)],
    exception_handlers={TeapotError: on_teapot},
    lifespan=lifespan,
)

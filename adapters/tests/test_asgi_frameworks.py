"""lapwise.asgi with real frameworks: a Starlette app and a FastAPI app (path and query
parameters with validation, a JSON body model, a dependency, a middleware, cookies, a streaming
response, lifespan state), each served on the native server and asked over sockets."""

from __future__ import annotations

import contextlib
import json

import pytest

from http_fetch import fetch

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

fastapi = pytest.importorskip("fastapi")
pytest.importorskip("starlette")
pydantic = pytest.importorskip("pydantic")

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from lapwise import asgi  # noqa: E402

lifecycle: list[str] = []


class Item(pydantic.BaseModel):  # at module level: FastAPI resolves the annotations here
    name: str
    price: float
    tags: list[str] = []


def token(x_token: str = fastapi.Header("none")) -> str:
    return x_token.upper()


@contextlib.asynccontextmanager
async def starlette_lifespan(app):
    lifecycle.append("startup")
    yield
    lifecycle.append("shutdown")


def starlette_app() -> Starlette:
    async def user(request: Request):
        return JSONResponse({"id": request.path_params["id"], "q": request.query_params.getlist("q")})

    async def echo(request: Request):
        return PlainTextResponse((await request.body()).decode(), headers={"x-len": str(len(await request.body()))})

    async def stream(request: Request):
        async def parts():
            for i in range(3):
                yield f"part{i};"
        return StreamingResponse(parts(), media_type="text/plain")

    return Starlette(routes=[Route("/users/{id:int}", user), Route("/echo", echo, methods=["POST"]),
                             Route("/stream", stream)],
                     lifespan=starlette_lifespan)


def fastapi_app():
    from fastapi import Cookie, Depends, FastAPI, Query
    from fastapi.responses import StreamingResponse as FastStreaming

    app = FastAPI()

    @app.middleware("http")
    async def add_timing_header(request, call_next):
        response = await call_next(request)
        response.headers["x-middleware"] = "seen"
        return response

    @app.get("/items/{item_id}")
    async def read_item(item_id: int, q: str | None = Query(None, max_length=5), tok: str = Depends(token)):
        return {"item_id": item_id, "q": q, "token": tok}

    @app.post("/items")
    async def create_item(item: Item):
        return {"name": item.name, "total": item.price * 2, "tags": item.tags}

    @app.get("/cookie")
    async def cookie(session: str | None = Cookie(None)):
        from fastapi.responses import JSONResponse as FastJSON
        res = FastJSON({"session": session})
        res.set_cookie("seen", "yes", httponly=True)
        return res

    @app.get("/numbers")
    def numbers():
        return FastStreaming((f"{i}\n" for i in range(5)), media_type="text/plain")

    return app


@pytest.fixture(scope="module")
def starlette_server():
    lifecycle.clear()
    with asgi.serve(starlette_app(), port=0) as srv:
        assert lifecycle == ["startup"]
        yield srv
    assert lifecycle == ["startup", "shutdown"]


@pytest.fixture(scope="module")
def fastapi_server():
    with asgi.serve(fastapi_app(), port=0) as srv:
        yield srv


def test_starlette_routes(starlette_server):
    status, _, body = fetch(starlette_server, "GET", "/users/7?q=a&q=b")
    assert status == 200 and json.loads(body) == {"id": 7, "q": ["a", "b"]}
    assert fetch(starlette_server, "GET", "/users/x")[0] == 404
    status, headers, body = fetch(starlette_server, "POST", "/echo", "héllo".encode())
    assert (status, body.decode(), headers["x-len"]) == (200, "héllo", "6")
    assert fetch(starlette_server, "GET", "/echo")[0] == 405


def test_starlette_streaming_response(starlette_server):
    status, headers, body = fetch(starlette_server, "GET", "/stream")
    assert status == 200 and body == b"part0;part1;part2;"
    assert headers["content-type"].startswith("text/plain")


def test_fastapi_params_validation_and_dependency(fastapi_server):
    status, headers, body = fetch(fastapi_server, "GET", "/items/5?q=abc", headers={"X-Token": "t"})
    assert status == 200
    assert json.loads(body) == {"item_id": 5, "q": "abc", "token": "T"}
    assert headers["x-middleware"] == "seen"
    assert fetch(fastapi_server, "GET", "/items/5?q=toolong")[0] == 422
    assert fetch(fastapi_server, "GET", "/items/five")[0] == 422


def test_fastapi_json_body_model(fastapi_server):
    payload = json.dumps({"name": "pen", "price": 1.5, "tags": ["a"]}).encode()
    status, _, body = fetch(fastapi_server, "POST", "/items", payload, {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body) == {"name": "pen", "total": 3.0, "tags": ["a"]}
    assert fetch(fastapi_server, "POST", "/items", b'{"name": 1}', {"Content-Type": "application/json"})[0] == 422


def test_fastapi_cookies(fastapi_server):
    status, headers, body = fetch(fastapi_server, "GET", "/cookie", headers={"Cookie": "session=abc"})
    assert status == 200 and json.loads(body) == {"session": "abc"}
    assert headers["set-cookie"].startswith("seen=yes") and "HttpOnly" in headers["set-cookie"]


def test_fastapi_streaming_response(fastapi_server):
    status, _, body = fetch(fastapi_server, "GET", "/numbers")
    assert status == 200 and body == b"0\n1\n2\n3\n4\n"

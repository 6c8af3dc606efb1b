"""The app on FastAPI: the hosted surface of hosted_surface.py with FastAPI's own features (typed
path and query parameters with validation, a pydantic body model, a dependency, a middleware,
cookies, a form with a file upload, a streaming response, static files, an exception handler).
``GET /items/{item_id}`` is the route the hosted benchmarks time (its dependency is ``async``:
the server's own cost shows); ``GET /items/{item_id}/owner`` has a plain ``def`` dependency, which
FastAPI runs on a worker thread (the loop-to-thread hand-off a server's loop must wake for)."""

from __future__ import annotations

from fastapi import Cookie, Depends, FastAPI, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from .hosted_surface import MAX_Q, STATIC_DIR, TEAPOT, MarkMiddleware, TeapotError, file_summary, parts, token_of


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


async def token(x_token: str | None = Header(None)) -> str:
    return token_of(x_token)


def owner(x_token: str | None = Header(None)) -> str:
    """A plain ``def`` dependency: FastAPI runs it on anyio's worker threads, so a request to
    ``/items/{item_id}/owner`` crosses from the event loop to a thread and back."""
    return token_of(x_token).lower()


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
app.add_middleware(MarkMiddleware)


@app.exception_handler(TeapotError)
async def on_teapot(request: Request, exc: TeapotError) -> JSONResponse:
    return JSONResponse(TEAPOT, status_code=418)


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return "Hello, World!"


@app.get("/json")
async def json_route() -> dict:
    return {"message": "Hello, World!"}


@app.get("/users/{user_id}")
async def users(user_id: int, q: str | None = None) -> dict:
    return {"id": user_id, "name": f"user{user_id}", "q": q}


@app.post("/echo")
async def echo(request: Request) -> Response:
    body = await request.body()
    return Response(body, media_type=request.headers.get("content-type", "application/octet-stream"))


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = Query(None, max_length=MAX_Q), tok: str = Depends(token)) -> dict:
    return {"item_id": item_id, "q": q, "token": tok}


@app.get("/items/{item_id}/owner")
async def item_owner(item_id: int, who: str = Depends(owner)) -> dict:
    return {"item_id": item_id, "owner": who}


@app.post("/items")
async def create_item(item: Item) -> dict:
    return {"name": item.name, "total": item.price * 2, "tags": item.tags}


@app.get("/query")
async def query(request: Request, k: list[str] = Query([])) -> dict:
    return {"k": k, "pairs": [list(p) for p in request.query_params.multi_items()]}


@app.get("/names/{name}")
async def names(name: str) -> dict:
    return {"name": name}


@app.get("/cookies")
async def cookies(response: Response, session: str | None = Cookie(None)) -> dict:
    response.set_cookie("seen", "yes", httponly=True)
    return {"session": session}


@app.post("/form")
async def form(title: str | None = Form(None), note: str | None = Form(None),
               upload: UploadFile | None = File(None)) -> dict:
    fields = {k: v for k, v in (("title", title), ("note", note)) if v is not None}
    files = {"upload": file_summary(upload.filename, await upload.read())} if upload is not None else {}
    return {"fields": fields, "files": files}


@app.post("/size")
async def size(request: Request) -> dict:
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
    return {"size": total}


@app.get("/stream")
async def stream(n: int = 3) -> StreamingResponse:
    async def chunks():
        for part in parts(n):
            yield part.encode()
    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/teapot")
async def teapot() -> None:
    raise TeapotError()


app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

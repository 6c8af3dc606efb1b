"""FastAPI: ``GET /items/{item_id}?q=...`` with path and query validation (pydantic), the
route the hosting benchmark times; ``GET /plaintext`` answers the adapters' readiness probe."""

from __future__ import annotations

from fastapi import FastAPI, Path, Query
from fastapi.responses import PlainTextResponse

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return "Hello, World!"


@app.get("/items/{item_id}")
async def read_item(item_id: int = Path(..., ge=1, le=1_000_000),
                    q: str = Query(..., min_length=1, max_length=64)) -> dict[str, object]:
    return {"item_id": item_id, "q": q}

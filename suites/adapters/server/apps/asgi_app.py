"""The app as a raw ASGI callable: no framework, the cheapest Python a uvicorn server can run."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

_USERS = re.compile(r"^/users/([0-9]+)$")
_TEXT = [(b"content-type", b"text/plain")]
_JSON = [(b"content-type", b"application/json")]


async def _send(send, status: int, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": headers + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    path, method = scope["path"], scope["method"]
    if path == "/plaintext" and method == "GET":
        return await _send(send, 200, _TEXT, b"Hello, World!")
    if path == "/json" and method == "GET":
        body = json.dumps({"message": "Hello, World!"}, separators=(",", ":")).encode()
        return await _send(send, 200, _JSON, body)
    if method == "GET" and (m := _USERS.match(path)):
        user_id = int(m.group(1))
        q = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True).get("q")
        body = json.dumps({"id": user_id, "name": f"user{user_id}", "q": q[0] if q else None},
                          separators=(",", ":"), ensure_ascii=False).encode()
        return await _send(send, 200, _JSON, body)
    if path == "/echo" and method == "POST":
        body = await _read_body(receive)
        ctype = dict(scope["headers"]).get(b"content-type", b"application/octet-stream")
        return await _send(send, 200, [(b"content-type", ctype)], body)
    await _send(send, 404, _TEXT, b"Not Found")

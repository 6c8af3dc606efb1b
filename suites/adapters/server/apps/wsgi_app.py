"""The app as a raw WSGI callable (PEP 3333): no framework, for WSGI servers."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

_USERS = re.compile(r"^/users/([0-9]+)$")


def _reply(start_response, status: str, ctype: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


def app(environ, start_response) -> list[bytes]:
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    if path == "/plaintext" and method == "GET":
        return _reply(start_response, "200 OK", "text/plain", b"Hello, World!")
    if path == "/json" and method == "GET":
        body = json.dumps({"message": "Hello, World!"}, separators=(",", ":")).encode()
        return _reply(start_response, "200 OK", "application/json", body)
    if method == "GET" and (m := _USERS.match(path)):
        user_id = int(m.group(1))
        q = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).get("q")
        body = json.dumps({"id": user_id, "name": f"user{user_id}", "q": q[0] if q else None},
                          separators=(",", ":"), ensure_ascii=False).encode()
        return _reply(start_response, "200 OK", "application/json", body)
    if path == "/echo" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        return _reply(start_response, "200 OK", environ.get("CONTENT_TYPE") or "application/octet-stream", body)
    return _reply(start_response, "404 Not Found", "text/plain", b"Not Found")

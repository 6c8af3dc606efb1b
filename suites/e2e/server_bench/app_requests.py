"""The app spec's routes as load requests, and the quick conformance check run before any load.

Every route a server declares (``Server.routes``) is one load request with the exact status and
body length the spec requires; lapwise-load counts any other answer as an error. The bodies come
from suites.adapters.server.base, so this file never restates them.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from pathlib import Path

from suites.adapters.server.base import JSON_BODY, PLAINTEXT_BODY, users_body

ECHO_BODY = b'{"a":[1,2,3]}'


@dataclass(frozen=True)
class RouteRequest:
    route: str  # the app-spec route name (Server.routes)
    method: str
    target: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    expect_body: bytes = b""
    media: str = ""


ROUTES: dict[str, RouteRequest] = {
    "plaintext": RouteRequest("plaintext", "GET", "/plaintext", b"", {}, 200, PLAINTEXT_BODY,
                              "text/plain"),
    "json": RouteRequest("json", "GET", "/json", b"", {}, 200, JSON_BODY, "application/json"),
    "users": RouteRequest("users", "GET", "/users/42?q=abc", b"", {}, 200, users_body(42, "abc"),
                          "application/json"),
    "echo": RouteRequest("echo", "POST", "/echo", ECHO_BODY, {"Content-Type": "application/json"},
                         200, ECHO_BODY, "application/json"),
}


def request_file_text(req: RouteRequest) -> str:
    """lapwise-load's request-file form of ``req`` (see lapwise/load/request_set.h)."""
    if b"\n" in req.body or b"\r" in req.body:
        raise ValueError(f"{req.route}: a request-file body is one line")
    lines = [f"{req.method} {req.target}"]
    lines += [f"header {k}: {v}" for k, v in req.headers.items()]
    if req.body:
        lines.append("body " + req.body.decode())
    lines.append(f"expect {req.status} {len(req.expect_body)}")
    return "\n".join(lines) + "\n"


def write_request_file(req: RouteRequest, directory: Path) -> Path:
    path = directory / f"{req.route}.req"
    path.write_text(request_file_text(req))
    return path


def check_conformance(host: str, port: int, routes: frozenset[str] | set[str],
                      timeout: float = 5.0) -> list[str]:
    """Asks each declared route once (keep-alive, one connection); the list of mismatches
    against the app spec (empty = conforms)."""
    problems: list[str] = []
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        for name, req in ROUTES.items():
            if name not in routes:
                continue
            where = f"{req.method} {req.target}"
            try:
                conn.request(req.method, req.target, body=req.body or None, headers=req.headers)
                resp = conn.getresponse()
                got = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                problems.append(f"{where}: {type(exc).__name__}: {exc}")
                conn.close()
                continue
            if resp.status != req.status:
                problems.append(f"{where}: status {resp.status}, expected {req.status}")
            if got != req.expect_body:
                problems.append(f"{where}: body {got[:80]!r}, expected {req.expect_body[:80]!r}")
            if resp.headers.get_content_type() != req.media:
                problems.append(f"{where}: media type {resp.headers.get_content_type()}, "
                                f"expected {req.media}")
    finally:
        conn.close()
    return problems

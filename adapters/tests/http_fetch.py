"""One request to a served test app over a fresh connection (the tests' client), or raw bytes
exchanged for the whole answer."""

from __future__ import annotations

import http.client
import socket
from typing import Any


def fetch(srv: Any, method: str, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body)."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


def raw_exchange(srv: Any, raw: bytes) -> bytes:
    """Sends ``raw`` bytes (a request the test writes itself) and reads until the server closes."""
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer

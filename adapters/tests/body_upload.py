"""The tests' raw-socket client for request bodies: uploads sent piece by piece (never held
whole in memory), 100-continue exchanges, and the process's peak RSS around them."""

from __future__ import annotations

import socket
from typing import Any


def connect(srv: Any) -> socket.socket:
    return socket.create_connection((srv.host, srv.port), timeout=20)


def read_response(sock: socket.socket, buf: bytes = b"") -> tuple[bytes, bytes, bytes]:
    """One response, Content-Length or chunked: (head, body, what followed)."""
    def more() -> bytes:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError(f"closed after {buf!r}")
        return data

    while b"\r\n\r\n" not in buf:
        buf += more()
    head, _, rest = buf.partition(b"\r\n\r\n")
    fields = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    if fields.get(b"transfer-encoding") == b"chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += more()
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                rest += more()
            body += rest[:size]
            rest = rest[size + 2:]
            if size == 0:
                return head, body, rest
    length = int(fields.get(b"content-length", b"0"))
    while len(rest) < length:
        rest += more()
    return head, rest[:length], rest[length:]


def upload(srv: Any, path: str, total: int, piece: int = 1 << 16, chunked: bool = False,
           fill: bytes = b"x") -> tuple[bytes, bytes]:
    """POSTs `total` bytes of `fill` in pieces of `piece`; returns (head, body) of the answer."""
    sock = connect(srv)
    try:
        framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % total
        sock.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n" + framing + b"\r\n\r\n")
        block = (fill * (piece // len(fill) + 1))[:piece]
        left = total
        while left > 0:
            n = min(piece, left)
            data = block[:n]
            sock.sendall(b"%x\r\n%s\r\n" % (n, data) if chunked else data)
            left -= n
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        head, body, _ = read_response(sock)
        return head, body
    finally:
        sock.close()


CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def expect_continue(srv: Any, path: str, body: bytes) -> tuple[bytes, bytes, bytes]:
    """POSTs `body` with ``Expect: 100-continue``, sending it only after the interim response:
    (the interim bytes, the final head, its body)."""
    sock = connect(srv)
    try:
        sock.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        interim = b""
        while b"\r\n\r\n" not in interim:
            data = sock.recv(4096)
            if not data:
                break
            interim += data
        if not interim.startswith(CONTINUE):  # a final answer instead: the body is not sent
            head, answer, _ = read_response(sock, interim)
            return b"", head, answer
        sock.sendall(body)
        head, answer, _ = read_response(sock, interim[len(CONTINUE):])
        return CONTINUE, head, answer
    finally:
        sock.close()


def reset_peak_rss() -> None:
    """Starts a new peak (VmHWM) for this process (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def rss_kib(field: str = "VmHWM") -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)

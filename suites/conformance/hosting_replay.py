"""Replays a hosting case over a raw socket (the bytes sent are exactly the case's) and reads the
answers with a small HTTP/1.1 response reader, then normalises them for comparison: status,
selected headers, the de-chunked body; Date, Server and framing headers dropped."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

# The headers compared: what the app decides. Framing (Content-Length vs chunked), Date, Server
# and Connection are the server's business and differ legitimately.
SELECTED = ("content-type", "x-middleware", "set-cookie", "content-range", "allow", "location")
READ_TIMEOUT = 1.5  # seconds of silence after which a server is taken as not answering


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Transcript:
    """Everything read on the case's connection(s): the answers in order, and how it ended."""

    answers: list[Answer] = field(default_factory=list)
    closed: bool = False      # the server closed the connection before every answer came
    stalled: bool = False     # nothing more within READ_TIMEOUT while an answer was expected
    error: str = ""           # a malformed answer


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def line(self) -> bytes | None:
        while (i := self.buf.find(b"\r\n")) < 0:
            if not self._fill():
                return None
        out = bytes(self.buf[:i])
        del self.buf[:i + 2]
        return out

    def exactly(self, n: int) -> bytes | None:
        while len(self.buf) < n:
            if not self._fill():
                return None
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def rest(self) -> bytes:
        while self._fill():
            pass
        out = bytes(self.buf)
        self.buf.clear()
        return out


def _read_answer(r: _Reader, method: str) -> Answer | None:
    line = r.line()
    if line is None:
        return None
    parts = line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise ValueError(f"bad status line {line[:80]!r}")
    status = int(parts[1])
    headers: list[tuple[str, str]] = []
    while (h := r.line()) is not None and h:
        name, _, value = h.partition(b":")
        headers.append((name.decode("latin-1").strip().lower(), value.decode("latin-1").strip()))
    if h is None:
        raise ValueError("connection ended inside the head")
    fields = dict(headers)
    if status < 200 or status in (204, 304) or method == "HEAD":
        return Answer(status, headers, b"")
    if "chunked" in fields.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            size_line = r.line()
            if size_line is None:
                raise ValueError("connection ended inside a chunked body")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while r.line() not in (None, b""):  # trailer fields, not compared
                    pass
                return Answer(status, headers, bytes(body))
            chunk = r.exactly(size + 2)
            if chunk is None:
                raise ValueError("connection ended inside a chunk")
            body += chunk[:-2]
    if "content-length" in fields:
        data = r.exactly(int(fields["content-length"]))
        if data is None:
            raise ValueError("connection ended before Content-Length bytes")
        return Answer(status, headers, data)
    return Answer(status, headers, r.rest())


def exchange(host: str, port: int, chunks: list[bytes | float], methods: list[str],
             timeout: float = READ_TIMEOUT, expect_interim: bool = False) -> Transcript:
    """Sends ``chunks`` (bytes are written, a float is a pause in seconds) and reads one final
    answer per entry of ``methods`` (the request methods, for HEAD). Interim (1xx) answers are
    kept in order. With ``expect_interim``, a pause ends early once a 100 Continue arrives."""
    out = Transcript()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        reader = _Reader(sock)
        try:
            for chunk in chunks:
                if isinstance(chunk, float):
                    _pause(sock, reader, out, chunk, expect_interim)
                else:
                    sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading everything (a 413, a 400)
        try:
            finals = sum(1 for a in out.answers if a.status >= 200)
            while finals < len(methods):
                answer = _read_answer(reader, methods[finals])
                if answer is None:
                    out.closed = True
                    break
                out.answers.append(answer)
                finals += answer.status >= 200
        except (socket.timeout, TimeoutError):
            out.stalled = True
        except ValueError as exc:
            out.error = str(exc)
    return out


def _pause(sock: socket.socket, reader: _Reader, out: Transcript, seconds: float, expect_interim: bool) -> None:
    if not expect_interim:
        time.sleep(seconds)
        return
    sock.settimeout(seconds)
    try:
        answer = _read_answer(reader, "GET")
        if answer is not None:
            out.answers.append(answer)
    except (socket.timeout, TimeoutError):
        pass
    finally:
        sock.settimeout(READ_TIMEOUT)


def _cookie(value: str) -> str:
    """A Set-Cookie with the value of a signed session cookie dropped (it holds a timestamp)."""
    name, _, rest = value.partition("=")
    if name.strip() == "session":
        return "session=<signed>;" + rest.partition(";")[2]
    return value


def _header(name: str, value: str) -> str:
    if name == "set-cookie":
        return _cookie(value)
    if name == "allow":  # frameworks build it from a set: the order is the hash seed's
        return ", ".join(sorted(v.strip() for v in value.split(",")))
    return value


def normalise(t: Transcript) -> tuple:
    """The comparable form: each answer's status, selected headers, body; then the ending."""
    answers = []
    for a in t.answers:
        headers = tuple(sorted((k, _header(k, v)) for k, v in a.headers if k in SELECTED))
        answers.append((a.status, headers, a.body))
    return (tuple(answers), "error: " + t.error if t.error else "stalled" if t.stalled else "")


def statuses(t: Transcript) -> list[int]:
    return [a.status for a in t.answers]

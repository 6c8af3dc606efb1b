"""A small HTTP/1.1 server on asyncio that misbehaves on request and counts what it received.

Run: ``python fault_server.py [--uvloop]``; it prints ``PORT <n>`` once listening on
127.0.0.1 (loopback only) and serves until killed.

Paths:
  /                      200 "hello, world\\n"
  /delay/<ms>            200 after <ms> milliseconds
  /status/<code>         that status
  /bytes/<n>             n bytes of "x"
  /echo                  200, JSON {method, path, headers, body} of the request
  /gzip                  200, gzip-encoded (Content-Encoding: gzip) if the client accepts gzip
  /redirect?to=<url>     302 to <url>
  /http10                200 "old\\n" with an HTTP/1.0 status line, then closes
  /f/<id>?p=<plan>       the k-th arrival of <id> acts out the k-th action of <plan> (the last
                         one repeats). Actions, comma-separated: ok | d<ms> (delay, then 200) |
                         s<code>[~ra<secs>|~rad<secs>] (status, with Retry-After as seconds or as
                         an HTTP-date that many seconds ahead) | reset (RST after reading the
                         request) | stall (never answer)
  /first-only            200 "ok" to a connection's first request; a later request on the same
                         connection is read and the connection closed without an answer (a
                         server dropping idle keep-alive connections)
  /loop                  302 to /loop, forever
  /endless               200 with a chunked body that never ends
  /gzip-bomb             200, Content-Encoding: gzip, a gzip stream that inflates to zeros forever
  /headers/<n>           200 with n header fields
  /_log                  JSON {"count": n, "log": [[t, path, id, k, action], ...]} (t: monotonic s)
  /_clear                empties the log and the per-id counters
Control paths (/_log, /_clear) are not logged.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import gzip
import json
import socket
import struct
import sys
import time
from urllib.parse import parse_qs, urlsplit

MAX_HEAD = 64 * 1024
MAX_BODY = 16 << 20


class State:
    def __init__(self) -> None:
        self.log: list[list] = []
        self.arrivals: dict[str, int] = {}

    def clear(self) -> None:
        self.log.clear()
        self.arrivals.clear()


STATE = State()


def _response(status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
              keep_alive: bool = True, version: str = "1.1") -> bytes:
    head = [f"HTTP/{version} {status} X", f"Content-Length: {len(body)}",
            "Connection: keep-alive" if keep_alive else "Connection: close"]
    for name, value in headers or ():
        head.append(f"{name}: {value}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _plan_action(query: str, key: str) -> tuple[str, int]:
    plan = (parse_qs(query).get("p") or ["ok"])[0].split(",")
    k = STATE.arrivals.get(key, 0)
    STATE.arrivals[key] = k + 1
    return plan[min(k, len(plan) - 1)], k


class Request:
    __slots__ = ("method", "target", "headers", "body", "keep_alive")

    def __init__(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
                 keep_alive: bool) -> None:
        self.method, self.target, self.headers, self.body = method, target, headers, body
        self.keep_alive = keep_alive


class BadRequest(Exception):
    pass


def parse(buf: bytearray) -> tuple[Request, int] | None:
    """One request from the front of ``buf`` and its length, or None if incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if len(buf) > MAX_HEAD:
            raise BadRequest("head too large")
        return None
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ")
    except ValueError:
        raise BadRequest("bad request line") from None
    headers = []
    length = 0
    keep_alive = version == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip(), value.strip()
        headers.append((name, value))
        low = name.lower()
        if low == "content-length":
            if not value.isdigit() or int(value) > MAX_BODY:
                raise BadRequest("bad content-length")
            length = int(value)
        elif low == "transfer-encoding":
            raise BadRequest("chunked request bodies are not supported here")
        elif low == "connection":
            keep_alive = value.lower() != "close" and (keep_alive or value.lower() == "keep-alive")
    total = end + 4 + length
    if len(buf) < total:
        return None
    return Request(method, target, headers, bytes(buf[end + 4:total]), keep_alive), total


def _endless_gzip() -> tuple[bytes, bytes]:
    """A gzip header and deflate block start, and a run of bytes that may follow it any number of
    times: one literal 0, then matches of length 258 at distance 1 (fixed Huffman codes, 13 bits
    for every 258 zeros) in a block that is never final. No end, so no trailer."""
    out = bytearray(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
    acc = bits = 0

    def put(value: int, n: int) -> None:  # deflate packs fields least significant bit first
        nonlocal acc, bits
        acc |= value << bits
        bits += n
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8

    def huff(code: int, n: int) -> None:  # ... and Huffman codes most significant bit first
        put(int(format(code, f"0{n}b")[::-1], 2), n)

    put(0, 1)  # BFINAL 0
    put(1, 2)  # BTYPE 01, fixed codes
    huff(0x30, 8)  # literal 0
    while bits:  # whole bytes from here on: then a group of 8 matches repeats as bytes
        huff(0xC5, 8)  # length code 285: 258
        huff(0, 5)     # distance code 0: 1
    prefix = bytes(out)
    out.clear()
    for _ in range(8 * 512):
        huff(0xC5, 8)
        huff(0, 5)
    return prefix, bytes(out)


GZIP_PREFIX, GZIP_BLOCK = _endless_gzip()
CHUNK = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"


class Conn(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = bytearray()
        self.busy = False
        self.closed = False
        self.served = 0  # requests read on this connection
        self.transport: asyncio.Transport | None = None
        self.writable: asyncio.Future | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.resume_writing()

    def pause_writing(self) -> None:
        self.writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        self.writable = None

    async def stream(self, head: bytes, first: bytes, block: bytes) -> None:
        """Sends head + first, then `block` until the client goes away (flow-controlled)."""
        if self.transport is None:
            return
        self.transport.write(head + first)
        while not self.closed:
            if self.writable is not None:
                await self.writable
                continue
            self.transport.write(block)
            # A client that keeps up never fills the buffer (no pause_writing): yield anyway,
            # or this loop starves every other connection and never sees its own close.
            await asyncio.sleep(0)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.busy:
            self.process()

    def process(self) -> None:
        while not self.busy and not self.closed:
            try:
                got = parse(self.buf)
            except BadRequest as exc:
                self.send(_response(400, str(exc).encode(), keep_alive=False), False)
                return
            if got is None:
                return
            req, used = got
            del self.buf[:used]
            self.served += 1
            self.handle(req)

    def send(self, data: bytes, keep_alive: bool) -> None:
        if self.closed or self.transport is None:
            return
        self.transport.write(data)
        if not keep_alive:
            self.transport.close()
            self.closed = True

    def later(self, seconds: float, data: bytes, keep_alive: bool) -> None:
        self.busy = True

        def fire() -> None:
            self.busy = False
            self.send(data, keep_alive)
            self.process()

        asyncio.get_running_loop().call_later(seconds, fire)

    def handle(self, req: Request) -> None:
        url = urlsplit(req.target)
        path = url.path
        ka = req.keep_alive
        if path == "/_log":
            body = json.dumps({"count": len(STATE.log), "log": STATE.log}).encode()
            return self.send(_response(200, body, [("Content-Type", "application/json")], ka), ka)
        if path == "/_clear":
            STATE.clear()
            return self.send(_response(204, keep_alive=ka), ka)
        now = time.monotonic()
        if path.startswith("/f/"):
            key = path[3:]
            action, k = _plan_action(url.query, key)
            STATE.log.append([now, path, key, k, action])
            return self.act(action, key, ka)
        STATE.log.append([now, path, "", 0, ""])
        if path == "/first-only":
            if self.served > 1:
                self.busy = True
                if self.transport:
                    self.transport.close()
                return None
            return self.send(_response(200, b"ok", keep_alive=ka), ka)
        if path == "/loop":
            return self.send(_response(302, headers=[("Location", "/loop")], keep_alive=ka), ka)
        if path in ("/endless", "/gzip-bomb"):
            self.busy = True  # never ends; the client hangs up
            if path == "/endless":
                head, first, block = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                                      b"", CHUNK)
            else:
                head, first, block = (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n",
                                      GZIP_PREFIX, GZIP_BLOCK)
            asyncio.get_running_loop().create_task(self.stream(head, first, block))
            return None
        if path.startswith("/headers/"):
            fields = [(f"X-Field-{k}", "v" * 16) for k in range(int(path[9:]))]
            return self.send(_response(200, b"ok", fields, ka), ka)
        if path == "/":
            return self.send(_response(200, b"hello, world\n", [("Content-Type", "text/plain")], ka), ka)
        if path.startswith("/delay/"):
            return self.later(int(path[7:]) / 1000, _response(200, b"delayed\n", keep_alive=ka), ka)
        if path.startswith("/status/"):
            return self.send(_response(int(path[8:]), keep_alive=ka), ka)
        if path.startswith("/bytes/"):
            return self.send(_response(200, b"x" * int(path[7:]), keep_alive=ka), ka)
        if path == "/echo":
            body = json.dumps({"method": req.method, "path": req.target,
                               "headers": [[n.lower(), v] for n, v in req.headers],
                               "body": req.body.decode("latin-1")}).encode()
            return self.send(_response(200, body, [("Content-Type", "application/json")], ka), ka)
        if path == "/gzip":  # gzip only when the client says it can take it
            plain = b"compressed hello\n" * 20
            accepts = any(n.lower() == "accept-encoding" and "gzip" in v.lower() for n, v in req.headers)
            if not accepts:
                return self.send(_response(200, plain, keep_alive=ka), ka)
            return self.send(_response(200, gzip.compress(plain), [("Content-Encoding", "gzip")], ka), ka)
        if path == "/http10":  # an HTTP/1.0 server: its status line, and it closes
            return self.send(_response(200, b"old\n", keep_alive=False, version="1.0"), False)
        if path == "/redirect":
            to = (parse_qs(url.query).get("to") or ["/"])[0]
            return self.send(_response(302, headers=[("Location", to)], keep_alive=ka), ka)
        return self.send(_response(404, b"not found\n", keep_alive=ka), ka)

    def act(self, action: str, key: str, ka: bool) -> None:
        if action == "ok":
            return self.send(_response(200, key.encode(), keep_alive=ka), ka)
        if action.startswith("d"):
            return self.later(int(action[1:]) / 1000, _response(200, key.encode(), keep_alive=ka), ka)
        if action == "reset":
            sock = self.transport.get_extra_info("socket") if self.transport else None
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.busy = True
            if self.transport:
                self.transport.abort()
            return None
        if action == "stall":
            self.busy = True  # never answers; the client's read timeout ends it
            return None
        if action.startswith("s"):
            code, _, extra = action[1:].partition("~")
            headers = []
            if extra.startswith("rad"):
                when = time.time() + float(extra[3:])
                headers.append(("Retry-After", email.utils.formatdate(when, usegmt=True)))
                headers.append(("Date", email.utils.formatdate(time.time(), usegmt=True)))
            elif extra.startswith("ra"):
                headers.append(("Retry-After", extra[2:]))
            return self.send(_response(int(code), key.encode(), headers, ka), ka)
        return self.send(_response(500, f"unknown action {action}".encode(), keep_alive=ka), ka)


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Conn, "127.0.0.1", port, backlog=1024)
    actual = server.sockets[0].getsockname()[1]
    print(f"PORT {actual}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--uvloop", action="store_true", help="run on uvloop (if importable)")
    args = ap.parse_args()
    if args.uvloop:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            print("fault_server: uvloop not importable, using asyncio's loop", file=sys.stderr)
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

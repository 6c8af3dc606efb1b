"""A WebSocket client over a plain socket that can send what a conforming client never would
(unmasked frames, reserved bits and opcodes, bad lengths, broken UTF-8, split frames) and that
records everything the server answers, frame by frame, for the conformance table to judge.

Server frames are parsed strictly enough to tell what was sent (a masked server frame or an
unknown opcode is recorded, not raised); permessage-deflate is handled when negotiated.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
import time
import zlib
from dataclasses import dataclass, field

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_NAMES = {TEXT: "text", BINARY: "binary", CLOSE: "close", PING: "ping", PONG: "pong"}


@dataclass
class Event:
    kind: str  # text | binary | ping | pong | close | eof | bad
    payload: bytes = b""
    code: int | None = None  # close: the code (None for an empty close payload)


@dataclass
class Observed:
    """What the server did during one case, in order."""

    status: int = 0  # the handshake's HTTP status
    response_head: str = ""
    events: list[Event] = field(default_factory=list)
    stayed_open: bool = False  # neither close nor EOF within the wait

    def data(self) -> list[tuple[str, bytes]]:
        return [(e.kind, e.payload) for e in self.events if e.kind in ("text", "binary")]

    def kinds(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]

    @property
    def close(self) -> Event | None:
        closes = self.kinds("close")
        return closes[0] if closes else None

    @property
    def eof(self) -> bool:
        return any(e.kind == "eof" for e in self.events)

    def summary(self) -> str:
        parts: list[str] = []
        if self.status != 101:
            return f"HTTP {self.status or 'no answer'}"
        for e in self.events:
            if e.kind in ("text", "binary", "ping", "pong"):
                parts.append(f"{e.kind}({len(e.payload)})")
            elif e.kind == "close":
                parts.append(f"close {e.code if e.code is not None else '(empty)'}")
            elif e.kind == "bad":
                parts.append(f"bad frame: {e.payload.decode(errors='replace')}")
        if self.stayed_open:
            parts.append("still open")
        elif not self.eof:
            parts.append("no TCP close")
        return ", ".join(_collapse(parts)) or "nothing"


def _collapse(parts: list[str]) -> list[str]:
    """'text(3), text(3), text(3)' -> 'text(3) x3'."""
    out: list[str] = []
    for p in parts:
        if out and out[-1].split(" x")[0] == p:
            head, _, n = out[-1].partition(" x")
            out[-1] = f"{head} x{int(n or 1) + 1}"
        else:
            out.append(p)
    return out


def frame(opcode: int, payload: bytes = b"", fin: bool = True, rsv: int = 0, mask: bool = True,
          length: int | None = None) -> bytes:
    """One client frame. ``rsv`` is the 3 reserved bits (4 = RSV1, 2 = RSV2, 1 = RSV3);
    ``length`` overrides the announced payload length (the payload is sent as given)."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv & 7) << 4 | opcode & 0x0F])
    m = 0x80 if mask else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack("!H", n)
    else:
        head += bytes([m | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + _xor(payload, key)


def _xor(data: bytes, key: bytes) -> bytes:
    if not data:
        return b""
    repeated = (key * (len(data) // 4 + 1))[:len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(data), "big")


def close_payload(code: int | None, reason: bytes = b"") -> bytes:
    return b"" if code is None else struct.pack("!H", code) + reason


def parse_extensions(value: str) -> dict[str, str | None]:
    """The first extension of a Sec-WebSocket-Extensions answer as {name: ..., param: value}."""
    first = value.split(",")[0]
    items = [p.strip() for p in first.split(";") if p.strip()]
    out: dict[str, str | None] = {"": items[0] if items else ""}
    for item in items[1:]:
        k, _, v = item.partition("=")
        out[k.strip().lower()] = v.strip().strip('"') if v else None
    return out


class RawClient:
    """One connection: the opening handshake, frames out, events in."""

    def __init__(self, port: int, path: str = "/echo", extensions: str | None = None,
                 headers: dict[str, str] | None = None, host: str = "127.0.0.1",
                 timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.observed = Observed()
        self._buf = b""
        self._message: list[bytes] = []
        self._message_op = 0
        self._message_compressed = False
        self._closed_sent = False
        self.extension: dict[str, str | None] = {}
        self._inflate: zlib._Decompress | None = None
        self._inflate_bits = -15
        self._deflate: zlib._Compress | None = None
        key = base64.b64encode(os.urandom(16)).decode()
        fields = {"Host": f"{host}:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
                  "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"}
        if extensions:
            fields["Sec-WebSocket-Extensions"] = extensions
        fields.update(headers or {})
        head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v)
        self.sock.sendall((head + "\r\n").encode())
        self._read_head(key)

    def _read_head(self, key: str) -> None:
        while b"\r\n\r\n" not in self._buf:
            chunk = self._recv(5.0)
            if not chunk:
                break
            self._buf += chunk
        head, _, self._buf = self._buf.partition(b"\r\n\r\n")
        text = head.decode("latin-1")
        self.observed.response_head = text
        try:
            self.observed.status = int(text.split(" ", 2)[1])
        except (IndexError, ValueError):
            self.observed.status = 0
        lines = {ln.split(":", 1)[0].strip().lower(): ln.split(":", 1)[1].strip()
                 for ln in text.split("\r\n")[1:] if ":" in ln}
        want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        if self.observed.status == 101 and lines.get("sec-websocket-accept") != want:
            self.observed.status = -101  # a 101 with a wrong accept value is no handshake
        if "sec-websocket-extensions" in lines:
            self.extension = parse_extensions(lines["sec-websocket-extensions"])
            if self.extension.get("") == "permessage-deflate":
                bits = int(self.extension.get("client_max_window_bits") or 15)
                self._deflate = zlib.compressobj(6, zlib.DEFLATED, -max(bits, 9))
                # The server's window as negotiated: a reply compressed with a larger one fails here.
                self._inflate_bits = -max(int(self.extension.get("server_max_window_bits") or 15), 9)
                self._inflate = zlib.decompressobj(self._inflate_bits)

    @property
    def accepted(self) -> bool:
        return self.observed.status == 101

    @property
    def deflate(self) -> bool:
        return self._deflate is not None

    # --- sending -------------------------------------------------------------------------
    def send(self, data: bytes) -> bool:
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def send_frame(self, opcode: int, payload: bytes = b"", **kw: object) -> bool:
        if opcode == CLOSE:
            self._closed_sent = True
        return self.send(frame(opcode, payload, **kw))  # type: ignore[arg-type]

    def send_chopped(self, data: bytes, chop: int, pause: float = 0.0) -> bool:
        for i in range(0, len(data), chop):
            if not self.send(data[i:i + chop]):
                return False
            if pause:
                time.sleep(pause)
        return True

    def compress(self, data: bytes) -> bytes:
        """The message's compressed bytes as permessage-deflate sends them (no 00 00 ff ff)."""
        assert self._deflate is not None
        out = self._deflate.compress(data) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
        return out[:-4] if out.endswith(b"\x00\x00\xff\xff") else out

    def close(self, code: int | None = 1000, reason: bytes = b"") -> bool:
        return self.send_frame(CLOSE, close_payload(code, reason))

    # --- receiving -----------------------------------------------------------------------
    def _recv(self, timeout: float) -> bytes | None:
        """Bytes, b"" at EOF, None when nothing came within ``timeout``."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            return self.sock.recv(1 << 16)
        except socket.timeout:
            return None
        except OSError:
            return b""

    def read(self, until: str = "close", count: int = 0, wait: float = 2.0) -> Observed:
        """Records events until: ``until="data"`` -> ``count`` data messages (or more) have
        arrived; ``"close"`` -> the server closed (Close frame answered, then EOF); ``"quiet"``
        -> ``wait`` seconds passed. Also stops at EOF. ``wait`` bounds the silence between two
        events; staying open past it is recorded as ``stayed_open`` (for "data"/"close")."""
        obs = self.observed
        deadline = time.monotonic() + wait
        while True:
            if self._parse_available():
                deadline = time.monotonic() + wait
            if obs.eof:
                return obs
            if until == "data" and len(obs.data()) >= count:
                return obs
            left = deadline - time.monotonic()
            if left <= 0:
                if until != "quiet" and obs.close is None:
                    obs.stayed_open = True
                return obs
            chunk = self._recv(left)
            if chunk is None:
                continue
            if chunk == b"":
                obs.events.append(Event("eof"))
                return obs
            self._buf += chunk

    def finish(self, code: int | None = 1000, wait: float = 2.0) -> Observed:
        """Starts the close handshake if nobody has, and reads until the server closes."""
        if not self._closed_sent and self.observed.close is None:
            self.close(code)
        return self.read("close", wait=wait)

    def _parse_available(self) -> bool:
        progressed = False
        while True:
            ev = self._parse_one()
            if ev is None:
                return progressed
            progressed = True
            if ev.kind:
                self.observed.events.append(ev)
            if ev.kind == "close" and not self._closed_sent:
                self.close(ev.code if ev.code is not None and ev.code < 5000 else 1000)

    def _parse_one(self) -> Event | None:
        b = self._buf
        if len(b) < 2:
            return None
        fin, rsv, op = b[0] & 0x80, (b[0] >> 4) & 7, b[0] & 0x0F
        masked, n, at = b[1] & 0x80, b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, at = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, at = struct.unpack("!Q", b[2:10])[0], 10
        if masked:
            at += 4
        if len(b) < at + n:
            return None
        payload = b[at:at + n]
        if masked:
            payload = _xor(payload, b[at - 4:at])
        self._buf = b[at + n:]
        if masked:
            return Event("bad", b"masked server frame")
        if op >= 0x8:
            if op not in _NAMES:
                return Event("bad", f"opcode {op:#x}".encode())
            if op == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return Event("close", payload[2:], code)
            return Event(_NAMES[op], payload)
        if op != CONT:
            if op not in _NAMES:
                return Event("bad", f"opcode {op:#x}".encode())
            self._message, self._message_op = [], op
            self._message_compressed = bool(rsv & 4)
        self._message.append(payload)
        if not fin:
            return Event("")
        data = b"".join(self._message)
        if self._message_compressed:
            if self._inflate is None:
                return Event("bad", b"RSV1 without permessage-deflate")
            try:
                data = self._inflate_message(data + b"\x00\x00\xff\xff")
            except zlib.error as exc:
                return Event("bad", f"the server's compressed message does not inflate: {exc}".encode())
            if "server_no_context_takeover" in self.extension:
                self._inflate = zlib.decompressobj(self._inflate_bits)
        return Event(_NAMES[self._message_op], data)

    def _inflate_message(self, data: bytes) -> bytes:
        """Inflates at most one window per call: zlib checks a match's distance against the
        window only when it cannot reach back into the same call's output."""
        assert self._inflate is not None
        step, out = 1 << -self._inflate_bits, []
        while data:
            out.append(self._inflate.decompress(data, step))
            data = self._inflate.unconsumed_tail
        return b"".join(out)

    def shutdown(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

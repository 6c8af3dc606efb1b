"""client/py-asyncio: a pure-Python HTTP/1.1 client on asyncio streams, written here: per-host
keep-alive pools, Content-Length/chunked/close-delimited bodies, gzip/deflate, redirects,
connect/read/total timeouts, and the whole policy (via _policy.run_async)."""

from __future__ import annotations

import asyncio
import ssl
import zlib
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

from ._policy import headers_dict, host_key, run_async
from .base import (AsyncioClient, ClientResponse, FetchError, FetchResult, Policy, Request,
                   http_version_of)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_HEAD = 64 * 1024


class _Fail(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        self.writer.close()


class _Pool:
    """Idle keep-alive connections per scheme://host:port."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.idle: dict[str, list[_Conn]] = {}
        self.tls: ssl.SSLContext | None = None

    def _tls(self) -> ssl.SSLContext:
        if self.tls is None:
            ctx = ssl.create_default_context(cafile=self.policy.ca_file)
            if not self.policy.verify_tls:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            self.tls = ctx
        return self.tls

    async def get(self, scheme: str, host: str, port: int) -> tuple[_Conn, bool]:
        key = f"{scheme}://{host}:{port}"
        idle = self.idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.reader.at_eof():
                return conn, True
            conn.close()
        try:
            r, w = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=self._tls() if scheme == "https" else None,
                                        limit=_MAX_HEAD),
                self.policy.connect_timeout or None)
        except asyncio.TimeoutError:
            raise _Fail("timeout", f"connect timeout after {self.policy.connect_timeout} s") from None
        except ssl.SSLError as exc:
            raise _Fail("tls", str(exc)) from None
        except OSError as exc:
            raise _Fail("connect", str(exc) or type(exc).__name__) from None
        return _Conn(r, w), False

    def put(self, scheme: str, host: str, port: int, conn: _Conn) -> None:
        self.idle.setdefault(f"{scheme}://{host}:{port}", []).append(conn)

    def close(self) -> None:
        for conns in self.idle.values():
            for c in conns:
                c.close()
        self.idle.clear()


class _Exchange:
    """One request/response on one connection."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    async def _read(self, coro):
        try:
            return await asyncio.wait_for(coro, self.policy.read_timeout or None)
        except asyncio.TimeoutError:
            raise _Fail("timeout", f"read timeout: no data for {self.policy.read_timeout} s") from None
        except asyncio.IncompleteReadError:
            raise _Fail("reset", "connection closed before the response was complete") from None
        except asyncio.LimitOverrunError:
            raise _Fail("protocol", "response head too large") from None
        except ssl.SSLError as exc:
            raise _Fail("tls", str(exc)) from None
        except (ConnectionError, OSError) as exc:
            raise _Fail("reset", str(exc) or type(exc).__name__) from None

    async def run(self, conn: _Conn, method: str, target: str, host_header: str,
                  headers: tuple, body: bytes
                  ) -> tuple[int, list[tuple[str, str]], bytes, bool, str]:
        """(status, fields, decoded body, keep-alive, HTTP-version) of the final response."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host_header}"]
        names = {n.lower() for n, _ in headers}
        if "user-agent" not in names and self.policy.user_agent:
            lines.append(f"User-Agent: {self.policy.user_agent}")
        if "accept-encoding" not in names:
            lines.append("Accept-Encoding: gzip, deflate")
        if "accept" not in names:
            lines.append("Accept: */*")
        lines.extend(f"{n}: {v}" for n, v in headers)
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            conn.writer.write(data)
            await conn.writer.drain()
        except (ConnectionError, OSError) as exc:
            raise _Fail("reset", str(exc) or type(exc).__name__) from None
        while True:
            head = await self._read(conn.reader.readuntil(b"\r\n\r\n"))
            status, fields, version = self._head(head)
            if not 100 <= status < 200 or status == 101:
                break
        hdrs = headers_dict(fields)
        keep = version == "HTTP/1.1" and hdrs.get("connection", "").lower() != "close"
        if method == "HEAD" or status in (204, 304):
            raw = b""
        elif "chunked" in hdrs.get("transfer-encoding", "").lower():
            raw = await self._chunked(conn)
        elif "content-length" in hdrs:
            try:
                length = int(hdrs["content-length"])
            except ValueError:
                raise _Fail("protocol", "bad Content-Length") from None
            if length > self.policy.max_body_bytes:
                raise _Fail("too_large", f"body larger than max_body_bytes ({self.policy.max_body_bytes})")
            raw = await self._read(conn.reader.readexactly(length))
        else:
            raw = await self._read(conn.reader.read(self.policy.max_body_bytes + 1))
            keep = False
        if len(raw) > self.policy.max_body_bytes:
            raise _Fail("too_large", f"body larger than max_body_bytes ({self.policy.max_body_bytes})")
        return (status, fields, self._decode(raw, hdrs.get("content-encoding", "")), keep,
                http_version_of(version))

    @staticmethod
    def _head(head: bytes) -> tuple[int, list[tuple[str, str]], str]:
        text = head.decode("latin-1").split("\r\n")
        parts = text[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise _Fail("protocol", f"bad status line {text[0][:60]!r}")
        fields = []
        for line in text[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _Fail("protocol", f"bad header line {line[:60]!r}")
            fields.append((name, value.strip(" \t")))
        return int(parts[1]), fields, parts[0]

    async def _chunked(self, conn: _Conn) -> bytes:
        out = bytearray()
        while True:
            line = await self._read(conn.reader.readuntil(b"\r\n"))
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _Fail("protocol", "bad chunk size") from None
            if size == 0:
                while (await self._read(conn.reader.readuntil(b"\r\n"))) != b"\r\n":
                    pass  # trailers
                return bytes(out)
            if len(out) + size > self.policy.max_body_bytes:
                raise _Fail("too_large", f"body larger than max_body_bytes ({self.policy.max_body_bytes})")
            out += await self._read(conn.reader.readexactly(size))
            await self._read(conn.reader.readexactly(2))

    @staticmethod
    def _decode(raw: bytes, encoding: str) -> bytes:
        enc = encoding.strip().lower()
        try:
            if enc in ("gzip", "x-gzip"):
                return zlib.decompress(raw, 16 + zlib.MAX_WBITS)
            if enc == "deflate":
                try:
                    return zlib.decompress(raw)
                except zlib.error:
                    return zlib.decompress(raw, -zlib.MAX_WBITS)
        except zlib.error as exc:
            raise _Fail("protocol", f"bad {enc} body: {exc}") from None
        return raw


class PyAsyncioClient(AsyncioClient):
    name: ClassVar[str] = "py-asyncio"
    features: ClassVar[frozenset[str]] = AsyncioClient.features - {"proxy"}

    async def _run(self, requests: list[Request], policy: Policy) -> list[FetchResult]:
        pool = _Pool(policy)
        try:
            return await run_async(requests, policy, lambda r: self._send(pool, policy, r))
        finally:
            pool.close()

    async def _send(self, pool: _Pool, policy: Policy, req: Request) -> FetchResult:
        try:
            if policy.total_timeout:
                return await asyncio.wait_for(self._follow(pool, policy, req), policy.total_timeout)
            return await self._follow(pool, policy, req)
        except asyncio.TimeoutError:
            return FetchError("timeout", f"total timeout after {policy.total_timeout} s")
        except _Fail as f:
            return FetchError(f.kind, str(f))

    async def _follow(self, pool: _Pool, policy: Policy, req: Request) -> FetchResult:
        method, url, headers, body = req.method, req.url, req.headers, bytes(req.body)
        for hop in range(policy.max_redirects + 1):
            p = urlsplit(url)
            scheme = p.scheme.lower()
            if scheme not in ("http", "https"):
                raise _Fail("redirects", f"redirect to unsupported scheme {scheme!r}")
            host = p.hostname or ""
            port = p.port or (443 if scheme == "https" else 80)
            default = (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
            host_header = (f"[{host}]" if ":" in host else host) + ("" if default else f":{port}")
            target = (p.path or "/") + (f"?{p.query}" if p.query else "")
            conn, _ = await pool.get(scheme, host, port)
            try:
                status, fields, data, keep, version = await _Exchange(policy).run(
                    conn, method, target, host_header, headers, body)
            except BaseException:
                conn.close()
                raise
            if keep:
                pool.put(scheme, host, port, conn)
            else:
                conn.close()
            hdrs = headers_dict(fields)
            if policy.follow_redirects and status in _REDIRECTS and "location" in hdrs:
                if hop == policy.max_redirects:
                    raise _Fail("redirects", f"more than {policy.max_redirects} redirects")
                nxt = urljoin(url, hdrs["location"])
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, body = ("GET" if method != "HEAD" else "HEAD"), b""
                if host_key(nxt) != host_key(url):
                    # Credentials stay with the host they were meant for.
                    headers = tuple((n, v) for n, v in headers
                                    if n.lower() not in ("authorization", "cookie"))
                url = nxt
                continue
            return ClientResponse(status, hdrs, data, url, http_version=version)
        raise _Fail("redirects", f"more than {policy.max_redirects} redirects")

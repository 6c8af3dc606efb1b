"""parser/py-baseline: a strict HTTP/1.1 request parser in plain Python (RFC 9112 framing).

It follows the same contract as the native core (cores/parser/include/lapwise/parser/http.h),
so the two must agree on every conformance case: CRLF line endings only, no obs-fold, tokens
and values checked byte by byte, Host/Content-Length/Transfer-Encoding rules that close the
request-smuggling vectors, and the same limits mapped to the same statuses. Written for
clarity first; it is the reference the micro benchmarks verify every other adapter against.
"""

from __future__ import annotations

import re
from typing import ClassVar

from lapwise.http import TCHARS

from .base import PARTIAL, Header, Parsed, ParseError, Parser, ParseResult

_TCHAR = frozenset(ord(c) for c in TCHARS)  # as byte values: this parser works on bytes
# field-vchar / SP / HTAB / obs-text: everything but CTLs (HTAB allowed) and DEL.
_VALUE_BAD = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_TARGET_OK = re.compile(rb"[\x21-\x7e]+")
_DIGITS = re.compile(rb"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
# uri-host [ ":" port ]: unreserved, pct-encoded, sub-delims, ":" and IP-literal brackets.
_HOST_OK = re.compile(rb"[A-Za-z0-9\-._~%!$&'()*+,;=:\[\]]*")
# chunk-ext after the size: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_CHUNK_EXT = re.compile(rb"(?:[ \t]*;[ \t]*" + _TOKEN + rb"(?:[ \t]*=[ \t]*(?:" + _TOKEN + rb"|"
                        + _QUOTED + rb"))?)*")
_U64 = 1 << 64


class _Fail(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _check_open_line(buf: bytes, start: int) -> None:
    """An unterminated line: a LF (bare) or a CR not at the very end is already an error."""
    if buf.find(b"\n", start) >= 0:
        raise _Fail(400, "bare LF")
    cr = buf.find(b"\r", start)
    if 0 <= cr < len(buf) - 1:
        raise _Fail(400, "bare CR")


# What an unterminated line may still become; a byte outside these shapes is an error now.
_OPEN_FIELD = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?::[\t\x20-\x7e\x80-\xff]*\r?)?")
_OPEN_METHOD = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]*")
_VERSION_SHAPE = b"HTTP/0.0"


def _request_line(part: bytes) -> tuple[bytes, bytes, str, int] | None:
    """request-line = method SP request-target SP HTTP-version CRLF, read left to right in
    ``part`` (the bytes the limit allows), failing at the first byte that rules it out, as the
    native core does: (method, target, version, bytes used) or None when more is needed."""
    method, sp, rest = part.partition(b" ")
    if not _OPEN_METHOD.fullmatch(method):
        raise _Fail(400, "invalid byte in method")
    if not sp:
        return None
    if not method:
        raise _Fail(400, "empty method")
    target, sp, version = rest.partition(b" ")
    if target and not _TARGET_OK.fullmatch(target):
        raise _Fail(400, "invalid byte in request target")
    if not sp:
        return None
    if not target:
        raise _Fail(400, "empty request target")
    for i, c in enumerate(version[:8]):
        if not (48 <= c <= 57 if i in (5, 7) else c == _VERSION_SHAPE[i]):
            raise _Fail(400, "malformed HTTP version")
    if len(version) < 8:
        return None
    if version[:8] not in (b"HTTP/1.0", b"HTTP/1.1"):
        raise _Fail(505, f"HTTP/{version[5:8].decode()} is not supported")
    tail = version[8:10]
    if tail != b"\r\n"[:len(tail)]:
        raise _Fail(400, "malformed HTTP version" if tail[:1] != b"\r" else "bare CR")
    if len(tail) < 2:
        return None
    return method, target, version[5:8].decode(), len(method) + len(target) + 12


def _check_open_field(part: bytes, count: int, budget: int) -> None:
    """The start of a field line, CRLF not yet received (see _check_open_request_line)."""
    if not part or part == b"\r":
        return
    if part[0] in b" \t":
        raise _Fail(400, "obs-fold (line folding) is not allowed")
    if part[0] in _TCHAR and count >= budget:
        raise _Fail(431, "too many header fields")
    if not _OPEN_FIELD.fullmatch(part):
        raise _Fail(400, "invalid field line")


def _check_line(line: bytes) -> None:
    if b"\r" in line:
        raise _Fail(400, "bare CR")
    if b"\n" in line:
        raise _Fail(400, "bare LF")


def _field_lines(buf: bytes, pos: int, budget: int, limit_bytes: int, what: str
                 ) -> tuple[list[Header], int] | None:
    """Parses field lines from ``pos`` up to and including the empty line. Returns the fields
    and the position after the section, or None when more bytes are needed. ``budget`` is how
    many more fields fit; ``limit_bytes`` bounds the section including its final CRLF."""
    fields: list[Header] = []
    start = pos
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            _check_open_line(buf, pos)
            _check_open_field(buf[pos:start + limit_bytes], len(fields), budget)
            if len(buf) - start > limit_bytes:
                raise _Fail(431, f"{what} section too large")
            return None
        if eol + 2 - start > limit_bytes:
            raise _Fail(431, f"{what} section too large")
        line = buf[pos:eol]
        pos = eol + 2
        if not line:
            return fields, pos
        _check_line(line)
        if line[0] in b" \t":
            raise _Fail(400, "obs-fold (line folding) is not allowed")
        colon = line.find(b":")
        if colon <= 0:
            raise _Fail(400, "field line without a name")
        name = line[:colon]
        if name[-1] in b" \t":
            raise _Fail(400, "whitespace before the colon")
        if any(c not in _TCHAR for c in name):
            raise _Fail(400, "invalid byte in field name")
        value = line[colon + 1:].strip(b" \t")
        if _VALUE_BAD.search(value):
            raise _Fail(400, "control byte in field value")
        if len(fields) >= budget:
            raise _Fail(431, "too many header fields")
        fields.append((name.decode("latin-1"), value.decode("latin-1")))


def _list_items(values: list[str]) -> list[str]:
    return [item.strip(" \t") for v in values for item in v.split(",")]


def _content_length(values: list[str]) -> int:
    items = _list_items(values)
    if any(not _DIGITS.fullmatch(i.encode("latin-1")) for i in items):
        raise _Fail(400, "malformed Content-Length")
    numbers = {int(i) for i in items}
    if len(numbers) != 1:
        raise _Fail(400, "differing Content-Length values")
    (length,) = numbers
    if length >= _U64:
        raise _Fail(400, "Content-Length overflows")
    return length


def _transfer_codings(values: list[str]) -> list[str]:
    """The codings named (lower-cased), in order. transfer-coding = token *( OWS ";" OWS
    parameter ): empty list elements are skipped but one must be named; chunked takes no
    parameters and may appear once; other codings' parameters are ignored (they are refused
    later anyway)."""
    codings: list[str] = []
    for item in _list_items(values):
        if not item:
            continue
        m = _TOKEN_RE.match(item.encode("latin-1"))
        if m is None or (m.end() < len(item) and item[m.end()] not in "; \t"):
            raise _Fail(400, "malformed Transfer-Encoding")
        coding = item[:m.end()].lower()
        if coding == "chunked" and ("chunked" in codings or m.end() < len(item)):
            raise _Fail(400, "chunked applied twice or with parameters")
        codings.append(coding)
    if not codings:
        raise _Fail(400, "empty Transfer-Encoding")
    return codings


_TOKEN_RE = re.compile(_TOKEN)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")


def _split_target(target: str, method: str) -> tuple[str, str]:
    """(path, query) of a request-target (RFC 9112 §3.2): origin "/p?q", absolute
    "http://h/p?q" (path "/" when empty), authority "h:443" (CONNECT only: no path, no query),
    asterisk "*" (OPTIONS only). A fragment is never part of a request-target."""
    if "#" in target:
        raise _Fail(400, "fragment in request target")
    if method == "CONNECT":
        if "?" in target or "/" in target:
            raise _Fail(400, "CONNECT needs an authority-form target")
        return "", ""
    path, q, query = target.partition("?")
    if target.startswith("/"):
        return path, query
    if target == "*":
        if method != "OPTIONS":
            raise _Fail(400, "asterisk-form target outside OPTIONS")
        return "*", ""
    scheme, colon, rest = path.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        raise _Fail(400, "malformed request target")
    if rest.startswith("//"):
        slash = rest.find("/", 2)
        rest = "" if slash < 0 else rest[slash:]
    return rest or "/", query


class PyBaselineParser(Parser):
    name: ClassVar[str] = "py-baseline"

    def parse_request(self, buf: bytes) -> ParseResult:
        try:
            return self._parse(bytes(buf))
        except _Fail as f:
            return ParseError(f.status, f.reason)

    def _parse(self, buf: bytes) -> ParseResult:
        lim = self.limits
        pos = 0
        while buf.startswith(b"\r\n", pos):  # RFC 9112 §2.2: skip empty lines before a request
            pos += 2
        if buf.startswith(b"\r", pos):  # not a CRLF, else the loop took it
            if len(buf) > pos + 1:
                raise _Fail(400, "bare CR")
            return PARTIAL
        # The line, CRLF included, must fit in max_request_line + 2 bytes (leading CRLFs count).
        window = lim.max_request_line + 2
        line = _request_line(buf[pos:window])
        if line is None:
            if len(buf) > window:
                raise _Fail(414, "request line too long")
            return PARTIAL
        raw_method, raw_target, version, used = line

        section = _field_lines(buf, pos + used, lim.max_headers, lim.max_header_bytes, "header")
        if section is None:
            return PARTIAL
        headers, pos = section
        method = raw_method.decode("latin-1")
        target = raw_target.decode("latin-1")
        path, query = _split_target(target, method)

        # What the fields mean for framing (RFC 9112 §6), Host (§3.2) and persistence (§9.3).
        by_name: dict[str, list[str]] = {}
        for n, val in headers:
            by_name.setdefault(n.lower(), []).append(val)
        te = by_name.get("transfer-encoding")
        cl = by_name.get("content-length")
        length = _content_length(cl) if cl is not None else 0
        codings = _transfer_codings(te) if te is not None else []
        hosts = by_name.get("host", [])
        if len(hosts) > 1:
            raise _Fail(400, "duplicate Host")
        if not hosts and version == "1.1":
            raise _Fail(400, "missing Host")
        if hosts and not _HOST_OK.fullmatch(hosts[0].encode("latin-1")):
            raise _Fail(400, "invalid Host")
        if te is not None:
            if version == "1.0":
                raise _Fail(400, "Transfer-Encoding in HTTP/1.0")
            if cl is not None:
                raise _Fail(400, "Transfer-Encoding with Content-Length")
            if codings[-1] != "chunked":
                raise _Fail(400, "chunked is not the final transfer coding")
            if len(codings) > 1:
                raise _Fail(501, f"transfer coding {codings[0]!r} is not implemented")
        tokens = {t.lower() for t in _list_items(by_name.get("connection", []))}
        keep_alive = ("close" not in tokens) if version == "1.1" else (
            "keep-alive" in tokens and "close" not in tokens)

        trailers: list[Header] = []
        if te is not None:
            framing = "chunked"
            decoded = self._chunked(buf, pos, lim.max_headers - len(headers))
            if decoded is None:
                return PARTIAL
            body, trailers, end = decoded
        elif cl is not None:
            framing = "length"
            if length > lim.max_body:
                raise _Fail(413, "body too large")
            if len(buf) - pos < length:
                return PARTIAL
            body, end = buf[pos:pos + length], pos + length
        else:
            framing, body, end = "none", b"", pos
        return Parsed(method=method, target=target, path=path, query=query, version=version,
                      headers=headers, framing=framing, body=body, consumed=end,
                      keep_alive=keep_alive, trailers=trailers)

    def _chunked(self, buf: bytes, pos: int, trailer_budget: int
                 ) -> tuple[bytes, list[Header], int] | None:
        lim = self.limits
        chunks: list[bytes] = []
        total = 0
        while True:
            # chunk-size [ chunk-ext ] CRLF, judged once its LF is in (within the line limit).
            lf = buf.find(b"\n", pos, pos + lim.max_chunk_line)
            if lf < 0:
                if len(buf) - pos >= lim.max_chunk_line:
                    raise _Fail(400, "chunk line too long")
                return None
            if lf == pos or buf[lf - 1] != 13:
                raise _Fail(400, "bare LF")
            eol = lf - 1
            line = buf[pos:eol]
            size_m = _HEX.match(line)
            if size_m is None:
                raise _Fail(400, "malformed chunk size")
            size = int(size_m[0], 16)
            if size >= _U64:
                raise _Fail(400, "chunk size overflows")
            if not _CHUNK_EXT.fullmatch(line, size_m.end()):
                raise _Fail(400, "malformed chunk extension")
            if total + size > lim.max_body:
                raise _Fail(413, "body too large")
            pos = eol + 2
            if size == 0:
                section = _field_lines(buf, pos, trailer_budget, lim.max_header_bytes, "trailer")
                if section is None:
                    return None
                trailers, end = section
                return b"".join(chunks), trailers, end
            data_end = pos + size
            if len(buf) < data_end:
                return None
            tail = buf[data_end:data_end + 2]
            if tail != b"\r\n"[:len(tail)]:
                raise _Fail(400, "chunk data not followed by CRLF")
            if len(tail) < 2:
                return None
            chunks.append(buf[pos:data_end])
            total += size
            pos = data_end + 2

"""An incremental ``multipart/form-data`` reader (RFC 7578 over RFC 2046's multipart syntax).

    parser = MultipartParser(boundary, FormLimits())
    for chunk in body_chunks:        # any split: one byte at a time reads the same
        parser.feed(chunk)
    form = parser.close()            # FormData; FormError (400/413) on a bad or oversized body

The body is ``preamble CRLF --boundary *LWSP CRLF part CRLF --boundary ... --boundary--
epilogue``; the first delimiter may open the body without its CRLF, the preamble and epilogue
are ignored. Each part is a header block (``Name: value`` lines, CRLF each, then CRLF; folded
lines are joined), then its content up to the next CRLF--boundary. Its Content-Disposition
must be ``form-data`` with a ``name``; a ``filename`` (or RFC 5987 ``filename*``, which wins)
makes it a file part (``UploadFile``), else its value is text, decoded with the part's
``charset`` (default UTF-8; undecodable bytes become U+FFFD). Quoted parameter values take
``\\"`` and ``\\\\`` as escapes and keep any other backslash (browsers send Windows paths raw and
percent-encode quotes and line breaks instead).

Memory stays bounded while reading: the parser holds at most one delimiter's length of
undecided bytes between feeds, a part's headers (``max_part_header_bytes``), a text value
(``max_field_bytes``), and a file part's first ``spool_bytes`` (the rest goes to a temporary
file). Over a limit it raises FormError(413); malformed input raises FormError(400). Either
way, and on ``abort()``, the file parts read so far are closed.
"""

from __future__ import annotations

import codecs
import re
import urllib.parse

from ._app_form_types import FormData, FormError, FormLimits, FormValue, UploadFile

_PREAMBLE, _AFTER_DELIMITER, _HEADERS, _BODY, _DONE = range(5)
_BCHARS = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]\Z")
_MAX_PADDING = 1024  # transport padding after a delimiter (RFC 2046 LWSP) tolerated


def check_boundary(boundary: str) -> bytes:
    """The boundary as bytes; FormError(400) unless it has RFC 2046's form (1..70 bchars, not
    ending in a space)."""
    if not _BCHARS.match(boundary):
        raise FormError(400, f"multipart boundary {boundary!r} is not 1..70 of RFC 2046's characters")
    return boundary.encode("ascii")


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """A header value ``kind; name=value; name="quoted"`` as (lower-case kind, {lower-case
    name: value}); the first of a repeated parameter wins."""
    kind, _, rest = value.partition(";")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " \t;":
            i += 1
        start = i
        while i < n and rest[i] not in "=;":
            i += 1
        name = rest[start:i].strip().lower()
        if i >= n or rest[i] == ";":
            continue  # a parameter without a value is ignored
        i += 1
        while i < n and rest[i] in " \t":
            i += 1
        if i < n and rest[i] == '"':
            i += 1
            out = []
            while i < n and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < n and rest[i + 1] in '"\\':
                    i += 1
                out.append(rest[i])
                i += 1
            i += 1  # the closing quote (an unterminated value ends the header)
            text = "".join(out)
        else:
            start = i
            while i < n and rest[i] != ";":
                i += 1
            text = rest[start:i].strip()
        if name:
            params.setdefault(name, text)
    return kind.strip().lower(), params


def _ext_value(value: str) -> str | None:
    """An RFC 5987 ``charset'lang'percent-encoded`` value decoded; None when malformed."""
    charset, quote1, rest = value.partition("'")
    _, quote2, encoded = rest.partition("'")
    if not (quote1 and quote2) or charset.lower() not in ("utf-8", "iso-8859-1"):
        return None
    return urllib.parse.unquote(encoded, encoding=charset, errors="replace")


def _parse_headers(block: bytes) -> dict[str, str]:
    """A part's header block (without the blank line) as {lower-case name: value}."""
    headers: dict[str, str] = {}
    last = ""
    for line in block.decode("utf-8", "replace").split("\r\n"):
        if not line:
            continue
        if line[0] in " \t" and last:  # an obsolete folded line continues the previous one
            headers[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise FormError(400, f"malformed multipart part header line {line[:80]!r}")
        last = name.lower()
        headers.setdefault(last, value.strip())
    return headers


class MultipartParser:
    """Reads one multipart/form-data body fed in chunks; see the module doc."""

    def __init__(self, boundary: bytes, limits: FormLimits) -> None:
        self.limits = limits
        self._delimiter = b"--" + boundary
        self._next = b"\r\n" + self._delimiter  # what ends a part's content
        self._buf = bytearray()
        self._state = _PREAMBLE
        self._at_start = True  # nothing dropped yet: the body may open with the delimiter
        self._items: list[tuple[str, FormValue]] = []
        self._name = ""
        self._file: UploadFile | None = None
        self._text = bytearray()
        self._charset = "utf-8"

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        if self._state == _DONE:
            return  # the epilogue: ignored
        self._buf += data
        try:
            while self._step():
                pass
        except BaseException:
            self.abort()
            raise

    def close(self) -> FormData:
        """The form, once the whole body was fed; FormError(400) if it ended early."""
        if self._state != _DONE:
            self.abort()
            raise FormError(400, "multipart body ended before its closing boundary")
        return FormData(self._items)

    def abort(self) -> None:
        """Closes every file part read so far (the body is being given up)."""
        FormData(self._items).close()
        if self._file is not None:
            self._file.close()
        self._items = []
        self._file = None
        self._state = _DONE

    # One step of the state machine: True when it consumed something and may go on.
    def _step(self) -> bool:
        buf = self._buf
        if self._state == _PREAMBLE:
            if self._at_start and buf.startswith(self._delimiter):  # no preamble
                del buf[:len(self._delimiter)]
            else:
                at = buf.find(self._next)
                if at < 0:
                    drop = len(buf) - len(self._next) + 1  # the preamble is not kept
                    if drop > 0:
                        del buf[:drop]
                        self._at_start = False
                    return False
                del buf[:at + len(self._next)]
            self._state = _AFTER_DELIMITER
            return True
        if self._state == _AFTER_DELIMITER:
            return self._after_delimiter()
        if self._state == _HEADERS:
            return self._headers()
        if self._state == _BODY:
            return self._body()
        return False

    def _after_delimiter(self) -> bool:
        buf = self._buf
        if len(buf) < 2:
            return False
        if buf[:2] == b"--":  # the close delimiter: what follows is the epilogue
            self._state = _DONE
            buf.clear()
            return False
        i = 0
        while i < len(buf) and buf[i] in b" \t":
            i += 1
        if i + 2 > len(buf):
            if i > _MAX_PADDING:
                raise FormError(400, "malformed multipart delimiter line")
            return False
        if buf[i:i + 2] != b"\r\n":
            raise FormError(400, "malformed multipart delimiter line (no CRLF after the boundary)")
        del buf[:i + 2]
        self._state = _HEADERS
        return True

    def _headers(self) -> bool:
        buf = self._buf
        limit = self.limits.max_part_header_bytes
        if buf.startswith(b"\r\n"):
            end, block = 2, b""
        else:
            at = buf.find(b"\r\n\r\n", 0, limit + 4)
            if at < 0:
                if len(buf) >= limit + 4:
                    raise FormError(413, f"a multipart part's headers exceed {limit} bytes")
                return False
            end, block = at + 4, bytes(buf[:at])
        del buf[:end]
        self._start_part(_parse_headers(block))
        self._state = _BODY
        return True

    def _start_part(self, headers: dict[str, str]) -> None:
        if len(self._items) >= self.limits.max_parts:
            raise FormError(413, f"the form has more than {self.limits.max_parts} parts")
        kind, params = parse_params(headers.get("content-disposition", ""))
        if kind != "form-data" or "name" not in params:
            raise FormError(400, "a multipart part lacks Content-Disposition: form-data with a name")
        self._name = params["name"]
        filename = params.get("filename")
        if "filename*" in params:
            filename = _ext_value(params["filename*"]) or filename
        ctype = headers.get("content-type", "")
        if filename is not None:
            self._file = UploadFile(filename, ctype or "application/octet-stream", headers,
                                    self.limits.spool_bytes)
            return
        self._file = None
        self._text = bytearray()
        charset = parse_params(ctype)[1].get("charset", "utf-8") if ctype else "utf-8"
        try:
            self._charset = codecs.lookup(charset).name
        except LookupError:
            raise FormError(400, f"unknown charset {charset!r} in a multipart part") from None

    def _body(self) -> bool:
        buf = self._buf
        at = buf.find(self._next)
        if at < 0:
            keep = len(self._next) - 1  # a delimiter may begin in the last bytes
            if len(buf) > keep:
                self._content(memoryview(buf)[:len(buf) - keep])
                del buf[:len(buf) - keep]
            return False
        self._content(memoryview(buf)[:at])
        del buf[:at + len(self._next)]
        self._end_part()
        self._state = _AFTER_DELIMITER
        return True

    def _content(self, data: memoryview) -> None:
        if not data:
            return
        if self._file is not None:
            cap = self.limits.max_file_bytes
            if cap is not None and self._file.size + len(data) > cap:
                raise FormError(413, f"file part {self._name!r} exceeds {cap} bytes")
            self._file.write(data)
            return
        cap = self.limits.max_field_bytes
        if len(self._text) + len(data) > cap:
            raise FormError(413, f"form field {self._name!r} exceeds {cap} bytes")
        self._text += data

    def _end_part(self) -> None:
        value: FormValue
        if self._file is not None:
            self._file.seek(0)
            value, self._file = self._file, None
        else:
            value = self._text.decode(self._charset, "replace")
        self._items.append((self._name, value))

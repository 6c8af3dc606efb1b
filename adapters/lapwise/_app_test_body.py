"""The request a test client sends, from its keyword arguments (``lapwise.testing``): the
target with ``params`` added to its query, and the body from ``json``, ``data``, ``files`` or
``content`` with its Content-Type, as httpx (Starlette's TestClient) and Werkzeug (Flask's)
encode them."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from . import json as lapwise_json

Pairs = Mapping[str, Any] | Iterable[tuple[str, Any]]


def pairs_of(values: Pairs | None) -> list[tuple[str, str]]:
    """A mapping or (name, value) pairs as pairs; a list or tuple value gives one pair per item
    (repeated names, as ``urlencode(doseq=True)``)."""
    items = values.items() if isinstance(values, Mapping) else (values or ())
    out: list[tuple[str, str]] = []
    for name, value in items:
        for one in value if isinstance(value, (list, tuple)) else (value,):
            out.append((str(name), "" if one is None else str(one)))
    return out


def with_params(target: str, params: Pairs | None) -> str:
    """``target`` with ``params`` url-encoded onto its query string."""
    if not params:
        return target
    extra = urlencode(pairs_of(params))
    return f"{target}{'&' if '?' in target else '?'}{extra}"


def _quoted(text: str) -> str:
    """A multipart name or filename inside double quotes, as browsers escape it (WHATWG)."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _file_part(value: Any) -> tuple[str, bytes, str]:
    """(filename, content, content type) of a ``files`` value: bytes, a file object, or
    (filename, bytes or file[, content type]) as httpx takes it."""
    if isinstance(value, tuple):
        filename, content = value[0], value[1]
        ctype = value[2] if len(value) > 2 else "application/octet-stream"
    else:
        filename, content, ctype = getattr(value, "name", "upload"), value, "application/octet-stream"
    if isinstance(content, str):
        content = content.encode()
    elif not isinstance(content, (bytes, bytearray)):
        content = content.read()
        content = content.encode() if isinstance(content, str) else content
    return str(filename).rsplit("/", 1)[-1], bytes(content), ctype


def multipart_body(fields: list[tuple[str, str]], files: Pairs) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of the text fields then the files; (body, Content-Type)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    items = files.items() if isinstance(files, Mapping) else files
    for name, value in items:
        filename, content, ctype = _file_part(value)
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"; '
                  f'filename="{_quoted(filename)}"\r\nContent-Type: {ctype}\r\n\r\n'.encode())
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def encode_body(json: Any = None, data: Any = None, files: Pairs | None = None,
                content: bytes | str | None = None) -> tuple[bytes, str | None]:
    """(body, Content-Type or None) of one request: ``json`` (lapwise.json), ``data`` as a
    form (a mapping or pairs; url-encoded, or multipart with ``files``) or raw (bytes or str),
    ``content`` raw. TypeError when more than one kind of body is given."""
    given = [k for k, v in (("json", json), ("content", content)) if v is not None]
    if data is not None or files is not None:
        given.append("data/files")
    if len(given) > 1:
        raise TypeError(f"one body per request: {' and '.join(given)} given")
    if json is not None:
        return lapwise_json.dumps(json), "application/json"
    if content is not None or isinstance(data, (bytes, bytearray, str)):
        raw = content if content is not None else data
        return (raw.encode() if isinstance(raw, str) else bytes(raw)), None
    if files:
        return multipart_body(pairs_of(data), files)
    if data is not None:
        return urlencode(pairs_of(data)).encode(), "application/x-www-form-urlencoded"
    return b"", None

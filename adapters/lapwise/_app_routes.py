"""Route bookkeeping for lapwise.App: which parameters are ``{name:int}``, the URL of a named
route (``App.url_for``), how a const body is rendered, and the JSON functions the native
server calls."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from . import _native_status

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}")


def int_mask(pattern: str) -> int:
    """Bit i set when the i-th parameter of ``pattern`` is ``{name:int}`` (converted to int)."""
    mask = 0
    for i, m in enumerate(_PARAM.finditer(pattern)):
        if m.group(2) == "int":
            mask |= 1 << i
    return mask


class RouteNames:
    """Route name -> pattern, for ``App.url_for``. A name given to two different patterns is
    ambiguous: ``url_for`` refuses it, naming it (give each route its own ``name=``)."""

    def __init__(self) -> None:
        self._patterns: dict[str, str | None] = {}

    def add(self, name: str, pattern: str) -> None:
        known = self._patterns.get(name, pattern)
        self._patterns[name] = pattern if known == pattern else None

    def url(self, name: str, params: Mapping[str, Any]) -> str:
        if name not in self._patterns:
            raise LookupError(f"no route is named {name!r}")
        pattern = self._patterns[name]
        if pattern is None:
            raise LookupError(f"several routes are named {name!r}: give each its own name=")
        return reverse(pattern, params)


def reverse(pattern: str, params: Mapping[str, Any]) -> str:
    """``pattern`` with its parameters filled from ``params`` (percent-encoded; a ``{x:path}``
    keeps its slashes, a ``{x:int}`` must be an int); the other ``params`` become the query
    string, in order (None values left out)."""
    left = dict(params)

    def fill(m: re.Match[str]) -> str:
        name, kind = m.group(1), m.group(2)
        if name not in left:
            raise KeyError(f"the route {pattern!r} needs {name!r}")
        value = left.pop(name)
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{name!r} of {pattern!r} is an int, not {value!r}")
        return urllib.parse.quote(str(value), safe="/" if kind == "path" else "")

    path = _PARAM.sub(fill, pattern)
    query = [(k, v) for k, v in left.items() if v is not None]
    return path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")


class JSONBodyError(json.JSONDecodeError):
    """``req.json()`` on a malformed body. lapwise.App answers it 400 (the client's fault),
    unless the handler catches it (it is a ``ValueError``); position, line and column are the
    body's true ones."""


def _true_error(body: bytes, fallback: ValueError) -> JSONBodyError:
    """The error the stdlib parser reports for ``body``: the native parser (simdjson) reports
    some structural errors at the start of the document instead of where they are."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return JSONBodyError(f"invalid UTF-8 ({exc.reason})", body.decode("utf-8", "replace"), exc.start)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return JSONBodyError(exc.msg, exc.doc, exc.pos)
    # The stdlib accepts what the native parser refused (NaN, Infinity, a huge exponent).
    pos = getattr(fallback, "pos", 0)
    return JSONBodyError(getattr(fallback, "msg", str(fallback)), text, pos)


def body_loads(loads: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``req.json()``'s parser: ``loads``, with a malformed body raised as JSONBodyError."""

    def parse(body: Any) -> Any:
        try:
            return loads(body)
        except ValueError as exc:
            raise _true_error(bytes(body), exc) from None

    return parse


def _stdlib_dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def json_functions() -> tuple[Callable[[Any], bytes], Callable[[Any], Any]]:
    """(dumps, loads): the native JSON core when it is built, else the stdlib (compact
    separators, UTF-8). dumps never writes NaN or Infinity (allow_nan=False): they are not
    JSON, and an application/json body must parse anywhere; a handler returning one gets a 500
    whose logged ValueError names the value's path ("$.x: Out of range float values ...").
    The native dumps is strict about dict keys (a handler returning a non-str key gets a 500
    whose logged TypeError names the key's path) and writes exponents without '+' ("1e16");
    the stdlib fallback converts such keys and writes "1e+16"."""
    native = _native_status.module()
    dumps = getattr(native, "json_dumps_strict", None) or _stdlib_dumps
    loads = getattr(native, "json_loads", None) or json.loads
    return dumps, loads


def render_body(body: Any, content_type: str | None) -> tuple[bytes, str]:
    """A const route's body and its media type, rendered once at registration."""
    if isinstance(body, (dict, list)):
        return json_functions()[0](body), content_type or "application/json"
    if isinstance(body, str):
        return body.encode(), content_type or "text/plain; charset=utf-8"
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), content_type or "application/octet-stream"
    raise TypeError(f"a const body must be dict, list, str or bytes, not {type(body).__name__}")

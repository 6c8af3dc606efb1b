"""What every cell of the lap table must do: each step's contract (what it reads and what it
must produce), the request head every family's "parse request" hands on, and where a family's
step boundary differs from the contract.

A cell is comparable with the others in its row only when it does the same work, so the
contract is enforced, not only written: lap_families checks each step's output against it
before anything is timed. The first step is where families differ most: a lazy native result
that has read nothing is not a parsed request, and a peer driven through a conformance wrapper
(framing, keep-alive, pipelining, trailers) does far more than a server needs. So every Python
family's "parse request" ends in the same ``RequestHead``, every field a Python object, built
by the thinnest correct code for that parser.
"""

from __future__ import annotations

from typing import Any

# The contract of each step, in the order of the pipeline (the report prints these).
CONTRACTS = {
    "parse": "raw request bytes -> method, target, path, query, version and every header "
             "(name, value) materialised as Python str (a RequestHead)",
    "build_request": "RequestHead -> the ASGI scope dict: percent-decoded path, raw path and "
                     "query as bytes, every header name lower-cased, as bytes",
    "route": "scope's method and path -> the route's value and its parameters as text",
    "params": "match -> the handler's keyword arguments through the route's converters",
    "query": "scope's query string -> every (name, value) pair, percent-decoded str",
    "handler": "kwargs and query pairs -> the handler's dict",
    "serialize": "the dict -> JSON bytes",
    "response": "JSON bytes -> status line, content-type, content-length and body in one "
                "bytes object",
}

# Where a family's cell does more or less than the contract; the report shows these beside
# the figures so that a ratio across such a boundary is read as what it is.
BOUNDARIES: dict[tuple[str, str], str] = {
    ("native", "parse"): "C++ views into the buffer, no Python objects",
    ("native", "build_request"): "a C++ struct of views, no Python objects",
    ("native", "route"): "C++ only", ("native", "params"): "C++ only",
    ("native", "query"): "C++ strings, no Python objects", ("native", "handler"): "C++ only",
    ("native", "serialize"): "from a C++ value, not a Python dict",
    ("native", "response"): "C++ only",
    ("peer", "build_request"): "also wraps the scope in starlette.Request (what the app sees)",
    ("peer", "response"): "starlette.Response builds the headers, uvicorn writes the head",
}


def boundary(family: str, step: str) -> str:
    """How ``family``'s cell of ``step`` differs from the contract ("" when it does not)."""
    return BOUNDARIES.get((family, step), "")


class RequestHead:
    """The output of "parse request": every field a plain Python object."""

    __slots__ = ("method", "target", "path", "query", "version", "headers")

    def __init__(self, method: str, target: str, path: str, query: str, version: str,
                 headers: list[tuple[str, str]]) -> None:
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers

    def __repr__(self) -> str:
        return (f"RequestHead({self.method} {self.target} HTTP/{self.version}, "
                f"{len(self.headers)} headers)")


def head_of(parsed: Any) -> RequestHead:
    """Reads every field of a parser adapter's result into a RequestHead (a lazy native
    result converts each field here, which is the work the contract asks for)."""
    return RequestHead(parsed.method, parsed.target, parsed.path, parsed.query, parsed.version,
                       [(n, v) for n, v in parsed.headers])


def materialised(out: Any) -> str | None:
    """None when ``out`` is a RequestHead whose fields are all plain str (headers a list of
    (str, str) tuples), else what is not."""
    if type(out) is not RequestHead:
        return f"a {type(out).__name__}, not a RequestHead"
    for name in ("method", "target", "path", "query", "version"):
        if type(getattr(out, name)) is not str:
            return f"{name} is a {type(getattr(out, name)).__name__}, not a str"
    if type(out.headers) is not list:
        return f"headers is a {type(out.headers).__name__}, not a list"
    for h in out.headers:
        if type(h) is not tuple or len(h) != 2 or any(type(x) is not str for x in h):
            return f"header {h!r} is not a (str, str) tuple"
    return None

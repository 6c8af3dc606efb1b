"""The steps of one request, for each Python family, built from the adapter registry.

A family is a way to run the pipeline: ``native-py`` (the C++ cores through their Python
adapters, so the binding's cost shows), ``py-baseline`` (pure Python) and ``peer`` (what
uvicorn + Starlette do for each step). The fourth family, ``native`` (C++ called from C++), is
native_laps.cc. Steps backed by an adapter kind use the first available adapter of the
family's list; the glue steps (build request, params, handler, response) are the few lines of
Python a framework runs between them. A step whose adapter is missing or deselected is
reported as ``n/a: <reason>``, never raised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from suites.adapters import registry
from suites.laps import lap_collectors, lap_contract
from suites.laps.lap_inputs import LapInputs

STEPS = ("parse", "build_request", "route", "params", "query", "handler", "serialize",
         "response")
FAMILIES = ("native", "native-py", "py-baseline", "peer")
PY_FAMILIES = FAMILIES[1:]

STEP_KIND = {"parse": "parser", "route": "router", "query": "query", "serialize": "json"}

# Adapter ids per family and kind, in order of preference (first available wins).
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "native-py": {"parser": ("parser/native",), "router": ("router/native",),
                  "query": ("query/native",), "json": ("json/native",)},
    "py-baseline": {"parser": ("parser/py-baseline",), "router": ("router/py-trie", "router/py-regex"),
                    "query": ("query/urllib",), "json": ("json/stdlib",)},
    # uvicorn parses with httptools; Starlette routes, parses queries (urllib underneath) and
    # serializes with the stdlib json module.
    "peer": {"parser": ("parser/httptools",), "router": ("router/starlette",),
             "query": ("query/starlette",), "json": ("json/stdlib",)},
}


@dataclass
class Step:
    """One step of a family: ``fn(arg)`` is what gets timed, ``impl`` names what runs."""

    name: str
    fn: Callable[[Any], Any] | None
    impl: str
    na: str = ""  # the reason when fn is None


class Unavailable(Exception):
    pass


def pick(family: str, kind: str, selection: str | None = None) -> type:
    """The adapter class a family uses for ``kind``; raises Unavailable with the reason."""
    wanted = CHOICES[family][kind]
    try:
        entries = {e.adapter_id: e for e in registry.entries(kind, selection)}
        all_entries = {e.adapter_id: e for e in registry.entries(kind, "")}
    except ModuleNotFoundError:
        raise Unavailable(f"no {kind} adapters yet (lapwise.{kind} does not exist)") from None
    reasons = []
    for adapter_id in wanted:
        e = entries.get(adapter_id)
        if e is not None and e.cls is not None and e.availability:
            return e.cls
        if e is not None:
            reasons.append(f"{adapter_id} unavailable: {e.availability.reason}")
        elif adapter_id in all_entries:
            reasons.append(f"{adapter_id} not selected")
        else:
            reasons.append(f"{adapter_id} not implemented yet")
    raise Unavailable("; ".join(reasons))


# --- the glue steps: what a framework does between the adapter calls ---------------------

def build_scope(p: Any) -> dict:
    """An ASGI HTTP scope from a RequestHead (what uvicorn hands the app): decoded path,
    raw path and query as bytes, lower-cased header names."""
    path = p.path
    return {"type": "http", "http_version": p.version, "method": p.method, "scheme": "http",
            "path": unquote(path) if "%" in path else path,
            "raw_path": path.encode("latin-1"), "query_string": p.query.encode("latin-1"),
            "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in p.headers]}


def peer_build_request(p: Any) -> Any:
    """uvicorn's scope from the head (its protocol lower-cases header names; parse_url already
    ran in "parse request") and then Starlette's Request around it."""
    from starlette.requests import Request

    path = p.path
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": p.version, "server": None, "client": None, "scheme": "http",
             "method": p.method, "root_path": "",
             "path": unquote(path) if "%" in path else path,
             "raw_path": path.encode("latin-1"), "query_string": p.query.encode("latin-1"),
             "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in p.headers]}
    return Request(scope)


def make_params(inputs: LapInputs) -> Callable[[Any], dict]:
    """Match -> the handler's keyword arguments, through the route's converters."""
    converters = inputs.converters()

    def params(m: Any) -> dict:
        conv = converters[m.value]
        return {k: conv[k](v) for k, v in m.params.items()}

    return params


def make_handler(inputs: LapInputs) -> Callable[[tuple], dict]:
    handler = inputs.handler

    def call_handler(args: tuple) -> dict:
        kwargs, query = args
        return handler(kwargs, query)

    return call_handler


def build_response(body: bytes, media_type: bytes = b"application/json") -> bytes:
    """Status line, the two headers a response needs, and the body, in one buffer."""
    return b"".join((b"HTTP/1.1 200 OK\r\ncontent-type: ", media_type, b"\r\ncontent-length: ",
                     str(len(body)).encode(), b"\r\n\r\n", body))


def peer_build_response(body: bytes, media_type: str = "application/json") -> bytes:
    """Starlette's Response (it computes content-length and content-type) written the way
    uvicorn's httptools protocol writes a response head, then the body."""
    from starlette.responses import Response

    resp = Response(body, media_type=media_type)
    content = [b"HTTP/1.1 200 OK\r\n"]
    for name, value in resp.raw_headers:
        content.extend((name, b": ", value, b"\r\n"))
    content.append(b"\r\n")
    return b"".join(content) + resp.body


# --- the adapter-backed steps ------------------------------------------------------------

def _parse_step(adapter: Any) -> Callable[[bytes], Any]:
    return lap_collectors.parse_step(type(adapter).adapter_id(), adapter)


def _route_step(adapter: Any, inputs: LapInputs) -> Callable[[Any], Any]:
    for value, (method, pattern) in enumerate(inputs.routes):
        adapter.add(method, pattern, value)
    match = adapter.match

    def route(req: Any) -> Any:
        return match(req["method"], req["path"])

    return route


def _query_step(adapter: Any) -> Callable[[Any], Any]:
    for name in ("parse", "parse_qsl", "parse_query"):
        fn = getattr(adapter, name, None)
        if callable(fn):
            break
    else:
        raise Unavailable(f"{type(adapter).__name__} has no parse method")

    def query(req: Any) -> Any:
        return fn(req["query_string"].decode("latin-1"))

    return query


def _serialize_step(adapter: Any) -> Callable[[Any], bytes]:
    dumps = adapter.dumps

    def serialize(obj: Any) -> bytes:
        out = dumps(obj)
        return out if isinstance(out, bytes) else out.encode()

    return serialize


def build(family: str, inputs: LapInputs, selection: str | None = None) -> dict[str, Step]:
    """The steps of a Python family on ``inputs``; missing adapters give n/a steps."""
    if family not in PY_FAMILIES:
        raise ValueError(f"unknown Python family {family!r}; families are {', '.join(PY_FAMILIES)}")
    steps: dict[str, Step] = {}

    def adapter_step(name: str, make: Callable[[Any], Callable]) -> None:
        kind = STEP_KIND[name]
        try:
            cls = pick(family, kind, selection)
            steps[name] = Step(name, make(cls()), cls.adapter_id())
        except Unavailable as exc:
            steps[name] = Step(name, None, "", f"n/a: {exc}")
        except Exception as exc:  # noqa: BLE001 - a broken adapter is a cell, not a crash
            steps[name] = Step(name, None, "", f"n/a: {kind} adapter failed to set up: {exc!r}")

    adapter_step("parse", _parse_step)
    if steps["parse"].fn is not None:
        how = "minimal callback collector" if steps["parse"].impl == "parser/httptools" else "every field read"
        steps["parse"].impl += f" ({how})"
    if family == "peer":
        steps["build_request"] = Step("build_request", peer_build_request,
                                      "uvicorn scope + starlette.Request")
    else:
        steps["build_request"] = Step("build_request", build_scope, "python (ASGI scope)")
    adapter_step("route", lambda a: _route_step(a, inputs))
    steps["params"] = Step("params", make_params(inputs), "python (route converters)")
    adapter_step("query", _query_step)
    steps["handler"] = Step("handler", make_handler(inputs), "python (app handler)")
    adapter_step("serialize", _serialize_step)
    if family == "peer":
        steps["response"] = Step("response", peer_build_response,
                                 "starlette.Response + uvicorn head")
    else:
        steps["response"] = Step("response", build_response, "python (bytes join)")
    return steps


def pipeline(steps: dict[str, Step]) -> Callable[[bytes], bytes] | None:
    """All steps chained on the raw request, as one function (None if any step is n/a)."""
    if any(s.fn is None for s in steps.values()):
        return None
    parse, build_req, route, params, query, handler, serialize, response = (
        steps[n].fn for n in STEPS)

    def run(buf: bytes) -> bytes:
        req = build_req(parse(buf))  # type: ignore[misc]
        kwargs = params(route(req))  # type: ignore[misc]
        return response(serialize(handler((kwargs, query(req)))))  # type: ignore[misc]

    return run


PLAINTEXT_BODY = b"Hello, World!"


def plaintext_request(inputs: LapInputs) -> bytes:
    """The scenario's request with its target replaced by ``/plaintext`` (same headers)."""
    line, sep, rest = inputs.request.partition(b"\r\n")
    version = line.rsplit(b" ", 1)[1]
    return b"GET /plaintext " + version + sep + rest


def plaintext_pipeline(family: str, steps: dict[str, Step], inputs: LapInputs
                       ) -> Callable[[bytes], bytes] | None:
    """The trivial route's own pipeline for ``family``: parse, build request, match route and
    a constant text/plain response (no params, query, handler logic or JSON). The end-to-end
    server's CPU per request on /plaintext minus this (served in context, lap_context.py) is
    the server's per-request overhead outside the steps (event loop, socket reads,
    scheduling), measured independently of the route the laps reconcile with. None when a
    step it needs is n/a or the scenario has no ``/plaintext`` route."""
    if ("GET", "/plaintext") not in inputs.routes:
        return None
    if any(steps[n].fn is None for n in ("parse", "build_request", "route")):
        return None
    parse, build_req, route = (steps[n].fn for n in ("parse", "build_request", "route"))
    if family == "peer":
        def respond(_: Any) -> bytes:
            return peer_build_response(PLAINTEXT_BODY, "text/plain")
    else:
        def respond(_: Any) -> bytes:
            return build_response(PLAINTEXT_BODY, b"text/plain")

    def run(buf: bytes) -> bytes:
        return respond(route(build_req(parse(buf))))  # type: ignore[misc]

    return run


def check_plaintext(family: str, steps: dict[str, Step], inputs: LapInputs) -> str | None:
    """None when the plaintext pipeline routes to /plaintext and answers a right 200."""
    parsed = steps["parse"].fn(plaintext_request(inputs))  # type: ignore[misc]
    m = steps["route"].fn(steps["build_request"].fn(parsed))  # type: ignore[misc]
    want = inputs.routes.index(("GET", "/plaintext"))
    if getattr(m, "value", None) != want:
        return f"plaintext request matched {m!r}"
    raw = plaintext_pipeline(family, steps, inputs)(plaintext_request(inputs))  # type: ignore[misc]
    head, _, body = raw.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 OK\r\n") or body != PLAINTEXT_BODY:
        return f"plaintext response {raw[:80]!r}"
    if f"content-length: {len(body)}".encode() not in head.lower():
        return "plaintext response without the right content-length"
    return None


# --- verification: every step's answer, before anything is timed -------------------------

def check(name: str, out: Any, inputs: LapInputs) -> str | None:
    """None when ``out`` is the right answer of step ``name`` on ``inputs``, else what is
    wrong (short, for the report)."""
    try:
        return _check(name, out, inputs)
    except Exception as exc:  # noqa: BLE001 - an odd result type is a wrong answer
        return f"unexpected result {type(out).__name__}: {exc!r}"


def _check(name: str, out: Any, inputs: LapInputs) -> str | None:
    if name == "parse":
        problem = lap_contract.materialised(out)
        if problem:
            return f"not a materialised request head: {problem}"
        got = (out.method, out.path, out.query, tuple((n, v) for n, v in out.headers))
        want = (inputs.method, inputs.path, inputs.query, inputs.headers)
        return None if got == want else f"parsed {got[:3]} with {len(got[3])} headers"
    if name == "build_request":
        headers = [(bytes(n), bytes(v)) for n, v in out["headers"]]
        want = [(n.lower().encode(), v.encode("latin-1")) for n, v in inputs.headers]
        ok = (out["method"] == inputs.method and out["path"] == inputs.path
              and out["query_string"] == inputs.query.encode() and headers == want)
        return None if ok else f"scope {out['method']} {out['path']} {out['query_string']!r}"
    if name == "route":
        ok = (getattr(out, "value", None) == inputs.expected_value
              and dict(out.params) == inputs.expected_params)
        return None if ok else f"matched {out!r}"
    if name == "params":
        return None if out == inputs.expected_kwargs else f"kwargs {out!r}"
    if name == "query":
        got = tuple((k, v) for k, v in out)
        return None if got == inputs.expected_query else f"pairs {got!r}"
    if name == "handler":
        return None if out == inputs.expected_body else f"handler returned {out!r}"
    if name == "serialize":
        return None if json.loads(out) == inputs.expected_body else f"JSON {out[:80]!r}"
    if name in ("response", "pipeline"):
        return check_response(out, inputs)
    raise ValueError(f"unknown step {name!r}")


def check_response(raw: bytes, inputs: LapInputs) -> str | None:
    """A 200 with JSON content type, a right Content-Length and the expected body."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return "response has no end of head"
    line, *fields = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (f.split(": ", 1) for f in fields)}
    if line != "HTTP/1.1 200 OK":
        return f"status line {line!r}"
    if headers.get("content-type") != "application/json":
        return f"content-type {headers.get('content-type')!r}"
    if headers.get("content-length") != str(len(body)):
        return f"content-length {headers.get('content-length')!r} for {len(body)} bytes"
    if json.loads(body) != inputs.expected_body:
        return f"body {body[:80]!r}"
    return None

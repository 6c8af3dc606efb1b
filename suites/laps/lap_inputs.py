"""The requests every lap family handles, and the answers every step must give on them
(checked before anything is timed).

Two scenarios, each one request through one route table and one handler:

``api`` (the lap table): the de-facto parser benchmark request (picohttpparser_bench.http:
9 headers, a long Cookie) with its request line replaced by a GitHub API lookup
(routes/lookups.tsv, GithubParam) carrying the fast-querystring benchmark's query string,
routed through the 203-route GitHub API set (a route's value is its line index).

``users`` (reconciliation): the end-to-end suite's app (suites.adapters.server.base): its four routes
and the exact ``GET /users/42?q=abc`` request lapwise-load sends, so that the lap steps can
be set against the server CPU per request the end-to-end run measured on the same route.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import datasets

SCENARIOS = ("api", "users")


@dataclass(frozen=True)
class LapInputs:
    scenario: str
    request: bytes                         # the exact bytes every parser gets
    method: str
    path: str
    query: str
    routes: tuple[tuple[str, str], ...]    # (method, canonical pattern); value = index
    headers: tuple[tuple[str, str], ...]   # as sent (name case kept)
    handler: Callable[[dict, list], dict]  # (params, query pairs) -> JSON-able dict
    expected_value: int                    # the route the request must match
    expected_params: dict[str, str]        # as matched (text)
    expected_kwargs: dict = field(default_factory=dict)  # after the route's converters
    expected_query: tuple[tuple[str, str], ...] = ()

    @property
    def expected_body(self) -> dict:
        return self.handler(self.expected_kwargs, list(self.expected_query))

    def converters(self) -> list[dict[str, Callable[[str], object]]]:
        """Per route value: parameter name -> converter (``int`` for ``{x:int}``, else str)."""
        out = []
        for _, pattern in self.routes:
            out.append({m[1]: (int if m[2] == "int" else str)
                        for m in re.finditer(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}", pattern)})
        return out


def to_canonical(pattern: str) -> str:
    """httprouter syntax (``:name``, ``*name``) -> canonical (``{name}``, ``{name:path}``)."""
    out = []
    for seg in pattern.split("/"):
        if seg.startswith(":"):
            seg = "{" + seg[1:] + "}"
        elif seg.startswith("*"):
            seg = "{" + (seg[1:] or "path") + ":path}"
        out.append(seg)
    return "/".join(out)


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    rx = ""
    for p in re.split(r"(\{[^}]+\})", pattern):
        if p.startswith("{"):
            name, _, conv = p[1:-1].partition(":")
            rx += {"path": f"(?P<{name}>.*)", "int": f"(?P<{name}>[0-9]+)"}.get(
                conv, f"(?P<{name}>[^/]+)")
        else:
            rx += re.escape(p)
    return re.compile(rx + r"\Z")


def api_handler(params: dict, query: list) -> dict:
    """The ``api`` handler: strings, ints, a float, a bool and a nested list (native_laps.cc
    builds the same value in C++)."""
    return {"owner": params["owner"], "repo": params["repo"],
            "query": [[k, v] for k, v in query], "count": len(query), "ratio": 0.1, "ok": True}


def users_handler(params: dict, query: list) -> dict:
    """The end-to-end app's ``/users/{id:int}`` handler (suites.adapters.server.base.users_body)."""
    q = next((v for k, v in query if k == "q"), None)
    return {"id": params["id"], "name": f"user{params['id']}", "q": q}


USERS_ROUTES = (("GET", "/plaintext"), ("GET", "/json"), ("GET", "/users/{id:int}"),
                ("POST", "/echo"))
# Byte for byte what lapwise-load sends for the end-to-end suite's /users request
# (suites/e2e/server_bench/app_requests.py ROUTES["users"], serialized as
# suites/load/src/request_set.cc does: the request line and the Host header it adds; the port
# is the server's ephemeral one, five digits). Any other header would be parser work the
# server never does: an extra User-Agent line alone costs the py-baseline parser ~1.4 µs.
# test_laps_unit.py checks this against app_requests.
USERS_REQUEST = b"GET /users/42?q=abc HTTP/1.1\r\nHost: 127.0.0.1:40000\r\n\r\n"


def _split_request(request: bytes) -> tuple[str, str, str, tuple]:
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    line, *header_lines = head.split("\r\n")
    method, target, _ = line.split(" ")
    path, _, query = target.partition("?")
    return method, path, query, tuple(tuple(h.split(": ", 1)) for h in header_lines)


def _build(scenario: str, request: bytes, routes: tuple, handler: Callable) -> LapInputs:
    method, path, query, headers = _split_request(request)
    # The expected match is found independently of every router under test: the first route
    # in table order whose pattern matches (neither table has overlaps for these paths).
    for value, (m, pattern) in enumerate(routes):
        hit = _pattern_regex(pattern).match(path)
        if m == method and hit:
            break
    else:
        raise ValueError(f"{scenario}: no route matches {method} {path}")
    params = hit.groupdict()
    inputs = LapInputs(scenario=scenario, request=request, method=method, path=path,
                       query=query, routes=routes, headers=headers, handler=handler,
                       expected_value=value, expected_params=params,
                       expected_query=tuple(parse_qsl(query, keep_blank_values=True)))
    conv = inputs.converters()[value]
    object.__setattr__(inputs, "expected_kwargs", {k: conv[k](v) for k, v in params.items()})
    return inputs


def load(scenario: str = "api") -> LapInputs:
    """The inputs of ``scenario``; raises DatasetMissing naming the missing dataset file."""
    if scenario == "users":
        return _build("users", USERS_REQUEST, USERS_ROUTES, users_handler)
    if scenario != "api":
        raise ValueError(f"unknown lap scenario {scenario!r}; scenarios are {', '.join(SCENARIOS)}")
    routes = tuple((r.method, to_canonical(r.pattern)) for r in datasets.routes("github"))
    lookup = next((lk for lk in datasets.lookups()
                   if (lk.dataset, lk.benchmark) == ("github", "GithubParam")), None)
    if lookup is None:
        raise datasets.DatasetMissing(
            f"{datasets.path('routes', 'lookups.tsv')}: no row github/GithubParam")
    base = datasets.http_request("picohttpparser_bench")
    line, sep, rest = base.partition(b"\r\n")
    if not sep or not line.endswith(b" HTTP/1.1"):
        raise ValueError(f"http/picohttpparser_bench.http: unexpected request line {line[:60]!r}")
    target = f"{lookup.path}?{datasets.querystring()}"
    request = f"{lookup.method} {target} HTTP/1.1\r\n".encode() + rest
    return _build("api", request, routes, api_handler)

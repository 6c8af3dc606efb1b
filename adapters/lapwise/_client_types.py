"""The client's public types (re-exported as ``lapwise.<name>``): what a fan-out takes
(``Request``, ``Policy``) and what it yields, one ``FetchResult`` per request in input order:
a ``ClientResponse`` (any status, once retries are spent) or a ``FetchError`` (kind, message,
attempts). Error kinds are ERROR_KINDS: connect, timeout, reset, tls, redirects, protocol,
too_large, cancelled, other. The names differ from the server's (``lapwise.Response``) on
purpose: one name, one class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union
from urllib.parse import urlsplit

from .http import is_token

ERROR_KINDS = frozenset({"connect", "timeout", "reset", "tls", "redirects", "protocol",
                         "too_large", "cancelled", "other"})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})


class InvalidRequest(ValueError):
    """A request that cannot be sent (bad URL, scheme, method or header); nothing was sent."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"request {index}: {message}")
        self.index = index
        self.reason = message


class PolicyError(ValueError):
    """A policy out of range; nothing was sent."""


class Cancelled(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C or cancel()). ``results`` holds one result per request,
    ``FetchError(kind="cancelled")`` for those not done; ``not_done`` lists their indices."""

    def __init__(self, results: list[FetchResult], not_done: list[int]) -> None:
        self.results = results
        self.not_done = not_done
        never = sum(1 for i in not_done if results[i].attempts == 0)
        super().__init__(f"cancelled: {len(not_done)} of {len(results)} requests not done "
                         f"({never} never sent, {len(not_done) - never} interrupted after "
                         f"starting); results holds what finished")


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def __post_init__(self) -> None:
        if isinstance(self.headers, Mapping):
            object.__setattr__(self, "headers", tuple(self.headers.items()))
        elif not isinstance(self.headers, tuple):
            object.__setattr__(self, "headers", tuple(tuple(h) for h in self.headers))

    @classmethod
    def get(cls, url: str, headers: Mapping[str, str] | None = None) -> Request:
        return cls("GET", url, tuple((headers or {}).items()))


@dataclass(frozen=True, slots=True)
class Policy:
    """How a fan-out is scheduled. Durations are seconds; 0 (or None) means "none" for
    timeouts and rates. Every field is validated when the policy is made."""

    concurrency: int = 64
    per_host: int = 0                 # 0: no per-host cap
    rate: float = 0.0                 # requests/s, all hosts; 0: unlimited
    burst: float = 1.0
    host_rate: float = 0.0            # requests/s per scheme://host:port; 0: unlimited
    host_burst: float = 1.0
    retries: int = 2                  # extra attempts after the first
    backoff_base: float = 0.1
    backoff_cap: float = 10.0
    retry_statuses: tuple[int, ...] = (408, 429, 500, 502, 503, 504)
    retry_on_errors: bool = True      # connect, reset and timeout errors
    retry_non_idempotent: bool = False
    retry_after_max: float = 60.0     # a longer Retry-After ends the retries
    connect_timeout: float | None = 10.0
    read_timeout: float | None = 30.0
    total_timeout: float | None = None
    follow_redirects: bool = True
    max_redirects: int = 10
    verify_tls: bool = True
    ca_file: str | None = None
    proxy: str | None = None          # None: from the environment (http_proxy, ...)
    use_proxy: bool = True
    max_body_bytes: int = 64 << 20    # decoded body; more is too_large
    max_header_bytes: int = 64 << 10  # raw bytes of the response heads of one attempt
    max_headers: int = 256            # fields in one response head
    user_agent: str = "lapwise/0.1"
    seed: int = 0                     # jitter RNG seed; 0: random

    def __post_init__(self) -> None:
        object.__setattr__(self, "retry_statuses", tuple(self.retry_statuses))
        problem = self._problem()
        if problem:
            raise PolicyError(f"policy: {problem}")

    def _problem(self) -> str | None:
        def ints(*names: str) -> str | None:
            for n in names:
                v = getattr(self, n)
                if isinstance(v, bool) or not isinstance(v, int):
                    return f"{n} must be an int, got {v!r}"
            return None

        def seconds(n: str, optional: bool) -> str | None:
            v = getattr(self, n)
            if v is None and optional:
                return None
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                return f"{n} must be a finite number of seconds >= 0, got {v!r}"
            return None

        bad = ints("concurrency", "per_host", "retries", "max_redirects", "max_body_bytes",
                   "max_header_bytes", "max_headers", "seed")
        if bad:
            return bad
        if not 1 <= self.concurrency <= 100_000:
            return f"concurrency must be 1..100000, got {self.concurrency}"
        if not 0 <= self.per_host <= 100_000:
            return f"per_host must be 0 (none) or 1..100000, got {self.per_host}"
        for r, b in (("rate", "burst"), ("host_rate", "host_burst")):
            rv, bv = getattr(self, r), getattr(self, b)
            if isinstance(rv, bool) or not isinstance(rv, (int, float)) or not math.isfinite(rv) or rv < 0:
                return f"{r} must be a finite number >= 0 (0 = unlimited), got {rv!r}"
            if rv > 0 and (not isinstance(bv, (int, float)) or not 1 <= bv <= 1e9):
                return f"{b} must be 1..1e9 when {r} is set, got {bv!r}"
        if not 0 <= self.retries <= 100:
            return f"retries must be 0..100, got {self.retries}"
        for n in ("backoff_base", "backoff_cap", "retry_after_max"):
            bad = seconds(n, optional=False)
            if bad:
                return bad
        if self.backoff_cap < self.backoff_base:
            return "backoff_cap must be >= backoff_base"
        for code in self.retry_statuses:
            if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
                return f"retry status {code!r} is not an HTTP status 100..599"
        for n in ("connect_timeout", "read_timeout", "total_timeout"):
            bad = seconds(n, optional=True)
            if bad:
                return bad
        if not 0 <= self.max_redirects <= 1000:
            return f"max_redirects must be 0..1000, got {self.max_redirects}"
        if self.max_body_bytes <= 0:
            return "max_body_bytes must be > 0"
        if self.max_header_bytes < 1024:
            return "max_header_bytes must be >= 1024"
        if self.max_headers < 1:
            return "max_headers must be >= 1"
        if self.seed < 0 or self.seed >= 1 << 64:
            return "seed must be 0..2**64-1"
        return None

    def to_dict(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class ClientResponse:
    status: int
    headers: dict[str, str]   # lower-case names; repeated fields joined with ", "
    body: bytes               # decoded (Content-Encoding undone)
    url: str = ""             # final URL, after redirects
    attempts: int = 1
    elapsed: float = field(default=0.0, compare=False)       # seconds, first attempt to result
    timings: tuple[float, ...] | None = field(default=None, compare=False)  # native: connect, tls, first byte, total
    # The HTTP version the response came over: "1.0", "1.1", "2" or "3"; "" when the library
    # does not say. Transport, not content: left out of ==, like the timings (h2 vs 1.1 to
    # the same server is the same answer).
    http_version: str = field(default="", compare=False)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class FetchError:
    kind: str
    message: str = field(default="", compare=False)
    attempts: int = 1
    elapsed: float = field(default=0.0, compare=False)


FetchResult = Union[ClientResponse, FetchError]


def check_request(index: int, req: Request) -> None:
    """Raises InvalidRequest when ``req`` cannot be sent (the checks every adapter shares)."""
    if not isinstance(req, Request):
        raise InvalidRequest(index, f"expected a Request, got {type(req).__name__}")
    if not is_token(req.method) or len(req.method) > 32:
        raise InvalidRequest(index, f"method {req.method!r} is not an HTTP token of 1..32 bytes")
    url = req.url
    if not isinstance(url, str) or not url:
        raise InvalidRequest(index, "URL is empty")
    if len(url) > 65536:
        raise InvalidRequest(index, "URL is longer than 65536 bytes")
    if any(ord(c) <= 0x20 or ord(c) == 0x7f for c in url):
        raise InvalidRequest(index, "URL contains a space or control byte")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise InvalidRequest(index, f"invalid URL: {exc}") from None
    if not parts.scheme or "://" not in url:
        raise InvalidRequest(index, "invalid URL: not absolute (no scheme)")
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidRequest(index, f"unsupported scheme '{parts.scheme}' (only http and https)")
    if not parts.hostname:
        raise InvalidRequest(index, "URL has no host")
    if len(req.headers) > 256:
        raise InvalidRequest(index, "more than 256 header fields")
    for name, value in req.headers:
        if not isinstance(name, str) or not is_token(name):
            raise InvalidRequest(index, f"header name {name!r} is not an HTTP token")
        if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
            raise InvalidRequest(index, f"header {name!r} has CR, LF or NUL in its value")
    if not isinstance(req.body, (bytes, bytearray, memoryview)):
        raise InvalidRequest(index, f"body must be bytes, got {type(req.body).__name__}")


__all__ = ["ERROR_KINDS", "IDEMPOTENT", "Cancelled", "ClientResponse", "FetchError", "FetchResult",
           "InvalidRequest", "Policy", "PolicyError", "Request", "check_request"]

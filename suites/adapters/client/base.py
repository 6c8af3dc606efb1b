"""The client adapter interface. Every client (native, pure Python, peers) implements it, so
results compare with ``==`` across implementations (timings are left out of the comparison).

The types are the product's (``lapwise.Request``, ``lapwise.Policy``, ``lapwise.ClientResponse``,
``lapwise.FetchError``, ...), so an adapter's answers are the same objects ``lapwise.Client``
returns; this module adds what only adapters need: the ABC and HTTP-version labels.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Sequence
from typing import ClassVar

from lapwise import (ERROR_KINDS, IDEMPOTENT, Cancelled, ClientResponse, FetchError, FetchResult,
                     InvalidRequest, Policy, PolicyError, Request, check_request)

from ..adapter import Adapter

HTTP_VERSIONS = frozenset({"1.0", "1.1", "2", "3"})


def http_version(major: int, minor: int = 0) -> str:
    """ClientResponse.http_version for version ``major.minor``: "1.0", "1.1", "2", "3" (HTTP/2 and
    HTTP/3 have no minor version, whatever a library puts there); "" for anything else."""
    label = f"{major}.{minor}" if major == 1 else str(major)
    return label if label in HTTP_VERSIONS else ""


def http_version_of(text: str) -> str:
    """ClientResponse.http_version for a protocol string such as "HTTP/1.1", "HTTP/2", "HTTP/2.0"
    (status lines, httpx, ALPN-style names); "" when it is not one of those."""
    name, _, number = text.strip().upper().partition("/")
    major, _, minor = number.partition(".")
    if name != "HTTP" or not major.isdigit() or not (minor.isdigit() or minor == ""):
        return ""
    return http_version(int(major), int(minor or 0))


def check_all(requests: Sequence[Request], policy: Policy) -> None:
    if not isinstance(policy, Policy):
        raise PolicyError(f"expected a Policy, got {type(policy).__name__}")
    for i, r in enumerate(requests):
        check_request(i, r)


class Client(Adapter):
    kind: ClassVar[str] = "client"
    # What of the policy this adapter implements: "concurrency" (all do), "per_host", "rate",
    # "retries" (with backoff, Retry-After, and the host pause a 429/503's Retry-After starts),
    # "timeouts", "redirects", "decompression".
    # Scenarios that need a feature skip adapters without it.
    features: ClassVar[frozenset[str]] = frozenset({"concurrency"})

    @abc.abstractmethod
    def fetch_many(self, requests: Sequence[Request], policy: Policy) -> list[FetchResult]:
        """One result per request, in input order. Raises InvalidRequest/PolicyError before
        sending anything when the input is invalid."""

    def close(self) -> None:
        """Releases pools and event loops (adapters that keep some override this)."""


class AsyncioClient(Client):
    """A client that runs each fan-out on a fresh asyncio event loop (the pure-Python client and
    the async peers), the policy applied around its one-attempt send by _policy.run_async."""

    features: ClassVar[frozenset[str]] = frozenset({
        "concurrency", "per_host", "rate", "retries", "timeouts", "redirects", "decompression",
        "proxy"})

    def fetch_many(self, requests: Sequence[Request], policy: Policy) -> list[FetchResult]:
        check_all(requests, policy)
        return asyncio.run(self._run(list(requests), policy))

    @abc.abstractmethod
    async def _run(self, requests: list[Request], policy: Policy) -> list[FetchResult]:
        """One result per request, in input order, on the running loop."""


def too_large(policy: Policy) -> FetchError:
    """The error every adapter gives a body over policy.max_body_bytes."""
    return FetchError("too_large", f"body larger than max_body_bytes ({policy.max_body_bytes})")


__all__ = ["ERROR_KINDS", "HTTP_VERSIONS", "IDEMPOTENT", "AsyncioClient", "Cancelled", "Client",
           "ClientResponse",
           "FetchError", "FetchResult", "InvalidRequest", "Policy", "PolicyError", "Request",
           "check_all", "check_request", "http_version", "http_version_of", "too_large"]

"""client/native: lapwise's C++ core (libcurl multi transport under lapwise's scheduler)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..adapter import Availability, requires_native
from .base import Client, FetchResult, Policy, Request


class NativeClient(Client):
    name: ClassVar[str] = "native"
    features: ClassVar[frozenset[str]] = frozenset({
        "concurrency", "per_host", "rate", "retries", "timeouts", "redirects", "decompression",
        "proxy", "accounting"})

    @classmethod
    def available(cls) -> Availability:
        return requires_native()

    def __init__(self) -> None:
        self.last_stats: dict[str, int] = {}

    def fetch_many(self, requests: Sequence[Request], policy: Policy) -> list[FetchResult]:
        from lapwise._client import Client as NativeFanout

        client = NativeFanout(policy)
        results = client.fetch_many(requests)
        self.last_stats = client.last_stats
        return results

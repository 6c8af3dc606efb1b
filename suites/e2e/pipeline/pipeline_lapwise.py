"""lapwise's pipeline: ``lapwise.Client`` fans the requests out on its native thread while the
calling thread hands each batch of arrived pages to ``Extractor.extract_many``, which parses and
extracts on native threads with the GIL released. Fetching and parsing overlap: the client keeps
receiving while a batch is being extracted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lapwise
from lapwise import html

from .pipeline_spec import SPEC

BATCH = 16    # pages per extract_many call: small enough to start parsing early
THREADS = 2   # native extraction threads (the machine's cores)


def _client(cap: int) -> lapwise.Client:
    return lapwise.Client(lapwise.Policy(concurrency=cap, retries=0, use_proxy=False))


def _requests(urls: Sequence[str]) -> list[lapwise.Request]:
    return [lapwise.Request.get(u) for u in urls]


def _failure(res: lapwise.FetchResult) -> str | None:
    if isinstance(res, lapwise.FetchError):
        return f"fetch failed: {res.kind}: {res.message}"
    if res.status != 200:
        return f"status {res.status}"
    return None


def lapwise_fetch(urls: Sequence[str], cap: int) -> list[bytes]:
    """The bodies alone (the fetch step)."""
    out = []
    for res in _client(cap).fetch_many(_requests(urls)):
        why = _failure(res)
        if why:
            raise RuntimeError(why)
        assert isinstance(res, lapwise.ClientResponse)
        out.append(res.body)
    return out


def lapwise_run(urls: Sequence[str], cap: int, batch: int = BATCH,
                threads: int = THREADS) -> list[Any]:
    """Every page's answer, in input order (a str saying why for a page that failed)."""
    extractor = html.Extractor(SPEC)
    answers: list[Any] = [None] * len(urls)
    waiting: list[int] = []
    bodies: list[bytes] = []

    def flush() -> None:
        for i, answer in zip(waiting, extractor.extract_many(bodies, threads)):
            answers[i] = answer
        waiting.clear()
        bodies.clear()

    for i, res in _client(cap).iter_completed(_requests(urls)):
        why = _failure(res)
        if why:
            answers[i] = why
            continue
        assert isinstance(res, lapwise.ClientResponse)
        waiting.append(i)
        bodies.append(res.body)
        if len(bodies) >= batch:
            flush()
    if bodies:
        flush()
    return answers

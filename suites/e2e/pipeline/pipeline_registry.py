"""The pipelines the suite compares, by adapter id ``pipeline/<name>``: how each fetches and
extracts end to end (``run``), how it fetches alone (``fetch``, the fetch step) and which html
adapter stands for its parser in the parse/select/to-Python steps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import pipeline_aiohttp, pipeline_httpx, pipeline_lapwise, pipeline_requests


@dataclass(frozen=True)
class Pipeline:
    name: str
    run: Callable[[Sequence[str], int], list[Any]]
    fetch: Callable[[Sequence[str], int], list[bytes]]
    engine: str    # the html adapter of its parser
    design: str    # one line for the report

    @property
    def adapter(self) -> str:
        return f"pipeline/{self.name}"


PIPELINES = {p.name: p for p in (
    Pipeline("lapwise", pipeline_lapwise.lapwise_run, pipeline_lapwise.lapwise_fetch, "html/native",
             "lapwise.Client iter_completed + lapwise.html extract_many (2 native threads, GIL "
             "released), overlapped"),
    Pipeline("aiohttp-native", pipeline_aiohttp.aiohttp_native_run, pipeline_aiohttp.aiohttp_fetch,
             "html/native", "Playfast's design: aiohttp fetch + native parse on a 2-thread pool"),
    Pipeline("aiohttp-bs4", pipeline_aiohttp.aiohttp_bs4_run, pipeline_aiohttp.aiohttp_fetch,
             "html/bs4-html-parser", "aiohttp fetch + BeautifulSoup (html.parser) in the coroutine"),
    Pipeline("httpx-lxml", pipeline_httpx.httpx_lxml_run, pipeline_httpx.httpx_fetch, "html/lxml",
             "httpx AsyncClient fetch + lxml/cssselect in the coroutine"),
    Pipeline("requests-bs4", pipeline_requests.requests_bs4_run, pipeline_requests.requests_fetch,
             "html/bs4-html-parser", "requests on a thread pool + BeautifulSoup (html.parser)"),
)}


def selected(selection: str | None) -> list[Pipeline]:
    """The pipelines an adapter selection names (comma-separated ids or globs; None: all)."""
    import fnmatch

    if not selection:
        return list(PIPELINES.values())
    pats = [s.strip() for s in selection.split(",") if s.strip()]
    return [p for p in PIPELINES.values() if any(fnmatch.fnmatch(p.adapter, pat) for pat in pats)]

"""httpx's async client fetching, lxml (with cssselect) parsing in the coroutine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from .pipeline_spec import engine


async def _gather(urls: Sequence[str], cap: int, parse: Callable[[bytes], Any] | None) -> list[Any]:
    import httpx

    limits = httpx.Limits(max_connections=cap, max_keepalive_connections=cap)
    async with httpx.AsyncClient(limits=limits, trust_env=False, timeout=60.0) as client:
        gate = asyncio.Semaphore(cap)

        async def one(url: str) -> Any:
            async with gate:
                res = await client.get(url)
            if res.status_code != 200:
                return f"status {res.status_code}"
            return res.content if parse is None else parse(res.content)

        return list(await asyncio.gather(*(one(u) for u in urls)))


def httpx_fetch(urls: Sequence[str], cap: int) -> list[bytes]:
    return asyncio.run(_gather(urls, cap, None))


def httpx_lxml_run(urls: Sequence[str], cap: int) -> list[Any]:
    return asyncio.run(_gather(urls, cap, engine("html/lxml").parse_extract))

"""The asyncio pipelines on aiohttp: Playfast's design (aiohttp fetch, the native parser on a
thread pool so the event loop keeps fetching while the GIL is released) and the common pure-Python
one (aiohttp fetch, BeautifulSoup parse in the coroutine)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lapwise import html

from .pipeline_spec import SPEC, engine

Parse = Callable[[bytes], Any]


async def _fan_out(urls: Sequence[str], cap: int, parse: Parse | None,
                   pool: ThreadPoolExecutor | None) -> list[Any]:
    import aiohttp

    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=cap)
    # aiohttp's timers run on the event loop, which a blocking parser holds for seconds at a
    # time (BeautifulSoup: ~0.5 s a page, 32 pages queued): its default 300 s total, or a short
    # connect bound, expires while the request is only waiting for the loop. Bound each
    # connect and read generously instead; the run itself is bounded by its page count.
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=600, sock_read=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        async def one(url: str) -> Any:
            async with session.get(url) as res:
                body = await res.read()
                if res.status != 200:
                    return f"status {res.status}"
            if parse is None:
                return body
            if pool is not None:
                return await loop.run_in_executor(pool, parse, body)
            return parse(body)

        return list(await asyncio.gather(*(one(u) for u in urls)))


def aiohttp_fetch(urls: Sequence[str], cap: int) -> list[bytes]:
    return asyncio.run(_fan_out(urls, cap, None, None))


def aiohttp_native_run(urls: Sequence[str], cap: int, threads: int = 2) -> list[Any]:
    extractor = html.Extractor(SPEC)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return asyncio.run(_fan_out(urls, cap, extractor.extract, pool))


def aiohttp_bs4_run(urls: Sequence[str], cap: int) -> list[Any]:
    return asyncio.run(_fan_out(urls, cap, engine("html/bs4-html-parser").parse_extract, None))

"""client/httpx: httpx.AsyncClient (one per fan-out), with the policy applied by
_policy.run_async (the same rules as the native scheduler)."""

from __future__ import annotations

import asyncio
import ssl
from typing import ClassVar

import httpx

from ._policy import headers_dict, run_async
from .base import (AsyncioClient, ClientResponse, FetchError, FetchResult, Policy, Request,
                   http_version_of, too_large)


def _error(exc: BaseException) -> FetchError:
    msg = str(exc) or type(exc).__name__
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        return FetchError("timeout", msg)
    if isinstance(exc, ssl.SSLError):  # httpx 0.23 lets certificate failures escape unwrapped
        return FetchError("tls", msg)
    if isinstance(exc, httpx.ConnectError):
        low = msg.lower()
        return FetchError("tls" if "ssl" in low or "certificate" in low else "connect", msg)
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError("redirects", msg)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError("redirects", msg)
    if isinstance(exc, httpx.DecodingError):
        return FetchError("protocol", msg)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError,
                        httpx.CloseError, ConnectionError)):
        return FetchError("reset", msg)
    if isinstance(exc, httpx.ProtocolError):
        return FetchError("protocol", msg)
    return FetchError("other", msg)


class HttpxClient(AsyncioClient):
    name: ClassVar[str] = "httpx"

    async def _run(self, requests: list[Request], policy: Policy) -> list[FetchResult]:
        limits = httpx.Limits(max_connections=policy.concurrency,
                              max_keepalive_connections=policy.concurrency)
        timeout = httpx.Timeout(connect=policy.connect_timeout, read=policy.read_timeout,
                                write=policy.read_timeout, pool=None)
        verify: bool | str = (policy.ca_file or True) if policy.verify_tls else False
        headers = {"User-Agent": policy.user_agent} if policy.user_agent else None
        async with httpx.AsyncClient(limits=limits, timeout=timeout, verify=verify,
                                     follow_redirects=policy.follow_redirects,
                                     max_redirects=policy.max_redirects, headers=headers,
                                     proxies=policy.proxy if policy.use_proxy else None,
                                     trust_env=policy.use_proxy) as client:

            async def once(req: Request) -> FetchResult:
                resp = await client.request(req.method, req.url, headers=list(req.headers),
                                            content=bytes(req.body) if req.body else None)
                body = resp.content
                if len(body) > policy.max_body_bytes:
                    return too_large(policy)
                return ClientResponse(resp.status_code, headers_dict(resp.headers.multi_items()),
                                      body, str(resp.url),
                                      http_version=http_version_of(resp.http_version))

            async def send(req: Request) -> FetchResult:
                try:
                    if policy.total_timeout:
                        return await asyncio.wait_for(once(req), policy.total_timeout)
                    return await once(req)
                except Exception as exc:  # noqa: BLE001 - every failure becomes a FetchError value
                    return _error(exc)

            return await run_async(requests, policy, send)

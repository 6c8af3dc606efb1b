"""client/httpx: httpx.AsyncClient (one per fan-out), with the policy applied by
_policy.run_async (the same rules as the native scheduler)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from typing import ClassVar

import httpx

from .base import Client, Error, Policy, Request, Response, Result, check_all, http_version_of
from ._policy import headers_dict, run_async


def _error(exc: BaseException) -> Error:
    msg = str(exc) or type(exc).__name__
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        return Error("timeout", msg)
    if isinstance(exc, ssl.SSLError):  # httpx 0.23 lets certificate failures escape unwrapped
        return Error("tls", msg)
    if isinstance(exc, httpx.ConnectError):
        low = msg.lower()
        return Error("tls" if "ssl" in low or "certificate" in low else "connect", msg)
    if isinstance(exc, httpx.TooManyRedirects):
        return Error("redirects", msg)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Error("redirects", msg)
    if isinstance(exc, httpx.DecodingError):
        return Error("protocol", msg)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError,
                        httpx.CloseError, ConnectionError)):
        return Error("reset", msg)
    if isinstance(exc, httpx.ProtocolError):
        return Error("protocol", msg)
    return Error("other", msg)


class HttpxClient(Client):
    name: ClassVar[str] = "httpx"
    features: ClassVar[frozenset[str]] = frozenset({
        "concurrency", "per_host", "rate", "retries", "timeouts", "redirects", "decompression",
        "proxy"})

    def fetch_many(self, requests: Sequence[Request], policy: Policy) -> list[Result]:
        check_all(requests, policy)
        return asyncio.run(self._run(list(requests), policy))

    async def _run(self, requests: list[Request], policy: Policy) -> list[Result]:
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

            async def once(req: Request) -> Result:
                resp = await client.request(req.method, req.url, headers=list(req.headers),
                                            content=bytes(req.body) if req.body else None)
                body = resp.content
                if len(body) > policy.max_body_bytes:
                    return Error("too_large", f"body larger than max_body_bytes ({policy.max_body_bytes})")
                return Response(resp.status_code, headers_dict(resp.headers.multi_items()), body,
                                str(resp.url), http_version=http_version_of(resp.http_version))

            async def send(req: Request) -> Result:
                try:
                    if policy.total_timeout:
                        return await asyncio.wait_for(once(req), policy.total_timeout)
                    return await once(req)
                except Exception as exc:  # noqa: BLE001 - every failure becomes an Error value
                    return _error(exc)

            return await run_async(requests, policy, send)

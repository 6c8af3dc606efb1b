"""client/aiohttp: aiohttp's ClientSession (one per fan-out), with the policy applied by
_policy.run_async (the same rules as the native scheduler)."""

from __future__ import annotations

import asyncio
import ssl
from typing import ClassVar

import aiohttp

from ._policy import headers_dict, run_async
from .base import (AsyncioClient, ClientResponse, FetchError, FetchResult, Policy, Request,
                   http_version, too_large)


def _error(exc: BaseException, policy: Policy) -> FetchError:
    msg = str(exc) or type(exc).__name__
    if isinstance(exc, (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError)):
        return FetchError("tls", msg)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return FetchError("connect", msg)
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return FetchError("timeout", msg)
    if isinstance(exc, aiohttp.TooManyRedirects):
        return FetchError("redirects", msg)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError,
                        aiohttp.ClientPayloadError, ConnectionError)):
        return FetchError("reset", msg)
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError("protocol", msg)
    return FetchError("other", msg)


def _ssl_context(policy: Policy) -> ssl.SSLContext | bool | None:
    """aiohttp's ssl argument for the policy: False skips verification, None is its default
    context, a context carries ca_file."""
    if not policy.verify_tls:
        return False
    return ssl.create_default_context(cafile=policy.ca_file) if policy.ca_file else None


class AiohttpClient(AsyncioClient):
    name: ClassVar[str] = "aiohttp"

    async def _run(self, requests: list[Request], policy: Policy) -> list[FetchResult]:
        connector = aiohttp.TCPConnector(limit=policy.concurrency, limit_per_host=policy.per_host,
                                         ssl=_ssl_context(policy))
        timeout = aiohttp.ClientTimeout(total=policy.total_timeout or None,
                                        sock_connect=policy.connect_timeout or None,
                                        sock_read=policy.read_timeout or None)
        headers = {"User-Agent": policy.user_agent} if policy.user_agent else None
        async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers,
                                         trust_env=False,  # aiohttp's default: env proxies cost ~1 ms a request
                                         auto_decompress=True) as session:

            # aiohttp reads max_redirects=0 as "no limit": follow nothing and refuse instead.
            no_hops = policy.follow_redirects and policy.max_redirects == 0

            async def send(req: Request) -> FetchResult:
                try:
                    async with session.request(
                            req.method, req.url, headers=list(req.headers),
                            data=bytes(req.body) if req.body else None,
                            allow_redirects=policy.follow_redirects and not no_hops,
                            max_redirects=policy.max_redirects,
                            proxy=policy.proxy if policy.use_proxy else None) as resp:
                        if no_hops and resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                            return FetchError("redirects", "more than 0 redirects")
                        body = await resp.read()
                        if len(body) > policy.max_body_bytes:
                            return too_large(policy)
                        version = http_version(resp.version.major, resp.version.minor)
                        return ClientResponse(resp.status, headers_dict(resp.headers.items()),
                                              body, str(resp.url), http_version=version)
                except Exception as exc:  # noqa: BLE001 - every failure becomes a FetchError value
                    return _error(exc, policy)

            return await run_async(requests, policy, send)

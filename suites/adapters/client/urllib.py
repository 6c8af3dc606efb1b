"""client/urllib: the standard library, one request after another (no concurrency, no
keep-alive): the sequential baseline that fan-out speed-ups are quoted against."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import ClassVar

from ._policy import finalize, headers_dict
from .base import (Client, ClientResponse, FetchError, FetchResult, Policy, Request, check_all,
                   http_version)


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int, follow: bool) -> None:
        self.max_redirections = limit
        self.follow = follow

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        if not self.follow:
            return None
        if self.max_redirections == 0:  # urllib never checks the limit on the first hop
            raise urllib.error.HTTPError(req.full_url, code, "more than 0 redirects", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _error(exc: BaseException) -> FetchError:
    msg = str(exc) or type(exc).__name__
    inner = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(inner, (socket.timeout, TimeoutError)):
        return FetchError("timeout", msg)
    if isinstance(inner, ssl.SSLError):
        return FetchError("tls", msg)
    if isinstance(inner, (ConnectionRefusedError, socket.gaierror)):
        return FetchError("connect", msg)
    if isinstance(inner, (http.client.RemoteDisconnected, ConnectionError,
                          http.client.IncompleteRead)):
        return FetchError("reset", msg)
    if isinstance(exc, urllib.error.HTTPError) or "redirect" in msg.lower():
        return FetchError("redirects", msg)
    if isinstance(inner, OSError):
        return FetchError("connect", msg)
    return FetchError("other", msg)


class UrllibClient(Client):
    name: ClassVar[str] = "urllib"
    features: ClassVar[frozenset[str]] = frozenset({"timeouts", "redirects", "proxy"})

    def fetch_many(self, requests: Sequence[Request], policy: Policy) -> list[FetchResult]:
        check_all(requests, policy)
        handlers: list = [_Redirects(policy.max_redirects, policy.follow_redirects)]
        if policy.ca_file or not policy.verify_tls:
            ctx = ssl.create_default_context(cafile=policy.ca_file)
            if not policy.verify_tls:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            handlers.append(urllib.request.HTTPSHandler(context=ctx))
        if not policy.use_proxy:
            handlers.append(urllib.request.ProxyHandler({}))
        elif policy.proxy:
            handlers.append(urllib.request.ProxyHandler({"http": policy.proxy, "https": policy.proxy}))
        opener = urllib.request.build_opener(*handlers)
        timeout = policy.read_timeout or policy.connect_timeout or None
        return [self._one(opener, r, policy, timeout) for r in requests]

    @staticmethod
    def _one(opener, req: Request, policy: Policy, timeout: float | None) -> FetchResult:  # noqa: ANN001
        started = time.perf_counter()
        headers = dict(req.headers)
        if policy.user_agent:
            headers.setdefault("User-Agent", policy.user_agent)
        r = urllib.request.Request(req.url, data=bytes(req.body) if req.body else None,
                                   headers=headers, method=req.method)
        try:
            with opener.open(r, timeout=timeout) as resp:
                body = resp.read(policy.max_body_bytes + 1)
                status, hdrs, url = resp.status, resp.headers.items(), resp.url
                version = getattr(resp, "version", 0)  # http.client's 10 or 11
        except urllib.error.HTTPError as exc:  # a status is a response, not an error
            if exc.code in (301, 302, 303, 307, 308) and policy.follow_redirects:
                return finalize(FetchError("redirects", str(exc)), 1, started)
            body = exc.read()
            status, hdrs, url = exc.code, exc.headers.items(), exc.url
            version = getattr(exc.fp, "version", 0)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a FetchError value
            return finalize(_error(exc), 1, started)
        if len(body) > policy.max_body_bytes:
            return finalize(FetchError("too_large", "body larger than max_body_bytes"), 1, started)
        version_label = http_version(*divmod(version or 0, 10))
        return finalize(ClientResponse(status, headers_dict(hdrs), body, url,
                                       http_version=version_label), 1, started)

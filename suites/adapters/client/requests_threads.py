"""client/requests-threads: a thread pool of requests.Session objects (one per thread, so each
keeps its own keep-alive connection). Concurrency = threads; no retries, no rate limit (the
usual way this combination is used)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import requests
import requests.adapters
import urllib3.exceptions

from ._policy import finalize, headers_dict
from .base import (Client, ClientResponse, FetchError, FetchResult, Policy, Request, check_all,
                   http_version)


def _error(exc: BaseException) -> FetchError:
    msg = str(exc) or type(exc).__name__
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout,
                        requests.exceptions.Timeout)):
        return FetchError("timeout", msg)
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError("tls", msg)
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return FetchError("redirects", msg)
    if isinstance(exc, (requests.exceptions.ContentDecodingError, requests.exceptions.InvalidSchema)):
        return FetchError("protocol" if isinstance(exc, requests.exceptions.ContentDecodingError)
                          else "redirects", msg)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return FetchError("reset", msg)
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        if isinstance(inner, urllib3.exceptions.NewConnectionError) or isinstance(
                reason, urllib3.exceptions.NewConnectionError):
            return FetchError("connect", msg)
        return FetchError("reset", msg)
    return FetchError("other", msg)


class RequestsThreadsClient(Client):
    name: ClassVar[str] = "requests-threads"
    features: ClassVar[frozenset[str]] = frozenset({
        "concurrency", "timeouts", "redirects", "decompression", "proxy"})

    def fetch_many(self, requests_: Sequence[Request], policy: Policy) -> list[FetchResult]:
        check_all(requests_, policy)
        local = threading.local()
        sessions: list[requests.Session] = []
        lock = threading.Lock()

        def session() -> requests.Session:
            s = getattr(local, "session", None)
            if s is None:
                s = requests.Session()
                s.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=1))
                s.mount("https://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=1))
                s.max_redirects = policy.max_redirects
                s.trust_env = policy.use_proxy
                if policy.proxy and policy.use_proxy:
                    s.proxies = {"http": policy.proxy, "https": policy.proxy}
                if policy.user_agent:
                    s.headers["User-Agent"] = policy.user_agent
                local.session = s
                with lock:
                    sessions.append(s)
            return s

        timeout = (policy.connect_timeout, policy.read_timeout)
        verify: bool | str = (policy.ca_file or True) if policy.verify_tls else False

        def one(req: Request) -> FetchResult:
            import time

            started = time.perf_counter()
            try:
                r = session().request(req.method, req.url, headers=dict(req.headers),
                                      data=bytes(req.body) if req.body else None,
                                      timeout=timeout, allow_redirects=policy.follow_redirects,
                                      verify=verify)
                body = r.content
                if len(body) > policy.max_body_bytes:
                    return finalize(FetchError("too_large", "body larger than max_body_bytes"), 1, started)
                # urllib3 spells the status line's version as http.client does: 10, 11.
                version = http_version(*divmod(getattr(r.raw, "version", 0) or 0, 10))
                return finalize(ClientResponse(r.status_code, headers_dict(r.raw.headers.items()),
                                               body, r.url, http_version=version), 1, started)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a FetchError value
                return finalize(_error(exc), 1, started)

        try:
            with ThreadPoolExecutor(max_workers=min(policy.concurrency, max(1, len(requests_)))) as pool:
                return list(pool.map(one, requests_))
        finally:
            for s in sessions:
                s.close()

"""client/pycurl: libcurl's multi interface driven from Python (pycurl.CurlMulti with the usual
perform/select loop and a pool of reused easy handles). Concurrency, timeouts, redirects and
decompression come from curl; no retries or rate limit (that is what lapwise adds)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from io import BytesIO
from typing import ClassVar

import pycurl

from ._policy import finalize
from .base import (Client, ClientResponse, FetchError, FetchResult, Policy, Request, check_all,
                   http_version)

# CURLcode -> error kind, by number (pycurl does not export every E_* name). 1 (unsupported
# protocol) can only come from a redirect here: check_all refuses other schemes before sending,
# so it means a Location the policy cannot follow, as httpx's UnsupportedProtocol does.
_KINDS = {6: "connect", 5: "connect", 7: "connect", 28: "timeout", 55: "reset", 56: "reset",
          52: "reset", 18: "reset", 35: "tls", 60: "tls", 47: "redirects", 1: "redirects",
          8: "protocol", 61: "protocol", 16: "protocol", 23: "too_large"}
# INFO_HTTP_VERSION's CURL_HTTP_VERSION_* answer -> ClientResponse.http_version ("" when unknown).
_VERSIONS = {pycurl.CURL_HTTP_VERSION_1_0: http_version(1, 0),
             pycurl.CURL_HTTP_VERSION_1_1: http_version(1, 1),
             pycurl.CURL_HTTP_VERSION_2_0: http_version(2),
             pycurl.CURL_HTTP_VERSION_3: http_version(3)}


class _Slot:
    __slots__ = ("curl", "index", "body", "head", "started", "plain_get")

    def __init__(self) -> None:
        self.curl = pycurl.Curl()
        self.index = -1
        self.body = BytesIO()
        self.head: list[bytes] = []
        self.started = 0.0
        self.plain_get = False


def _parse_head(lines: list[bytes]) -> tuple[int, dict[str, str]]:
    status = 0
    headers: dict[str, str] = {}
    for raw in lines:
        line = raw.decode("latin-1").rstrip("\r\n")
        if line.startswith("HTTP/"):
            parts = line.split(" ", 2)
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            headers = {}  # a new response (redirect, 1xx): only the last one counts
        elif ":" in line:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            value = value.strip(" \t")
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return status, headers


class PycurlClient(Client):
    name: ClassVar[str] = "pycurl"
    features: ClassVar[frozenset[str]] = frozenset({
        "concurrency", "timeouts", "redirects", "decompression", "proxy"})

    def fetch_many(self, requests: Sequence[Request], policy: Policy) -> list[FetchResult]:
        check_all(requests, policy)
        n = len(requests)
        results: list[FetchResult | None] = [None] * n
        multi = pycurl.CurlMulti()
        multi.setopt(pycurl.M_MAXCONNECTS, max(1, min(policy.concurrency, n)))
        free = [_Slot() for _ in range(min(policy.concurrency, n))]
        slots = list(free)
        next_i = 0
        done = 0
        try:
            while done < n:
                while free and next_i < n:
                    slot = free.pop()
                    self._start(slot, next_i, requests[next_i], policy)
                    multi.add_handle(slot.curl)
                    next_i += 1
                while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                    pass
                _, ok, failed = multi.info_read()
                for c in ok:
                    slot = c.slot
                    multi.remove_handle(c)
                    status, headers = _parse_head(slot.head)
                    url = c.getinfo(pycurl.EFFECTIVE_URL)
                    version = _VERSIONS.get(c.getinfo(pycurl.INFO_HTTP_VERSION), "")
                    results[slot.index] = finalize(
                        ClientResponse(status, headers, slot.body.getvalue(), url,
                                       http_version=version), 1, slot.started)
                    free.append(slot)
                    done += 1
                for c, code, msg in failed:
                    slot = c.slot
                    multi.remove_handle(c)
                    results[slot.index] = finalize(FetchError(_KINDS.get(code, "other"), msg), 1,
                                                   slot.started)
                    free.append(slot)
                    done += 1
                if not ok and not failed:
                    multi.select(0.1)
        finally:
            for s in slots:
                s.curl.close()
            multi.close()
        return results  # type: ignore[return-value]

    @staticmethod
    def _start(slot: _Slot, index: int, req: Request, policy: Policy) -> None:
        c = slot.curl
        get = req.method == "GET" and not req.body
        if not (get and slot.plain_get):
            c.reset()
            c.slot = slot
            c.setopt(pycurl.NOSIGNAL, 1)
            c.setopt(pycurl.ACCEPT_ENCODING, "")
            c.setopt(pycurl.FOLLOWLOCATION, 1 if policy.follow_redirects else 0)
            c.setopt(pycurl.MAXREDIRS, policy.max_redirects)
            c.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
            c.setopt(pycurl.REDIR_PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
            if policy.connect_timeout:
                c.setopt(pycurl.CONNECTTIMEOUT_MS, int(policy.connect_timeout * 1000))
            if policy.total_timeout:
                c.setopt(pycurl.TIMEOUT_MS, int(policy.total_timeout * 1000))
            if policy.read_timeout:  # curl's nearest thing: under 1 byte/s for N whole seconds
                c.setopt(pycurl.LOW_SPEED_LIMIT, 1)
                c.setopt(pycurl.LOW_SPEED_TIME, max(1, math.ceil(policy.read_timeout)))
            c.setopt(pycurl.SSL_VERIFYPEER, 1 if policy.verify_tls else 0)
            c.setopt(pycurl.SSL_VERIFYHOST, 2 if policy.verify_tls else 0)
            if policy.ca_file:
                c.setopt(pycurl.CAINFO, policy.ca_file)
            if not policy.use_proxy:
                c.setopt(pycurl.PROXY, "")
            elif policy.proxy:
                c.setopt(pycurl.PROXY, policy.proxy)
            if policy.user_agent:
                c.setopt(pycurl.USERAGENT, policy.user_agent)
            c.setopt(pycurl.WRITEFUNCTION, lambda data, s=slot: s.body.write(data))
            c.setopt(pycurl.HEADERFUNCTION, slot.head.append)
            if req.method == "HEAD":
                c.setopt(pycurl.NOBODY, 1)
            elif not get:
                if req.method != "POST":
                    c.setopt(pycurl.CUSTOMREQUEST, req.method)
                if req.body or req.method in ("POST", "PUT", "PATCH"):
                    c.setopt(pycurl.POSTFIELDSIZE, len(req.body))
                    c.setopt(pycurl.POSTFIELDS, bytes(req.body))
            slot.plain_get = get
        hdrs = [f"{k}: {v}" if v else f"{k};" for k, v in req.headers]
        if req.body:
            hdrs.append("Expect:")
        c.setopt(pycurl.HTTPHEADER, hdrs)
        c.setopt(pycurl.URL, req.url)
        slot.index = index
        slot.body = BytesIO()
        slot.head.clear()
        slot.started = time.perf_counter()

"""lapwise.Client's own API against the fault server (label e2e): callbacks and iteration,
Ctrl-C, asyncio, the GIL, proxies from the environment, credentials on redirects, and the
run's accounting. Durations only ever appear as generous bounds that a correct client meets
whatever the load (being slow can never make them fail)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time

import pytest

import lapwise._client as api

from suites.adapters.adapter import requires_native
from suites.adapters.client.base import (Cancelled, ClientResponse, FetchError, InvalidRequest,
                                         Policy, PolicyError, Request)
from suites.e2e.client.fixtures import fault_server_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(not requires_native(), reason=str(requires_native().reason))


def test_callbacks_see_every_result_once(fault_server):
    reqs = [Request.get(fault_server.url(f"/f/cb{i}?p=d{(i * 7) % 40}")) for i in range(50)]
    seen: dict[int, ClientResponse] = {}
    progress: list[api.Progress] = []
    results = api.Client(Policy(concurrency=8)).fetch_many(
        reqs, on_result=lambda i, r: seen.__setitem__(i, r), on_progress=progress.append)
    assert sorted(seen) == list(range(50))
    assert all(seen[i] == results[i] for i in range(50))
    assert [r.body for r in results] == [f"cb{i}".encode() for i in range(50)]
    assert progress[-1] == api.Progress(50, 50)
    assert all(a.done < b.done for a, b in zip(progress, progress[1:]))


def test_iter_completed_yields_each_index_once(fault_server):
    reqs = [Request.get(fault_server.url(f"/f/it{i}?p=d{(i * 13) % 50}")) for i in range(30)]
    got = dict(api.Client(Policy(concurrency=30)).iter_completed(reqs))
    assert sorted(got) == list(range(30))
    assert all(got[i].body == f"it{i}".encode() for i in range(30))


def test_closing_the_iterator_cancels_the_rest(fault_server):
    fault_server.clear()
    reqs = [Request.get(fault_server.url("/delay/200"))] * 40
    it = api.Client(Policy(concurrency=2)).iter_completed(reqs)
    next(it)
    it.close()
    time.sleep(0.3)
    assert len(fault_server.log()) < 40  # the rest was never sent


def test_ctrl_c_cancels_cleanly_and_says_what_was_not_done(fault_server):
    # 20 requests of 2 s at concurrency 2 would take 20 s; Ctrl-C after 0.5 s.
    reqs = [Request.get(fault_server.url("/delay/2000"))] * 20
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    client = api.Client(Policy(concurrency=2))
    timer.start()
    with pytest.raises(Cancelled) as info:
        client.fetch_many(reqs)
    exc = info.value
    assert isinstance(exc, KeyboardInterrupt)
    assert len(exc.results) == 20
    assert exc.not_done == [i for i, r in enumerate(exc.results)
                            if isinstance(r, FetchError) and r.kind == "cancelled"]
    assert len(exc.not_done) == 20  # none could finish in 0.5 s: the run did not go to completion
    kinds = {r.message.split(" (")[0] for r in exc.results}
    assert kinds == {"cancelled while in flight", "cancelled before it was sent"}
    assert "20 of 20 requests not done (18 never sent, 2 interrupted" in str(exc)
    assert client.last_stats["cancelled"] == 20


def test_async_form_does_not_block_the_loop(fault_server):
    reqs = [Request.get(fault_server.url(f"/f/as{i}?p=d300")) for i in range(8)]

    async def main():
        ticks = 0
        done = False

        async def ticker():
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0.01)

        t = asyncio.create_task(ticker())
        results = await api.Client(Policy(concurrency=8)).fetch_many_async(reqs)
        done = True
        await t
        return results, ticks

    results, ticks = asyncio.run(main())
    assert [r.body for r in results] == [f"as{i}".encode() for i in range(8)]
    assert ticks >= 3  # a blocked loop would tick once or not at all in the 300 ms wait


def test_async_cancellation_stops_the_run(fault_server):
    fault_server.clear()
    reqs = [Request.get(fault_server.url("/delay/300"))] * 30

    async def main():
        task = asyncio.create_task(api.Client(Policy(concurrency=2)).fetch_many_async(reqs))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    time.sleep(0.4)
    assert len(fault_server.log()) < 30


def test_async_iteration(fault_server):
    reqs = [Request.get(fault_server.url(f"/f/ai{i}?p=d{i * 10}")) for i in range(5)]

    async def main():
        return [i async for i, _ in api.Client(Policy(concurrency=5)).aiter_completed(reqs)]

    assert sorted(asyncio.run(main())) == list(range(5))


def test_the_wait_releases_the_gil(fault_server):
    reqs = [Request.get(fault_server.url("/delay/300"))] * 4
    out = []
    th = threading.Thread(target=lambda: out.append(api.Client(Policy(concurrency=4)).fetch_many(reqs)))
    th.start()
    spins = 0
    while th.is_alive():
        spins += 1
    th.join()
    assert all(r.status == 200 for r in out[0])
    assert spins > 10_000  # with the GIL held for 300 ms this loop would barely run


def test_failing_callback_cancels_and_propagates(fault_server):
    reqs = [Request.get(fault_server.url("/delay/50"))] * 20

    def boom(i, r):
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        api.Client(Policy(concurrency=2)).fetch_many(reqs, on_result=boom)


def test_invalid_input_raises_before_sending(fault_server):
    fault_server.clear()
    client = api.Client(Policy())
    with pytest.raises(InvalidRequest, match="request 1: unsupported scheme 'ftp'"):
        client.fetch_many([Request.get(fault_server.url("/")), Request.get("ftp://x/")])
    with pytest.raises(InvalidRequest, match="header"):
        client.fetch_many([Request("GET", fault_server.url("/"), (("X", "a\r\nInjected: 1"),))])
    with pytest.raises(PolicyError, match="concurrency"):
        api.Client(Policy(concurrency=0))
    assert fault_server.log() == []


def test_accounting_matches_the_server(fault_server):
    fault_server.clear()
    reqs = [Request.get(fault_server.url(f"/f/acc{i}?p={p}"))
            for i, p in enumerate(["ok", "s503,ok", "reset,ok", "s500,s500,ok"] * 5)]
    client = api.Client(Policy(concurrency=4, retries=3, backoff_base=0.01))
    results = client.fetch_many(reqs)
    seen = len(fault_server.log())
    stats = client.last_stats
    assert all(r.status == 200 for r in results)
    assert sum(r.attempts for r in results) == seen
    assert stats["attempts"] == seen  # every send, libcurl's resends included
    assert stats["retries"] + stats["resends"] == seen - len(reqs)


def test_retry_after_as_http_date(fault_server):
    fault_server.clear()
    r, = api.Client(Policy(retries=1)).fetch_many(
        [Request.get(fault_server.url("/f/date?p=s503~rad2,ok"))])
    assert r.status == 200 and r.attempts == 2
    (t0, *_), (t1, *_) = fault_server.log()
    assert t1 - t0 >= 1.9  # the date was 2 s after the response's own Date header


def test_proxy_from_the_environment(fault_server, monkeypatch):
    fault_server.clear()
    monkeypatch.setenv("http_proxy", fault_server.base)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    r, = api.Client(Policy()).fetch_many([Request.get("http://proxied.invalid/f/px?p=ok")])
    assert r.status == 200 and r.body == b"px"
    assert fault_server.log()[0][1] == "/f/px"
    r, = api.Client(Policy(use_proxy=False, retries=0)).fetch_many(
        [Request.get("http://proxied.invalid/f/px?p=ok")])
    assert isinstance(r, FetchError) and r.kind == "connect"


def test_credentials_are_dropped_when_a_redirect_changes_host(fault_server):
    auth = (("Authorization", "Bearer secret"), ("X-Test", "1"))
    same = fault_server.url("/redirect?to=/echo")
    other = fault_server.url(f"/redirect?to=http://localhost:{fault_server.port}/echo")
    r_same, r_other = api.Client(Policy()).fetch_many(
        [Request("GET", same, auth), Request("GET", other, auth)])
    names_same = {n for n, _ in json.loads(r_same.body)["headers"]}
    names_other = {n for n, _ in json.loads(r_other.body)["headers"]}
    assert "authorization" in names_same
    assert "authorization" not in names_other and "x-test" in names_other

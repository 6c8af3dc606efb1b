"""``lapwise.Client``: the native fan-out client (libcurl transport, lapwise scheduler).

    client = lapwise.Client(lapwise.Policy(concurrency=64, rate=100))
    results = client.fetch_many([lapwise.Request.get(u) for u in urls])   # GIL released
    for index, result in client.iter_completed(reqs): ...                 # as they complete
    results = await client.fetch_many_async(reqs)                          # asyncio, non-blocking

One result per request, in input order. Ctrl-C during a run cancels it cleanly and raises
``Cancelled`` (a KeyboardInterrupt) whose ``results`` hold every finished result and
``FetchError(kind="cancelled")`` for the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import _native_status
from ._client_types import (Cancelled, ClientResponse, FetchError, FetchResult, InvalidRequest,
                            Policy, PolicyError, Request, check_request)

_WAIT_S = 0.05  # longest time between two chances for Python's signal handlers (Ctrl-C)


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int


class Client:
    """A fan-out client with one policy. Stateless between runs; safe to share."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy if policy is not None else Policy()
        if not isinstance(self.policy, Policy):
            raise PolicyError(f"expected a Policy, got {type(self.policy).__name__}")
        self.last_stats: dict[str, int] = {}

    # -- runs ---------------------------------------------------------------------------

    def _start(self, requests: Sequence[Request]) -> Any:
        requests = list(requests)
        # Types only: the core validates URLs, methods and headers itself (one URL parse per
        # request, with libcurl's parser), and its refusals become InvalidRequest below.
        for i, r in enumerate(requests):
            if type(r) is not Request:
                check_request(i, r)
            elif not isinstance(r.body, (bytes, bytearray, memoryview)):
                raise InvalidRequest(i, f"body must be bytes, got {type(r.body).__name__}")
        native = _native_status.module()
        try:
            # The core reads method/url/headers/body off each Request itself (no tuples).
            return native.ClientRun(requests, self.policy.to_dict())
        except ValueError as exc:  # the core's own validation: args are (index or None, message)
            if len(exc.args) == 2 and isinstance(exc.args[1], str) and (
                    exc.args[0] is None or isinstance(exc.args[0], int)):
                index, message = exc.args
                if index is None:
                    raise PolicyError(f"policy: {message}") from None
                raise InvalidRequest(index, message) from None
            raise

    @staticmethod
    def _finish(run: Any) -> list[FetchResult]:
        return run.results(ClientResponse, FetchError)

    def _interrupted(self, run: Any, exc: BaseException) -> BaseException:
        run.cancel()
        run.join()
        results = self._finish(run)
        self.last_stats = run.stats()
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Cancelled):
            not_done = [i for i, r in enumerate(results)
                        if isinstance(r, FetchError) and r.kind == "cancelled"]
            return Cancelled(results, not_done)
        return exc

    def fetch_many(self, requests: Sequence[Request], *,
                   on_result: Callable[[int, FetchResult], None] | None = None,
                   on_progress: Callable[[Progress], None] | None = None) -> list[FetchResult]:
        """Fetches every request; returns one result per request in input order. The wait
        releases the GIL. ``on_result(index, result)`` and ``on_progress(Progress)`` run on
        this thread as results arrive. Ctrl-C raises Cancelled (with the partial results)."""
        run = self._start(requests)
        total = len(run)
        done = 0
        try:
            if on_result is None and on_progress is None:
                # Nothing to report on the way: sleep through the run (waking only every
                # _WAIT_S for signal handlers) instead of once per batch of results, which
                # would take the CPU from the run's thread each time.
                while not run.wait_end(_WAIT_S):
                    pass
            while True:
                finished = run.finished()
                indices = run.wait(_WAIT_S) if not finished else run.poll()
                if indices:
                    done += len(indices)
                    if on_result is not None:
                        for i in indices:
                            on_result(i, run.result(i, ClientResponse, FetchError))
                    if on_progress is not None:
                        on_progress(Progress(done, total))
                if finished:
                    break
        except BaseException as exc:  # Ctrl-C or a failing callback: cancel, keep what finished
            raise self._interrupted(run, exc) from None
        results = self._finish(run)
        self.last_stats = run.stats()
        return results

    def iter_completed(self, requests: Sequence[Request]) -> Iterator[tuple[int, FetchResult]]:
        """Yields (index, result) as each request completes. Closing the iterator early (or
        Ctrl-C) cancels what is left."""
        run = self._start(requests)
        try:
            while True:
                finished = run.finished()
                for i in run.wait(_WAIT_S) if not finished else run.poll():
                    yield i, run.result(i, ClientResponse, FetchError)
                if finished:
                    break
        except BaseException as exc:  # GeneratorExit included: nothing keeps running
            raised = self._interrupted(run, exc)
            if isinstance(exc, GeneratorExit):
                return
            raise raised from None
        self.last_stats = run.stats()

    async def fetch_many_async(self, requests: Sequence[Request], *,
                               on_result: Callable[[int, FetchResult], None] | None = None
                               ) -> list[FetchResult]:
        """The awaitable form: the run goes on a native thread and wakes the event loop through
        a file descriptor, so the loop never blocks. Cancelling the task cancels the run."""
        sink: list[list[FetchResult]] = []
        async for i, r in self._aiter(requests, on_result is not None, sink):
            if on_result is not None:
                on_result(i, r)
        return sink[0]

    async def aiter_completed(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, FetchResult]]:
        """Async iterator of (index, result) as each request completes."""
        async for item in self._aiter(requests, True, []):
            yield item

    async def _aiter(self, requests: Sequence[Request], want_results: bool,
                     sink: list[list[FetchResult]]) -> AsyncIterator[tuple[int, FetchResult]]:
        """Yields (index, result) when `want_results`; the full result list goes to `sink`."""
        loop = asyncio.get_running_loop()
        run = self._start(requests)
        fd = run.fileno()
        queue: asyncio.Queue[list[int] | None] = asyncio.Queue()

        def readable() -> None:
            indices = run.poll()
            if indices:
                queue.put_nowait(indices)
            if run.finished():
                loop.remove_reader(fd)
                queue.put_nowait(None)

        loop.add_reader(fd, readable)
        try:
            while True:
                batch = await queue.get()
                if batch is None:
                    break
                if want_results:
                    for i in batch:
                        yield i, run.result(i, ClientResponse, FetchError)
        except BaseException:
            loop.remove_reader(fd)
            run.cancel()
            await loop.run_in_executor(None, run.join)  # cancellation is quick; keep the loop free
            sink.append(self._finish(run))
            self.last_stats = run.stats()
            raise
        loop.remove_reader(fd)
        sink.append(self._finish(run))
        self.last_stats = run.stats()


__all__ = ["Client", "Progress"]

"""An asyncio loop that runs a native server itself (the server option ``external_loop``).

With one thread on the epoll transport the server can start no io thread: the asyncio loop
watches the server's epoll descriptor (``poll_fd``) and calls ``poll()`` when it is readable
and when the delay the last ``poll()`` returned (the next deadline sweep) has passed. Each
``poll()`` is one non-blocking turn of the server's loop on the asyncio loop's thread: the
server's hooks run there, and answers given on that thread are written without an eventfd
round trip, a thread switch or a GIL hand-off. ``lapwise.asgi`` and ``lapwise.App`` (when it
has ``async def`` parts) serve this way; ``loop_drives`` says when.

While ``poll()`` runs, the thread shows no running asyncio loop: the handlers called inside it
(a ``def`` route run inline) see what they see on an io thread, so that the code that tells a
``def`` handler from an ``async def`` one by ``asyncio.get_running_loop()`` keeps telling them
apart. Coroutines started there go to the loop by name (``asyncio.Task(..., loop=loop)``).
"""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio import events
from collections.abc import Callable
from typing import Any

_set_running_loop = events._set_running_loop


def loop_drives(threads: int, options: dict[str, Any]) -> bool:
    """Whether an asyncio loop may run the server itself (one epoll loop, no io thread): the
    default with one thread on the epoll transport. Takes the ``loop_drives`` option out of
    ``options``; False keeps an io thread. Unset, it follows $LAPWISE_LOOP_DRIVES ("0": False;
    so a deployment, or a test run, keeps the io thread without a change of code), else True."""
    wanted = options.pop("loop_drives", None)
    if wanted is None:
        wanted = os.environ.get("LAPWISE_LOOP_DRIVES", "1") != "0"
    io = options.get("io") or "auto"
    if io == "auto":  # the core resolves it the same way
        io = os.environ.get("LAPWISE_SERVER_IO") or "auto"
    return bool(wanted) and threads == 1 and io in ("auto", "epoll") and sys.platform == "linux"


class LoopDriver:
    """Runs ``server`` (started with ``external_loop``) from ``loop``. ``attach`` and ``last``
    run on the loop's thread. ``before`` and ``after`` (if given) run around each ``poll()``,
    ``after`` whatever it raised: a bridge that queues what the server's hooks hand it takes
    the queue once, after the poll, instead of waking the loop for it."""

    __slots__ = ("loop", "server", "_before", "_after", "_timer", "_attached")

    def __init__(self, loop: asyncio.AbstractEventLoop, server: Any, before: Callable[[], Any] | None = None,
                 after: Callable[[], Any] | None = None) -> None:
        self.loop = loop
        self.server = server
        self._before = before
        self._after = after
        self._timer: asyncio.TimerHandle | None = None
        self._attached = False

    def attach(self) -> None:
        """From now on the loop polls the server (call on the loop's thread)."""
        self.loop.add_reader(self.server.poll_fd, self.poll)
        self._attached = True
        self.poll()

    def poll(self) -> None:
        """One turn of the server; schedules the next sweep, or detaches once it has stopped."""
        if self._before is not None:
            self._before()
        _set_running_loop(None)  # it runs as a callback of self.loop: restored below
        try:
            delay = self.server.poll()
        finally:
            _set_running_loop(self.loop)
            if self._after is not None:
                self._after()
        if delay < 0:  # the server has stopped
            self.detach()
        elif self._timer is None and self._attached:
            self._timer = self.loop.call_later(delay / 1000, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.poll()

    def detach(self) -> None:
        """The loop stops polling (the server is not stopped: see ``last``)."""
        if not self._attached:
            return
        self._attached = False
        self.loop.remove_reader(self.server.poll_fd)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def last(self) -> None:
        """For a loop that ends: stops polling, and stops a server not stopped yet at once, on
        this thread (``poll_last``: every socket closes)."""
        self.detach()
        self.server.poll_last()

"""The ASGI ``lifespan`` protocol: startup before the server listens, shutdown after it drained.

An app that raises on the lifespan scope before sending anything does not support it (as
uvicorn's default ``lifespan="auto"``): the server runs without. ``lifespan.startup.failed``,
or an exception during startup, is a ``LifespanError`` with the app's message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ._asgi_exchange import ASGI_VERSION

log = logging.getLogger("lapwise.asgi")


class LifespanError(RuntimeError):
    """The app's startup (or shutdown) failed; the message is the app's."""


class Lifespan:
    """Runs the app's lifespan task on ``loop``; ``state`` is what startup put in the scope."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self.supported = True
        self._inbox: asyncio.Queue[dict[str, Any]] | None = None
        self._outbox: asyncio.Queue[dict[str, Any]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        self._inbox, self._outbox = asyncio.Queue(), asyncio.Queue()
        scope = {"type": "lifespan", "asgi": ASGI_VERSION, "state": self.state}
        self._task = asyncio.get_running_loop().create_task(self._main(scope))
        await self._inbox.put({"type": "lifespan.startup"})
        reply = await self._outbox.get()
        if reply["type"] == "lifespan.startup.failed":
            raise LifespanError(reply.get("message") or "lifespan startup failed")
        if reply["type"] == "unsupported":
            self.supported = False

    async def shutdown(self) -> None:
        if not self.supported or self._task is None or self._task.done():
            return
        assert self._inbox is not None and self._outbox is not None
        await self._inbox.put({"type": "lifespan.shutdown"})
        reply = await self._outbox.get()
        if reply["type"] == "lifespan.shutdown.failed":
            raise LifespanError(reply.get("message") or "lifespan shutdown failed")

    async def _main(self, scope: dict[str, Any]) -> None:
        assert self._inbox is not None and self._outbox is not None
        sent: list[str] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message["type"])
            await self._outbox.put(message)  # type: ignore[union-attr]

        try:
            await self.app(scope, self._inbox.get, send)
        except BaseException as exc:  # noqa: BLE001 - every outcome is reported to the waiter
            if not sent:
                log.debug("the app does not support lifespan (%s: %s)", type(exc).__name__, exc)
                await self._outbox.put({"type": "unsupported"})
            else:
                await self._outbox.put({"type": _failed_type(sent), "message": f"{type(exc).__name__}: {exc}"})
            return
        # Returned without answering what is awaited: treat as done.
        await self._outbox.put({"type": "unsupported" if not sent else _failed_type(sent)[:-len("failed")] +
                                "complete"})


def _failed_type(sent: list[str]) -> str:
    return "lifespan.shutdown.failed" if "lifespan.startup.complete" in sent else "lifespan.startup.failed"

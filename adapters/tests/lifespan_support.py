"""The lifespan half every raw ASGI test app needs and none of them tests: startup succeeds,
shutdown completes. Apps that test lifespan itself (test_asgi's, the failing ones) keep their own."""

from __future__ import annotations

from typing import Any


async def complete_lifespan(receive: Any, send: Any) -> None:
    """Answers ``lifespan.startup`` with complete until ``lifespan.shutdown``, then completes that."""
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})

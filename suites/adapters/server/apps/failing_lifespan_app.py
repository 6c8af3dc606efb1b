"""An ASGI app whose lifespan startup fails: a server hosting it must not serve, and must exit
with the app's error in its output (``STARTUP_ERROR``)."""

from __future__ import annotations

STARTUP_ERROR = "lifespan startup refused: the database is unreachable"


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.failed", "message": STARTUP_ERROR})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"served without a started app"})

"""What the WebSocket tests share: a record of what the handlers saw (read from the test
thread), a bounded asyncio run, the URL of a served path, and a raw client that completes the
handshake and vanishes."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from typing import Any

HANDSHAKE = (b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             b"Sec-WebSocket-Version: 13\r\n\r\n")


class Seen:
    """Items the handlers add (any thread); the test waits for them."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.changed = threading.Condition()

    def add(self, item: Any) -> None:
        with self.changed:
            self.items.append(item)
            self.changed.notify_all()

    def wait_for(self, item: Any, timeout: float = 10.0) -> bool:
        return self.wait_until(lambda: item in self.items, timeout)

    def wait_until(self, ready: Callable[[], bool], timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(ready, timeout)

    def count(self, item: Any) -> int:
        with self.changed:
            return self.items.count(item)


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


def url(srv: Any, path: str) -> str:
    return f"ws://127.0.0.1:{srv.port}{path}"


def vanish(srv: Any, path: str) -> None:
    """Opens a WebSocket on ``path`` and closes the socket without a Close frame."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n".encode() + HANDSHAKE)
        assert s.recv(4096).startswith(b"HTTP/1.1 101 ")


def closed_by_server(srv: Any, path: str, *messages: str | bytes, **connect: Any) -> tuple[int, str]:
    """Connects to ``path`` with Debian's ``websockets`` (``connect``: its options), sends
    ``messages`` and reads until the server closes; returns the close code and reason."""
    import websockets

    async def go() -> tuple[int, str]:
        async with websockets.connect(url(srv, path), max_size=None, **connect) as c:
            for m in messages:
                await c.send(m)
            try:
                while True:
                    await c.recv()
            except websockets.ConnectionClosed:
                return c.close_code, c.close_reason

    return run(go())  # type: ignore[no-any-return]


def closed_by_stopping(srv: Any, path: str, echoed: bool = False) -> tuple[int, str]:
    """Opens a WebSocket on ``path``, sends one message (and reads its answer when ``echoed``),
    stops the server from another thread and reads until the server closes; returns the close
    code and reason once the stop has returned."""
    import websockets

    async def go() -> tuple[int, str]:
        async with websockets.connect(url(srv, path)) as c:
            await c.send("x")
            if echoed:
                await c.recv()
            stopper = threading.Thread(target=srv.stop)
            stopper.start()
            try:
                while True:
                    await c.recv()
            except websockets.ConnectionClosed:
                pass
        await asyncio.get_running_loop().run_in_executor(None, stopper.join, 20)
        assert not stopper.is_alive()
        return c.close_code, c.close_reason

    return run(go())  # type: ignore[no-any-return]

"""One host's per-request Python, driven in-process without sockets: the same ASGI app behind
lapwise's ASGI bridge and behind uvicorn's httptools protocol, each fed request after request
on a uvloop loop in batches (``batch`` requests at once, as a server with that many busy
connections gets them), with everything the host does in Python between the bytes and the app (and
back) run for real. What they leave out is the same for both: socket reads and writes, the
event loop's polling, the kernel; for lapwise also the C++ parse, scope values and response
writing (a fake native request stands in: its ``_scope`` copies prebuilt values into the
template, its answers are only collected).

    run = lapwise_driver(app, target); run(n) -> the last response's (status, body)
    run = uvicorn_driver(app, target); run(n) -> the same
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Driver = Callable[[int], tuple[int, bytes]]


def _split(target: str) -> tuple[str, str]:
    path, _, query = target.partition("?")
    return path, query


class _FakeNativeRequest:
    """What lapwise.asgi reads from a native request, prebuilt."""

    __slots__ = ("values", "body_streamed", "method")
    websocket = None  # a plain HTTP request, never a WebSocket handshake

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.body_streamed = False
        self.method = values["method"]

    def _scope(self, template: dict[str, Any]) -> dict[str, Any]:
        return template | self.values  # one C-level merge, as the native call builds one dict


def lapwise_driver(app: Any, target: str, batch: int = 32) -> Driver:
    from lapwise import asgi as lapwise_asgi

    answered: list[tuple[Any, ...]] = []
    # The bridge's state without its thread and server: this driver runs its loop.
    bridge = lapwise_asgi._Bridge(app, ("127.0.0.1", 8000), "", 0.0, answer_many=answered.extend,
                                  thread=False)
    bridge.lifespan.supported = False
    loop = bridge.loop
    path, query = _split(target)
    values = {"http_version": "1.1", "method": "GET", "path": path, "raw_path": path.encode(),
              "query_string": query.encode(), "headers": [(b"host", b"127.0.0.1:8000")],
              "client": ("127.0.0.1", 50000)}

    async def drive(n: int) -> tuple[int, bytes]:
        for _ in range(max(1, n // batch)):
            for _ in range(batch):
                bridge.enter(_FakeNativeRequest(values))
            for _ in range(100_000):  # bounded: a bridge that fails a request never answers it
                if len(answered) >= batch:
                    break
                await asyncio.sleep(0)
            else:
                raise RuntimeError(f"lapwise.asgi answered {len(answered)} of {batch} requests")
            last = answered[-1]
            answered.clear()
        return last[1], bytes(last[3])

    return lambda n: loop.run_until_complete(drive(n))


class _FakeSocket:
    def getpeername(self) -> tuple[str, int]:
        return ("127.0.0.1", 50000)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", 8000)


class _FakeTransport:
    """What uvicorn's protocol writes to, keeping the bytes."""

    def __init__(self) -> None:
        self.out: list[bytes] = []
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"socket": _FakeSocket(), "peername": ("127.0.0.1", 50000),
                "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def write(self, data: bytes) -> None:
        self.out.append(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def uvicorn_driver(app: Any, target: str, batch: int = 32) -> Driver:
    import uvloop
    from uvicorn.config import Config
    from uvicorn.main import ServerState
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    config = Config(app=app, http="httptools", loop="none", lifespan="off", log_level="warning",
                    access_log=False)
    config.load()
    state = ServerState()
    conns = []
    for _ in range(batch):  # one keep-alive connection per request of a batch
        proto, transport = HttpToolsProtocol(config, state, _loop=loop), _FakeTransport()
        proto.connection_made(transport)
        conns.append((proto, transport))
    raw = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n".encode()

    def pending() -> bool:
        return any(p.cycle is None or not p.cycle.response_complete for p, _ in conns)

    async def drive(n: int) -> tuple[int, bytes]:
        for _ in range(max(1, n // batch)):
            for proto, _ in conns:
                proto.data_received(raw)
            while pending():
                await asyncio.sleep(0)
            out = b"".join(conns[-1][1].out)
            for _, transport in conns:
                transport.out.clear()
        head, _, body = out.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    return lambda n: loop.run_until_complete(drive(n))

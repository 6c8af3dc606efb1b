"""Conformance cases driven by Debian's `websockets` client (an independent implementation),
for what a conforming client can express: mixed messages, fragmented sends, pings, a close
code, and permessage-deflate with context takeover as that library negotiates it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from .ws_case_model import FAIL, INFO, NON_STRICT, PASS, Case, Target, Verdict

Scenario = Callable[[Any], Awaitable[Verdict]]


def _client_case(case_id: str, expect: str, scenario: Scenario, compression: str | None = None) -> Case:
    def run(t: Target) -> Verdict:
        try:
            import websockets
        except ImportError:
            return Verdict(INFO, "python3-websockets is not installed")
        if compression and not t.deflate:
            return Verdict(INFO, "no permessage-deflate in this setup")

        async def main() -> Verdict:
            async with websockets.connect(f"ws://127.0.0.1:{t.port}/echo", compression=compression,
                                          max_size=1 << 22, open_timeout=5, close_timeout=5) as ws:
                return await asyncio.wait_for(scenario(ws), 20)

        try:
            return asyncio.run(main())
        except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as exc:
            return Verdict(FAIL, f"{type(exc).__name__}: {exc}")

    return Case(case_id, expect, run)


_MESSAGES: list[str | bytes] = ["hello", "κόσμε 😀", b"\x00\x01\xfe\xff", "", b"", "x" * 70000, b"y" * 65536]


async def _mixed(ws: Any) -> Verdict:
    for m in _MESSAGES:
        await ws.send(m)
        got = await ws.recv()
        if got != m:
            return Verdict(FAIL, f"sent {type(m).__name__}({len(m)}), got {type(got).__name__}({len(got)})")
    return Verdict(PASS, f"{len(_MESSAGES)} messages echoed")


async def _fragmented(ws: Any) -> Verdict:
    await ws.send(["frag", "men", "ted"])
    text = await ws.recv()
    await ws.send([b"\x01", b"\x02"])
    data = await ws.recv()
    ok = text == "fragmented" and data == b"\x01\x02"
    return Verdict(PASS if ok else FAIL, f"got {text!r}, {data!r}")


async def _ping(ws: Any) -> Verdict:
    waiter = await ws.ping(b"are you there")
    await asyncio.wait_for(waiter, 5)
    return Verdict(PASS, "pong received")


async def _close_code(ws: Any) -> Verdict:
    await ws.close(code=4001, reason="bye")
    code = ws.close_code
    if code == 4001:
        return Verdict(PASS, "close 4001 echoed")
    return Verdict(NON_STRICT if code == 1000 else FAIL, f"close {code}")


async def _deflate(ws: Any) -> Verdict:
    ext = ws.response_headers.get("Sec-WebSocket-Extensions", "")
    if "permessage-deflate" not in ext:
        return Verdict(NON_STRICT, "websockets' offer declined")
    for i in range(20):
        m = f"repeated text compresses against the window {i % 3} " * 30
        await ws.send(m)
        if await ws.recv() != m:
            return Verdict(FAIL, f"message {i} differs")
    return Verdict(PASS, f"20 compressed messages echoed ({ext})")


def client_cases() -> list[Case]:
    return [
        _client_case("client.mixed_messages", "text, binary, empty and 64 KiB+ messages round-trip "
                     "through the websockets client", _mixed),
        _client_case("client.fragmented_send", "messages the websockets client sends in fragments "
                     "come back whole", _fragmented),
        _client_case("client.ping", "the websockets client's ping is answered", _ping),
        _client_case("client.close_code", "the websockets client's close 4001 is echoed", _close_code),
        _client_case("client.deflate", "permessage-deflate as websockets negotiates it (context "
                     "takeover, 20 messages)", _deflate, compression="deflate"),
    ]

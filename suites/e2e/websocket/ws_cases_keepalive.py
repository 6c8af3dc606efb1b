"""Conformance cases: keep-alive (RFC 6455 5.5.2: a Ping may serve as a keep-alive; 7.1.1: the
server closes with a Close frame before it drops TCP). Each server is started for them with the
keep-alive ``KEEPALIVE`` (a Ping after 1 s without a byte from the client, 1 s to answer).

- A client that never answers (no Pong, no frame) must be closed, and with a Close frame: pass
  for a Close and then TCP closed; non-strict for TCP dropped without a Close; fail for a
  server told a timeout that leaves the client connected; info for a server that has no
  timeout option (it pings, but nothing closes the client: not this table's choice).
- A client that answers every Ping stays open: after several intervals its message is still
  echoed (pass); closed meanwhile: fail; no Ping seen at all: non-strict (it stays open, but
  nothing shows its keep-alive runs).
"""

from __future__ import annotations

import time

from suites.adapters.websocket.base import KEEPALIVE

from .ws_case_model import FAIL, INFO, NON_STRICT, PASS, Case, Target, Verdict
from .ws_raw_client import PONG, TEXT, RawClient, frame

# Long enough for the Ping, the timeout and a Close wait after it, with room for a loaded host.
_SILENT_WAIT = 3 * (KEEPALIVE[0] + KEEPALIVE[1]) + 2.0
_ANSWERING_FOR = 3 * KEEPALIVE[0] + 0.5


def _read_for(c: RawClient, seconds: float) -> None:
    """Records what comes for at most ``seconds`` in all (a server that keeps pinging never
    falls silent), or until the server closes."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not c.observed.eof:
        c.read("quiet", wait=min(0.2, max(0.01, end - time.monotonic())))


def _never_answers(t: Target) -> Verdict:
    c = t.connect()
    try:
        if not c.accepted:
            return Verdict(FAIL, f"handshake: {c.observed.summary()}")
        _read_for(c, _SILENT_WAIT)
        obs = c.observed
        obs.stayed_open = not obs.eof
    finally:
        c.shutdown()
    summary = obs.summary()
    if obs.data() or obs.kinds("bad"):
        return Verdict(FAIL, summary)
    if obs.stayed_open:
        if not t.keepalive_timeout:
            return Verdict(INFO, f"no ping timeout option; {summary}")
        return Verdict(FAIL, summary)
    if obs.close is None:
        return Verdict(NON_STRICT, summary + " (TCP dropped without a Close frame)")
    return Verdict(PASS, summary)


def _answer_pings(c: RawClient, seconds: float) -> int:
    """Reads for ``seconds``, answering each Ping with its Pong; returns how many came."""
    answered = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and not c.observed.eof and c.observed.close is None:
        c.read("quiet", wait=min(0.2, max(0.01, end - time.monotonic())))
        pings = c.observed.kinds("ping")
        for p in pings[answered:]:
            c.send(frame(PONG, p.payload))
        answered = len(pings)
    return answered


def _answers(t: Target) -> Verdict:
    c = t.connect()
    try:
        if not c.accepted:
            return Verdict(FAIL, f"handshake: {c.observed.summary()}")
        pings = _answer_pings(c, _ANSWERING_FOR)
        if c.observed.eof or c.observed.close is not None:
            return Verdict(FAIL, c.observed.summary() + " (closed although every Ping was answered)")
        c.send(frame(TEXT, b"still here"))
        c.read("data", count=1, wait=3.0)
        obs = c.finish()
    finally:
        c.shutdown()
    summary = obs.summary()
    if obs.data() != [("text", b"still here")] or obs.kinds("bad"):
        return Verdict(FAIL, summary)
    if pings == 0:
        return Verdict(NON_STRICT, summary + " (no keep-alive Ping seen)")
    return Verdict(PASS, summary)


def keepalive_cases() -> list[Case]:
    interval, timeout = KEEPALIVE
    return [
        Case("keepalive.never_answers", f"a client silent after the keep-alive Ping ({interval:g} s, "
             f"{timeout:g} s to answer) is closed with a Close frame, then TCP", _never_answers),
        Case("keepalive.answers", "a client that answers every Ping with its Pong stays open "
             f"across {_ANSWERING_FOR:g} s of keep-alive and is still echoed", _answers),
    ]

"""The conformance table's vocabulary: a case (what is sent, what RFC 6455 / RFC 7692 expect)
and a verdict per server, graded as the Autobahn suite grades:

- ``pass``: what the RFC requires (and, where it says SHOULD, what it recommends);
- ``non-strict``: allowed by the RFC, or a failure done another acceptable way (a different
  error close code, dropping TCP without a Close frame, a first valid message not echoed
  before the failure);
- ``fail``: against the RFC (a bad frame echoed, the connection left open, the wrong answer;
  a bad frame answered with a normal Close 1000: the error went undetected);
- ``info``: nothing to grade (e.g. a size limit the server cannot be given).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .ws_raw_client import Observed, RawClient

PASS, NON_STRICT, FAIL, INFO = "pass", "non-strict", "fail", "info"
GRADES = (PASS, NON_STRICT, FAIL, INFO)
Message = tuple[str, bytes]


@dataclass(frozen=True)
class Verdict:
    grade: str
    observed: str


@dataclass(frozen=True)
class Target:
    """The server under test, as the cases need to know it."""

    port: int
    limit_configured: bool = True  # started with the table's message limit
    deflate: bool = True  # offers permessage-deflate
    keepalive_timeout: bool = True  # can be told to close a client that does not answer Pings

    def connect(self, extensions: str | None = None, **kw: object) -> RawClient:
        return RawClient(self.port, extensions=extensions, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    id: str  # "<group>.<name>", unique
    expect: str  # what the RFC requires, in words
    run: Callable[[Target], Verdict]

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]


Sender = Callable[[RawClient], object]


def _handshake_failed(c: RawClient) -> Verdict:
    return Verdict(FAIL, f"handshake: {c.observed.summary()}")


def exchange(t: Target, extensions: str | None, send: Sender,
             collect: Callable[[RawClient], Observed]) -> Observed | Verdict:
    """One connection: the handshake (a refusal is the server's fail), ``send``, then what
    ``collect`` reads; the socket is closed whatever happens."""
    c = t.connect(extensions)
    try:
        if not c.accepted:
            return _handshake_failed(c)
        send(c)
        return collect(c)
    finally:
        c.shutdown()


def echo_case(case_id: str, expect: str, send: Sender, want: Sequence[Message],
              extensions: str | None = None, pongs: Sequence[bytes] | None = None,
              wait: float = 3.0) -> Case:
    """The server answers with exactly ``want`` (and, with ``pongs``, those pongs before the
    last message), then completes a normal close handshake."""

    def collect(c: RawClient) -> Observed:
        c.read("data", count=len(want), wait=wait)
        return c.finish()

    def run(t: Target) -> Verdict:
        obs = exchange(t, extensions, send, collect)
        return obs if isinstance(obs, Verdict) else judge_echo(obs, want, pongs)

    return Case(case_id, expect, run)


def judge_echo(obs: Observed, want: Sequence[Message], pongs: Sequence[bytes] | None) -> Verdict:
    got = obs.data()
    summary = obs.summary()
    if obs.kinds("bad"):
        return Verdict(FAIL, summary)
    if got != list(want):
        return Verdict(FAIL, summary if len(got) == len(want) else f"{summary} (wanted {len(want)} messages)")
    if pongs is not None and [e.payload for e in obs.kinds("pong")] != list(pongs):
        return Verdict(FAIL, summary + " (pongs differ)")
    close = obs.close
    if close is None:
        return Verdict(NON_STRICT, summary + " (no Close reply)")
    if close.code not in (1000, None):
        return Verdict(FAIL, summary)
    return Verdict(PASS, summary)


def fail_case(case_id: str, expect: str, send: Sender, codes: Sequence[int] = (1002,),
              before: Sequence[Message] = (), extensions: str | None = None,
              wait: float = 3.0) -> Case:
    """The server fails the connection: a Close with one of ``codes`` (another code, or TCP
    closed without a Close frame: non-strict). Only the valid messages sent before the bad
    frame (``before``) may be echoed (not echoing them: non-strict)."""

    def run(t: Target) -> Verdict:
        obs = exchange(t, extensions, send, lambda c: c.read("close", wait=wait))
        return obs if isinstance(obs, Verdict) else judge_failure(obs, codes, before)

    return Case(case_id, expect, run)


def judge_failure(obs: Observed, codes: Sequence[int], before: Sequence[Message] = ()) -> Verdict:
    got = obs.data()
    summary = obs.summary()
    if obs.kinds("bad") or (got and got != list(before)):
        return Verdict(FAIL, summary)
    if obs.stayed_open:
        return Verdict(FAIL, summary)
    close = obs.close
    if close is None:
        return Verdict(NON_STRICT, summary)
    if close.code == 1000 and 1000 not in codes:
        return Verdict(FAIL, summary + " (a normal close: the error went undetected)")
    if close.code not in codes or (before and not got):
        return Verdict(NON_STRICT, summary)
    return Verdict(PASS, summary)


def needs_limit(case: Case) -> Case:
    """A size-limit case: on a server that could not be given the table's bound, anything but
    a pass is ``info`` (its own default decides, not this table)."""

    def run(t: Target) -> Verdict:
        v = case.run(t)
        if not t.limit_configured and v.grade != PASS:
            return Verdict(INFO, f"no message limit option; {v.observed}")
        return v

    return Case(case.id, case.expect, run)

"""Conformance cases: the closing handshake and close codes (RFC 6455 5.5.1, 7.4) and the
opening handshake's refusals (4.2.1, 4.4)."""

from __future__ import annotations

from collections.abc import Sequence

from .ws_case_model import FAIL, NON_STRICT, PASS, Case, Sender, Target, Verdict, exchange, fail_case
from .ws_raw_client import CLOSE, CONT, PING, TEXT, RawClient, close_payload, frame

VALID_CODES = (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999)
INVALID_CODES = (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535)


def close_reply_case(case_id: str, expect: str, send: Sender, codes: Sequence[int | None],
                     echo_code: int | None = None) -> Case:
    """The server answers the client's Close with one Close whose code is one of ``codes``
    (``echo_code``, when given, is what it SHOULD send; the other codes are non-strict),
    sends no data after it, and closes TCP."""

    def run(t: Target) -> Verdict:
        obs = exchange(t, None, send, lambda c: c.read("close", wait=3.0))
        if isinstance(obs, Verdict):
            return obs
        summary = obs.summary()
        closes = obs.kinds("close")
        if obs.data() or obs.kinds("pong") or obs.kinds("bad") or obs.stayed_open or len(closes) > 1:
            return Verdict(FAIL, summary)
        if not closes:
            return Verdict(NON_STRICT, summary)
        code = closes[0].code
        if code not in codes:
            return Verdict(FAIL, summary)
        if echo_code is not None and code != echo_code:
            return Verdict(NON_STRICT, summary)
        if not obs.eof:
            return Verdict(NON_STRICT, summary)
        return Verdict(PASS, summary)

    return Case(case_id, expect, run)


def _close(code: int | None, reason: bytes = b"") -> Sender:
    return lambda c: c.close(code, reason)


def close_cases() -> list[Case]:
    cases = [
        close_reply_case("close.empty", "a Close with no payload is answered with a Close",
                         _close(None), (None, 1000)),
        close_reply_case("close.normal_with_reason", "Close 1000 with a reason is answered 1000",
                         _close(1000, b"bye"), (1000, None), echo_code=1000),
        close_reply_case("close.reason_123", "Close with the longest reason (123 bytes)",
                         _close(1000, b"r" * 123), (1000, None), echo_code=1000),
        close_reply_case("close.text_after", "text after Close is not echoed (nothing after Close is data)",
                         lambda c: (c.close(1000), c.send(frame(TEXT, b"late"))), (1000, None)),
        close_reply_case("close.twice", "a second Close is ignored: one Close reply, no more",
                         lambda c: (c.close(1000), c.send(frame(CLOSE, close_payload(1000)))),
                         (1000, None)),
        close_reply_case("close.ping_after", "a ping after Close gets no pong",
                         lambda c: (c.close(1000), c.send(frame(PING, b"late"))), (1000, None)),
        close_reply_case("close.inside_fragmented", "Close between two fragments ends the "
                         "connection; the unfinished message is not echoed",
                         lambda c: (c.send(frame(TEXT, b"part", fin=False)), c.close(1000),
                                    c.send(frame(CONT, b"rest"))), (1000, None)),
        fail_case("close.payload_one_byte", "a Close payload of one byte fails (5.5.1)",
                  lambda c: c.send_frame(CLOSE, b"\x03")),
        fail_case("close.reason_invalid_utf8", "a Close reason that is not UTF-8 fails with 1007",
                  lambda c: c.send(frame(CLOSE, close_payload(1000, b"ok\xff"))), codes=(1007,)),
    ]
    for code in VALID_CODES:
        cases.append(close_reply_case(f"close.code_{code}", f"a valid code {code} is answered, "
                                      "echoing it (1000 instead: non-strict)", _close(code),
                                      (code, 1000, None), echo_code=code))
    for code in INVALID_CODES:
        cases.append(fail_case(f"close.invalid_code_{code}", f"close code {code} is not allowed "
                               "on the wire: fails with 1002", _close(code)))
    return cases


def _refused(case_id: str, expect: str, headers: dict[str, str], want_header: str | None) -> Case:
    def run(t: Target) -> Verdict:
        c = RawClient(t.port, headers=headers)
        try:
            obs = c.observed
        finally:
            c.shutdown()
        status = obs.status
        line = obs.response_head.split("\r\n", 1)[0]
        if status in (101, -101) or status == 0:
            return Verdict(FAIL, line or "no answer")
        if not 400 <= status < 500:
            return Verdict(FAIL, line)
        if want_header and want_header.lower() not in obs.response_head.lower():
            return Verdict(NON_STRICT, f"{line} without {want_header}")
        return Verdict(PASS, line)

    return Case(case_id, expect, run)


def handshake_cases() -> list[Case]:
    return [
        _refused("handshake.version_99", "an unknown Sec-WebSocket-Version is refused with a 4xx "
                 "naming the versions spoken (426 + Sec-WebSocket-Version)", {"Sec-WebSocket-Version": "99"},
                 "Sec-WebSocket-Version"),
        _refused("handshake.no_key", "an upgrade without Sec-WebSocket-Key is refused with a 4xx",
                 {"Sec-WebSocket-Key": ""}, None),
        _refused("handshake.short_key", "a Sec-WebSocket-Key that is not 16 bytes of base64 is "
                 "refused with a 4xx", {"Sec-WebSocket-Key": "c2hvcnQ="}, None),
    ]

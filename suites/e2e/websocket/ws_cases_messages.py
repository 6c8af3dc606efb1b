"""Conformance cases: fragmentation (5.4), UTF-8 in text messages (8.1, fail fast) and size
limits (a message over the server's bound: 1009)."""

from __future__ import annotations

from .ws_case_model import (FAIL, NON_STRICT, PASS, Case, Target, Verdict, echo_case, fail_case,
                            judge_failure, needs_limit)
from .ws_raw_client import BINARY, CONT, PONG, TEXT, frame

LIMIT = 1 << 20  # the bound every server that takes one is started with (adapters' MAX_MESSAGE)


def _fragments(op: int, parts: list[bytes]) -> bytes:
    out = b""
    for i, p in enumerate(parts):
        out += frame(op if i == 0 else CONT, p, fin=i == len(parts) - 1)
    return out


def fragmentation() -> list[Case]:
    return [
        echo_case("fragment.text_two", "a text message in two fragments is echoed whole",
                  lambda c: c.send(_fragments(TEXT, [b"frag", b"mented"])), [("text", b"fragmented")]),
        echo_case("fragment.binary_three", "a binary message in three fragments is echoed whole",
                  lambda c: c.send(_fragments(BINARY, [b"\x00", b"\x01\x02", b"\xff"])),
                  [("binary", b"\x00\x01\x02\xff")]),
        echo_case("fragment.empty_fragments", "empty fragments make an empty message",
                  lambda c: c.send(_fragments(TEXT, [b"", b"", b""])), [("text", b"")]),
        echo_case("fragment.one_byte_each", "twenty one-byte fragments, each its own write",
                  lambda c: [c.send(f) for f in [frame(TEXT if i == 0 else CONT, b"x", fin=i == 19)
                                                 for i in range(20)]],
                  [("text", b"x" * 20)]),
        echo_case("fragment.pong_inside", "a pong between fragments is ignored, the message echoed",
                  lambda c: c.send(frame(TEXT, b"a", fin=False) + frame(PONG, b"p") + frame(CONT, b"b")),
                  [("text", b"ab")]),
        fail_case("fragment.continuation_first", "a continuation with no message started fails",
                  lambda c: c.send_frame(CONT, b"orphan")),
        fail_case("fragment.continuation_first_unfinished", "an unfinished continuation with no "
                  "message started fails", lambda c: c.send_frame(CONT, b"orphan", fin=False)),
        fail_case("fragment.new_message_inside", "a new text frame inside a fragmented message fails",
                  lambda c: c.send(frame(TEXT, b"a", fin=False) + frame(TEXT, b"b"))),
        fail_case("fragment.binary_inside_text", "a binary frame inside a text message fails",
                  lambda c: c.send(frame(TEXT, b"a", fin=False) + frame(BINARY, b"b", fin=False))),
        fail_case("fragment.continuation_after_end", "a continuation after the final fragment fails",
                  lambda c: c.send(_fragments(TEXT, [b"a", b"b"]) + frame(CONT, b"c")),
                  before=[("text", b"ab")]),
    ]


_VALID = {
    "greek": "κόσμε".encode(),
    "nul": b"\x00",
    "u_d7ff": "\ud7ff".encode(),
    "u_e000": "\ue000".encode(),
    "u_fffd": "\ufffd".encode(),
    "u_10ffff": "\U0010ffff".encode(),
    "mixed": "aé€😀".encode(),
}
_INVALID = {
    "lone_continuation": b"a\x80b",
    "overlong_slash": b"\xc0\xaf",
    "overlong_3byte": b"\xe0\x80\xaf",
    "surrogate_high": b"\xed\xa0\x80",
    "surrogate_low": b"\xed\xbf\xbf",
    "above_10ffff": b"\xf4\x90\x80\x80",
    "byte_fe": b"\xfe",
    "byte_ff": b"\xff",
    "truncated_end": "κόσμ".encode() + b"\xce",
}


def utf8() -> list[Case]:
    cases = []
    for name, data in _VALID.items():
        cases.append(echo_case(f"utf8.valid_{name}", "valid UTF-8 text is echoed",
                               lambda c, d=data: c.send_frame(TEXT, d), [("text", data)]))
    for name, data in _INVALID.items():
        cases.append(fail_case(f"utf8.invalid_{name}", "invalid UTF-8 in a text message fails with "
                               "1007 (8.1); another close code is non-strict",
                               lambda c, d=data: c.send_frame(TEXT, d), codes=(1007,)))
    euro, smile = "€".encode(), "😀".encode()
    cases += [
        echo_case("utf8.split_in_char", "a character split across two fragments is valid",
                  lambda c: c.send(_fragments(TEXT, [b"k" + euro[:1], euro[1:] + b"!"])),
                  [("text", b"k" + euro + b"!")]),
        echo_case("utf8.four_byte_one_per_fragment", "a 4-byte character, one byte per fragment",
                  lambda c: c.send(_fragments(TEXT, [smile[i:i + 1] for i in range(4)])),
                  [("text", smile)]),
        fail_case("utf8.invalid_at_boundary", "a character cut at a fragment boundary and not "
                  "continued fails with 1007", lambda c: c.send(_fragments(TEXT, [b"ok\xce", b"A"])),
                  codes=(1007,)),
        fail_case("utf8.invalid_in_first_fragment", "invalid UTF-8 in the first of two fragments",
                  lambda c: c.send(_fragments(TEXT, [b"\xff", b"ok"])), codes=(1007,)),
        echo_case("utf8.binary_not_checked", "binary messages are not UTF-8 checked",
                  lambda c: c.send_frame(BINARY, b"\xff\xfe\xc0"), [("binary", b"\xff\xfe\xc0")]),
        Case("utf8.fail_fast_fragment", "invalid UTF-8 in an unfinished message fails at once "
             "(waiting for the message to end: non-strict)", _fail_fast(fragment=True)),
        Case("utf8.fail_fast_frame", "invalid UTF-8 early in a frame still arriving fails at once "
             "(waiting for the frame to end: non-strict)", _fail_fast(fragment=False)),
    ]
    return cases


def _fail_fast(fragment: bool):
    def run(t: Target) -> Verdict:
        c = t.connect()
        try:
            if not c.accepted:
                return Verdict(FAIL, f"handshake: {c.observed.summary()}")
            if fragment:
                c.send_frame(TEXT, b"abc\xffdef", fin=False)
                rest = frame(CONT, b"end")
            else:
                whole = frame(TEXT, b"abc\xff" + b"d" * 1000)
                c.send(whole[:20])
                rest = whole[20:]
            obs = c.read("close", wait=1.0)
            if obs.close is not None or obs.eof:
                return judge_failure(obs, (1007,))
            obs.stayed_open = False
            c.send(rest)
            obs = c.read("close", wait=2.0)
            v = judge_failure(obs, (1007,))
            return Verdict(NON_STRICT if v.grade == PASS else v.grade, "at the end only: " + v.observed)
        finally:
            c.shutdown()
    return run


def limits() -> list[Case]:
    def over_limit(send, name: str, expect: str) -> Case:
        return needs_limit(fail_case(name, expect + f" (servers started with a {LIMIT}-byte bound)",
                                     send, codes=(1009,), wait=5.0))

    big = bytes(LIMIT + 1)
    return [
        _inclusive_bound(echo_case("limit.at_bound", f"a message of exactly the bound ({LIMIT} bytes) "
                                   "is echoed (refused with 1009: non-strict, the bound is the server's)",
                                   lambda c: c.send_frame(BINARY, bytes(LIMIT)), [("binary", bytes(LIMIT))],
                                   wait=10.0)),
        over_limit(lambda c: c.send_frame(BINARY, big), "limit.frame_over",
                   "one frame a byte over the bound: close 1009"),
        over_limit(lambda c: c.send(_fragments(BINARY, [big[i:i + LIMIT // 4 + 1]
                                                        for i in range(0, len(big), LIMIT // 4 + 1)])),
                   "limit.fragments_over", "fragments each under the bound, together over it: close 1009"),
        over_limit(lambda c: c.send(frame(BINARY, b"", length=1 << 40)), "limit.huge_header_only",
                   "a frame header announcing 1 TiB: close 1009 before any payload"),
    ]


def _inclusive_bound(case: Case) -> Case:
    def run(t: Target) -> Verdict:
        v = case.run(t)
        if v.grade == FAIL and v.observed.startswith("close 1009"):
            return Verdict(NON_STRICT, v.observed + " (the bound is exclusive)")
        return v
    return Case(case.id, case.expect, run)


def message_cases() -> list[Case]:
    return fragmentation() + utf8() + limits()

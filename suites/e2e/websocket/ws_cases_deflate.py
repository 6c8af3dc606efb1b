"""Conformance cases: permessage-deflate (RFC 7692): negotiation parameters, compressed
messages (whole, fragmented, with context takeover), and what must fail."""

from __future__ import annotations

import random

from .ws_case_model import (FAIL, INFO, NON_STRICT, PASS, Case, Target, Verdict, echo_case, fail_case,
                            needs_limit)
from .ws_raw_client import BINARY, CONT, PING, TEXT, RawClient, frame

PMD = "permessage-deflate"
_KNOWN = {"", "server_no_context_takeover", "client_no_context_takeover",
          "server_max_window_bits", "client_max_window_bits"}


def _only_with_deflate(case: Case) -> Case:
    def run(t: Target) -> Verdict:
        if not t.deflate:
            return Verdict(INFO, "no permessage-deflate in this setup")
        return case.run(t)
    return Case(case.id, case.expect, run)


def _negotiation(case_id: str, expect: str, offer: str, check) -> Case:
    """``check(extension or None)`` grades the answer to ``offer``; an accepted offer must then
    carry a compressed message both ways."""

    def run(t: Target) -> Verdict:
        c = t.connect(offer)
        try:
            if not c.accepted:
                return Verdict(FAIL, f"handshake: {c.observed.summary()}")
            ext = c.extension if c.extension.get("") == PMD else None
            answer = _describe(ext)
            if ext is not None and set(ext) - _KNOWN:
                return Verdict(FAIL, f"unknown parameters answered: {answer}")
            grade, why = check(ext)
            if ext is not None and grade != FAIL:
                c.send_frame(TEXT, c.compress(b"compressed " * 20), rsv=4)
                c.read("data", count=1)
                obs = c.finish()
                if obs.data() != [("text", b"compressed " * 20)]:
                    return Verdict(FAIL, f"{answer}; echo: {obs.summary()}")
            return Verdict(grade, f"{answer}{'; ' + why if why else ''}")
        finally:
            c.shutdown()

    return _only_with_deflate(Case(case_id, expect, run))


def _describe(ext: dict[str, str | None] | None) -> str:
    if ext is None:
        return "declined"
    params = [k if v is None else f"{k}={v}" for k, v in ext.items() if k]
    return "; ".join([PMD, *params])


def _accepted(ext):
    return (PASS, "") if ext is not None else (NON_STRICT, "a valid offer declined")


def _keeps(param: str):
    def check(ext):
        if ext is None:
            return NON_STRICT, "a valid offer declined"
        return (PASS, "") if param in ext else (FAIL, f"{param} missing from the answer")
    return check


def _window_at_most(bits: int):
    def check(ext):
        if ext is None:
            return NON_STRICT, "a valid offer declined"
        value = ext.get("server_max_window_bits")
        if value is None or not value.isdigit() or not 8 <= int(value) <= bits:
            return FAIL, f"server_max_window_bits must be 8..{bits}"
        return PASS, ""
    return check


def _client_bits(ext):
    if ext is None:
        return NON_STRICT, "a valid offer declined"
    value = ext.get("client_max_window_bits", "15")
    return (PASS, "") if value and value.isdigit() and 8 <= int(value) <= 15 else (FAIL, "bad client_max_window_bits")


def _declined(ext):
    return (PASS, "") if ext is None else (FAIL, "an offer with an unknown parameter was accepted")


def negotiation_cases() -> list[Case]:
    return [
        _negotiation("deflate.offer_plain", "a plain offer is accepted", PMD, _accepted),
        _negotiation("deflate.client_max_window_bits", "client_max_window_bits without a value: "
                     "the answer's value, if any, is 8..15", f"{PMD}; client_max_window_bits", _client_bits),
        _negotiation("deflate.server_no_context_takeover", "server_no_context_takeover offered: "
                     "an acceptance must include it", f"{PMD}; server_no_context_takeover",
                     _keeps("server_no_context_takeover")),
        _negotiation("deflate.client_no_context_takeover", "client_no_context_takeover offered: "
                     "accepted (the server may echo it)", f"{PMD}; client_no_context_takeover", _accepted),
        _negotiation("deflate.server_max_window_bits_10", "server_max_window_bits=10 offered: an "
                     "acceptance answers 8..10", f"{PMD}; server_max_window_bits=10", _window_at_most(10)),
        _negotiation("deflate.unknown_parameter", "an offer with an unknown parameter is declined",
                     f"{PMD}; x_unknown=1", _declined),
        _negotiation("deflate.bad_window_value", "server_max_window_bits=16 (out of range) is declined",
                     f"{PMD}; server_max_window_bits=16", _declined),
        _negotiation("deflate.fallback_offer", "a bad first offer and a good second: the second is "
                     "accepted", f"{PMD}; x_unknown=1, {PMD}", _accepted),
    ]


def _compressed_fragments(c: RawClient, data: bytes, parts: int) -> None:
    z = c.compress(data)
    step = len(z) // parts + 1
    chunks = [z[i:i + step] for i in range(0, len(z), step)]
    out = b""
    for i, chunk in enumerate(chunks):
        out += frame(TEXT if i == 0 else CONT, chunk, fin=i == len(chunks) - 1, rsv=4 if i == 0 else 0)
    c.send(out)


_LONG = ("The quick brown fox jumps over the lazy dog. " * 300).encode()


def _far_repeats() -> bytes:
    """20 KB whose repeats lie 2 KB apart: a compressor with a window over 512 bytes uses
    them, so a reply compressed past a 9-bit window cannot be inflated with one."""
    block = random.Random(9).randbytes(2048)  # no shorter period inside a block
    return block * 10


def _windowed_echo() -> Case:
    offer = f"{PMD}; server_max_window_bits=9"

    def run(t: Target) -> Verdict:
        c = t.connect(offer)
        try:
            if not c.accepted:
                return Verdict(FAIL, f"handshake: {c.observed.summary()}")
            if not c.deflate:
                return Verdict(NON_STRICT, "a valid offer declined")
            bits = c.extension.get("server_max_window_bits")
            if bits is None or not bits.isdigit() or int(bits) > 9:
                return Verdict(FAIL, f"answered server_max_window_bits={bits}")
            c.send_frame(BINARY, c.compress(_far_repeats()), rsv=4)
            c.read("data", count=1, wait=3.0)
            obs = c.finish()
        finally:
            c.shutdown()
        ok = obs.data() == [("binary", _far_repeats())] and not obs.kinds("bad")
        return Verdict(PASS if ok else FAIL, obs.summary())

    return Case("deflate.server_window_9", "server_max_window_bits=9: the replies inflate with a "
                "512-byte window", run)


def message_cases() -> list[Case]:
    cases = [
        echo_case("deflate.echo_text", "a compressed text message is echoed",
                  lambda c: c.send_frame(TEXT, c.compress(b"Hello, deflate!"), rsv=4),
                  [("text", b"Hello, deflate!")], extensions=PMD),
        echo_case("deflate.echo_binary_64k", "a compressed 64 KiB binary message is echoed",
                  lambda c: c.send_frame(BINARY, c.compress(bytes(65536)), rsv=4),
                  [("binary", bytes(65536))], extensions=PMD),
        echo_case("deflate.empty", "a compressed empty message is echoed",
                  lambda c: c.send_frame(TEXT, c.compress(b""), rsv=4), [("text", b"")], extensions=PMD),
        echo_case("deflate.fragments", "a compressed message in three fragments (RSV1 on the "
                  "first only) is echoed", lambda c: _compressed_fragments(c, _LONG, 3),
                  [("text", _LONG)], extensions=PMD),
        echo_case("deflate.context_takeover", "a second message compressed against the first's "
                  "window is echoed", lambda c: (c.send_frame(TEXT, c.compress(_LONG), rsv=4),
                                                 c.send_frame(TEXT, c.compress(_LONG), rsv=4)),
                  [("text", _LONG), ("text", _LONG)], extensions=PMD),
        echo_case("deflate.uncompressed_mixed", "an uncompressed message (RSV1 clear) between "
                  "compressed ones is echoed", lambda c: (c.send_frame(TEXT, c.compress(b"a"), rsv=4),
                                                          c.send_frame(TEXT, b"b"),
                                                          c.send_frame(TEXT, c.compress(b"c"), rsv=4)),
                  [("text", b"a"), ("text", b"b"), ("text", b"c")], extensions=PMD),
        _windowed_echo(),
        fail_case("deflate.rsv1_on_continuation", "RSV1 on a continuation frame fails",
                  lambda c: c.send(frame(TEXT, c.compress(b"ab"), fin=False, rsv=4) + frame(CONT, b"", rsv=4)),
                  extensions=PMD),
        fail_case("deflate.rsv1_on_ping", "RSV1 on a control frame fails",
                  lambda c: c.send_frame(PING, b"p", rsv=4), extensions=PMD),
        fail_case("deflate.corrupt_data", "compressed bytes that do not inflate fail the "
                  "connection (1007 or 1002; another code: non-strict)",
                  lambda c: c.send_frame(TEXT, b"\xff\xff\xff\xff\xff", rsv=4), codes=(1007, 1002),
                  extensions=PMD),
        fail_case("deflate.bomb", "8 MiB of zeros compressed to a few KiB inflates past the 1 MiB "
                  "bound: close 1009", lambda c: c.send_frame(BINARY, c.compress(bytes(8 << 20)), rsv=4),
                  codes=(1009,), extensions=PMD, wait=5.0),
    ]
    return [_only_with_deflate(needs_limit(c) if c.id == "deflate.bomb" else c) for c in cases]


def deflate_cases() -> list[Case]:
    return negotiation_cases() + message_cases()

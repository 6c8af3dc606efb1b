"""Conformance cases: framing (payload lengths, masking), pings and pongs, reserved bits and
opcodes (RFC 6455 sections 5.1-5.5)."""

from __future__ import annotations

from .ws_case_model import Case, echo_case, fail_case
from .ws_raw_client import BINARY, CLOSE, PING, PONG, TEXT, RawClient, frame


def _text(n: int) -> bytes:
    return (b"abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n]


def _binary(n: int) -> bytes:
    return bytes(i * 7 % 256 for i in range(n))


def _sync(c: RawClient) -> None:
    """A text message after control frames: its echo marks that they were all handled."""
    c.send_frame(TEXT, b"sync")


def framing() -> list[Case]:
    cases = []
    for n in (0, 125, 126, 127, 65535, 65536):
        cases.append(echo_case(f"framing.text_{n}", f"a {n}-byte text message is echoed",
                               lambda c, n=n: c.send_frame(TEXT, _text(n)), [("text", _text(n))]))
    for n in (0, 125, 126, 65535, 65536):
        cases.append(echo_case(f"framing.binary_{n}", f"a {n}-byte binary message is echoed",
                               lambda c, n=n: c.send_frame(BINARY, _binary(n)),
                               [("binary", _binary(n))]))
    cases += [
        echo_case("framing.chopped_65536", "a 64 KiB text frame sent in 997-byte writes is echoed",
                  lambda c: c.send_chopped(frame(TEXT, _text(65536)), 997), [("text", _text(65536))]),
        echo_case("framing.byte_by_byte", "a frame sent one byte per write is echoed",
                  lambda c: c.send_chopped(frame(TEXT, b"Hello-byte-wise"), 1),
                  [("text", b"Hello-byte-wise")]),
        echo_case("framing.two_frames_one_write", "two frames in one write: both echoed, in order",
                  lambda c: c.send(frame(TEXT, b"one") + frame(BINARY, b"two")),
                  [("text", b"one"), ("binary", b"two")]),
        fail_case("framing.unmasked", "an unmasked client frame fails the connection (5.1)",
                  lambda c: c.send_frame(TEXT, b"unmasked", mask=False)),
        fail_case("framing.unmasked_after_valid", "valid message echoed, then an unmasked frame fails",
                  lambda c: c.send(frame(TEXT, b"ok") + frame(TEXT, b"bad", mask=False)),
                  before=[("text", b"ok")]),
        fail_case("framing.length_msb_set", "a 64-bit length with its top bit set fails (5.2)",
                  lambda c: c.send(frame(BINARY, b"", length=1 << 63)), codes=(1002, 1009)),
    ]
    return cases


def pings() -> list[Case]:
    def ping_then_sync(*payloads: bytes):
        def send(c: RawClient) -> None:
            for p in payloads:
                c.send_frame(PING, p)
            _sync(c)
        return send

    return [
        echo_case("ping.empty", "a ping with no payload gets a pong with no payload",
                  ping_then_sync(b""), [("text", b"sync")], pongs=[b""]),
        echo_case("ping.text_payload", "the pong carries the ping's payload",
                  ping_then_sync(b"Hello, pong!"), [("text", b"sync")], pongs=[b"Hello, pong!"]),
        echo_case("ping.binary_125", "a 125-byte binary ping payload comes back whole",
                  ping_then_sync(_binary(125)), [("text", b"sync")], pongs=[_binary(125)]),
        fail_case("ping.payload_126", "a 126-byte ping (control frames are at most 125) fails",
                  lambda c: c.send_frame(PING, _binary(126))),
        fail_case("ping.fragmented", "a fragmented ping (FIN clear) fails",
                  lambda c: c.send_frame(PING, b"frag", fin=False)),
        echo_case("ping.chopped", "a ping sent one byte per write gets its pong",
                  lambda c: (c.send_chopped(frame(PING, b"chopped ping"), 1), _sync(c)),
                  [("text", b"sync")], pongs=[b"chopped ping"]),
        echo_case("ping.ten_in_a_row", "ten pings: ten pongs in order (the RFC also lets a server "
                  "answer only the latest; graded by the pongs seen)",
                  ping_then_sync(*[bytes([i]) * 10 for i in range(10)]), [("text", b"sync")],
                  pongs=[bytes([i]) * 10 for i in range(10)]),
        echo_case("ping.during_fragmented_text", "a ping between two fragments is answered at once; "
                  "the message is echoed whole",
                  lambda c: (c.send_frame(TEXT, b"frag-", fin=False), c.send_frame(PING, b"mid"),
                             c.send_frame(0, b"ment")),
                  [("text", b"frag-ment")], pongs=[b"mid"]),
        echo_case("pong.unsolicited_empty", "an unsolicited pong is ignored",
                  lambda c: (c.send_frame(PONG, b""), _sync(c)), [("text", b"sync")], pongs=[]),
        echo_case("pong.unsolicited_payload", "an unsolicited pong with payload is ignored",
                  lambda c: (c.send_frame(PONG, b"unsolicited"), _sync(c)), [("text", b"sync")],
                  pongs=[]),
        echo_case("pong.then_ping", "an unsolicited pong, then a ping: only the ping is answered",
                  lambda c: (c.send_frame(PONG, b"u"), c.send_frame(PING, b"p"), _sync(c)),
                  [("text", b"sync")], pongs=[b"p"]),
    ]


def reserved() -> list[Case]:
    cases = []
    for rsv, name in ((4, "rsv1"), (2, "rsv2"), (1, "rsv3"), (7, "rsv_all")):
        cases.append(fail_case(f"reserved.{name}_text", f"{name.upper()} set with no extension "
                               "negotiated fails (5.2)",
                               lambda c, rsv=rsv: c.send_frame(TEXT, b"reserved", rsv=rsv)))
    cases += [
        fail_case("reserved.rsv2_after_valid", "a valid message is echoed, then RSV2 fails",
                  lambda c: c.send(frame(TEXT, b"ok") + frame(TEXT, b"r", rsv=2)), before=[("text", b"ok")]),
        fail_case("reserved.rsv3_ping", "RSV3 on a ping fails",
                  lambda c: c.send_frame(PING, b"r", rsv=1)),
        fail_case("reserved.rsv1_close", "RSV1 on a close fails",
                  lambda c: c.send_frame(CLOSE, b"\x03\xe8", rsv=4)),
    ]
    return cases


def opcodes() -> list[Case]:
    cases = []
    for op in (3, 4, 5, 6, 7):
        cases.append(fail_case(f"opcode.data_{op:x}", f"reserved data opcode {op:#x} fails (5.2)",
                               lambda c, op=op: c.send_frame(op, b"x")))
    for op in (0xB, 0xC, 0xD, 0xE, 0xF):
        cases.append(fail_case(f"opcode.control_{op:x}", f"reserved control opcode {op:#x} fails",
                               lambda c, op=op: c.send_frame(op, b"x")))
    cases.append(fail_case("opcode.reserved_after_valid", "a valid message is echoed, then opcode "
                           "0x5 fails", lambda c: c.send(frame(TEXT, b"ok") + frame(5, b"")),
                           before=[("text", b"ok")]))
    return cases


def frame_cases() -> list[Case]:
    return framing() + pings() + reserved() + opcodes()

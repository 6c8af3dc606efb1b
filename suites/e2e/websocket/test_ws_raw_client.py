"""The raw client's own pieces, without a server: frames as RFC 6455 lays them out, server
frames parsed back, and a reply compressed past the negotiated window refused."""

from __future__ import annotations

import struct
import zlib

import pytest

from .ws_cases_deflate import _far_repeats
from .ws_raw_client import BINARY, CLOSE, TEXT, RawClient, _xor, frame


def test_frame_lengths_and_mask():
    for n, head_len in ((0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)):
        f = frame(BINARY, bytes(n))
        assert f[0] == 0x82 and f[1] & 0x80
        assert len(f) == head_len + 4 + n
        key = f[head_len:head_len + 4]
        assert _xor(f[head_len + 4:], key) == bytes(n)
    f = frame(TEXT, b"abc", fin=False, rsv=4, mask=False)
    assert f == bytes([0x41, 3]) + b"abc"
    assert frame(BINARY, b"", length=1 << 63, mask=False)[1:10] == bytes([127]) + struct.pack("!Q", 1 << 63)


def _parser() -> RawClient:
    c = RawClient.__new__(RawClient)  # no socket: only the frame parser is exercised
    c._buf, c._message, c._message_op, c._message_compressed = b"", [], 0, False
    c.extension, c._inflate, c._inflate_bits = {}, None, -15
    return c


def test_server_frames_parse():
    c = _parser()
    c._buf = (bytes([0x01, 2]) + b"ab" + bytes([0x80, 1]) + b"c" + bytes([0x88, 2]) + struct.pack("!H", 1002))
    events = [c._parse_one() for _ in range(3)]
    assert [(e.kind, e.payload) for e in events[1:]] == [("text", b"abc"), ("close", b"")]
    assert events[2].code == 1002
    c._buf = frame(CLOSE, b"")  # masked: a server must not mask
    assert c._parse_one().kind == "bad"


@pytest.mark.parametrize("server_bits,ok", [(9, True), (15, False)])
def test_window_is_enforced(server_bits, ok):
    c = _parser()
    c._inflate_bits, c._inflate = -9, zlib.decompressobj(-9)
    z = zlib.compressobj(6, zlib.DEFLATED, -server_bits)
    data = z.compress(_far_repeats()) + z.flush(zlib.Z_SYNC_FLUSH)
    if ok:
        assert c._inflate_message(data) == _far_repeats()
    else:
        with pytest.raises(zlib.error):
            c._inflate_message(data)

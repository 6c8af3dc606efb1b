"""Request-smuggling vectors replayed through a hosted app: each request hides a second request
(``GET /names/smuggled``) that a server reading the framing another way would serve. The
verdict is ``rejected`` (an error answer, nothing served after it), ``one request`` (a framing
read that keeps the hidden bytes inside the body: safe alone, a desync behind a proxy that reads
it the other way), ``smuggled`` (the hidden request reached the app), or what else happened.

lapwise must reject every vector through both interfaces (test_hosting.py); the peers' verdicts
are reported in a table (hosting_table.py). The vectors follow the framing rules of RFC 9112
section 6 that the parser conformance cases pin down one by one."""

from __future__ import annotations

from dataclasses import dataclass

from .hosting_replay import exchange

HIDDEN = b"GET /names/smuggled HTTP/1.1\r\nHost: hosting.test\r\n\r\n"
MARK = b"smuggled"


@dataclass(frozen=True)
class SmuggleCase:
    name: str
    raw: bytes


def _post(*headers: str, body: bytes, version: str = "HTTP/1.1") -> bytes:
    lines = [f"POST /size {version}", "Host: hosting.test", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_TERMINATOR = b"0\r\n\r\n"
_CL_TE_BODY = _TERMINATOR + HIDDEN                       # chunked: ends, then HIDDEN; by length: all body
_TE_CL_HEAD = b"%x\r\n" % len(HIDDEN)                    # by length: just this line, then HIDDEN
_TE_CL_BODY = _TE_CL_HEAD + HIDDEN + b"\r\n" + _TERMINATOR  # chunked: HIDDEN is chunk data


def _cl_te(name: str, te_line: str) -> SmuggleCase:
    return SmuggleCase(name, _post(f"Content-Length: {len(_CL_TE_BODY)}", te_line, body=_CL_TE_BODY))


def _te_cl(name: str, te_line: str) -> SmuggleCase:
    return SmuggleCase(name, _post(te_line, f"Content-Length: {len(_TE_CL_HEAD)}", body=_TE_CL_BODY))


SMUGGLING: list[SmuggleCase] = [
    _cl_te("cl_te", "Transfer-Encoding: chunked"),
    _te_cl("te_cl", "Transfer-Encoding: chunked"),
    _cl_te("cl_te_uppercase_coding", "Transfer-Encoding: CHUNKED"),
    _cl_te("cl_te_space_before_colon", "Transfer-Encoding : chunked"),
    _cl_te("cl_te_tab_value", "Transfer-Encoding:\tchunked"),
    _cl_te("cl_te_vertical_tab", "Transfer-Encoding: \x0bchunked"),
    _cl_te("cl_te_xchunked", "Transfer-Encoding: xchunked"),
    _cl_te("cl_te_chunked_identity", "Transfer-Encoding: chunked, identity"),
    _cl_te("cl_te_obs_fold", "Transfer-Encoding: identity\r\n chunked"),
    _cl_te("cl_te_second_header", "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked"),
    _te_cl("te_cl_quoted_coding", 'Transfer-Encoding: "chunked"'),
    SmuggleCase("te_identity_then_chunked", _post("Transfer-Encoding: identity", "Transfer-Encoding: chunked",
                                                  body=_TE_CL_BODY)),
    SmuggleCase("te_in_http10", _post("Transfer-Encoding: chunked", body=_TE_CL_BODY, version="HTTP/1.0")),
    SmuggleCase("cl_twice_differing", _post("Content-Length: 0", f"Content-Length: {len(HIDDEN)}", body=HIDDEN)),
    SmuggleCase("cl_list_differing", _post(f"Content-Length: {len(HIDDEN)}, 0", body=HIDDEN)),
    SmuggleCase("cl_plus_sign", _post("Content-Length: +0", body=HIDDEN)),
    SmuggleCase("cl_space_inside", _post("Content-Length: 0 5", body=HIDDEN)),
    SmuggleCase("cl_hex", _post("Content-Length: 0x0", body=HIDDEN)),
    SmuggleCase("cl_space_before_colon", _post("Content-Length : 0", body=HIDDEN)),
    SmuggleCase("chunk_size_overflow", _post("Transfer-Encoding: chunked",
                                             body=b"10000000000000001\r\nx\r\n" + _TERMINATOR + HIDDEN)),
    SmuggleCase("chunk_size_0x_prefix", _post("Transfer-Encoding: chunked",
                                              body=b"0x5\r\nhello\r\n" + _TERMINATOR + HIDDEN)),
    SmuggleCase("chunk_bare_lf", _post("Transfer-Encoding: chunked", body=b"5\nhello\n0\n\n" + HIDDEN)),
    SmuggleCase("chunk_data_too_long", _post("Transfer-Encoding: chunked",
                                             body=b"3\r\nabcdef\r\n" + _TERMINATOR + HIDDEN)),
    SmuggleCase("chunk_ext_bare_cr", _post("Transfer-Encoding: chunked", body=b"3;a\rb\r\nabc\r\n" + _TERMINATOR
                                           + HIDDEN)),
    SmuggleCase("header_bare_lf", b"POST /size HTTP/1.1\r\nHost: hosting.test\nContent-Length: 0\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + _TE_CL_BODY),
]


def verdict(host: str, port: int, case: SmuggleCase, timeout: float = 0.8) -> str:
    try:
        t = exchange(host, port, [case.raw], ["POST", "GET"], timeout=timeout)
    except ConnectionRefusedError:
        return "server gone"
    if any(MARK in a.body for a in t.answers):
        return "smuggled"
    finals = [a.status for a in t.answers if a.status >= 200]
    if not finals:
        return "no answer" if not t.error else f"malformed answer ({t.error})"
    if finals[0] >= 400 and len(finals) == 1:
        return "rejected"
    if finals[0] < 400 and len(finals) == 1:
        return "one request"
    return "answers " + ",".join(map(str, finals))

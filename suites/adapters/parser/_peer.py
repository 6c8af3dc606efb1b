"""Small helpers the peer adapters share to express a peer's answer in the ``Parsed`` shape.

Peers report a request in their own terms; these helpers derive the few fields a peer does not
report itself, the way a user of that peer would (documented per use in each adapter)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .base import Header


def framing_from(headers: Sequence[Header]) -> str:
    """Body framing implied by headers the peer accepted: "chunked", "length" or "none"."""
    names = {n.lower() for n, _ in headers}
    if "transfer-encoding" in names:
        return "chunked"
    return "length" if "content-length" in names else "none"


def keep_alive_from(version: str, headers: Sequence[Header]) -> bool:
    """RFC 9112 §9.3 persistence from the Connection tokens (for peers that do not say)."""
    tokens = {t.strip(" \t").lower() for n, v in headers if n.lower() == "connection"
              for t in v.split(",")}
    if "close" in tokens:
        return False
    return version == "1.1" or "keep-alive" in tokens


def strip_ows(value: str) -> str:
    return value.strip(" \t")


def first_message_end(is_complete: Callable[[bytes], bool], buf: bytes) -> int:
    """The length of the shortest prefix of ``buf`` holding a complete first message, found by
    bisection with a fresh peer parser per probe (peers that cannot report how many bytes a
    message used; only needed when more data follows the first message). ``buf`` as a whole
    must be complete."""
    lo, hi = 0, len(buf)  # invariant: buf[:lo] incomplete, buf[:hi] complete
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if is_complete(buf[:mid]):
            hi = mid
        else:
            lo = mid
    return hi

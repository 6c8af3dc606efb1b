"""``lapwise.query``: query strings and percent-decoding (the parser core's query.h).

    lapwise.query.parse("a=1&b=x+y&a=%E2%9C%93")   # [('a', '1'), ('b', 'x y'), ('a', '✓')]
    lapwise.query.percent_decode_path("/a%20b+c")  # b'/a b+c'  ('+' stays a plus in paths)

``parse`` has the semantics of ``urllib.parse.parse_qsl(qs, keep_blank_values=True)``: split on
``&`` only, empty segments skipped, ``"k"`` and ``"k="`` give ``("k", "")``, repeated keys kept
in order, ``+`` is a space, invalid escapes stay literally, and bytes that are not UTF-8 after
decoding become U+FFFD. Unlike parse_qsl it has limits: over ``max_pairs`` pairs or
``max_length`` characters of input it raises ValueError.
"""

from __future__ import annotations

from . import _native_status

DEFAULT_MAX_PAIRS = 1000
DEFAULT_MAX_LENGTH = 64 * 1024


def parse(qs: str, max_pairs: int = DEFAULT_MAX_PAIRS,
          max_length: int = DEFAULT_MAX_LENGTH) -> list[tuple[str, str]]:
    """The (key, value) pairs of ``qs``; ValueError over a limit."""
    # The builtin takes positional arguments only (METH_FASTCALL); this frame gives keywords.
    pairs: list[tuple[str, str]] = _native_status.module().query_parse(qs, max_pairs, max_length)
    return pairs


def percent_decode_path(path: str | bytes) -> bytes:
    """``path`` with %XX escapes decoded and '+' left alone (the rule for paths)."""
    decoded: bytes = _native_status.module().percent_decode_path(path)
    return decoded


__all__ = ["DEFAULT_MAX_LENGTH", "DEFAULT_MAX_PAIRS", "parse", "percent_decode_path"]

"""The one byte-level difference between json/native's output and json.dumps' for the same
value: how a float's exponent is spelled.

lapwise (like orjson, and like the shared round-trip files) writes ``1e16``, ``1e-5``,
``1.7976931348623157e308`` where ``float.__repr__`` (and so json.dumps) writes ``1e+16``,
``1e-05``, ``1.7976931348623157e+308``. Digits, the switch to exponent form (below 1e-4 and
from 1e16 up) and fixed notation are repr's, so respelling the exponents of json.dumps' output
gives native's output exactly; suites use this to compare bytes with the stdlib reference.
"""

from __future__ import annotations

import re

# A JSON string (skipped whole, so text such as "1e+16" inside it is left alone) or a number
# in exponent form: mantissa, exponent sign, leading zeros, exponent digits.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|(-?\d+(?:\.\d+)?)[eE]([+-]?)0*(\d+)')


def _respell(m: re.Match[bytes]) -> bytes:
    if m.group(1) is None:
        return m.group(0)
    sign = b"-" if m.group(2) == b"-" else b""
    return m.group(1) + b"e" + sign + m.group(3)


def respell_exponents(data: bytes) -> bytes:
    """``data`` (JSON text as json.dumps writes it) with every number's exponent written the
    lapwise way: no '+', no leading zeros. Strings and all other tokens are unchanged."""
    return _TOKEN.sub(_respell, data)

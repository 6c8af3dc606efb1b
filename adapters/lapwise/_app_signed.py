"""Values signed with a secret key, so that what a client sends back can be trusted as ours:
``sign(key, data)`` gives ``payload.timestamp.mac`` (URL-safe base64 of the data, the signing
time in seconds, and HMAC-SHA256 over both) and ``unsign(key, value, max_age)`` the data again,
or None when the value was changed, signed with another key, or signed more than ``max_age``
seconds ago. Every character of a signed value may go in a cookie unquoted."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, signed: str) -> str:
    return _b64(hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest())


def sign(key: bytes, data: bytes, now: float | None = None) -> str:
    """``data`` signed with ``key`` at ``now`` (default: the current time)."""
    signed = f"{_b64(data)}.{int(time.time() if now is None else now)}"
    return f"{signed}.{_mac(key, signed)}"


def unsign(key: bytes, value: str, max_age: float | None, now: float | None = None) -> bytes | None:
    """The data of a value ``sign`` made with ``key`` at most ``max_age`` seconds ago (None:
    any age), else None."""
    payload, dot, rest = value.partition(".")
    stamp, dot2, mac = rest.partition(".")
    if not (dot and dot2 and stamp.isdigit() and stamp.isascii()):
        return None
    if not hmac.compare_digest(_mac(key, f"{payload}.{stamp}"), mac):
        return None
    if max_age is not None and (time.time() if now is None else now) - int(stamp) > max_age:
        return None
    try:
        return _unb64(payload)
    except (binascii.Error, ValueError):
        return None

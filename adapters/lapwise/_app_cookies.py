"""Cookies for lapwise.App (RFC 6265): ``parse_cookies`` reads a request's Cookie header and
``set_cookie_header`` writes one Set-Cookie value with its attributes (``Response.set_cookie``
and ``delete_cookie`` use it). Names must be tokens and values cookie-octets (no space, quote,
comma, semicolon, backslash or control byte): anything else raises ValueError rather than
sending a header a browser would read differently."""

from __future__ import annotations

import datetime
import email.utils
import re

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*\Z")
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def parse_cookies(header: str) -> dict[str, str]:
    """The name -> value pairs of a Cookie header (the first of a repeated name wins, as
    browsers send the most specific path first; surrounding double quotes removed)."""
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, eq, value = part.strip().partition("=")
        if not eq or not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out.setdefault(name.strip(), value)
    return out


def set_cookie_header(name: str, value: str = "", *, max_age: int | None = None,
                      expires: datetime.datetime | float | str | None = None, path: str | None = "/",
                      domain: str | None = None, secure: bool = False, httponly: bool = False,
                      samesite: str | None = None) -> str:
    """One Set-Cookie value. ``expires``: an aware datetime, a POSIX time or a ready HTTP date;
    ``samesite``: Strict, Lax or None (None needs ``secure=True``, as browsers require)."""
    if not _TOKEN.match(name):
        raise ValueError(f"a cookie name must be a token, not {name!r}")
    if not _OCTETS.match(value):
        raise ValueError(f"cookie {name!r}: the value holds a character cookies cannot carry: {value!r}")
    parts = [f"{name}={value}"]
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
    if expires is not None:
        if isinstance(expires, datetime.datetime):
            if expires.tzinfo is None:
                raise ValueError("expires must be an aware datetime (its time zone decides the instant)")
            expires = expires.timestamp()
        parts.append(f"Expires={expires if isinstance(expires, str) else email.utils.formatdate(expires, usegmt=True)}")
    for attr, text in (("Path", path), ("Domain", domain)):
        if text is not None:
            if any(c in text for c in ";\r\n\0"):
                raise ValueError(f"cookie {name!r}: {attr} holds ';', CR, LF or NUL")
            parts.append(f"{attr}={text}")
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if samesite is not None:
        same = _SAMESITE.get(samesite.lower())
        if same is None:
            raise ValueError(f"samesite is Strict, Lax or None, not {samesite!r}")
        if same == "None" and not secure:
            raise ValueError("SameSite=None needs secure=True")
        parts.append(f"SameSite={same}")
    return "; ".join(parts)

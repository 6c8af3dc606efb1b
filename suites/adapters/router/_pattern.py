"""The canonical route syntax, for the Python routers: parsing, validation and importers.

Canonical patterns are ``/``-separated segments; a segment is static text or one whole
parameter: ``{name}`` (one non-empty segment), ``{name:int}`` (ASCII digits) or ``{name:path}``
(the rest of the path, possibly empty; last segment only). Names are identifiers, unique within
a pattern. The limits are the native core's (``lapwise/router/router.h``), so every router
rejects the same patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lapwise.http import is_token

from .base import RouteError

MAX_PARAMS = 16
MAX_PATTERN_LENGTH = 4096
MAX_METHOD_LENGTH = 32

Kind = Literal["static", "param", "int", "path"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CONVERTERS: dict[str, Kind] = {"int": "int", "path": "path"}


@dataclass(frozen=True, slots=True)
class Part:
    """One segment of a pattern: ``text`` is the static text, or the parameter's name."""

    kind: Kind
    text: str

    def canonical(self) -> str:
        if self.kind == "static":
            return self.text
        return "{" + self.text + ("}" if self.kind == "param" else f":{self.kind}}}")


def parse(pattern: str) -> tuple[Part, ...]:
    """The segments of a canonical pattern. Raises RouteError naming the pattern and its first
    fault from the left, in the native core's words ("unbalanced '{'", "must fill a whole
    segment", "unknown converter", "must be the last part", "used twice", ...)."""
    def bad(why: str) -> RouteError:
        return RouteError(f"syntax: {pattern!r}: {why}")

    if len(pattern.encode("utf-8", "surrogatepass")) > MAX_PATTERN_LENGTH:
        raise RouteError(f"too long: pattern of {len(pattern)} characters "
                         f"(max {MAX_PATTERN_LENGTH} bytes)")
    if not pattern.startswith("/"):
        raise bad("a pattern starts with '/'")
    parts: list[Part] = []
    names: set[str] = set()
    segments = pattern[1:].split("/")
    for i, seg in enumerate(segments):
        close = seg.find("}")
        opening = seg.find("{")
        if opening < 0 and close < 0:
            parts.append(Part("static", seg))
            continue
        if close >= 0 and (opening < 0 or close < opening):
            raise bad("unbalanced '}'")
        close = seg.find("}", opening)
        if close < 0 or "{" in seg[opening + 1:close]:
            raise bad("unbalanced '{'")
        name, colon, conv = seg[opening + 1:close].partition(":")
        kind = _CONVERTERS.get(conv) if colon else "param"
        if kind is None or (colon and not conv):
            raise bad(f"unknown converter {conv!r} (use {{name}}, {{name:int}} or {{name:path}})")
        if not name:
            raise bad("empty parameter name")
        if _NAME.match(name) is None:
            raise bad(f"invalid parameter name {name!r} (letters, digits and '_', "
                      "not starting with a digit)")
        if opening != 0 or close != len(seg) - 1:
            raise bad(f"parameter {seg[opening:close + 1]} must fill a whole segment")
        if kind == "path" and i != len(segments) - 1:
            raise bad(f"catch-all {seg} must be the last part")
        if name in names:
            raise bad(f"parameter name {name!r} used twice")
        names.add(name)
        parts.append(Part(kind, name))
    if len(names) > MAX_PARAMS:
        raise RouteError(f"too many parameters: {pattern!r} has {len(names)} (max {MAX_PARAMS})")
    return tuple(parts)


def check_method(method: str) -> None:
    """Raises RouteError unless ``method`` is an RFC 9110 token of at most 32 bytes."""
    if len(method) > MAX_METHOD_LENGTH:
        raise RouteError(f"too long: method of {len(method)} bytes (max {MAX_METHOD_LENGTH})")
    if not is_token(method):
        raise RouteError(f"invalid method {method!r}: not an HTTP token")


def from_httprouter(pattern: str, catch_all_name: str = "wildcard") -> str:
    """Rewrites httprouter syntax (``:name``, ``*name``, bare ``*``) to canonical syntax.

    A bare ``*`` (as in node_router_benchmark.txt) becomes ``{<catch_all_name>:path}``.
    httprouter's catch-all value keeps its leading '/', the canonical one does not, so
    ``/src/*file`` on ``/src/a/b`` gives ``a/b`` here. Raises RouteError on a wildcard that is not
    a whole segment or a catch-all that is not last.
    """
    if not pattern.startswith("/"):
        raise RouteError(f"invalid httprouter pattern {pattern!r}: a pattern starts with '/'")
    segments = pattern[1:].split("/")
    out = []
    for i, seg in enumerate(segments):
        if seg.startswith(":"):
            name = seg[1:]
            out.append("{" + name + "}")
        elif seg.startswith("*"):
            if i != len(segments) - 1:
                raise RouteError(f"invalid httprouter pattern {pattern!r}: "
                                 "a catch-all must be the last segment")
            out.append("{" + (seg[1:] or catch_all_name) + ":path}")
        elif ":" in seg or "*" in seg or "{" in seg or "}" in seg:
            raise RouteError(f"invalid httprouter pattern {pattern!r}: segment {seg!r} mixes "
                             "static text with a wildcard (or holds a brace)")
        else:
            out.append(seg)
    canonical = "/" + "/".join(out)
    parse(canonical)  # names must be identifiers, limits hold: same checks as canonical input
    return canonical


_WERKZEUG_CONVERTERS = {"param": "", "int": "int:", "path": "path:"}


def to_werkzeug(parts: tuple[Part, ...]) -> str:
    """The Werkzeug rule string of a parsed canonical pattern (``/u/<int:id>``). Static text
    holding '<' or '>' cannot be said in Werkzeug's syntax and raises RouteError."""
    out = []
    for p in parts:
        if p.kind == "static":
            if "<" in p.text or ">" in p.text:
                raise RouteError(f"static text {p.text!r} cannot be written as a Werkzeug rule")
            out.append(p.text)
        else:
            out.append(f"<{_WERKZEUG_CONVERTERS[p.kind]}{p.text}>")
    return "/" + "/".join(out)


def is_digits(text: str) -> bool:
    """``[0-9]+``: str.isdigit alone also accepts other scripts' digits and superscripts."""
    return text.isascii() and text.isdigit()

"""router/py-regex: the Starlette algorithm in plain Python, the other baseline. Each pattern
becomes one anchored regex; a lookup scans the routes in insertion order and the first whose
regex and method match wins; routes whose regex matched under other methods make the 405's
allowed list. There is no priority and no conflict check: the order of add() is the priority.
"""

from __future__ import annotations

import re
from typing import ClassVar

from . import _pattern
from .base import BACKTRACKING, INT, METHOD_405, PATH, Match, NoMatch, Router

_NOT_FOUND = NoMatch(404)
_REGEX = {"param": "[^/]+", "int": "[0-9]+", "path": ".*"}


def compile_pattern(parts: tuple[_pattern.Part, ...]) -> re.Pattern[str]:
    """The anchored regex of a parsed canonical pattern, one named group per parameter."""
    out = []
    for p in parts:
        out.append(re.escape(p.text) if p.kind == "static" else f"(?P<{p.text}>{_REGEX[p.kind]})")
    # \Z, not $: '$' also matches before a final newline.
    return re.compile("/" + "/".join(out) + r"\Z")


class PyRegexRouter(Router):
    name: ClassVar[str] = "py-regex"
    # A scan over every route never commits to a branch, so backtracking comes for free.
    features: ClassVar[frozenset[str]] = frozenset({BACKTRACKING, METHOD_405, INT, PATH})

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], str, int]] = []

    def add(self, method: str, pattern: str, value: int) -> None:
        _pattern.check_method(method)
        self._routes.append((compile_pattern(_pattern.parse(pattern)), method, value))

    def match(self, method: str, path: str) -> Match | NoMatch:
        allowed: list[str] = []
        for regex, route_method, value in self._routes:
            m = regex.match(path)
            if m is None:
                continue
            if route_method == method:
                return Match(value, m.groupdict())
            if route_method not in allowed:
                allowed.append(route_method)
        return NoMatch(405, tuple(allowed)) if allowed else _NOT_FOUND

"""router/py-trie: a pure-Python segment trie with the native router's semantics, the baseline
the native router has to beat (so it is written to be fast, not merely correct).

Each node has a dict of static children keyed by segment text, at most one parameter child
(``{name}`` or ``{name:int}``) and at most one catch-all (``{name:path}``). Lookup tries static,
then parameter, then catch-all at each segment and backtracks when a branch fails further down.
Routes with no parameter are also kept in one dict by full path, since such a route always has
the highest priority: most static lookups never walk the trie.
"""

from __future__ import annotations

from typing import ClassVar

from . import _pattern
from .base import ALL_FEATURES, Match, NoMatch, RouteError, Router

_NOT_FOUND = NoMatch(404)


class _Node:
    __slots__ = ("static", "param", "param_name", "param_int", "param_route",
                 "catch_name", "catch", "catch_route", "handlers", "routes")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.param_name = ""
        self.param_int = False
        self.param_route = ""  # the route that created the parameter child, for messages
        self.catch_name = ""
        self.catch: _Node | None = None  # holds only handlers/routes
        self.catch_route = ""
        self.handlers: dict[str, int] = {}  # method -> value, in insertion order
        self.routes: dict[str, str] = {}  # method -> "METHOD pattern" as added, for messages


class PyTrieRouter(Router):
    name: ClassVar[str] = "py-trie"
    features: ClassVar[frozenset[str]] = ALL_FEATURES

    def __init__(self) -> None:
        self._root = _Node()
        self._static: dict[str, dict[str, int]] = {}  # full path -> handlers of a static route
        self._nomatch405: dict[tuple[str, ...], NoMatch] = {}

    def add(self, method: str, pattern: str, value: int) -> None:
        _pattern.check_method(method)
        parts = _pattern.parse(pattern)
        route = f"{method} {pattern}"
        # Walk once to find conflicts before changing anything (on error nothing changes).
        node: _Node | None = self._root
        for p in parts:
            if node is None:
                break
            if p.kind == "static":
                node = node.static.get(p.text)
            elif p.kind == "path":
                if node.catch is not None and node.catch_name != p.text:
                    raise RouteError(f'conflict: "{route}" vs existing "{node.catch_route}": '
                                     f"parameter {p.canonical()} conflicts with "
                                     f"{{{node.catch_name}:path}}")
                node = node.catch
            else:
                if node.param is not None and (node.param_name != p.text
                                               or node.param_int != (p.kind == "int")):
                    raise RouteError(f'conflict: "{route}" vs existing "{node.param_route}": '
                                     f"parameter {p.canonical()} conflicts with {_param_text(node)}")
                node = node.param
        if node is not None and method in node.routes:
            raise RouteError(f'duplicate: "{route}" vs existing "{node.routes[method]}" '
                             f"(value {node.handlers[method]})")
        node = self._root
        for p in parts:
            if p.kind == "static":
                node = node.static.setdefault(p.text, _Node())
            elif p.kind == "path":
                if node.catch is None:
                    node.catch, node.catch_name, node.catch_route = _Node(), p.text, route
                node = node.catch
            else:
                if node.param is None:
                    node.param, node.param_name, node.param_int = _Node(), p.text, p.kind == "int"
                    node.param_route = route
                node = node.param
        node.handlers[method] = value
        node.routes[method] = route
        if all(p.kind == "static" for p in parts):
            self._static[pattern] = node.handlers

    def match(self, method: str, path: str) -> Match | NoMatch:
        handlers = self._static.get(path)
        if handlers is not None:
            value = handlers.get(method)
            if value is not None:
                return Match(value, {})
        if not path.startswith("/"):
            return _NOT_FOUND
        segs = path[1:].split("/")
        # Greedy descent, best branch first at each segment: if it ends on a route for the
        # method, that is the first match in priority order. Otherwise search with backtracking.
        params: dict[str, str] = {}
        node: _Node | None = self._root
        for i, seg in enumerate(segs):
            child = node.static.get(seg)  # type: ignore[union-attr]
            if child is None:
                child = node.param  # type: ignore[union-attr]
                if child is None or not seg or (node.param_int  # type: ignore[union-attr]
                                                and not (seg.isascii() and seg.isdigit())):
                    child = node.catch  # type: ignore[union-attr]
                    if child is not None:
                        params[node.catch_name] = "/".join(segs[i:])  # type: ignore[union-attr]
                    node = child
                    break
                params[node.param_name] = seg  # type: ignore[union-attr]
            node = child
        if node is not None:
            value = node.handlers.get(method)
            if value is not None:
                return Match(value, params)
        return self._search(method, segs)

    def _search(self, method: str, segs: list[str]) -> Match | NoMatch:
        other: list[dict[str, int]] = []  # the first node whose path matched, under other methods
        found = _find(self._root, segs, 0, len(segs), method, other)
        if found is not None:
            value, captured = found
            return Match(value, dict(captured))
        if other:
            allowed = tuple(other[0])
            nm = self._nomatch405.get(allowed)
            if nm is None:
                nm = self._nomatch405[allowed] = NoMatch(405, allowed)
            return nm
        return _NOT_FOUND


def _param_text(node: _Node) -> str:
    return "{" + node.param_name + (":int}" if node.param_int else "}")


def _find(node: _Node, segs: list[str], i: int, n: int, method: str,
          other: list[dict[str, int]]) -> tuple[int, list[tuple[str, str]]] | None:
    """The value and parameters of the first route, in priority order, matching segs[i:] under
    ``method``; appends to ``other`` the first matching node that lacks the method."""
    if i == n:
        h = node.handlers
        if method in h:
            return h[method], []
        if h and not other:
            other.append(h)
        return None
    seg = segs[i]
    child = node.static.get(seg)
    if child is not None:
        found = _find(child, segs, i + 1, n, method, other)
        if found is not None:
            return found
    child = node.param
    if child is not None and seg and (not node.param_int or (seg.isascii() and seg.isdigit())):
        found = _find(child, segs, i + 1, n, method, other)
        if found is not None:
            found[1].append((node.param_name, seg))
            return found
    child = node.catch
    if child is not None:
        h = child.handlers
        if method in h:
            return h[method], [(node.catch_name, "/".join(segs[i:]))]
        if h and not other:
            other.append(h)
    return None

"""What the adapters whose tree is lxml's share (lxml.html, html5lib's lxml tree builder):
cssselect selectors, DOM-exact text and serialisation. Not an adapter itself (the parser is
the subclasses' choice)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .base import HtmlEngine, join_strings, normalize_ws

_SKIPPED = ("script", "style", "template")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strings(el: Any) -> list[str]:
    out: list[str] = []
    stack = [(el, False)]
    while stack:  # iterative: deep pages must not hit the recursion limit
        node, tail_only = stack.pop()
        if tail_only:
            if node.tail:
                out.append(node.tail)
            continue
        if not isinstance(node.tag, str):  # comments and processing instructions
            continue
        if _local(node.tag) in _SKIPPED:
            continue
        if node.text:
            out.append(node.text)
        for child in reversed(node):
            stack.append((child, True))
            stack.append((child, False))
    return out


def lxml_text(el: Any, mode: str) -> str:
    if mode == "strings":
        return join_strings(_strings(el))
    raw = "".join(el.itertext())
    return raw if mode == "raw" else normalize_ws(raw)


def lxml_outer_html(el: Any, inner: bool) -> str:
    import lxml.html

    if not inner:
        return str(lxml.html.tostring(el, encoding="unicode", with_tail=False))
    parts = [el.text or ""]
    parts += [lxml.html.tostring(c, encoding="unicode", with_tail=True) for c in el]
    return "".join(parts)


class LxmlTreeEngine(HtmlEngine):
    def compile(self, css: str) -> Any:
        from lxml.cssselect import CSSSelector

        return CSSSelector(css, translator="html")

    def select(self, doc: Any, compiled: Any) -> Sequence[Any]:
        return compiled(doc)  # type: ignore[no-any-return]

    def text(self, el: Any, mode: str) -> str:
        return lxml_text(el, mode)

    def attributes(self, el: Any) -> Mapping[str, str]:
        return el.attrib  # type: ignore[no-any-return]

    def outer_html(self, el: Any, inner: bool) -> str:
        return lxml_outer_html(el, inner)

"""html/lxml: libxml2's HTML parser (lxml.html) with cssselect selectors. libxml2 follows HTML 4
error recovery, not the WHATWG algorithm, so some trees differ by design (the conformance
table lists where)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from .base import HtmlEngine
from ._lxml_tree import lxml_outer_html, lxml_text


class LxmlHtmlEngine(HtmlEngine):
    name: ClassVar[str] = "lxml"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("lxml.cssselect")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        import lxml.html

        self._parser = lxml.html.HTMLParser(encoding="utf-8")
        self._fromstring = lxml.html.document_fromstring
        super().__init__(spec)

    def compile(self, css: str) -> Any:
        from lxml.cssselect import CSSSelector

        return CSSSelector(css, translator="html")

    def parse(self, page: bytes) -> Any:
        try:
            page.decode("utf-8")
        except UnicodeDecodeError:
            # Pages are UTF-8 by contract; libxml2 forced to UTF-8 keeps invalid bytes in its
            # strings (lxml then fails to read them), so repair them to U+FFFD as the others do.
            page = page.decode("utf-8", "replace").encode()
        return self._fromstring(page, parser=self._parser)

    def select(self, doc: Any, compiled: Any) -> Sequence[Any]:
        return compiled(doc)  # type: ignore[no-any-return]

    def text(self, el: Any, mode: str) -> str:
        return lxml_text(el, mode)

    def attributes(self, el: Any) -> Mapping[str, str]:
        return el.attrib  # type: ignore[no-any-return]

    def outer_html(self, el: Any, inner: bool) -> str:
        return lxml_outer_html(el, inner)

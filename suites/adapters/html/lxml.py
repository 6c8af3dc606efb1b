"""html/lxml: libxml2's HTML parser (lxml.html) with cssselect selectors. libxml2 follows HTML 4
error recovery, not the WHATWG algorithm, so trees may differ by design on malformed input
(on the shared pages its answers equal html5lib's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from ._lxml_tree import LxmlTreeEngine


class LxmlHtmlEngine(LxmlTreeEngine):
    name: ClassVar[str] = "lxml"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("lxml.cssselect")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        import lxml.html

        self._parser = lxml.html.HTMLParser(encoding="utf-8")
        self._fromstring = lxml.html.document_fromstring
        super().__init__(spec)

    def parse(self, page: bytes) -> Any:
        try:
            page.decode("utf-8")
        except UnicodeDecodeError:
            # Pages are UTF-8 by contract; libxml2 forced to UTF-8 keeps invalid bytes in its
            # strings (lxml then fails to read them), so repair them to U+FFFD as the others do.
            page = page.decode("utf-8", "replace").encode()
        return self._fromstring(page, parser=self._parser)

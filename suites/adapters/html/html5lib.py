"""html5lib: the pure-Python parser that follows the WHATWG specification — the reference the
other adapters are checked against. Its lxml tree builder gives a tree cssselect can query.

Elements outside the HTML namespace (SVG, MathML) are namespaced in that tree, and cssselect's
type selectors do not match namespaced elements, whereas CSS in an HTML document matches them
by local name; the conformance table records any page where that shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from ._lxml_tree import LxmlTreeEngine


class Html5libHtmlEngine(LxmlTreeEngine):
    name: ClassVar[str] = "html5lib"

    @classmethod
    def available(cls) -> Availability:
        ok = requires_module("html5lib")
        return requires_module("lxml.cssselect") if ok else ok

    def __init__(self, spec: Mapping[str, Any]) -> None:
        import html5lib

        self._parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"),
                                           namespaceHTMLElements=False)
        super().__init__(spec)

    def parse(self, page: bytes) -> Any:
        return self._parser.parse(page.decode("utf-8", "replace")).getroot()

"""html/bs4-html-parser: BeautifulSoup over the stdlib's html.parser (the common default), with
soupsieve selectors. html.parser does not build the WHATWG tree (no implied elements, no
foster parenting), so some answers differ by design (the conformance table lists them)."""

from __future__ import annotations

from typing import ClassVar

from ..adapter import Availability, requires_module
from ._bs4_engine import Bs4Engine


class Bs4HtmlParserHtmlEngine(Bs4Engine):
    name: ClassVar[str] = "bs4-html-parser"
    builder: ClassVar[str] = "html.parser"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("bs4")

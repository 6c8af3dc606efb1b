"""html/bs4-lxml: BeautifulSoup over lxml's HTML parser, with soupsieve selectors."""

from __future__ import annotations

from typing import ClassVar

from ..adapter import Availability, requires_module
from ._bs4_engine import Bs4Engine


class Bs4LxmlHtmlEngine(Bs4Engine):
    name: ClassVar[str] = "bs4-lxml"
    builder: ClassVar[str] = "lxml"

    @classmethod
    def available(cls) -> Availability:
        ok = requires_module("bs4")
        return requires_module("lxml") if ok else ok

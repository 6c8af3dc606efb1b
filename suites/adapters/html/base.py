"""The HTML adapter interface. Every engine (the native core, gumbo, lxml, BeautifulSoup,
html5lib, the pure-Python baseline) parses a page and answers an extraction spec, so answers
compare with ``==`` across implementations.

The spec is lapwise.html's format (a dict of field name -> ``"css"`` | ``("css", take)`` |
``("css", take, "first")``; takes ``text``, ``text:raw``, ``text:strings``, ``html``,
``inner_html``, ``attr:NAME``, ``attrs``), answered as a dict of plain Python values. Pages are
UTF-8 bytes; each adapter decodes them as its library needs, and that cost is its own.

Peers implement four primitives (``parse``, ``select``, ``text``, ``attributes``); the loop that
shapes the answer is shared here, so shapes cannot drift. Text modes follow the core exactly
(ASCII whitespace only, see lapwise/html/dom.h): ``normalized`` collapses runs of
TAB/LF/FF/CR/SPACE to one space and trims them, which Python's ``str.split()`` would not (it
also splits at U+00A0).
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

from ..adapter import Adapter

_ASCII_WS = re.compile(r"[\t\n\f\r ]+")
ASCII_WS = "\t\n\f\r "


def normalize_ws(text: str) -> str:
    """The core's ``normalized`` text mode applied to a string."""
    return _ASCII_WS.sub(" ", text).strip(ASCII_WS)


def join_strings(pieces: Sequence[str]) -> str:
    """The core's ``strings`` mode over a subtree's text nodes (script/style/template removed):
    each trimmed as Python's strip() trims, as BeautifulSoup's get_text(" ", strip=True) does."""
    return " ".join(p for p in (s.strip() for s in pieces) if p)


class Field(NamedTuple):
    name: str
    css: str
    take: str   # text, html, inner_html, attr, attrs
    mode: str   # normalized, raw, strings (text only)
    attr: str   # attr only
    first: bool


def fields_of(spec: Mapping[str, Any]) -> list[Field]:
    """The spec as a list of fields; ValueError for a malformed rule."""
    out = []
    for name, rule in spec.items():
        if isinstance(rule, str):
            out.append(Field(name, rule, "text", "normalized", "", True))
            continue
        if not isinstance(rule, tuple) or len(rule) not in (2, 3) or rule[2:] not in ((), ("first",)):
            raise ValueError(f"field {name!r}: bad rule {rule!r}")
        css, take, first = rule[0], rule[1], len(rule) == 3
        kind, _, arg = take.partition(":")
        if kind == "text":
            out.append(Field(name, css, "text", arg or "normalized", "", first))
        elif kind == "attr" and arg:
            out.append(Field(name, css, "attr", "", arg, first))
        elif take in ("html", "inner_html", "attrs"):
            out.append(Field(name, css, take, "", "", first))
        else:
            raise ValueError(f"field {name!r}: unknown take {take!r}")
    return out


class HtmlEngine(Adapter):
    kind: ClassVar[str] = "html"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = dict(spec)
        self.fields = fields_of(spec)
        self.compiled = [self.compile(f.css) for f in self.fields]

    @abc.abstractmethod
    def parse(self, page: bytes) -> Any:
        """The library's document for UTF-8 ``page``."""

    def compile(self, css: str) -> Any:
        """A selector prepared once per spec (the text itself by default)."""
        return css

    # Primitives the shared extraction loop needs (the native adapters override extract).
    def select(self, doc: Any, compiled: Any) -> Sequence[Any]:
        raise NotImplementedError

    def text(self, el: Any, mode: str) -> str:
        raise NotImplementedError

    def attributes(self, el: Any) -> Mapping[str, str]:
        raise NotImplementedError

    def outer_html(self, el: Any, inner: bool) -> str:
        raise NotImplementedError(f"{self.adapter_id()} does not serialise")

    def _take(self, el: Any, f: Field) -> Any:
        if f.take == "text":
            return self.text(el, f.mode)
        if f.take == "attr":
            return self.attributes(el).get(f.attr)
        if f.take == "attrs":
            return dict(self.attributes(el))
        return self.outer_html(el, f.take == "inner_html")

    def extract(self, doc: Any) -> dict[str, Any]:
        """The spec's answer for a parsed document."""
        out: dict[str, Any] = {}
        for f, compiled in zip(self.fields, self.compiled):
            values = [self._take(el, f) for el in self.select(doc, compiled)]
            if f.take == "attr":
                values = [v for v in values if v is not None]
            out[f.name] = (values[0] if values else None) if f.first else values
        return out

    def parse_extract(self, page: bytes) -> dict[str, Any]:
        return self.extract(self.parse(page))

    def extract_pages(self, pages: Sequence[bytes]) -> list[dict[str, Any]]:
        """Every page's answer (one call per page here; natives may batch)."""
        run = self.parse_extract
        return [run(p) for p in pages]

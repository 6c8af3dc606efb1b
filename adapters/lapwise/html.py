"""``lapwise.html``: HTML parsing, CSS selectors and extraction (the html core).

    doc = lapwise.html.parse(page_bytes)              # the WHATWG tree; any bytes are fine
    doc.select_one("title").text                      # 'Buffer | Node.js v20 Documentation'
    [a.get("href") for a in doc.select("a[href]")]
    lapwise.html.extract_many(pages, {"title": "title", "links": ("a[href]", "attr:href")},
                              threads=2)              # parsed on native threads, GIL released

Input is UTF-8 (bytes, bytearray or str); other encodings must be decoded first. Invalid UTF-8
passes through the parser and becomes U+FFFD in the str results.

Nodes: ``Document`` (what ``parse`` returns; also a node: the document root) and ``Element``.
Both have ``select(css)``, ``select_one(css)``, ``text`` (normalized), ``get_text(mode)``,
``attrs`` (a dict), ``get(name, default)``, ``tag``, ``outer_html``, ``inner_html``,
``children`` (elements), ``parent`` (an element or None). A document adds ``root``, ``head``,
``body``, ``error_count``, ``quirks`` and ``truncated``. Nodes keep their document alive.

Text modes (``TEXT_MODES``), as the core defines them:
- ``normalized``: the text content with every run of ASCII whitespace made one space, trimmed;
- ``raw``: the DOM's textContent, unchanged (script and style text included);
- ``strings``: each text node trimmed (as ``str.strip()`` trims), empty ones dropped, joined
  by one space, script, style and template text skipped (BeautifulSoup's
  ``get_text(" ", strip=True)``).

Selectors: CSS level 3 (type, ``*``, ``#id``, ``.class``, the attribute operators, the four
combinators, groups, the structural pseudo-classes, ``:not()``); an invalid or unsupported one
raises ValueError naming its position. ``Selector(css)`` compiles once; text selectors are also
cached.

Extraction specs: a dict of field name -> rule, answered as a dict with the same keys in the
same order. A rule is
- ``"css"``: the normalized text of the first match, or None;
- ``("css", take)``: a list with one entry per match, in document order;
- ``("css", take, "first")``: the first match's entry, or None.
``take`` is ``"text"`` (normalized), ``"text:raw"``, ``"text:strings"``, ``"html"`` (outer),
``"inner_html"``, ``"attr:NAME"`` (the attribute's value; matches without it are skipped, and
with ``"first"`` the first match that has it counts) or ``"attrs"`` (a dict of every
attribute). Example::

    {"title": "title", "links": ("a[href]", "attr:href"), "h": ("h1,h2,h3", "text"),
     "meta": ("meta", "attrs"), "lang": ("html", "attr:lang", "first")}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

from . import _native_status

if TYPE_CHECKING:
    from ._native import HtmlDocument as Document
    from ._native import HtmlElement as Element
    from ._native import HtmlSelector as Selector

TEXT_MODES = ("normalized", "raw", "strings")
TAKES = ("text", "text:raw", "text:strings", "html", "inner_html", "attr:NAME", "attrs")

Rule = Union[str, tuple[str, str], tuple[str, str, str]]
Spec = Mapping[str, Rule]
Html = Union[bytes, bytearray, str]


def __getattr__(name: str) -> Any:
    # The node classes live in the compiled module; load it on first use, as the package does.
    homes = {"Document": "HtmlDocument", "Element": "HtmlElement", "Selector": "HtmlSelector"}
    if name in homes:
        value = getattr(_native_status.module(), homes[name])
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lapwise.html' has no attribute {name!r}")


def parse(data: Html) -> Document:
    """The document tree of ``data`` (UTF-8); never raises for any content."""
    doc: Document = _native_status.module().html_parse(data)
    return doc


def select(node: Element, css: str | Selector) -> list[Element]:
    """Elements under ``node`` (a document or an element) matching ``css``, in document order."""
    return node.select(css)


def select_one(node: Element, css: str | Selector) -> Element | None:
    """The first element under ``node`` matching ``css``, or None."""
    return node.select_one(css)


def text(node: Element, mode: str = "normalized") -> str:
    """The text of ``node`` in one of ``TEXT_MODES``."""
    return node.get_text(mode)


def attrs(node: Element) -> dict[str, str]:
    """The attributes of ``node`` (empty for a document)."""
    return node.attrs


def _field(name: str, rule: Rule) -> tuple[str, str, str, str, bool]:
    if isinstance(rule, str):
        return (rule, "text", "normalized", "", True)
    if not isinstance(rule, tuple) or len(rule) not in (2, 3) or not all(
            isinstance(part, str) for part in rule):
        raise ValueError(f"field {name!r}: a rule is 'css', ('css', take) or ('css', take, 'first'), "
                         f"not {rule!r}")
    css, take = rule[0], rule[1]
    extra = rule[2:]
    if extra and extra[0] != "first":
        raise ValueError(f"field {name!r}: the third item of a rule can only be 'first', not {extra[0]!r}")
    first = bool(extra)
    if take == "text":
        return (css, "text", "normalized", "", first)
    if take.startswith("text:") and take[5:] in TEXT_MODES:
        return (css, "text", take[5:], "", first)
    if take in ("html", "inner_html", "attrs"):
        return (css, take, "normalized", "", first)
    if take.startswith("attr:") and len(take) > 5:
        return (css, "attr", "normalized", take[5:], first)
    raise ValueError(f"field {name!r}: unknown take {take!r}; takes are {', '.join(TAKES)}")


class Extractor:
    """An extraction spec compiled once (see the module's docstring for the format)."""

    __slots__ = ("_names", "_native")

    def __init__(self, spec: Spec) -> None:
        if not isinstance(spec, Mapping) or not all(isinstance(k, str) for k in spec):
            raise ValueError("an extraction spec is a dict of field name -> rule")
        self._names = tuple(spec)
        fields = [_field(name, rule) for name, rule in spec.items()]
        try:
            self._native = _native_status.module().HtmlExtractor(fields)
        except ValueError as exc:  # "field <index>: ..." -> the field's name
            msg = str(exc)
            if msg.startswith("field "):
                index, _, rest = msg[6:].partition(": ")
                if index.isdigit():
                    msg = f"field {self._names[int(index)]!r}: {rest}"
            raise ValueError(msg) from None

    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    def extract(self, doc: Document | Html) -> dict[str, Any]:
        """The fields of one document (or of HTML text, parsed first)."""
        if isinstance(doc, (bytes, bytearray, str)):
            doc = parse(doc)
        return dict(zip(self._names, self._native.extract(doc)))

    def extract_many(self, pages: Sequence[Html], threads: int | None = None) -> list[dict[str, Any]]:
        """Parses and extracts every page on ``threads`` native threads (None: one per CPU) with
        the GIL released; one dict per page, in input order."""
        if threads is not None and threads < 1:
            raise ValueError("threads must be >= 1 (or None for one per CPU)")
        names = self._names
        return [dict(zip(names, values))
                for values in self._native.extract_many(pages, threads or 0)]


def _extractor(spec: Spec | Extractor) -> Extractor:
    return spec if isinstance(spec, Extractor) else Extractor(spec)


def extract(doc: Document | Html, spec: Spec | Extractor) -> dict[str, Any]:
    """``Extractor(spec).extract(doc)``."""
    return _extractor(spec).extract(doc)


def extract_many(pages: Sequence[Html], spec: Spec | Extractor,
                 threads: int | None = None) -> list[dict[str, Any]]:
    """``Extractor(spec).extract_many(pages, threads)``."""
    return _extractor(spec).extract_many(pages, threads)


__all__ = ["Document", "Element", "Extractor", "Html", "Rule", "Selector", "Spec", "TAKES",
           "TEXT_MODES", "attrs", "extract", "extract_many", "parse", "select", "select_one",
           "text"]

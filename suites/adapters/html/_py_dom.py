"""A tiny DOM built from the stdlib's html.parser events, and the CSS selector subset the
extraction tasks need. The pure-Python baseline's engine; not an adapter itself.

Tree rules (a small part of the WHATWG algorithm, enough for real documentation pages): void
elements never open; a start tag auto-closes what the standard closes most often (an open <p>
before a block, <li>, <dt>/<dd>, <option>, table rows, cells and sections); an end tag closes
the nearest open element of its name and is ignored when there is none. Comments and DOCTYPEs
are dropped. Names are lower-case (html.parser's doing).

Selectors: groups ``,``; descendant and ``>`` combinators; compounds of a type or ``*``,
``#id``, ``.class``, ``[a]`` and ``[a op "v"]`` with op one of = ~= |= ^= $= *=. Anything else
raises ValueError.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Optional, Union

VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
_BLOCKS = frozenset(("address article aside blockquote details div dl fieldset figcaption figure "
                     "footer form h1 h2 h3 h4 h5 h6 header hr main menu nav ol p pre section "
                     "table ul").split())
# start tag -> open elements it closes (searched from the top, up to a boundary)
_CLOSES = {
    "li": ({"li"}, {"ul", "ol"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "option": ({"option"}, {"select"}),
    "tr": ({"tr", "td", "th"}, {"table"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "thead": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tbody": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tfoot": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
}


class PyElement:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Optional[PyElement]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Union[PyElement, str]] = []
        self.parent = parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = PyElement("#document", {}, None)
        self.stack = [self.root]

    def _close_to(self, names: set[str], boundary: set[str]) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[i].tag
            if tag in names:
                del self.stack[i:]
                return
            if tag in boundary:
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag in _CLOSES:
            self._close_to(*_CLOSES[tag])
        elif tag in _BLOCKS:
            self._close_to({"p"}, {"table", "td", "th", "li", "div"})
        amap: dict[str, str] = {}
        for k, v in attrs:
            amap.setdefault(k, v or "")  # the first of a repeated attribute wins
        parent = self.stack[-1]
        el = PyElement(tag, amap, parent)
        parent.children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.handle_starttag(tag, attrs)  # "/>" means nothing on an HTML element
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_dom(text: str) -> PyElement:
    b = _Builder()
    b.feed(text)
    b.close()
    return b.root


def elements(root: PyElement) -> Iterator[PyElement]:
    """Descendant elements of root in document order (root excluded), without recursion."""
    stack = [c for c in reversed(root.children) if isinstance(c, PyElement)]
    while stack:
        el = stack.pop()
        yield el
        stack.extend(c for c in reversed(el.children) if isinstance(c, PyElement))


def text_nodes(root: PyElement, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    stack: list[Union[PyElement, str]] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif node.tag not in skip:
            stack.extend(reversed(node.children))


# --- selectors ---------------------------------------------------------------------------------

Test = Callable[[PyElement], bool]
Compound = list[Test]
Complex = list[tuple[str, Compound]]  # (combinator to the left: "", " " or ">", compound)
_SIMPLE = re.compile(r"""
    (?P<type>[A-Za-z][\w-]*|\*)
  | \#(?P<id>[\w-]+)
  | \.(?P<cls>[\w-]+)
  | \[(?P<attr>[\w:-]+)(?:(?P<op>[~|^$*]?=)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[\w-]+)))?\]
""", re.X)


def _words(v: Optional[str]) -> list[str]:
    return v.split() if v else []


def _attr_test(name: str, op: Optional[str], value: str) -> Test:
    if op is None:
        return lambda el: name in el.attrs
    if op == "=":
        return lambda el: el.attrs.get(name) == value
    if op == "|=":
        return lambda el: (v := el.attrs.get(name)) is not None and (v == value or v.startswith(value + "-"))
    if not value:  # the standard: an empty value makes these match nothing
        return lambda el: False
    if op == "~=":
        return lambda el: value in _words(el.attrs.get(name))
    if op == "^=":
        return lambda el: el.attrs.get(name, "").startswith(value) and name in el.attrs
    if op == "$=":
        return lambda el: el.attrs.get(name, "").endswith(value) and name in el.attrs
    return lambda el: value in el.attrs.get(name, "") and name in el.attrs


def _compound(text: str, css: str) -> Compound:
    tests: Compound = []
    pos = 0
    while pos < len(text):
        m = _SIMPLE.match(text, pos)
        if m is None or (m["type"] and pos > 0):
            raise ValueError(f"unsupported selector {css!r} near {text[pos:]!r}")
        if m["type"]:
            if m["type"] != "*":
                tests.append(lambda el, t=m["type"].lower(): el.tag == t)  # type: ignore[misc]
        elif m["id"]:
            tests.append(lambda el, i=m["id"]: el.attrs.get("id") == i)  # type: ignore[misc]
        elif m["cls"]:
            tests.append(lambda el, c=m["cls"]: c in _words(el.attrs.get("class")))  # type: ignore[misc]
        else:
            value = next((v for v in (m["dq"], m["sq"], m["bare"]) if v is not None), "")
            tests.append(_attr_test(m["attr"].lower(), m["op"], value))
        pos = m.end()
    return tests


def compile_selector(css: str) -> list[Complex]:
    """The group's complex selectors; ValueError for what the subset does not support (quoted
    values may not hold spaces, commas or '>')."""
    groups: list[Complex] = []
    for group in css.split(","):
        parts = [p for p in re.split(r"\s*(>)\s*|\s+", group.strip()) if p]
        cx: Complex = []
        comb = ""
        for part in parts:
            if part == ">":
                if not cx or comb == ">":
                    raise ValueError(f"dangling '>' in {css!r}")
                comb = ">"
                continue
            cx.append((comb, _compound(part, css)))
            comb = " "
        if not cx or comb == ">":
            raise ValueError(f"empty or dangling selector in {css!r}")
        groups.append(cx)
    return groups


def _matches(el: PyElement, cx: Complex, i: int) -> bool:
    comb, compound = cx[i]
    if not all(t(el) for t in compound):
        return False
    if i == 0:
        return True
    parent = el.parent
    if comb == ">":
        return parent is not None and parent.tag != "#document" and _matches(parent, cx, i - 1)
    while parent is not None and parent.tag != "#document":
        if _matches(parent, cx, i - 1):
            return True
        parent = parent.parent
    return False


def select(root: PyElement, groups: list[Complex]) -> list[PyElement]:
    return [el for el in elements(root) if any(_matches(el, cx, len(cx) - 1) for cx in groups)]

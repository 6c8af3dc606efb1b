"""The html adapters' shared parts: the spec reader, the text rules and the pure-Python
baseline's tree and selector subset (the conformance suite checks whole pages)."""

from __future__ import annotations

import pytest

from suites.adapters.html import _py_dom
from suites.adapters.html.base import Field, fields_of, join_strings, normalize_ws


def test_fields_of_reads_every_rule_form() -> None:
    assert fields_of({"t": "title", "l": ("a", "attr:href"), "r": ("p", "text:raw", "first"),
                      "m": ("meta", "attrs")}) == [
        Field("t", "title", "text", "normalized", "", True),
        Field("l", "a", "attr", "", "href", False),
        Field("r", "p", "text", "raw", "", True),
        Field("m", "meta", "attrs", "", "", False),
    ]
    for bad in (("a", "colour"), ("a", "text", "last"), ["a", "text"], ("a", "attr:")):
        with pytest.raises(ValueError):
            fields_of({"x": bad})


def test_text_rules_are_the_cores() -> None:
    assert normalize_ws(" a \t\n b\xa0 c ") == "a b\xa0 c"  # U+00A0 is not ASCII whitespace
    assert join_strings([" a ", "\n", "b\xa0", ""]) == "a b"  # strip() trims U+00A0


@pytest.mark.parametrize("css, want", [
    ("p", ["p1", "p2", "p3"]),
    ("div > p", ["p1", "p2"]),
    ("body p.x", ["p1", "p3"]),
    ("#q, li", ["l1", "l2", "q"]),
    ("a[href^=http]", ["a1"]),
    ("a[href$='.pdf']", ["a1"]),
    ("[class~=y]", ["p3"]),
    ("ul *", ["l1", "l2"]),
])
def test_py_dom_selectors(css: str, want: list[str]) -> None:
    doc = _py_dom.parse_dom(
        "<body><div><p id=p1 class=x>one<a id=a1 href=http://e/x.pdf>a</a><p id=p2>two</div>"
        "<ul><li id=l1>1<li id=l2>2</ul><p id=p3 class='x y'><span id=q></span></p>")
    got = [el.attrs.get("id") for el in _py_dom.select(doc, _py_dom.compile_selector(css))]
    assert got == want  # document order, groups included


def test_py_dom_tree_rules() -> None:
    doc = _py_dom.parse_dom("<p>a<div>b</div><br/><table><tr><td>1<td>2<tr><td>3</table></p>")
    tags = [el.tag for el in _py_dom.elements(doc)]
    assert tags == ["p", "div", "br", "table", "tr", "td", "td", "tr", "td"]
    assert [el.parent.tag for el in _py_dom.elements(doc) if el.tag == "div"] == ["#document"]
    with pytest.raises(ValueError):
        _py_dom.compile_selector("p:hover")

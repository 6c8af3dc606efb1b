"""lapwise.html: parsing, nodes, selectors, text modes and extraction specs."""

from __future__ import annotations

import os
import threading
import time

import pytest

import lapwise
from lapwise import html

pytestmark = pytest.mark.skipif(lapwise.native_error() is not None,
                                reason=str(lapwise.native_error()))

PAGE = (b"<!DOCTYPE html><html lang=en><head><title> Hello \n world </title>"
        b"<meta name=description content='A page'><meta charset=utf-8></head>"
        b"<body><h1 id=top>Top <b>bold</b></h1><p class='x y'>one<a href=/a>A</a>"
        b"<a href='/b?x=1&amp;y=2'>B</a><a>no href</a></p>"
        b"<table><tr><td> c1 </td><td>c\xc2\xa02</td></tr></table>"
        b"<script>var s = '<a href=/no>';</script><h2>Sub</h2></body></html>")


def test_parse_nodes_and_attrs() -> None:
    doc = html.parse(PAGE)
    assert isinstance(doc, html.Document)
    assert doc.root is not None and doc.root.tag == "html" and doc.root.attrs == {"lang": "en"}
    assert doc.head is not None and doc.body is not None and doc.quirks == "no-quirks"
    title = doc.select_one("title")
    assert isinstance(title, html.Element)
    assert title.text == "Hello world" and title.get_text("raw") == " Hello \n world "
    assert title.parent == doc.head and title in doc.head.children
    assert [a.get("href") for a in doc.select("a")] == ["/a", "/b?x=1&y=2", None]
    assert html.attrs(doc.select_one("p")) == {"class": "x y"}
    assert html.select_one(doc, "#nothing") is None
    assert doc.select_one("h1").outer_html == '<h1 id="top">Top <b>bold</b></h1>'
    assert doc.select_one("h1").inner_html == "Top <b>bold</b>"
    assert html.parse(PAGE.decode()).select_one("td").text == "c1"


def test_text_modes() -> None:
    doc = html.parse("<p>a <b>b</b>c<script>x()</script></p>")
    p = doc.select_one("p")
    assert html.text(p) == "a bcx()"
    assert html.text(p, "strings") == "a b c"
    assert html.text(p, "raw") == "a bcx()"
    with pytest.raises(ValueError):
        html.text(p, "pretty")


def test_invalid_selector_names_the_position() -> None:
    doc = html.parse(PAGE)
    with pytest.raises(ValueError, match="position 2"):
        doc.select("a[")
    with pytest.raises(ValueError, match="position"):
        html.Selector("p:hover")
    with pytest.raises(TypeError):
        html.parse(42)  # type: ignore[arg-type]


def test_extract_spec_shapes() -> None:
    spec = {
        "title": "title",
        "links": ("a[href]", "attr:href"),
        "h": ("h1,h2,h3", "text"),
        "cells": ("td", "text"),
        "meta": ("meta", "attrs"),
        "lang": ("html", "attr:lang", "first"),
        "missing": ("video", "html", "first"),
        "strings": ("h1", "text:strings"),
    }
    got = html.extract(PAGE, spec)
    assert list(got) == list(spec)
    assert got == {
        "title": "Hello world",
        "links": ["/a", "/b?x=1&y=2"],
        "h": ["Top bold", "Sub"],
        "cells": ["c1", "c\xa02"],
        "meta": [{"name": "description", "content": "A page"}, {"charset": "utf-8"}],
        "lang": "en",
        "missing": None,
        "strings": ["Top bold"],
    }
    assert html.Extractor(spec).extract(html.parse(PAGE)) == got


def test_bad_specs_name_the_field() -> None:
    with pytest.raises(ValueError, match="field 'links'.*position 3"):
        html.Extractor({"t": "title", "links": ("a >", "text")})
    with pytest.raises(ValueError, match="unknown take"):
        html.Extractor({"t": ("title", "colour")})
    with pytest.raises(ValueError, match="'first'"):
        html.Extractor({"t": ("title", "text", "last")})
    with pytest.raises(ValueError):
        html.Extractor({"t": ["title", "text"]})  # type: ignore[dict-item]


def test_extract_many_threads_agree_and_keep_order() -> None:
    pages = [PAGE, b"<title>two</title>", "<title>three</title><a href=x>", b"", b"\xff\xfe<title>\xff"]
    spec = {"title": "title", "links": ("a[href]", "attr:href")}
    one = html.extract_many(pages * 20, spec, threads=1)
    assert one == html.extract_many(pages * 20, spec, threads=2)
    assert one == html.extract_many(pages * 20, spec, threads=3)
    assert one[:1] == html.extract_many(pages[:1], spec, threads=2)
    assert html.extract_many([], spec, threads=2) == []
    assert one == html.extract_many(pages * 20, html.Extractor(spec))
    assert [r["title"] for r in one[:5]] == ["Hello world", "two", "three", None, "\ufffd"]
    assert one[2]["links"] == ["x"]
    with pytest.raises(ValueError):
        html.extract_many(pages, spec, threads=0)


def test_hostile_input_never_crashes() -> None:
    for data in (b"<" * 10000, b"<div>" * 5000, b"<table><td><svg><foreignObject><p>x" * 500,
                 "\ud800<p>lone surrogate", bytearray(b"<p>ba</p>"), b"\x00<a \x00=\x00>"):
        doc = html.parse(data)
        doc.select("*")
        doc.get_text("raw")
        doc.outer_html


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_extract_many_releases_the_gil_to_its_workers() -> None:
    # A Python thread can only look while extract_many runs if the GIL is released; what it
    # sees then is the caller plus the extra native worker.
    base = len(os.listdir("/proc/self/task"))
    seen: list[int] = []
    running = threading.Event()
    finished = threading.Event()

    def watch() -> None:
        running.wait()
        while not finished.is_set():
            seen.append(len(os.listdir("/proc/self/task")))
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    pages = [PAGE * 3000] * 8
    try:
        running.set()
        html.extract_many(pages, {"t": "title", "l": ("a[href]", "attr:href")}, threads=2)
    finally:
        finished.set()
        watcher.join()
    assert seen and max(seen) >= base + 2  # the watcher, the caller, one more worker

"""The one extraction every pipeline answers, and the reference answers they are checked against.

The reference is html5lib (the parser that follows the WHATWG algorithm, as the html
conformance suite uses it), computed once per distinct shared page: ``/page/<n>`` serves page
``n mod 23``, so page n's answer is its file's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from suites.adapters import registry
from suites.adapters.html.base import HtmlEngine

from .page_server import page_files, page_name

SPEC: dict[str, Any] = {
    "title": "title",
    "links": ("a[href]", "attr:href"),
    "headings": ("h1, h2, h3, h4, h5, h6", "text"),
    "cells": ("td, th", "text"),
    "meta": ("meta", "attrs"),
}

REFERENCE = "html/html5lib"


def engine(adapter_id: str) -> HtmlEngine:
    """An html adapter (suites/adapters/html) set up with SPEC; LookupError when unavailable."""
    return cast(HtmlEngine, registry.get(adapter_id)(SPEC))  # type: ignore[call-arg]


def reference_answers(count: int, reference: str = REFERENCE) -> list[dict[str, Any]]:
    """The reference answer for each of ``/page/0`` .. ``/page/<count-1>``."""
    files = page_files()
    ref = engine(reference)
    by_name = {}
    for f in files[:count]:
        by_name[f.stem] = ref.parse_extract(f.read_bytes())
    return [by_name[page_name(n, files)] for n in range(count)]


def mismatches(got: Sequence[Any], want: Sequence[dict[str, Any]]) -> list[str]:
    """One line per page whose answer differs from the reference (empty: all agree)."""
    if len(got) != len(want):
        return [f"{len(got)} answers for {len(want)} pages"]
    out = []
    for n, (g, w) in enumerate(zip(got, want)):
        if g != w:
            if not isinstance(g, dict):
                out.append(f"/page/{n}: {g!r:.200}")
                continue
            fields = [k for k in w if g.get(k) != w[k]] or sorted(set(g) ^ set(w))
            out.append(f"/page/{n}: fields {', '.join(map(str, fields))} differ")
    return out

"""Where a pipeline's time goes, step by step, each timed alone on the same pages:

- ``fetch``: the pipeline's client fetching every page (wall time, the same concurrency cap);
- ``parse``: its parser building each page's tree (one thread, summed over pages);
- ``select``: every field's selector run on each tree (one thread, summed). For the native
  parser that is an extractor whose fields take an attribute no element has, so the selectors
  run in C++ and nothing becomes a Python object (``doc.select`` would wrap every match);
- ``to_python``: taking the values into the answer's dicts and lists: extraction (select plus
  values) minus select.

The steps do not add up to the pipeline's wall time: the pipelines overlap fetching with
parsing, and lapwise's extracts on two native threads; the report shows both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from suites.adapters.html.base import HtmlEngine

from .pipeline_registry import Pipeline
from .pipeline_spec import SPEC, engine

STEPS = ("fetch", "parse", "select", "to_python")


_NO_SUCH_ATTRIBUTE = "attr:data-lapwise-never-set"


def _selector_pass(eng: HtmlEngine) -> Callable[[Any], object]:
    """Runs every field's selector over a parsed tree, keeping nothing."""
    if eng.adapter_id() == "html/native":
        from lapwise import html

        matcher = html.Extractor({name: (f.css, _NO_SUCH_ATTRIBUTE) for name, f in
                                  zip(SPEC, eng.fields)})
        return matcher.extract

    def run(doc: Any) -> None:
        for compiled in eng.compiled:
            eng.select(doc, compiled)

    return run


def step_times(p: Pipeline, urls: Sequence[str], cap: int) -> dict[str, float]:
    """Seconds per step for all ``urls`` together (one measurement each)."""
    clock = time.perf_counter
    t0 = clock()
    bodies = p.fetch(urls, cap)
    fetch = clock() - t0
    eng = engine(p.engine)
    select_all = _selector_pass(eng)
    parse = select = extract = 0.0
    for body in bodies:
        t0 = clock()
        doc = eng.parse(body)
        t1 = clock()
        select_all(doc)
        t2 = clock()
        eng.extract(doc)
        t3 = clock()
        parse += t1 - t0
        select += t2 - t1
        extract += t3 - t2
        del doc
    return {"fetch": fetch, "parse": parse, "select": select, "to_python": max(0.0, extract - select)}

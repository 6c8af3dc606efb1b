"""The names ``ci/bench --adapters`` may select: every registry adapter id of every kind, the
record variants those adapters register (``html/native-avx2``: the C++ benches' SIMD paths),
and the fetch-and-extract pipelines' ids (``pipeline/lapwise``). A part of the selection that
names none of them (or a pattern matching none) is refused before any job starts: a misspelt
name would otherwise run every job and record nothing for it."""

from __future__ import annotations


def selectable_names() -> list[str]:
    from suites.adapters import registry
    from suites.e2e.pipeline.pipeline_registry import PIPELINES

    names = [n for kind in registry.KINDS for n in registry.record_names(kind)]
    names += [p.adapter for p in PIPELINES.values()]
    return sorted(set(names))

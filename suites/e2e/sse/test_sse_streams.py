"""The short variant of the SSE stream test (the full one, 1,000 streams x 30 s, is
``python -m suites.e2e.sse.sse_streams``): 200 concurrent streams of 10 events/s for 5 s, with
zero lost, repeated or reordered events, every stream complete, and the server's RSS flat over
the hold. No timing is asserted."""

from __future__ import annotations

import pytest

from lapwise import _native_status
from suites.e2e.sse.sse_streams import run

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


def test_200_streams_lose_nothing():
    figures = run(streams=200, rate=10.0, seconds=5.0, ramp=1.0, sample=0.25)
    print(figures)
    assert figures.errors == []
    assert (figures.streams_failed, figures.lost, figures.out_of_order) == (0, 0, 0)
    assert figures.events_received == figures.events_expected == 200 * 50
    # Flat memory: what the held streams take is there after the first samples; growth from
    # there on would be a leak per event (10,000 events here).
    assert figures.rss_growth_mb < 8, figures

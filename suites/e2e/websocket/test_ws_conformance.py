"""lapwise's WebSocket servers pass every case of the conformance table (non-strict is not
enough: the server core is written to the strict reading). Each case is its own test, so a
failure names the case, what RFC 6455 expects and what the server did."""

from __future__ import annotations

import pytest

from suites.adapters import registry
from suites.adapters.websocket.base import KEEPALIVE

from .ws_case_model import PASS, Target
from .ws_case_table import all_cases, run_case

LAPWISE = [e.adapter_id for e in registry.entries("websocket", "websocket/lapwise-*")]
CASES = all_cases()


@pytest.fixture(scope="module", params=LAPWISE)
def lapwise_target(request):
    """The server for a case: one started plainly, and for the keep-alive cases one started
    with the table's keep-alive (each on first use, both stopped at the end)."""
    entry = next(e for e in registry.entries("websocket", request.param))
    if entry.cls is None or not entry.availability:
        pytest.skip(entry.availability.reason)
    cls = entry.cls
    servers = {}

    def target(keepalive: bool) -> Target:
        if keepalive not in servers:
            server = cls()
            if keepalive:
                server.keepalive = KEEPALIVE
            address = server.start()
            servers[keepalive] = (server, Target(address.port, cls.limit_configured, cls.deflate,
                                                 cls.keepalive_timeout))
        return servers[keepalive][1]

    yield target
    for server, _ in servers.values():
        server.stop()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_lapwise_passes(lapwise_target, case):
    verdict = run_case(case, lapwise_target(case.group == "keepalive"))
    assert verdict.grade == PASS, f"{case.id}: expected: {case.expect}; observed: {verdict.observed}"


def test_table_grades_a_known_lenient_peer():
    """The judges tell grades apart: uvicorn with wsproto drops TCP without a Close frame on a
    protocol error (non-strict) and accepts an unknown permessage-deflate parameter (fail)."""
    try:
        cls = registry.get("websocket/uvicorn-wsproto")
    except LookupError as exc:
        pytest.skip(str(exc))
    by_id = {c.id: c for c in CASES}
    server = cls()
    address = server.start()
    try:
        target = Target(address.port, cls.limit_configured, cls.deflate)
        grades = {i: run_case(by_id[i], target).grade
                  for i in ("framing.text_125", "framing.unmasked", "deflate.unknown_parameter")}
    finally:
        server.stop()
    assert grades == {"framing.text_125": "pass", "framing.unmasked": "non-strict",
                      "deflate.unknown_parameter": "fail"}

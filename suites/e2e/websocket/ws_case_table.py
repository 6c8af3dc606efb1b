"""The whole conformance table, and running it against one server."""

from __future__ import annotations

from .ws_case_model import FAIL, Case, Target, Verdict
from .ws_cases_client import client_cases
from .ws_cases_close import close_cases, handshake_cases
from .ws_cases_deflate import deflate_cases
from .ws_cases_frames import frame_cases
from .ws_cases_keepalive import keepalive_cases
from .ws_cases_messages import message_cases


def all_cases() -> list[Case]:
    cases = (frame_cases() + message_cases() + close_cases() + deflate_cases() + handshake_cases()
             + client_cases() + keepalive_cases())
    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise AssertionError(f"case ids used twice: {sorted(dup)}")
    return cases


def run_case(case: Case, target: Target) -> Verdict:
    """One case; a client-side exception (e.g. a reset while sending) is the server's fail,
    with the exception as what was observed."""
    try:
        return case.run(target)
    except (OSError, AssertionError, ValueError) as exc:
        return Verdict(FAIL, f"{type(exc).__name__}: {exc}")


def run_table(target: Target, cases: list[Case] | None = None) -> dict[str, Verdict]:
    return {c.id: run_case(c, target) for c in (cases or all_cases())}

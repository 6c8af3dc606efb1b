"""Small synthetic result files for the builder's tests (no benchmark runs)."""

from __future__ import annotations

from pathlib import Path

from suites.results import Record, ResultFile, write

STEPS = ("parse", "build_request", "route", "params", "query", "handler", "serialize", "response")
MACHINE = {"cpu_model": "test cpu", "cores": 2, "governor": "performance", "python": "3.11.2",
           "native_build": {"compiler": "GNU 12.2.0"}, "commit": "0" * 40, "dirty": False}


def lap_records(scenario: str, step_ns: dict[str, float], pipeline_ns: dict[str, float],
                missing: dict[tuple[str, str], str] | None = None,
                plaintext_ns: dict[str, float] | None = None) -> list[Record]:
    """Per family: every step at step_ns[family] * (1, 1.01, 0.99, ...), the pipeline and,
    for the families in ``plaintext_ns``, the plaintext pipeline."""
    out = []
    for family, base in step_ns.items():
        extra_steps = ("pipeline_plaintext",) if family in (plaintext_ns or {}) else ()
        for step in (*STEPS, "pipeline", *extra_steps):
            reason = (missing or {}).get((family, step))
            common = dict(adapter=f"laps/{family}", scenario=f"laps.{step}", param=scenario)
            if reason:
                out.append(Record(metric="missing", unit="count", samples=[0.0],
                                  extra={"reason": reason}, **common))
                continue
            v = {"pipeline": pipeline_ns[family],
                 "pipeline_plaintext": (plaintext_ns or {}).get(family)}.get(step, base)
            out.append(Record(metric="cpu_time_per_op", unit="ns",
                              samples=[v, v * 1.01, v * 0.99, v * 1.02, v * 0.98],
                              extra={"impl": f"impl-{family}"}, **common))
    return out


def write_file(path: Path, suite: str, records: list[Record]) -> Path:
    return write(ResultFile(suite=suite, machine=MACHINE, records=records,
                            commands=[f"test {suite}"], created="2026-01-01T00:00:00+00:00"), path)

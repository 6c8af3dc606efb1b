"""One process of the lap measurement for one Python family: verify every step's answer on
the scenario's request, then time each step in isolation, the whole pipeline in one go and,
for a scenario with a /plaintext route, the plaintext pipeline (parse, build request, route,
constant response); with ``--load``, both pipelines again "in context", served by a loopback
asyncio server under lapwise-load (lap_context.py: "pipeline_ctx", "write_ctx",
"pipeline_plaintext_ctx", "write_plaintext_ctx"). Prints one JSON object on stdout
(native_laps prints the same shape without the plaintext and in-context entries):

    {"family": "peer", "scenario": "api",
     "steps": {"parse": {"ns": 812.5, "impl": "parser/httptools", "batch": 2048, ...},
               "query": {"na": "n/a: query/starlette not implemented yet"},
               "route": {"error": "wrong answer: matched NoMatch(404)"}, ...},
     "pipeline": {...}, "pipeline_plaintext": {"na": "n/a: no /plaintext route ..."}}

Usage: lap_child.py --family F [--scenario S] [--batches N] [--min-batch-us U]
                    [--load BIN [--context-seconds S]]
Run by laps_bench.py, once per repetition, so each repetition is a fresh process.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from suites.laps import lap_families, lap_inputs, lap_timer


def _inputs_of(steps: dict[str, lap_families.Step], inputs: lap_inputs.LapInputs
               ) -> tuple[dict[str, Any], dict[str, str]]:
    """Runs the chain once; returns each step's argument (the verified output of the steps
    before it) and each step's wrong-answer message. A step whose input is unavailable (an
    earlier step n/a or wrong) has no argument."""
    args: dict[str, Any] = {}
    errors: dict[str, str] = {}
    outs: dict[str, Any] = {}

    def run(name: str, arg: Any) -> None:
        step = steps[name]
        args[name] = arg
        if step.fn is None:
            return
        try:
            out = step.fn(arg)
        except Exception as exc:  # noqa: BLE001 - a raising adapter is a wrong answer
            errors[name] = f"wrong answer: raised {exc!r}"
            return
        problem = lap_families.check(name, out, inputs)
        if problem:
            errors[name] = f"wrong answer: {problem}"
        else:
            outs[name] = out

    # Each step gets the verified output of the previous one; when that is missing, the step
    # still runs on a reference value built from the inputs, so one n/a does not hide the rest.
    run("parse", inputs.request)
    ref_parsed = outs.get("parse") or _reference_parsed(inputs)
    run("build_request", ref_parsed)
    ref_req = outs.get("build_request") or lap_families.build_scope(ref_parsed)
    run("route", ref_req)
    ref_match = outs.get("route") or _reference_match(inputs)
    run("params", ref_match)
    run("query", ref_req)
    kwargs = outs.get("params", inputs.expected_kwargs)
    query = outs.get("query", list(inputs.expected_query))
    run("handler", (kwargs, query))
    run("serialize", outs.get("handler", inputs.expected_body))
    run("response", outs.get("serialize") or json.dumps(
        inputs.expected_body, separators=(",", ":")).encode())
    return args, errors


def _reference_parsed(inputs: lap_inputs.LapInputs) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(method=inputs.method, target=f"{inputs.path}?{inputs.query}",
                           path=inputs.path, query=inputs.query, version="1.1",
                           headers=list(inputs.headers))


def _reference_match(inputs: lap_inputs.LapInputs) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(value=inputs.expected_value, params=dict(inputs.expected_params))


def fresh_bytes(buf: bytes) -> bytes:
    """An equal bytes object that is not ``buf`` (bytes(buf) would return buf itself)."""
    return buf[:1] + buf[1:]


# The steps whose outputs each step's input is made from (see lap_families.pipeline).
NEEDS = {"parse": (), "build_request": ("parse",), "route": ("parse", "build_request"),
         "params": ("parse", "build_request", "route"), "query": ("parse", "build_request"),
         "handler": ("parse", "build_request", "route", "params", "query"),
         "serialize": ("parse", "build_request", "route", "params", "query", "handler"),
         "response": ("parse", "build_request", "route", "params", "query", "handler",
                      "serialize")}


def makers(steps: dict[str, lap_families.Step], inputs: lap_inputs.LapInputs,
           errors: dict[str, str]) -> dict[str, Callable[[], Any]]:
    """Per step, a function making a fresh input by running the steps before it on a fresh
    copy of the request; only for steps whose predecessors all run and answer right."""
    fn = {n: s.fn for n, s in steps.items()}
    buf = inputs.request

    def req() -> Any:
        return fn["build_request"](fn["parse"](fresh_bytes(buf)))

    def handler_args() -> tuple:
        r = req()
        return (fn["params"](fn["route"](r)), fn["query"](r))

    make: dict[str, Callable[[], Any]] = {
        "parse": lambda: fresh_bytes(buf),
        "build_request": lambda: fn["parse"](fresh_bytes(buf)),
        "route": req,
        "params": lambda: fn["route"](req()),
        "query": req,
        "handler": handler_args,
        "serialize": lambda: fn["handler"](handler_args()),
        "response": lambda: fn["serialize"](fn["handler"](handler_args())),
    }
    ok = {n for n, s in steps.items() if s.fn is not None and n not in errors}
    return {n: m for n, m in make.items() if all(d in ok for d in NEEDS[n])}


def run_family(family: str, scenario: str, batches: int, min_batch_ns: int,
               selection: str | None = None, load: str | None = None,
               context_seconds: float = 1.0) -> dict:
    inputs = lap_inputs.load(scenario)
    steps = lap_families.build(family, inputs, selection)
    args, errors = _inputs_of(steps, inputs)
    make = makers(steps, inputs, errors)
    result: dict[str, Any] = {"family": family, "scenario": scenario, "steps": {}}
    for name in lap_families.STEPS:
        step = steps[name]
        if step.fn is None:
            result["steps"][name] = {"na": step.na}
        elif name in errors:
            result["steps"][name] = {"error": errors[name], "impl": step.impl}
        else:
            if name in make:
                t = lap_timer.measure_fresh(step.fn, make[name], batches=batches,
                                            min_batch_ns=min_batch_ns)
            else:  # an earlier step is n/a: time on the (reused) reference input
                t = lap_timer.measure(step.fn, args[name], batches=batches,
                                      min_batch_ns=min_batch_ns)
            result["steps"][name] = {"ns": t.ns, "impl": step.impl, "batch": t.batch,
                                     "batches": t.batches, "spread": round(t.spread, 4),
                                     "inputs": "fresh" if name in make else "reused"}
    whole = lap_families.pipeline(steps)
    if whole is None:
        missing = [n for n in lap_families.STEPS if steps[n].fn is None]
        result["pipeline"] = {"na": f"n/a: needs every step ({', '.join(missing)} n/a)"}
    elif errors:
        result["pipeline"] = {"error": f"not timed: wrong answers in {', '.join(sorted(errors))}"}
    else:
        problem = lap_families.check("pipeline", whole(inputs.request), inputs)
        if problem:
            result["pipeline"] = {"error": f"wrong answer: {problem}"}
        else:
            t = lap_timer.measure_fresh(whole, lambda: fresh_bytes(inputs.request),
                                        batches=batches, min_batch_ns=min_batch_ns)
            result["pipeline"] = {"ns": t.ns, "impl": "all steps chained", "batch": t.batch,
                                  "batches": t.batches, "spread": round(t.spread, 4)}
    result["pipeline_plaintext"] = _time_plaintext(family, steps, inputs, errors, batches,
                                                   min_batch_ns)
    result.update(_time_in_context(family, steps, inputs, result, load, context_seconds))
    return result


def _time_in_context(family: str, steps: dict[str, lap_families.Step],
                     inputs: lap_inputs.LapInputs, result: dict, load: str | None,
                     seconds: float) -> dict:
    """The whole pipeline and the /plaintext pipeline timed in a loopback asyncio server under
    lapwise-load (lap_context.py), each with its response write: the reconciliation's figures.
    Only once both pipelines were verified and timed in the tight loop."""
    keys = ("pipeline_ctx", "write_ctx", "pipeline_plaintext_ctx", "write_plaintext_ctx")
    for name in ("pipeline_plaintext", "pipeline"):  # the plaintext reason is the usual one
        if "ns" not in result[name]:
            reason = result[name].get("na") or f"n/a: {name} was not timed"
            return {k: {"na": reason} for k in keys}
    if not load:
        return {k: {"na": "n/a: lapwise-load is not built (cmake --build <build> --target "
                          "lapwise-load)"} for k in keys}
    from pathlib import Path

    from suites.laps import lap_context

    out: dict[str, dict] = {}
    runs = (("", lap_families.pipeline(steps), inputs.request),
            ("_plaintext", lap_families.plaintext_pipeline(family, steps, inputs),
             lap_families.plaintext_request(inputs)))
    for suffix, run, request in runs:
        body_len = len(run(request).partition(b"\r\n\r\n")[2])  # type: ignore[misc]
        try:
            t = lap_context.time_in_context(run, request, body_len, load=Path(load),  # type: ignore[arg-type]
                                            seconds=seconds, use_uvloop=family == "peer")
        except ImportError as exc:  # no uvloop: the peer's context cannot be built here
            out[f"pipeline{suffix}_ctx"] = out[f"write{suffix}_ctx"] = {"na": f"n/a: {exc}"}
            continue
        except (RuntimeError, OSError) as exc:  # includes responses lapwise-load refused
            out[f"pipeline{suffix}_ctx"] = out[f"write{suffix}_ctx"] = {
                "error": f"in-context run failed: {exc}"}
            continue
        loop = "uvloop" if family == "peer" else "asyncio"
        common = {"batch": t.batch, "batches": t.batches, "requests": t.requests}
        out[f"pipeline{suffix}_ctx"] = {"ns": t.pipeline_ns, **common,
                                        "impl": f"all steps chained, in a {loop} server under load"}
        out[f"write{suffix}_ctx"] = {"ns": t.write_ns, **common,
                                     "impl": f"transport.write of the response ({loop})"}
    return out


def _time_plaintext(family: str, steps: dict[str, lap_families.Step],
                    inputs: lap_inputs.LapInputs, errors: dict[str, str], batches: int,
                    min_batch_ns: int) -> dict:
    """The trivial route's pipeline (lap_families.plaintext_pipeline), verified then timed
    the same way as the whole pipeline. The reconciliation estimates the server's overhead
    outside the steps as e2e(/plaintext) minus this route served in context (the tight-loop
    figure here when there is no in-context run)."""
    run = lap_families.plaintext_pipeline(family, steps, inputs)
    if run is None:
        return {"na": "n/a: no /plaintext route in this scenario or a step it needs is n/a"}
    bad = [n for n in ("parse", "build_request", "route") if n in errors]
    if bad:
        return {"error": f"not timed: wrong answers in {', '.join(bad)}"}
    problem = lap_families.check_plaintext(family, steps, inputs)
    if problem:
        return {"error": f"wrong answer: {problem}"}
    buf = lap_families.plaintext_request(inputs)
    t = lap_timer.measure_fresh(run, lambda: fresh_bytes(buf), batches=batches,
                                min_batch_ns=min_batch_ns)
    return {"ns": t.ns, "impl": "parse, build request, route, text/plain response",
            "batch": t.batch, "batches": t.batches, "spread": round(t.spread, 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", required=True, choices=lap_families.PY_FAMILIES)
    ap.add_argument("--scenario", default="api", choices=lap_inputs.SCENARIOS)
    ap.add_argument("--batches", type=int, default=15)
    ap.add_argument("--min-batch-us", type=float, default=2000.0)
    ap.add_argument("--adapters", default=None, help="registry selection (default: $LAPWISE_ADAPTERS)")
    ap.add_argument("--load", default=None,
                    help="lapwise-load binary: also time the pipelines in context (lap_context.py)")
    ap.add_argument("--context-seconds", type=float, default=1.0,
                    help="measured load per in-context run")
    a = ap.parse_args(argv)
    import datasets

    try:
        result = run_family(a.family, a.scenario, a.batches, int(a.min_batch_us * 1000), a.adapters,
                            a.load, a.context_seconds)
    except datasets.DatasetMissing as exc:
        print(f"lap_child: {exc}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

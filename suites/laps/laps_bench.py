"""The lap suite: every family x step, repeated in separate processes, into one result file.

    python -m suites.laps.laps_bench --out DIR [--quick | --smoke] [--processes N] [--build DIR]
             [--scenarios api,users] [--families native,peer] [--adapters SEL] [--progress]

Each repetition is a fresh process per family (lap_child.py for the Python families,
native_laps for the native one), in a shuffled order per round, so drift and warm caches fall
evenly on all families. Every step's answer is checked before its timing is kept. Writes
DIR/laps.json (schema v1): one record per scenario x family x step (the steps, "pipeline" and
"pipeline_plaintext", the trivial route's pipeline, and, for the users scenario, the same two
pipelines and their response writes timed "in context" in a loopback asyncio server under
lapwise-load (lap_context.py; "pipeline_ctx", "write_ctx", "pipeline_plaintext_ctx",
"write_plaintext_ctx"): the figures the report's reconciliation predicts the end-to-end
/users cost from), samples = the per-process medians (CPU ns per call); a step that cannot
run is a record with metric "missing" and its reason in extra.reason. ``--smoke`` runs
everything once, verifies, and writes laps.smoke.json.

Exit status: 0 ok; 1 a wrong answer or a failed process (one line each on stderr); 2 bad
inputs (a missing dataset or build), named in one line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from suites.laps import lap_contract, lap_families, lap_inputs
from suites.laps.lap_contract import RequestHead

MODES = {  # processes, batches per process, minimum CPU per batch (us), in-context load (s)
    "full": (15, 15, 2000.0, 2.0),
    # Three processes give a median with an interval spanning the three (the spread between
    # processes, not the batches, dominates); half-millisecond batches already amortise the
    # clock read to under 0.1%; half a second of in-context load is thousands of requests.
    "quick": (3, 7, 500.0, 0.5),
    "smoke": (1, 1, 20.0, 0.2),
}
# What each run reports besides the steps (the native driver only "pipeline").
WHOLE = ("pipeline", "pipeline_plaintext", "pipeline_ctx", "write_ctx", "pipeline_plaintext_ctx",
         "write_plaintext_ctx")


def native_binary(build: Path) -> Path:
    return build / "bin" / "native_laps"


def load_binary(build: Path) -> Path:
    """lapwise-load, which drives the in-context timings (suites/load)."""
    return build / "bin" / "lapwise-load"


def _native_check_value(step: str, value: Any) -> Any:
    """The native driver's JSON rendering of a step's output -> what lap_families.check takes."""
    if step == "parse":  # C++ views (its boundary): the values are compared, not their types
        path, query = value["path"], value["query"]
        return RequestHead(value["method"], value.get("target", f"{path}?{query}"), path, query,
                           value.get("version", "1.1"), [tuple(h) for h in value["headers"]])
    if step == "build_request":
        return {"method": value["method"], "path": value["path"],
                "query_string": value["query_string"].encode("latin-1"),
                "headers": [(n.encode("latin-1"), v.encode("latin-1")) for n, v in value["headers"]]}
    if step == "route":
        return SimpleNamespace(value=value["value"], params=value["params"])
    if step == "query":
        return [tuple(p) for p in value]
    if step in ("serialize", "response", "pipeline"):
        return value.encode("latin-1")
    return value  # params, handler: plain JSON values


def verify_native(result: dict, inputs: lap_inputs.LapInputs) -> None:
    """Turns each native step's "check" into ok or {"error": ...} in place."""
    for name, cell in [*result.get("steps", {}).items(), ("pipeline", result.get("pipeline", {}))]:
        if "check" not in cell:
            continue
        problem = lap_families.check(name, _native_check_value(name, cell.pop("check")), inputs)
        if problem:
            cell.clear()
            cell["error"] = f"wrong answer: {problem}"


class Runner:
    def __init__(self, a: argparse.Namespace, workdir: Path) -> None:
        self.a = a
        self.workdir = workdir
        self.processes, self.batches, self.min_batch_us, self.context_s = MODES[a.mode]
        if a.processes:
            self.processes = a.processes
        self.env = dict(os.environ)
        if a.adapters is not None:
            self.env["LAPWISE_ADAPTERS"] = a.adapters

    def native_files(self, inputs: lap_inputs.LapInputs) -> list[str]:
        d = self.workdir / inputs.scenario
        d.mkdir(parents=True, exist_ok=True)
        (d / "request.http").write_bytes(inputs.request)
        (d / "routes.txt").write_text("".join(f"{m} {p}\n" for m, p in inputs.routes))
        (d / "body.json").write_bytes(
            json.dumps(inputs.expected_body, separators=(",", ":"), ensure_ascii=False).encode())
        return ["--request", str(d / "request.http"), "--routes", str(d / "routes.txt"),
                "--body", str(d / "body.json"), "--scenario", inputs.scenario]

    def command(self, family: str, inputs: lap_inputs.LapInputs) -> list[str] | str:
        """The child's command line, or the n/a reason when it cannot run."""
        timing = ["--batches", str(self.batches), "--min-batch-us", str(self.min_batch_us)]
        if family == "native":
            exe = native_binary(Path(self.a.build))
            if not exe.exists():
                return (f"n/a: {exe} is not built (cmake --build {self.a.build} "
                        "--target native_laps)")
            return [str(exe), *self.native_files(inputs), *timing]
        load = load_binary(Path(self.a.build))
        context = (["--load", str(load), "--context-seconds", str(self.context_s)]
                   if load.exists() else [])
        return [sys.executable, "-m", "suites.laps.lap_child", "--family", family,
                "--scenario", inputs.scenario, *timing, *context]

    def run_one(self, family: str, inputs: lap_inputs.LapInputs) -> dict:
        cmd = self.command(family, inputs)
        if isinstance(cmd, str):
            return {"family": family, "na": cmd}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=900)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            return {"family": family, "failed": f"{cmd[2] if family != 'native' else Path(cmd[0]).name} "
                                                f"exited {proc.returncode}: {last}"}
        result = json.loads(proc.stdout)
        if family == "native":
            verify_native(result, inputs)
        return result


def _progress(a: argparse.Namespace, done: int, total: int, label: str) -> None:
    if a.progress:
        print(f"PROGRESS {done} {total} {label}", flush=True)


def collect(a: argparse.Namespace, runner: Runner, scenarios: list[lap_inputs.LapInputs],
            families: list[str]) -> tuple[dict, list[str]]:
    """{(scenario, family, step): {"samples": [...], "impl", "na", "errors"}}, failure lines."""
    cells: dict[tuple[str, str, str], dict] = {}
    failures: list[str] = []
    total = len(scenarios) * len(families) * runner.processes
    done = 0
    rng = random.Random(a.seed)
    for inputs in scenarios:
        for rep in range(runner.processes):
            order = list(families)
            rng.shuffle(order)
            for family in order:
                _progress(a, done, total, f"laps {inputs.scenario} {family} #{rep + 1}")
                result = runner.run_one(family, inputs)
                done += 1
                if "failed" in result or "na" in result:
                    reason = result.get("failed") or result["na"]
                    if "failed" in result:
                        failures.append(f"laps {inputs.scenario}/{family}: {reason}")
                    for step in (*lap_families.STEPS, *WHOLE):
                        cell = cells.setdefault((inputs.scenario, family, step), {"samples": []})
                        cell.setdefault("na", reason)
                    continue
                for step in (*lap_families.STEPS, *WHOLE):
                    got = result["steps"].get(step) if step in result["steps"] else result.get(step)
                    cell = cells.setdefault((inputs.scenario, family, step), {"samples": []})
                    if got is None:
                        cell.setdefault("na", "n/a: not reported by the driver")
                    elif "error" in got:
                        cell.setdefault("na", got["error"])
                        msg = f"laps {inputs.scenario}/{family}/{step}: {got['error']}"
                        if msg not in failures:
                            failures.append(msg)
                    elif "na" in got:
                        cell.setdefault("na", got["na"])
                    else:
                        cell["samples"].append(got["ns"])
                        cell["impl"] = got.get("impl", "")
                        cell["batch"] = got.get("batch")
    _progress(a, done, total, "laps done")
    return cells, failures


def to_records(cells: dict, runner: Runner) -> list:
    from suites.results import Record

    records = []
    for (scenario, family, step), cell in sorted(cells.items()):
        common = dict(adapter=f"laps/{family}", scenario=f"laps.{step}", param=scenario,
                      source="lapwise")
        contract = {"contract": lap_contract.CONTRACTS[step]} if step in lap_contract.CONTRACTS else {}
        if lap_contract.boundary(family, step):
            contract["boundary"] = lap_contract.boundary(family, step)
        if "na" in cell or not cell["samples"]:
            records.append(Record(metric="missing", unit="count", samples=[0.0],
                                  extra={"reason": cell.get("na", "n/a: no samples"),
                                         "family": family, "step": step, **contract}, **common))
            continue
        records.append(Record(metric="cpu_time_per_op", unit="ns", samples=cell["samples"],
                              extra={"family": family, "step": step, "impl": cell["impl"],
                                     "processes": runner.processes, "batches": runner.batches,
                                     "calls_per_batch": cell.get("batch"),
                                     "min_batch_us": runner.min_batch_us, **contract},
                              **common))
    return records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="results directory (writes laps.json there)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick")
    mode.add_argument("--smoke", dest="mode", action="store_const", const="smoke")
    ap.set_defaults(mode="full")
    ap.add_argument("--processes", type=int, default=0, help="repetitions (processes) per family")
    ap.add_argument("--build", default=os.environ.get("LAPWISE_BUILD_DIR", "build"),
                    help="build tree holding bin/native_laps and bin/lapwise-load")
    ap.add_argument("--scenarios", default=",".join(lap_inputs.SCENARIOS))
    ap.add_argument("--families", default=",".join(lap_families.FAMILIES))
    ap.add_argument("--adapters", default=None, help="registry selection, e.g. 'router/*,parser/native'")
    ap.add_argument("--kinds", default=None, help="accepted for ci/bench; laps run unless it excludes 'laps'")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--progress", action="store_true", help="print PROGRESS lines for ci/bench")
    a = ap.parse_args(argv)
    families = [f for f in a.families.split(",") if f]
    for f in families:
        if f not in lap_families.FAMILIES:
            print(f"laps_bench: unknown family {f!r}; families are {', '.join(lap_families.FAMILIES)}",
                  file=sys.stderr)
            return 2
    import datasets

    try:
        scenarios = [lap_inputs.load(s) for s in a.scenarios.split(",") if s]
    except (datasets.DatasetMissing, ValueError) as exc:
        print(f"laps: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="laps-") as tmp:
        runner = Runner(a, Path(tmp))
        cells, failures = collect(a, runner, scenarios, families)
    from suites.results import new_file, write

    result = new_file("laps", commands=[shlex.join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])])])
    result.records = to_records(cells, runner)
    out = Path(a.out) / ("laps.smoke.json" if a.mode == "smoke" else "laps.json")
    write(result, out)
    for line in failures:
        print(line, file=sys.stderr)
    print(f"laps: wrote {out} ({len(result.records)} records"
          f"{', ' + str(len(failures)) + ' failure(s)' if failures else ''})",
          file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

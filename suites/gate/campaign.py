"""Campaigns (a benchmark of the gates, not a CI step): run a gate many times and record how
often it passes and fails, for A/A (false-positive rate) and for injected slowdowns (detection
rate, and the smallest slowdown caught reliably).

    python -m suites.gate campaign instr-aa      --runs 50 --build-dir build-gate
    python -m suites.gate campaign instr-inject  --runs 50 --pct 1 --pct 2 --pct 3
    python -m suites.gate campaign ratio-aa      --runs 50 [--quick] [--driver router]
    python -m suites.gate campaign ratio-inject  --runs 50 --pct 5 --pct 10 --pct 25 [--quick]

Each run uses its own seed (the configured seed + run number) so that the schedules differ.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from . import built_drivers, config, instr, ratio
from .report import Row
from .stats import Verdict


def _instr_run(build: Path, cfg: config.Config, pct: int | None) -> list[Row]:
    targets = instr.targets_vs_self(build) if pct is None else instr.targets_vs_inject(build, pct)
    return instr.run(targets, cfg)


def _ratio_run(build: Path, cfg: config.Config, driver: str, pct: int | None, rounds: int,
               seed: int) -> list[Row]:
    assert cfg.ratio is not None
    d = next((d for d in built_drivers.load_manifest(build) if d.name == driver), None)
    if d is None:
        raise built_drivers.GateError(f"no driver {driver!r} in {build}")
    head_exe = d.exe if pct is None else d.inject.get(pct)
    if head_exe is None:
        raise built_drivers.GateError(f"driver {driver} has no +{pct}% twin (LAPWISE_GATE_INJECT_PCTS)")
    rows = []
    for bench_id in built_drivers.benchmarks(d.exe):
        argv = [f"--bench={bench_id}", "--mode=time"]
        run = ratio.collect(bench_id, [str(d.exe), *argv], [str(head_exe), *argv], rounds=rounds, seed=seed)
        r, _ = ratio.row(run, max_ratio=cfg.ratio.max_ratio, reason=cfg.ratio.reason,
                         resamples=cfg.ratio.resamples, confidence=cfg.ratio.confidence, seed=seed)
        rows.append(r)
    return rows


def _ratio_value(r: Row) -> float | None:
    try:
        return float(r.ratio.split()[0])
    except (ValueError, IndexError):
        return None


def run(args: argparse.Namespace) -> int:
    cfg = config.load(args.thresholds)
    assert cfg.ratio is not None
    gate, kind = args.what.split("-")
    pcts: list[int | None] = [None] if kind == "aa" else (args.pct or [3 if gate == "instr" else 25])
    rounds = cfg.ratio.quick_rounds if args.quick else cfg.ratio.rounds
    record: list[dict] = []
    summary: list[str] = []
    for pct in pcts:
        verdicts: dict[str, list[str]] = defaultdict(list)
        ratios: dict[str, list[float]] = defaultdict(list)
        start = time.monotonic()
        for i in range(args.runs):
            if gate == "instr":
                rows = _instr_run(args.build_dir, cfg, pct)
            else:
                rows = _ratio_run(args.build_dir, cfg, args.driver, pct, rounds, cfg.ratio.seed + i)
            for r in rows:
                name = r.benchmark.split(" +")[0]
                verdicts[name].append(r.verdict.value)
                if (v := _ratio_value(r)) is not None:
                    ratios[name].append(v)
                record.append({"run": i, "pct": pct, "benchmark": name, "verdict": r.verdict.value,
                               "ratio": r.ratio, "interval": r.interval})
            print(f"[campaign {args.what} pct={pct}] run {i + 1}/{args.runs}: "
                  + ", ".join(f"{r.benchmark.split(' +')[0]}={r.verdict.value}" for r in rows),
                  file=sys.stderr, flush=True)
        took = time.monotonic() - start
        for name, vs in verdicts.items():
            n = len(vs)
            count = {v.value: vs.count(v.value) for v in Verdict}
            med = statistics.median(ratios[name]) if ratios[name] else float("nan")
            what = "A/A" if pct is None else f"+{pct}% injected"
            if pct is None:
                outcome = (f"passed {count['PASS'] + count['WARN']}/{n} "
                           f"(false positives {count['FAIL']}/{n} = {count['FAIL'] / n:.0%}; "
                           f"inconclusive {count['WARN']})")
            else:
                outcome = (f"failed {count['FAIL']}/{n} (detection {count['FAIL'] / n:.0%}; "
                           f"inconclusive {count['WARN']}, passed {count['PASS']})")
            errors = f", errors {count['ERROR'] + count['MISSING']}" if count["ERROR"] + count["MISSING"] else ""
            summary.append(f"{gate} {what} {name}: {outcome}{errors}; median ratio {med:.4f}"
                           + (f"; {rounds} rounds" if gate == "ratio" else "")
                           + f"; {took / args.runs:.1f} s/run")
    print("\n".join(summary))
    if args.json:
        args.json.write_text(json.dumps({"what": args.what, "runs": args.runs, "rounds": rounds,
                                         "summary": summary, "records": record}, indent=1) + "\n")
    return 0

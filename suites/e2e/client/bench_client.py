"""The client fan-out benchmarks at full size, every adapter in one run, written as result
schema v1. Rounds interleave the adapters in a shuffled order; the servers are pinned to CPU 0
and this process (with the native client's thread) to CPU 1 when the machine has two.

    PYTHONPATH=adapters:<build>/python:datasets python suites/e2e/client/bench_client.py \
        --out <build>/results/client_e2e.json [--rounds 3] [--quick]

Scenarios (each verifies every result before it counts):
  client.throughput      5,000 GETs of nginx's 13-byte /plaintext, concurrency 64   (req/s)
  client.latency_bound   1,000 GETs, 50 ms server delay, concurrency 100           (wall / ideal)
  client.rate_limit      100 req/s, burst 1, 10 s, measured by the server          (req/s)
  client.faults          500 requests under the fault mix, retries 3               (accounting)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shlex
import sys
from collections.abc import Iterator

from suites.adapters import registry
from suites.adapters.server.base import Address
from suites.adapters.server.nginx import NginxServer
from suites.e2e.child_progress import emit
from suites.e2e.client import client_scenarios
from suites.e2e.client.servers import FaultServer
from suites.results import Record, new_file, write
from suites.results.stats import median_ci


def _pin(pid: int, cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        try:
            os.sched_setaffinity(pid, {cpu})
        except OSError:
            pass


@contextlib.contextmanager
def _nginx() -> Iterator[Address]:
    """lapwise's nginx server adapter, stopped by pid on the way out."""
    with NginxServer() as server:
        yield server.start()


def main() -> int:
    ap = argparse.ArgumentParser(description="client fan-out benchmarks (result schema v1)")
    ap.add_argument("--out", default=os.path.join(os.environ.get("LAPWISE_RESULTS_DIR", "results"),
                                                  "client_e2e.json"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--adapters", default=None, help="LAPWISE_ADAPTERS-style filter")
    ap.add_argument("--skip", default="", help="comma-separated scenarios to skip")
    ap.add_argument("--progress", action="store_true",
                    help="print PROGRESS <done> <total> <label> lines (suites/runner)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    classes = registry.adapters("client", args.adapters)
    n_tp, n_lat, rate_s, n_fault = (500, 200, 1.0, 60) if args.quick else (5000, 1000, 10.0, 500)
    result = new_file("e2e.client", [shlex.join([sys.executable] + sys.argv)])
    records: dict[tuple[str, str, str], Record] = {}

    def add(cls, scenario: str, param: str, metric: str, unit: str, value: float, **extra) -> None:
        key = (cls.adapter_id(), scenario, metric)
        rec = records.get(key)
        if rec is None:
            rec = records[key] = Record(adapter=cls.adapter_id(), scenario=scenario, param=param,
                                        metric=metric, unit=unit, samples=[], extra={})
            result.records.append(rec)
        rec.samples.append(float(value))
        for k, v in extra.items():
            rec.extra.setdefault(k, []).append(v)

    with _nginx() as ng, FaultServer() as fs:
        plaintext = ng.url + "/plaintext"
        _pin(ng.pid, 0)
        _pin(fs.proc.pid, 0)
        _pin(0, 1)
        rng = random.Random(42)
        by_name = {c.name: c for c in classes}
        tp: dict[str, list[float]] = {c.name: [] for c in classes}
        # One step per adapter and round, then one per adapter for the rate limit and faults.
        steps = (args.rounds + 1) * len(classes)
        done = 0
        for rnd in range(args.rounds):
            order = list(classes)
            rng.shuffle(order)
            for cls in order:
                emit(args.progress, done, steps, f"{cls.adapter_id()} round {rnd + 1}")
                done += 1
                if "throughput" not in skip:
                    n = n_tp if cls.name != "urllib" else n_tp // 5  # sequential: fewer, same rate
                    out = client_scenarios.throughput(cls(), plaintext, n=n, concurrency=64)
                    tp[cls.name].append(out.extra["req_per_s"])
                    add(cls, "client.throughput", f"{n}x64", "throughput", "req/s",
                        out.extra["req_per_s"])
                    print(f"round {rnd} {cls.adapter_id():24s} throughput {out.extra['req_per_s']:9.0f} req/s",
                          flush=True)
                if "latency_bound" not in skip and "concurrency" in cls.features:
                    out = client_scenarios.latency_bound(cls(), fs, n=n_lat, delay_ms=50, concurrency=100)
                    add(cls, "client.latency_bound", f"{n_lat}x50ms/c100", "wall_over_ideal",
                        "ratio", out.extra["ratio"], wall_s=out.wall)
                    print(f"round {rnd} {cls.adapter_id():24s} latency-bound {out.extra['ratio']:.3f} x ideal",
                          flush=True)
        if "native" in by_name and "pycurl" in by_name and tp["native"] and tp["pycurl"]:
            ratios = [a / b for a, b in zip(tp["native"], tp["pycurl"])]  # same round: paired
            ci = median_ci(ratios)  # the project's bootstrap: 2000 resamples, 95%, seeded
            lo, hi = ci.lo, ci.hi
            for r in ratios:
                add(by_name["native"], "client.throughput", f"{n_tp}x64", "ratio_vs_pycurl",
                    "ratio", r)
            records[("client/native", "client.throughput", "ratio_vs_pycurl")].extra.update(
                {"ci95": [lo, hi], "target": 1.2})
            print(f"native / pycurl throughput: median {ci.value:.2f} "
                  f"(95% CI {lo:.2f}..{hi:.2f}; target >= 1.2)")
        for cls in classes:
            emit(args.progress, done, steps, f"{cls.adapter_id()} rate limit and faults")
            done += 1
            if "rate_limit" not in skip and "rate" in cls.features:
                out = client_scenarios.rate_limited(cls(), fs, rate=100, burst=1, seconds=rate_s)
                add(cls, "client.rate_limit", f"100/s x{rate_s:g}s", "observed_rate", "req/s",
                    out.extra["observed_rate"], error=out.extra["error"])
                print(f"{cls.adapter_id():24s} rate 100/s -> {out.extra['observed_rate']:.2f}/s "
                      f"({out.extra['error']*100:+.2f}%)", flush=True)
            if "faults" not in skip and "retries" in cls.features:
                out = client_scenarios.faults(cls(), fs, n=n_fault)
                lost = out.extra["results"] - n_fault
                add(cls, "client.faults", f"{n_fault}", "lost_results", "count", abs(lost),
                    **{k: v for k, v in out.extra.items()})
                print(f"{cls.adapter_id():24s} faults: {out.extra}", flush=True)
    path = write(result, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

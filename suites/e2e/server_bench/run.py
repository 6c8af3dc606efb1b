"""The end-to-end server suite: every selected server adapter, started pinned to CPU 0, checked
against the app spec, then loaded by lapwise-load pinned to CPU 1.

Run it as a script (it is not a package module; its helpers sit next to it)::

    PYTHONPATH=adapters:<build>/python:datasets .venv/bin/python suites/e2e/server_bench/run.py \
        --mode quick [--servers 'server/nginx,server/py-*'] [--out DIR] [--repeat N] [--strict]

Per server: quick conformance (every declared route answers exactly as the spec says; a server
that does not conform is not loaded), closed-loop runs (each preceded by a discarded warmup run),
a wrk cross-check right after the lapwise-load run it checks, open loop at percentages of the
server's measured peak (closed loop, 64 connections, no pipelining), an RSS soak (native
servers), then hyperfine's cold start with the server stopped. Every lapwise-load figure can be
bounded by the generator's own core as well as by the server: each closed and open record
carries lapwise-load's CPU utilisation per run (extra ``loadgen_cpu_util``, also a metric) and
``loadgen_bound`` when a run reached ``records.LOADGEN_BOUND_UTIL`` or, in open loop, when the
generator's own send lateness reached ``records.LOADGEN_LATE_US`` at p99.9. The open-loop peak
is the closed-loop peak run's throughput; when that run was bound (``peak_loadgen_bound``), the
peak is the generator's limit and the server's own peak is higher. The open-loop records also
carry the send lateness (intended -> written), the generator's share of it, and the response
time (written -> answered) as metrics; the summary prints ``late p99 A (gen B) cpu C/D``.
Under load, every response must be 200 with the spec's body length, else it counts as an error
(lapwise-load checks each one).

Writes ``e2e_server.json`` (mode full) or ``e2e_server_<mode>.json`` into --out (default
$LAPWISE_RESULTS_DIR, else build/results), result schema v1, plus the raw tool outputs in
``e2e_server_raw/``. Every server is stopped by its pid in a finally block; all traffic is to
127.0.0.1; every load is bounded in time (and the soak in count). Exit status: 0 when every
server conformed and every tool run added up; 1 otherwise (or, with --strict, on any error
under load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

from suites.adapters import registry
from suites.e2e.child_progress import emit
from suites.e2e.server_bench import app_requests, coldstart, loadgen, soak, wrk_run
from suites.e2e.server_bench.records import (LOADGEN_BOUND_UTIL, Measured, loadgen_utilisation,
                                             loadgen_verdict, to_records)
from suites.e2e.server_bench.server_scenarios import PLANS, Closed, Plan, is_native
from suites.results import Record, new_file, write

HOST = "127.0.0.1"


def pin_cpus(enabled: bool) -> tuple[int | None, int | None]:
    """(server cpu, load cpu): 0 and 1 when this process may use both, else no pinning."""
    if enabled and {0, 1} <= os.sched_getaffinity(0):
        return 0, 1
    return None, None


class Suite:
    """One server at a time: its records accumulate in ``records``, problems in ``problems``."""

    def __init__(self, plan: Plan, binary: Path, raw: Path, pins: tuple[int | None, int | None]):
        self.plan = plan
        self.binary = binary
        self.raw = raw
        self.server_cpu, self.load_cpu = pins
        self.records: list[Record] = []
        self.problems: list[str] = []
        self.load_errors: list[str] = []
        self.summary: list[tuple[str, ...]] = []
        self._seq = 0
        self.show_progress = False
        self.warmed = False  # the current server had its warmup run
        self.done = 0
        self.total = 0
        self.current = ""

    # -- progress: one step per closed point, per open-loop rate, and the soak + cold start --
    def steps_per_server(self) -> int:
        return len(self.plan.closed) + len(self.plan.open_pcts) + 1

    def step(self, what: str) -> None:
        emit(self.show_progress, min(self.done, self.total), self.total, f"{self.current} {what}")
        self.done += 1

    # -- one lapwise-load run -------------------------------------------------------------
    def _output(self, impl: str, tag: str) -> Path:
        self._seq += 1
        return self.raw / f"{self._seq:03d}_{impl}_{tag}.json"

    def load(self, server, impl: str, spec: loadgen.LoadSpec, tag: str) -> Measured:
        """A discarded warmup run (before every measured run, or with ``warmup_each`` False
        only before the server's first), then the measured run with the server's CPU around it."""
        if self.plan.warmup_s > 0 and (self.plan.warmup_each or not self.warmed):
            self.warmed = True
            warm = loadgen.LoadSpec(**{**spec.__dict__, "duration_s": self.plan.warmup_s,
                                       "max_requests": 0, "warmup_s": 0})
            loadgen.run(self.binary, warm, self._output(impl, tag + "_warmup"), self.load_cpu)
        cpu0 = server.cpu_seconds()
        report = loadgen.run(self.binary, spec, self._output(impl, tag), self.load_cpu)
        measured = Measured(report, server.cpu_seconds() - cpu0)
        failed = report["requests"]["failed"]
        if failed:
            self.load_errors.append(f"{impl} {tag}: {failed} failed requests {report['errors']} "
                                    f"{report['first_errors'][:2]}")
        return measured

    # -- scenarios ------------------------------------------------------------------------
    def run_server(self, cls) -> None:
        impl = cls.name
        adapter = cls.adapter_id()
        with tempfile.TemporaryDirectory(prefix=f"lapwise-e2e-{impl}-") as tmp:
            self._run_server(cls, Path(tmp))
        if self.plan.cold_runs > 0:
            try:
                recs = coldstart.run(cls, self.plan.cold_runs, self.raw, self.server_cpu)
                self.records += recs
                for r in recs:
                    self.summary.append((impl, r.scenario, "", f"{r.median:.1f} ms", "", "",
                                         f"probe {r.extra['probe_baseline_ms']:.1f} ms", ""))
            except RuntimeError as exc:
                self.problems.append(f"{adapter} cold start: {exc}")

    def _run_server(self, cls, workdir: Path) -> None:
        impl = cls.name
        adapter = cls.adapter_id()
        request_files = {r: app_requests.write_request_file(app_requests.ROUTES[r], workdir)
                         for r in cls.routes if r in app_requests.ROUTES}
        server = cls()
        self.warmed = False
        try:
            address = server.start(HOST, 0, cpu=self.server_cpu)
            problems = app_requests.check_conformance(address.host, address.port, cls.routes)
            if problems:
                self.problems += [f"{adapter} does not conform: {p}" for p in problems]
                return
            url = address.url
            peak = None
            peak_util = 0.0
            for sc in self.plan.closed:
                if sc.route not in request_files:
                    continue
                self.step(f"closed {sc.route} {sc.param}")
                tput, util = self.closed(server, adapter, url, sc, request_files[sc.route],
                                         workdir)
                if sc == self.plan.peak:
                    peak, peak_util = tput, util
            if peak is None and "plaintext" in request_files:
                peak, peak_util = self.closed(server, adapter, url, self.plan.peak,
                                              request_files[self.plan.peak.route], workdir)
            if peak:
                self.open_loop(server, adapter, url, peak, peak_util,
                               request_files[self.plan.peak.route])
            if peak and (is_native(impl) or not self.plan.soak_native_only):
                self.soak(server, adapter, url, request_files["plaintext"], address.pid, peak)
        finally:
            server.stop()  # by its pid (process group), whatever happened above

    def closed(self, server, adapter: str, url: str, sc: Closed, req_file: Path,
               workdir: Path) -> tuple[float, float]:
        """Median throughput of the runs, and lapwise-load's median CPU utilisation in them."""
        impl = adapter.split("/", 1)[1]
        ours, theirs, wrk_utils = [], [], []
        check = sc in self.plan.wrk
        for _ in range(self.plan.repeat):
            spec = loadgen.LoadSpec(url=url, request_file=req_file, connections=sc.connections,
                                    pipeline=sc.pipeline, duration_s=self.plan.duration_s)
            ours.append(self.load(server, impl, spec, f"closed_{sc.route}_{sc.param}"))
            if check:
                text, path, wrk_util = wrk_run.run(f"{url}", app_requests.ROUTES[sc.route],
                                                   sc.connections, sc.pipeline,
                                                   self.plan.wrk_duration_s, workdir,
                                                   self.load_cpu)
                wrk_utils.append(wrk_util)
                (self.raw / f"{self._seq:03d}_{impl}_{path.name}").write_text(path.read_text())
                parsed = wrk_run.parse(text, str(path))
                if parsed.get("errors", (0,))[0]:
                    self.problems.append(f"{adapter} wrk {sc.param}: {parsed['errors'][0]:.0f} "
                                         f"errors, so its throughput checks nothing ({path})")
                theirs.append(parsed)
        scenario = f"server.closed_{sc.route}"
        self.records += to_records(adapter, scenario, sc.param, ours,
                                   {"server_cpu": self.server_cpu, "load_cpu": self.load_cpu,
                                    **loadgen_verdict([m.report for m in ours])})
        tput = statistics.median(m.report["throughput_rps"] for m in ours)
        ratio_text = ""
        if theirs:
            wrk_scenario = f"server.wrk_{sc.route}"
            for metric in theirs[0]:
                if all(metric in t for t in theirs):
                    self.records.append(Record(
                        adapter=adapter, scenario=wrk_scenario, param=sc.param, metric=metric,
                        unit=theirs[0][metric][1], samples=[t[metric][0] for t in theirs],
                        source="wrk", extra={"cmd": f"wrk -t1 -c{sc.connections} "
                                             f"-d{self.plan.wrk_duration_s}s --latency",
                                             "pipeline": sc.pipeline}))
            ratios = [m.report["throughput_rps"] / t["throughput"][0]
                      for m, t in zip(ours, theirs) if t["throughput"][0] > 0]
            if ratios:
                ours_utils = [loadgen_utilisation(m.report) for m in ours]
                why = wrk_difference(statistics.median(ratios), statistics.median(ours_utils),
                                     statistics.median(wrk_utils), sc.pipeline)
                self.records.append(Record(
                    adapter=adapter, scenario=f"server.load_vs_wrk_{sc.route}", param=sc.param,
                    metric="throughput_ratio", unit="ratio", samples=ratios,
                    extra={"what": "lapwise-load req/s / wrk req/s, same server, back to back",
                           "wrk_throughput": [t["throughput"][0] for t in theirs],
                           "lapwise_throughput": [m.report["throughput_rps"] for m in ours],
                           "wrk_cpu_util": wrk_utils, "lapwise_cpu_util": ours_utils,
                           "within": WRK_TOLERANCE, "explanation": why}))
                ratio_text = f"{statistics.median(ratios):.3f}" + (f" ({why})" if why else "")
        m = median_metrics(ours)
        util = statistics.median(loadgen_utilisation(m.report) for m in ours)
        self.summary.append((impl, "closed_" + sc.route, sc.param, f"{tput:,.0f}",
                             f"{m.get('cpu_per_request', (0,))[0]:.1f}",
                             f"{m.get('latency_p99', (0,))[0]:.0f}", f"{m['errors'][0]:.0f}",
                             (ratio_text + " " if ratio_text else "") + f"cpu {util:.2f}"
                             + (" BOUND" if util >= LOADGEN_BOUND_UTIL else "")))
        return tput, util

    def open_loop(self, server, adapter: str, url: str, peak: float, peak_util: float,
                  req_file: Path) -> None:
        """Open loop at percentages of the closed-loop peak. The peak is bounded by lapwise-load's
        own capacity as well as the server's: when the generator's core was saturated during the
        peak run (or an open run), the records say so in extra (``loadgen_bound``) instead of the
        rate being lowered behind the reader's back."""
        impl = adapter.split("/", 1)[1]
        sc = self.plan.peak
        for pct in self.plan.open_pcts:
            self.step(f"open {sc.route} {pct}%")
            rate = peak * pct / 100.0
            runs = []
            for _ in range(self.plan.repeat):
                # An in-run warmup as well: the schedule starts while the connections are still
                # being opened, and those first requests' lateness is the generator's start-up,
                # not the server's.
                spec = loadgen.LoadSpec(url=url, request_file=req_file, connections=sc.connections,
                                        pipeline=1, duration_s=self.plan.duration_s, rate=rate,
                                        warmup_s=OPEN_WARMUP_S)
                runs.append(self.load(server, impl, spec, f"open_{sc.route}_{pct}pct"))
            verdict = loadgen_verdict([m.report for m in runs])
            peak_bound = peak_util >= LOADGEN_BOUND_UTIL
            bound = peak_bound or verdict["loadgen_bound"]
            self.records += to_records(adapter, f"server.open_{sc.route}", f"{pct}pct", runs,
                                       {"peak_rps": peak, "rate_rps": rate, "percent_of_peak": pct,
                                        "peak_from": f"server.closed_{sc.route}[{sc.param}]",
                                        "peak_loadgen_cpu_util": peak_util,
                                        "peak_loadgen_bound": peak_bound,
                                        **verdict, "loadgen_bound": bound})
            m = median_metrics(runs)
            self.summary.append((impl, "open_" + sc.route, f"{pct}% = {rate:,.0f}/s",
                                 f"{m['throughput'][0]:,.0f}",
                                 f"{m.get('cpu_per_request', (0,))[0]:.1f}",
                                 f"{m.get('latency_p99', (0,))[0]:.0f}", f"{m['errors'][0]:.0f}",
                                 f"late p99 {m.get('send_lateness_p99', (0,))[0]:.0f} "
                                 f"(gen {m.get('loadgen_lateness_p99', (0,))[0]:.0f}) "
                                 f"cpu {peak_util:.2f}/"
                                 f"{statistics.median(verdict['loadgen_cpu_util']):.2f}"
                                 + (" BOUND" if bound else "")))

    def soak(self, server, adapter: str, url: str, req_file: Path, pid: int, peak: float) -> None:
        impl = adapter.split("/", 1)[1]
        self.step(f"soak {self.plan.soak_requests} requests")
        n = self.plan.soak_requests
        # ~100 samples over the expected run time (from the measured peak), 10 ms .. 0.5 s apart.
        interval = min(0.5, max(0.01, n / peak / 100))
        cap = max(30.0, n / 2000.0)  # time bound: even a slow server ends in bounded time
        spec = loadgen.LoadSpec(url=url, request_file=req_file, connections=64, pipeline=1,
                                duration_s=cap, max_requests=n)
        out = self._output(impl, f"soak_{n}")
        cpu0 = server.cpu_seconds()
        proc = loadgen.start(self.binary, spec, out, self.load_cpu)
        try:
            samples = soak.sample_while(pid, lambda: proc.poll() is None, interval, cap + 30)
        finally:
            report = loadgen.finish(proc, out, timeout=cap + 60)
        measured = Measured(report, server.cpu_seconds() - cpu0)
        param = f"{n}req"
        try:
            v = soak.verdict(samples)
        except ValueError as exc:
            self.problems.append(f"{adapter} soak: {exc}")
            return
        extra = {"baseline_bytes": v.baseline, "end_bytes": v.end, "end_max_bytes": v.end_max,
                 "growth_pct": v.growth_pct, "flat": v.flat, "limit_pct": soak.FLAT_LIMIT_PCT,
                 "interval_s": interval, "requests": report["requests"]}
        self.records.append(Record(adapter=adapter, scenario="server.soak_plaintext", param=param,
                                   metric="rss", unit="bytes", samples=[float(s) for s in samples],
                                   extra=extra))
        self.records.append(Record(adapter=adapter, scenario="server.soak_plaintext", param=param,
                                   metric="rss_growth", unit="percent", samples=[v.growth_pct],
                                   extra=extra))
        self.records += [r for r in to_records(adapter, "server.soak_plaintext", param, [measured])
                         if r.metric in ("throughput", "errors", "cpu_per_request")]
        if report["requests"]["failed"]:
            self.load_errors.append(f"{impl} soak: {report['requests']['failed']} failed")
        if not v.flat:
            self.problems.append(f"{adapter} soak: RSS grew {v.growth_pct:.1f}% over {n} requests "
                                 f"({v.baseline / 1e6:.1f} -> {v.end_max / 1e6:.1f} MB)")
        self.summary.append((impl, "soak_plaintext", param, f"{measured.report['throughput_rps']:,.0f}",
                             "", "", f"{report['requests']['failed']}",
                             f"RSS {v.baseline / 1e6:.1f}->{v.end_max / 1e6:.1f} MB "
                             f"({v.growth_pct:+.1f}%)"))


# Open loop: seconds of schedule run (and discarded) before the measured window, in the same
# process as it (see open_loop).
OPEN_WARMUP_S = 0.2

# lapwise-load and wrk must agree on a server's closed-loop throughput within this, unless one
# of them was the limit (its core saturated), which wrk_difference says.
WRK_TOLERANCE = 0.10


def wrk_difference(ratio: float, ours_util: float, wrk_util: float, pipeline: int = 1) -> str:
    """Why lapwise-load's throughput differs from wrk's by more than WRK_TOLERANCE: "" when it
    does not; "wrk bound" / "lapwise-load bound" when only the slower side's core was saturated
    (it measured itself, the other the server); with pipelining and lapwise-load ahead, "wrk
    batches" (wrk writes the next batch of `pipeline` requests only once the whole previous
    batch was answered, lapwise-load refills after every read, so the server's pipe stays
    fuller: a difference of model, see suites/load/README.md); "unexplained" otherwise."""
    if abs(ratio - 1.0) <= WRK_TOLERANCE:
        return ""
    slower_util = wrk_util if ratio > 1.0 else ours_util
    if slower_util >= LOADGEN_BOUND_UTIL:
        return "wrk bound" if ratio > 1.0 else "lapwise-load bound"
    if pipeline > 1 and ratio > 1.0:
        return "wrk batches"
    return "unexplained"


def median_metrics(runs: list[Measured]) -> dict[str, tuple[float, str]]:
    """Each metric's median over the repetitions (for the printed summary)."""
    per_run = [m.metrics() for m in runs]
    return {k: (statistics.median(p[k][0] for p in per_run), unit)
            for k, (_, unit) in per_run[0].items() if all(k in p for p in per_run)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=sorted(PLANS), default="full")
    ap.add_argument("--quick", action="store_const", const="quick", dest="mode",
                    help="same as --mode quick")
    ap.add_argument("--servers", help="adapter ids or globs (default: $LAPWISE_ADAPTERS, else all)")
    ap.add_argument("--out", type=Path, help="results dir (default $LAPWISE_RESULTS_DIR or build/results)")
    ap.add_argument("--load-bin", help="the lapwise-load binary (default: found in a build tree)")
    ap.add_argument("--repeat", type=int, help="repetitions per scenario (samples per record)")
    ap.add_argument("--duration", type=float, help="override the measured seconds per run")
    ap.add_argument("--no-cold", action="store_true", help="skip hyperfine's cold start")
    ap.add_argument("--no-pin", action="store_true", help="do not pin server and load to CPUs 0/1")
    ap.add_argument("--strict", action="store_true", help="exit 1 on any error under load")
    ap.add_argument("--progress", action="store_true",
                    help="print PROGRESS <done> <total> <label> lines (suites/runner)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = PLANS[args.mode]
    overrides = {}
    if args.repeat:
        overrides["repeat"] = max(1, args.repeat)
    if args.duration:
        overrides["duration_s"] = args.duration
    if args.no_cold:
        overrides["cold_runs"] = 0
    if overrides:
        plan = Plan(**{**plan.__dict__, **overrides})
    out_dir = args.out or Path(os.environ.get("LAPWISE_RESULTS_DIR") or loadgen.REPO / "build" / "results")
    name = "e2e_server.json" if args.mode == "full" else f"e2e_server_{args.mode}.json"
    raw = out_dir / "e2e_server_raw" / time.strftime("%Y%m%dT%H%M%S")
    raw.mkdir(parents=True, exist_ok=True)
    binary = loadgen.find_binary(args.load_bin)
    pins = pin_cpus(not args.no_pin)
    servers = registry.adapters("server", args.servers)
    if args.servers is None and not os.environ.get("LAPWISE_ADAPTERS"):
        servers = [cls for cls in servers if getattr(cls, "bench_by_default", True)]
    skipped = [e for e in registry.entries("server", args.servers) if e.cls is None or not e.availability]
    for e in skipped:
        print(f"skip {e.adapter_id}: {e.availability.reason}", file=sys.stderr)
    if not servers:
        print("no server adapters selected", file=sys.stderr)
        return 1
    suite = Suite(plan, binary, raw, pins)
    suite.show_progress = args.progress
    suite.total = len(servers) * suite.steps_per_server()
    for i, cls in enumerate(servers):
        print(f"== {cls.adapter_id()}", file=sys.stderr, flush=True)
        # A server that stops early (not conforming, no such route) skips its remaining steps.
        suite.done = i * suite.steps_per_server()
        suite.current = f"{cls.adapter_id()} ({i + 1}/{len(servers)})"
        try:
            suite.run_server(cls)
        except Exception as exc:  # noqa: BLE001 - one broken server must not hide the others
            suite.problems.append(f"{cls.adapter_id()}: {type(exc).__name__}: {exc}")
            traceback.print_exc()
    command = ["python -m suites.e2e.server_bench.run", *(argv if argv is not None else sys.argv[1:])]
    result = new_file("e2e.server", commands=[" ".join(command)])
    result.records = suite.records
    result.machine = {**result.machine, "pinning": {"server_cpu": pins[0], "load_cpu": pins[1]},
                      "load_bin": str(binary), "raw_dir": str(raw)}
    path = write(result, out_dir / name)
    print_summary(suite.summary)
    print(f"\n{len(suite.records)} records -> {path}")
    for p in suite.load_errors:
        print(f"ERRORS UNDER LOAD: {p}")
    for p in suite.problems:
        print(f"PROBLEM: {p}")
    if suite.problems or (args.strict and suite.load_errors):
        return 1
    return 0


def print_summary(rows: list[tuple[str, ...]]) -> None:
    head = ("server", "scenario", "param", "req/s", "srv us/req", "p99 us", "errors", "vs wrk / note")
    table = [head, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    sys.exit(main())

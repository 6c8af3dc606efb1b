"""``python -m suites.gate {instr,ratio,headbase,campaign}``: see suites/gate/README.md.

Every gate prints a table (benchmark, base, head, ratio, interval, threshold, verdict), notes
saying what to do, and one closing line; the exit status is 0 (pass) or 1 (fail). With
``--expect pass|fail`` the exit status says instead whether the gate did what a self-test
expects of it.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from pathlib import Path

from . import baselines, built_drivers, config, headbase, instr, ratio, report
from .stats import Verdict


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _progress(quiet: bool):
    return (lambda s: None) if quiet else _err


def _default_build() -> Path:
    return Path(os.environ.get("LAPWISE_BUILD_DIR") or config.ROOT / "build")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--thresholds", type=Path, default=config.DEFAULT_PATH,
                   help="thresholds file (default suites/gate/thresholds.toml)")
    p.add_argument("--expect", choices=("pass", "fail"),
                   help="self-test: exit 0 only if the gate passes (pass) / every row FAILs (fail)")
    p.add_argument("--allow-missing", action="store_true",
                   help="a MISSING row (no baseline, unavailable adapter) does not fail the gate")
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m suites.gate", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="gate", required=True)

    i = sub.add_parser("instr", help="instruction counts (callgrind) against a base")
    _common(i)
    i.add_argument("--build-dir", type=Path, default=_default_build(),
                   help="a configured build holding the gate drivers (default $LAPWISE_BUILD_DIR or build/)")
    i.add_argument("--baselines", type=Path, default=baselines.DEFAULT_DIR)
    i.add_argument("--only", metavar="REGEX", help="gate only the benchmark ids matching REGEX")
    i.add_argument("--reason", help="with --update/--update-all: why the counts moved (logged in "
                   "suites/gate/baselines/updates.log)")
    mode = i.add_mutually_exclusive_group()
    mode.add_argument("--update", nargs="*", metavar="BENCH",
                      help="measure and store the baselines of the named benchmark ids (with --reason)")
    mode.add_argument("--update-all", action="store_true",
                      help="re-record every baseline (with --reason): only when everything moved, "
                      "e.g. a new compiler")
    mode.add_argument("--list", action="store_true", help="the benchmark ids of the build")
    mode.add_argument("--forget", nargs="+", metavar="BENCH",
                      help="remove stored baselines (with --reason): an id whose meaning changed")
    mode.add_argument("--against-self", action="store_true",
                      help="A/A: each driver against itself (bigger environment, other cwd)")
    mode.add_argument("--against-inject", type=int, metavar="PCT",
                      help="self-test: each driver's +PCT%% twin against the driver")
    mode.add_argument("--against-build", type=Path, metavar="BASE_BUILD",
                      help="each benchmark against the same one in another build")

    r = sub.add_parser("ratio", help="same-run interleaved ratio with a bootstrap interval")
    _common(r)
    r.add_argument("--name", help="benchmark name for the table")
    r.add_argument("--base", help="base command (one string, shell-quoted); prints one time")
    r.add_argument("--head", help="head command; the ratio is head/base")
    lim = r.add_mutually_exclusive_group()
    lim.add_argument("--max", type=float, dest="max_ratio",
                     help="fail when the interval is wholly above (default [ratio] max_ratio)")
    lim.add_argument("--min", type=float, dest="min_ratio", help="fail when wholly below")
    r.add_argument("--floors", action="store_true",
                   help="run the [[ratio.floor]] claims of the thresholds file instead")
    r.add_argument("--quick", action="store_true",
                   help="quick_rounds rounds (and, with --floors, only floors marked quick)")
    r.add_argument("--rounds", type=int, help="override the number of rounds (even)")
    r.add_argument("--seed", type=int, help="override the seed (schedule and bootstrap)")
    r.add_argument("--build-dir", type=Path, default=_default_build(),
                   help="the build whose gate drivers fill {driver_<name>} in floors")
    r.add_argument("--driver", action="append", default=[], metavar="NAME=EXE",
                   help="with --floors: use EXE as driver NAME (a self-test's sabotaged twin)")
    r.add_argument("--only", metavar="REGEX", help="with --floors: only the floors whose name matches")

    h = sub.add_parser("headbase", help="build the merge base beside this tree and gate the difference")
    _common(h)
    h.add_argument("--base", dest="base_ref", help="ref whose merge base with HEAD is built "
                   "(default origin/main if present, else HEAD)")
    h.add_argument("--work", type=Path, default=config.ROOT / "build-headbase",
                   help="where the base source and both builds go (default build-headbase/)")
    h.add_argument("--head-build", type=Path,
                   help="an existing build of this tree to use as head (default <work>/head)")
    h.add_argument("--jobs", type=int, default=2)
    h.add_argument("--quick", action="store_true", help="quick_rounds rounds for the time ratios")
    h.add_argument("--no-time", action="store_true", help="instruction counts only")
    h.add_argument("--ci", action="store_true",
                   help="what CI runs: base = merge base with the main line, or the previous commit "
                   "on it (none: skipped with a line saying so); head = --head-build (default the "
                   "build dir); only the drivers are built; times (quick) only the production "
                   "(/native) benchmarks the instruction gate cannot count here; new benchmarks allowed")

    c = sub.add_parser("campaign", help="repeat a gate N times; record pass/fail rates (benchmark, not CI)")
    c.add_argument("what", choices=("instr-aa", "instr-inject", "ratio-aa", "ratio-inject"))
    c.add_argument("--runs", type=int, default=50)
    c.add_argument("--pct", type=int, action="append", help="injected slowdown(s), repeatable")
    c.add_argument("--build-dir", type=Path, default=_default_build())
    c.add_argument("--driver", default="spin", help="ratio campaigns: which driver (default spin)")
    c.add_argument("--quick", action="store_true", help="ratio campaigns: quick_rounds rounds")
    c.add_argument("--thresholds", type=Path, default=config.DEFAULT_PATH)
    c.add_argument("--json", type=Path, help="write every run's outcome here")
    return p


# ---- instr --------------------------------------------------------------------------------

_REFUSE_BARE_UPDATE = (
    "gate instr --update: refused - name the benchmarks to re-record and say why, e.g.\n"
    "  python -m suites.gate instr --update parser.pico_bench/native-avx2 --reason 'shorter "
    "field loop'\n"
    "(`python -m suites.gate instr --list` shows the ids). Re-recording every baseline would "
    "absorb any small regression elsewhere; if everything really moved (a new compiler), use "
    "--update-all --reason '...'.")


def _commit() -> str:
    """The commit the counts were measured on, +dirty with uncommitted changes."""
    try:
        sha = headbase.git("rev-parse", "--short=12", "HEAD")
        dirty = headbase.git("status", "--porcelain", "--untracked-files=no")
    except built_drivers.GateError:
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def _update(args: argparse.Namespace) -> int:
    names = None if args.update_all else list(dict.fromkeys(args.update))
    if names is not None and not names:
        print(_REFUSE_BARE_UPDATE)
        return 2
    if not (args.reason and args.reason.strip()):
        print("gate instr --update: refused - say why the counts moved with --reason '...' (it is "
              f"logged beside the baselines in {baselines.log_path(args.baselines)})")
        return 2
    counts, errors, skipped = instr.update(args.build_dir, args.baselines, names, reason=args.reason,
                                           commit=_commit(), progress=_progress(args.quiet))
    for bench_id, n in sorted(counts.items()):
        print(f"{bench_id}: {n:,} instructions")
    for s in skipped:
        print(f"SKIP {s}")
    for e in errors:
        print(f"ERROR {e}")
    if errors or not counts:
        print(f"gate instr --update: nothing stored ({len(errors)} errors, {len(counts)} counted, "
              f"{len(skipped)} cannot be counted here)")
        return 1
    print(f"gate instr --update: stored {len(counts)} baselines in {args.baselines}, logged in "
          f"{baselines.log_path(args.baselines)}")
    return 0


def _instr(args: argparse.Namespace, cfg: config.Config) -> int:
    progress = _progress(args.quiet)
    if args.list:
        for d in built_drivers.load_manifest(args.build_dir):
            for b in built_drivers.benchmarks(d.exe):
                print(b)
        return 0
    if args.update is not None or args.update_all:
        return _update(args)
    if args.forget:
        if not (args.reason and args.reason.strip()):
            print("gate instr --forget: refused - say why with --reason '...'")
            return 2
        removed = baselines.forget(args.forget, args.baselines, reason=args.reason, commit=_commit())
        print(f"gate instr --forget: removed {len(removed)} baselines"
              + (f" ({', '.join(removed)})" if removed else "") + f", logged in {baselines.log_path(args.baselines)}")
        return 0 if removed else 1
    if args.against_self:
        targets, title = instr.targets_vs_self(args.build_dir), "instruction counts: A/A (same binary twice)"
    elif args.against_inject is not None:
        targets = instr.targets_vs_inject(args.build_dir, args.against_inject)
        title = f"instruction counts: injected +{args.against_inject}% twin vs driver"
    elif args.against_build is not None:
        targets = instr.targets_vs_build(args.against_build, args.build_dir)
        title = f"instruction counts: {args.build_dir} vs {args.against_build}"
    else:
        targets = instr.targets_vs_baselines(args.build_dir, args.baselines)
        title = f"instruction counts: {args.build_dir} vs {args.baselines}"
    if args.only:
        try:
            keep = re.compile(args.only)
        except re.error as exc:
            _err(f"instr: --only {args.only!r}: {exc}")
            return 2
        targets = [t for t in targets if keep.search(t.bench_id)]
    rows = instr.run(targets, cfg, progress=progress)
    return report.emit("instr", rows, sys.stdout, title=title, allow_missing=args.allow_missing,
                       expect=args.expect, json_path=args.json)


# ---- ratio --------------------------------------------------------------------------------

def _ratio_row(cfg: config.Config, name: str, base: list[str], head: list[str], *,
               max_ratio: float | None, min_ratio: float | None, reason: str, rounds: int,
               seed: int, progress) -> report.Row:
    assert cfg.ratio is not None
    run = ratio.collect(name, base, head, rounds=rounds, seed=seed, progress=progress)
    r, _ = ratio.row(run, max_ratio=max_ratio, min_ratio=min_ratio, reason=reason,
                     resamples=cfg.ratio.resamples, confidence=cfg.ratio.confidence, seed=seed)
    return r


def _substitute(argv: list[str], build_dir: Path, drivers: dict[str, str] | None = None) -> list[str]:
    """Fills {python} {root} {build} and {driver_<name>} (the gate driver <name> of the build,
    or the --driver override)."""
    values = {"python": sys.executable, "root": str(config.ROOT), "build": str(build_dir),
              **{f"driver_{k}": v for k, v in (drivers or {}).items()}}
    try:
        return [a.format(**values) for a in argv]
    except KeyError as exc:
        raise built_drivers.GateError(f"{argv}: no value for {{{exc.args[0]}}} (driver not built in "
                                      f"{build_dir}?)") from exc


def _floor_drivers(args: argparse.Namespace) -> dict[str, str]:
    drivers: dict[str, str] = {}
    try:
        drivers = {d.name: str(d.exe) for d in built_drivers.load_manifest(args.build_dir)}
    except built_drivers.GateError:
        pass  # floors naming no driver still run; one that does says which is missing
    for spec in args.driver:
        name, sep, exe = spec.partition("=")
        if not sep:
            raise built_drivers.GateError(f"--driver {spec!r}: expected NAME=EXE")
        drivers[name] = exe
    return drivers


def _ratio(args: argparse.Namespace, cfg: config.Config) -> int:
    assert cfg.ratio is not None
    s = cfg.ratio
    rounds = args.rounds or (s.quick_rounds if args.quick else s.rounds)
    seed = s.seed if args.seed is None else args.seed
    progress = _progress(args.quiet)
    rows = []
    if args.floors:
        floors = [f for f in cfg.floors if f.quick or not args.quick]
        if args.only:
            floors = [f for f in floors if re.search(args.only, f.name)]
        drivers = _floor_drivers(args)
        for f in floors:
            rows.append(_ratio_row(cfg, f.name, _substitute(f.base, args.build_dir, drivers),
                                   _substitute(f.head, args.build_dir, drivers), max_ratio=None,
                                   min_ratio=f.min_ratio, reason=f.reason, rounds=rounds,
                                   seed=seed, progress=progress))
        title = f"same-run ratio floors ({rounds} rounds, head/base time)"
    else:
        if not (args.base and args.head):
            _err("ratio: give --base and --head commands, or --floors")
            return 2
        max_ratio = args.max_ratio
        if max_ratio is None and args.min_ratio is None:
            max_ratio = s.max_ratio
        reason = s.reason if args.max_ratio is None and args.min_ratio is None else "given on the command line"
        rows.append(_ratio_row(cfg, args.name or "ratio", shlex.split(args.base), shlex.split(args.head),
                               max_ratio=max_ratio, min_ratio=args.min_ratio, reason=reason,
                               rounds=rounds, seed=seed, progress=progress))
        title = f"same-run ratio ({rounds} rounds interleaved ABBA/BAAB, head/base time)"
    return report.emit("ratio", rows, sys.stdout, title=title, allow_missing=args.allow_missing,
                       expect=args.expect, json_path=args.json)


# ---- headbase -----------------------------------------------------------------------------

def _time_rows(cfg: config.Config, head_build: Path, base_build: Path, base_ok: bool,
               keep, rounds: int, progress) -> list[report.Row]:
    """[time] rows: each head benchmark that ``keep(id)`` selects, against the base build's."""
    assert cfg.ratio is not None
    rows = []
    base_exes = {}
    if base_ok:
        base_exes = {(d.name, b): d.exe for d in built_drivers.load_manifest(base_build)
                     for b in built_drivers.benchmarks(d.exe)}
    for d in built_drivers.load_manifest(head_build):
        for b in built_drivers.benchmarks(d.exe):
            if not keep(b):
                continue
            name = f"{b} [time]"
            base_exe = base_exes.get((d.name, b))
            thr = f"<= {cfg.ratio.max_ratio:g}"
            if base_exe is None:
                rows.append(report.Row(name, "-", "-", "-", "-", thr, Verdict.MISSING,
                                       "not in the base build: a new benchmark or driver"))
                continue
            argv = ["--bench=" + b, "--mode=time"]
            rows.append(_ratio_row(cfg, name, [str(base_exe), *argv], [str(d.exe), *argv],
                                   max_ratio=cfg.ratio.max_ratio, min_ratio=None,
                                   reason=cfg.ratio.reason, rounds=rounds, seed=cfg.ratio.seed,
                                   progress=progress))
    return rows


def _headbase(args: argparse.Namespace, cfg: config.Config) -> int:
    assert cfg.ratio is not None
    progress = _progress(args.quiet)
    if args.ci:
        commit, how = headbase.ci_base(args.base_ref)
        if commit is None:
            print(f"gate headbase: SKIP - no base to compare with: {how}")
            return 0
        title_base = f"base {commit[:12]} ({how})"
    else:
        ref = args.base_ref or headbase.default_base_ref()
        commit = headbase.merge_base(ref)
        title_base = f"base {commit[:12]} (merge base with {ref})"
    datasets_dir = os.environ.get("LAPWISE_DATASETS_DIR") or str(config.ROOT.parent / "shared" / "datasets")
    work = args.work.resolve()
    progress(f"{title_base}")
    head_build = args.head_build or (_default_build() if args.ci else work / "head")
    names = None
    if args.ci:  # only the drivers the head has, no twins: half the compiling
        names = [d.name for d in built_drivers.load_manifest(head_build)]
    base_src = headbase.export_tree(commit, work / "base-src")
    base_build = base_src / "build"
    base_err = headbase.build_drivers(base_src, base_build, datasets_dir=datasets_dir,
                                      jobs=args.jobs, log=progress, names=names)
    head_err = headbase.build_drivers(config.ROOT, head_build, datasets_dir=datasets_dir,
                                      jobs=args.jobs, log=progress, names=names)
    if head_err:
        print(f"gate headbase: FAIL - the head tree does not build: {head_err}")
        return 1
    if base_err:
        progress(f"base {commit[:12]} has no buildable gate drivers: {base_err}")
    title = f"head ({head_build}) vs {title_base}"
    rows = instr.run(instr.targets_vs_build(base_build, head_build), cfg, progress=progress)
    skipped = {r.benchmark for r in rows if r.verdict is Verdict.SKIP}
    for r in rows:
        r.benchmark = f"{r.benchmark} [instr]"
    if args.ci:
        # Where callgrind cannot count (AVX-512 under valgrind), the production level is timed
        # against the base in the same run instead, so it is not left ungated.
        rows += _time_rows(cfg, head_build, base_build, not base_err,
                           lambda b: b in skipped and b.endswith("/native"), cfg.ratio.quick_rounds,
                           progress)
    elif not args.no_time:
        rounds = cfg.ratio.quick_rounds if args.quick else cfg.ratio.rounds
        rows += _time_rows(cfg, head_build, base_build, not base_err, lambda b: True, rounds, progress)
    return report.emit("headbase", rows, sys.stdout, title=title,
                       allow_missing=args.allow_missing or args.ci, expect=args.expect,
                       json_path=args.json)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.gate == "campaign":
            from . import campaign

            return campaign.run(args)
        cfg = config.load(args.thresholds)
        if args.gate == "instr":
            return _instr(args, cfg)
        if args.gate == "ratio":
            return _ratio(args, cfg)
        return _headbase(args, cfg)
    except (config.ConfigError, built_drivers.GateError, baselines.BaselineError) as exc:
        print(f"gate {args.gate}: FAIL - {exc}")
        if getattr(args, "expect", None):
            print(f"self-test: expected {args.expect}, got an error: SELF-TEST FAILED")
        return 1

"""The instruction-count gate: every benchmark of every gate driver, counted under callgrind,
compared with a base count (a stored baseline, the same binary, an injected twin, or a base
build's driver) against its threshold in suites/gate/thresholds.toml."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import baselines, built_drivers, callgrind
from .config import Config, InstrThreshold
from .report import Row
from .stats import Verdict

# The A/A run's second count: this much extra environment (moves the stack) and another cwd.
AA_PAD_BYTES = 4099


def _fmt(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def compare(bench_id: str, base: int | None, head: callgrind.Count, threshold: InstrThreshold,
            *, missing_note: str, base_note: str = "") -> Row:
    """One table row: head's count against base's, failing above +max_increase_pct."""
    thr = f"+{threshold.max_increase_pct:g}%"
    if head.cannot_run:
        return Row(bench_id, _fmt(base), "-", "-", "-", thr, Verdict.SKIP, head.error or "cannot run here")
    if head.error is not None or head.instructions is None:
        return Row(bench_id, _fmt(base), "-", "-", "-", thr, Verdict.ERROR, head.error or "no count")
    if base is None:
        return Row(bench_id, "-", _fmt(head.instructions), "-", "-", thr, Verdict.MISSING, missing_note)
    ratio = head.instructions / base
    delta = (head.instructions - base) * 100 / base  # integers first: +1.00% is exactly 1.0
    row = Row(bench_id, _fmt(base), _fmt(head.instructions), f"{ratio:.4f} ({delta:+.2f}%)",
              "exact", thr, Verdict.PASS, base_note)
    if delta > threshold.max_increase_pct:
        row.verdict = Verdict.FAIL
        row.note = (f"{delta:+.2f}% instructions is over {thr} ({threshold.reason}). Find the "
                    f"change (callgrind_annotate on both builds); if it is intended, refresh the "
                    f"baseline ({baselines.REFRESH}) and say why in the commit. {base_note}").strip()
    elif delta < -threshold.max_increase_pct:
        row.note = (f"improved by {-delta:.2f}%: refresh the baseline ({baselines.REFRESH}) so "
                    f"that the gain is kept. {base_note}").strip()
    return row


@dataclass(frozen=True)
class Target:
    """One benchmark to gate: which binary is head, and how to get its base count."""

    bench_id: str
    head_exe: Path
    label: str  # the table's benchmark column
    base: Callable[[], tuple[int | None, str, str]]  # -> (count or None, note if missing, note)
    skip: str | None = None  # why this benchmark cannot be counted here (a SKIP row), if it cannot


def _listed(drv: list[built_drivers.Driver]) -> list[tuple[built_drivers.Driver, str]]:
    return [(d, b) for d in drv for b in built_drivers.benchmarks(d.exe)]


def cpu_flags() -> set[str]:
    """This machine's CPU flags (/proc/cpuinfo), to name what a skipped level lacks."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


class CpuView:
    """Per driver: what each benchmark needs from the CPU, natively and under valgrind. One
    driver run each way, cached."""

    def __init__(self) -> None:
        self._native: dict[Path, dict[str, built_drivers.Needs]] = {}
        self._emulated: dict[Path, dict[str, built_drivers.Needs]] = {}

    def native(self, exe: Path) -> dict[str, built_drivers.Needs]:
        if exe not in self._native:
            self._native[exe] = built_drivers.requirements(exe)
        return self._native[exe]

    def emulated(self, exe: Path) -> dict[str, built_drivers.Needs]:
        if exe not in self._emulated:
            self._emulated[exe] = built_drivers.requirements(exe, under_valgrind=True)
        return self._emulated[exe]

    def skip_reason(self, exe: Path, bench_id: str, stored_flags: tuple[str, ...] | None = None) -> str | None:
        """Why callgrind cannot count ``bench_id`` of ``exe`` on this machine, or None.

        - the CPU lacks the level: a machine without AVX-512 skips the AVX-512 benchmarks;
        - valgrind hides the level (its CPUID leaves out what it cannot emulate, AVX-512 in
          3.19): that level, and /native when production picks it, are timed instead;
        - the baseline was counted on another level than this machine runs for the id (/native
          on a machine whose production pick differs): the counts are not comparable.
        """
        n = self.native(exe).get(bench_id)
        if n is None:
            return None
        wanted = " ".join(n.flags)
        if not n.runnable:
            lacking = sorted(set(n.flags) - cpu_flags()) or list(n.flags)
            return f"this CPU lacks {' '.join(lacking)} (the benchmark needs {wanted}): not run here"
        emulated = self.emulated(exe)
        v = emulated.get(bench_id)
        if v is not None and (not v.runnable or v.flags != n.flags):
            # what valgrind's CPU lacks: the flags no benchmark it can run needs
            offered = {f for e in emulated.values() if e.runnable for f in e.flags}
            hidden = sorted(set(n.flags) - offered) or list(n.flags)
            return (f"valgrind ({callgrind.valgrind_version()}) cannot run {' '.join(hidden)}, which "
                    f"this benchmark uses on this CPU: no instruction count. The same-run ratio gate "
                    f"times this level (thresholds.toml [[ratio.floor]], headbase [time] rows)")
        if stored_flags is not None and tuple(stored_flags) != n.flags:
            return (f"the baseline was counted on code needing '{' '.join(stored_flags) or 'any x86-64'}'; "
                    f"here this benchmark runs code needing '{wanted or 'any x86-64'}' (another "
                    f"level): not comparable, skipped")
        return None


def _facts_note(stored: baselines.Baseline, facts: dict[str, str]) -> str:
    differ = [f"{k} {stored.recorded_with.get(k)!r} -> {facts.get(k)!r}"
              for k in ("compiler", "flags", "valgrind") if stored.recorded_with.get(k) != facts.get(k)]
    return ("baseline recorded under other tools (" + "; ".join(differ) +
            "): counts are only exact under the same ones") if differ else ""


def targets_vs_baselines(build_dir: Path, baseline_dir: Path) -> list[Target]:
    out = []
    cpu = CpuView()
    for d, bench_id in _listed(built_drivers.load_manifest(build_dir)):
        facts = {**built_drivers.info(d.exe), "valgrind": callgrind.valgrind_version() or "none"}

        def base(bench_id: str = bench_id, facts: dict[str, str] = facts) -> tuple[int | None, str, str]:
            stored = baselines.lookup(bench_id, baseline_dir)
            missing = (f"no baseline for {bench_id} in {baselines.path_for(bench_id, baseline_dir)}: "
                       f"store one with {baselines.REFRESH}")
            if stored is None:
                return None, missing, ""
            return stored.instructions, missing, _facts_note(stored, facts)
        stored = baselines.lookup(bench_id, baseline_dir)
        skip = cpu.skip_reason(d.exe, bench_id, stored.requires if stored else None)
        out.append(Target(bench_id, d.exe, bench_id, base, skip))
    return out


def targets_vs_self(build_dir: Path) -> list[Target]:
    """A/A: the base count is the same binary run with a bigger environment in another cwd."""
    out = []
    cpu = CpuView()
    for d, bench_id in _listed(built_drivers.load_manifest(build_dir)):
        def base(exe: Path = d.exe, bench_id: str = bench_id) -> tuple[int | None, str, str]:
            with tempfile.TemporaryDirectory(prefix="lapwise-gate-aa-") as cwd:
                moved, how = None, "base: same binary, +4 KiB env, other cwd"
                real = os.environ.get("LAPWISE_DATASETS_DIR")
                if real and Path(real).is_dir():  # the same files under a longer path
                    moved = Path(cwd) / ("datasets-seen-through-a-longer-path-" + "x" * 37)
                    moved.symlink_to(Path(real).resolve(), target_is_directory=True)
                    how += ", datasets via a longer path"
                c = callgrind.count(exe, bench_id, pad_env=AA_PAD_BYTES, cwd=Path(cwd),
                                    datasets_dir=moved)
            return c.instructions, f"A/A base run failed: {c.error}", how
        out.append(Target(bench_id, d.exe, bench_id, base, cpu.skip_reason(d.exe, bench_id)))
    return out


def targets_vs_inject(build_dir: Path, pct: int) -> list[Target]:
    """Injected: head is each driver's +pct% twin, base the driver itself."""
    out = []
    cpu = CpuView()
    for d, bench_id in _listed(built_drivers.load_manifest(build_dir)):
        twin = d.inject.get(pct)
        if twin is None:
            raise built_drivers.GateError(f"driver {d.name} has no +{pct}% twin: add {pct} to "
                                          f"LAPWISE_GATE_INJECT_PCTS and rebuild gate_drivers")

        def base(exe: Path = d.exe, bench_id: str = bench_id) -> tuple[int | None, str, str]:
            c = callgrind.count(exe, bench_id)
            return c.instructions, f"base run failed: {c.error}", ""
        out.append(Target(bench_id, twin, f"{bench_id} +{pct}%", base, cpu.skip_reason(d.exe, bench_id)))
    return out


def targets_vs_build(base_build: Path, head_build: Path) -> list[Target]:
    """Head-vs-base: every head benchmark against the same driver and id in the base build."""
    try:
        base_listed = {(d.name, b): d.exe for d, b in _listed(built_drivers.load_manifest(base_build))}
    except built_drivers.GateError:
        base_listed = {}
    out = []
    cpu = CpuView()
    for d, bench_id in _listed(built_drivers.load_manifest(head_build)):
        base_exe = base_listed.get((d.name, bench_id))

        def base(exe: Path | None = base_exe, bench_id: str = bench_id) -> tuple[int | None, str, str]:
            if exe is None:
                return None, f"not in the base build ({base_build}): a new benchmark or driver", ""
            c = callgrind.count(exe, bench_id)
            return c.instructions, f"base build's driver failed: {c.error}", ""
        out.append(Target(bench_id, d.exe, bench_id, base, cpu.skip_reason(d.exe, bench_id)))
    return out


def run(targets: list[Target], config: Config, *, progress: Callable[[str], None] = lambda s: None) -> list[Row]:
    """Counts head (and base where it is measured) for every target; one row each."""
    rows = []
    for t in targets:
        if t.skip is not None:
            rows.append(Row(t.label, "-", "-", "-", "-", f"+{config.instr_threshold(t.bench_id).max_increase_pct:g}%",
                            Verdict.SKIP, t.skip))
            continue
        progress(f"counting {t.label} ...")
        head = callgrind.count(t.head_exe, t.bench_id)
        base, missing_note, note = t.base()
        rows.append(compare(t.label, base, head, config.instr_threshold(t.bench_id),
                            missing_note=missing_note, base_note=note))
    return rows


def update(build_dir: Path, baseline_dir: Path, names: list[str] | None, *, reason: str,
           commit: str, progress: Callable[[str], None] = lambda s: None
           ) -> tuple[dict[str, int], list[str], list[str]]:
    """Measures the benchmarks ``names`` (None: every benchmark of ``build_dir``) and stores their
    counts, logging each change (old -> new, commit, reason) in the baselines' log; returns
    (counts, errors, skipped notes). Only named benchmarks are re-recorded so that a refresh for
    one intended change cannot absorb a small regression elsewhere. Refuses a build with an
    injected slowdown: its counts are not a baseline."""
    counts: dict[str, int] = {}
    errors: list[str] = []
    skipped: list[str] = []
    facts: dict[str, str] = {}
    listed = _listed(built_drivers.load_manifest(build_dir))
    if names is not None:
        known = {b for _, b in listed}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise built_drivers.GateError(
                f"--update: no benchmark {', '.join(unknown)} in {build_dir} "
                f"(python -m suites.gate instr --list shows the ids)")
        listed = [(d, b) for d, b in listed if b in names]
    cpu = CpuView()
    requires: dict[str, tuple[str, ...]] = {}
    for d, bench_id in listed:
        facts = {**built_drivers.info(d.exe), "valgrind": callgrind.valgrind_version() or "none"}
        if d.inject_pct or facts.get("inject_pct", "0") != "0":
            raise built_drivers.GateError(f"{build_dir} is built with LAPWISE_INJECT_SLOWDOWN_PCT="
                                          f"{d.inject_pct}: its counts cannot be baselines")
        skip = cpu.skip_reason(d.exe, bench_id)
        if skip is not None:
            skipped.append(f"{bench_id}: {skip}")
            continue
        progress(f"counting {bench_id} ...")
        c = callgrind.count(d.exe, bench_id)
        if c.instructions is None:
            (skipped if c.cannot_run else errors).append(f"{bench_id}: {c.error}")
        else:
            counts[bench_id] = c.instructions
            n = cpu.native(d.exe).get(bench_id)
            if n is not None:  # a driver that states its needs (every one in this tree does)
                requires[bench_id] = n.flags
    if counts and not errors:
        recorded = {k: facts[k] for k in ("compiler", "flags", "valgrind") if k in facts}
        baselines.store(counts, recorded, baseline_dir, requires=requires, reason=reason, commit=commit)
    return counts, errors, skipped

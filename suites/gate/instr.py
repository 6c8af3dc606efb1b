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


def _listed(drv: list[built_drivers.Driver]) -> list[tuple[built_drivers.Driver, str]]:
    return [(d, b) for d in drv for b in built_drivers.benchmarks(d.exe)]


def _facts_note(stored: baselines.Baseline, facts: dict[str, str]) -> str:
    differ = [f"{k} {stored.recorded_with.get(k)!r} -> {facts.get(k)!r}"
              for k in ("compiler", "flags", "valgrind") if stored.recorded_with.get(k) != facts.get(k)]
    return ("baseline recorded under other tools (" + "; ".join(differ) +
            "): counts are only exact under the same ones") if differ else ""


def targets_vs_baselines(build_dir: Path, baseline_dir: Path) -> list[Target]:
    out = []
    for d, bench_id in _listed(built_drivers.load_manifest(build_dir)):
        facts = {**built_drivers.info(d.exe), "valgrind": callgrind.valgrind_version() or "none"}

        def base(bench_id: str = bench_id, facts: dict[str, str] = facts) -> tuple[int | None, str, str]:
            stored = baselines.lookup(bench_id, baseline_dir)
            missing = (f"no baseline for {bench_id} in {baselines.path_for(bench_id, baseline_dir)}: "
                       f"store one with {baselines.REFRESH}")
            if stored is None:
                return None, missing, ""
            return stored.instructions, missing, _facts_note(stored, facts)
        out.append(Target(bench_id, d.exe, bench_id, base))
    return out


def targets_vs_self(build_dir: Path) -> list[Target]:
    """A/A: the base count is the same binary run with a bigger environment in another cwd."""
    out = []
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
        out.append(Target(bench_id, d.exe, bench_id, base))
    return out


def targets_vs_inject(build_dir: Path, pct: int) -> list[Target]:
    """Injected: head is each driver's +pct% twin, base the driver itself."""
    out = []
    for d, bench_id in _listed(built_drivers.load_manifest(build_dir)):
        twin = d.inject.get(pct)
        if twin is None:
            raise built_drivers.GateError(f"driver {d.name} has no +{pct}% twin: add {pct} to "
                                          f"LAPWISE_GATE_INJECT_PCTS and rebuild gate_drivers")

        def base(exe: Path = d.exe, bench_id: str = bench_id) -> tuple[int | None, str, str]:
            c = callgrind.count(exe, bench_id)
            return c.instructions, f"base run failed: {c.error}", ""
        out.append(Target(bench_id, twin, f"{bench_id} +{pct}%", base))
    return out


def targets_vs_build(base_build: Path, head_build: Path) -> list[Target]:
    """Head-vs-base: every head benchmark against the same driver and id in the base build."""
    try:
        base_listed = {(d.name, b): d.exe for d, b in _listed(built_drivers.load_manifest(base_build))}
    except built_drivers.GateError:
        base_listed = {}
    out = []
    for d, bench_id in _listed(built_drivers.load_manifest(head_build)):
        base_exe = base_listed.get((d.name, bench_id))

        def base(exe: Path | None = base_exe, bench_id: str = bench_id) -> tuple[int | None, str, str]:
            if exe is None:
                return None, f"not in the base build ({base_build}): a new benchmark or driver", ""
            c = callgrind.count(exe, bench_id)
            return c.instructions, f"base build's driver failed: {c.error}", ""
        out.append(Target(bench_id, d.exe, bench_id, base))
    return out


def run(targets: list[Target], config: Config, *, progress: Callable[[str], None] = lambda s: None) -> list[Row]:
    """Counts head (and base where it is measured) for every target; one row each."""
    rows = []
    for t in targets:
        progress(f"counting {t.label} ...")
        head = callgrind.count(t.head_exe, t.bench_id)
        base, missing_note, note = t.base()
        rows.append(compare(t.label, base, head, config.instr_threshold(t.bench_id),
                            missing_note=missing_note, base_note=note))
    return rows


def update(build_dir: Path, baseline_dir: Path, *,
           progress: Callable[[str], None] = lambda s: None) -> tuple[dict[str, int], list[str]]:
    """Measures every benchmark of ``build_dir`` and stores the counts; returns (counts, errors).
    Refuses a build with an injected slowdown: its counts are not a baseline."""
    counts: dict[str, int] = {}
    errors: list[str] = []
    facts: dict[str, str] = {}
    for d, bench_id in _listed(built_drivers.load_manifest(build_dir)):
        facts = {**built_drivers.info(d.exe), "valgrind": callgrind.valgrind_version() or "none"}
        if d.inject_pct or facts.get("inject_pct", "0") != "0":
            raise built_drivers.GateError(f"{build_dir} is built with LAPWISE_INJECT_SLOWDOWN_PCT="
                                          f"{d.inject_pct}: its counts cannot be baselines")
        progress(f"counting {bench_id} ...")
        c = callgrind.count(d.exe, bench_id)
        if c.instructions is None:
            errors.append(f"{bench_id}: {c.error}")
        else:
            counts[bench_id] = c.instructions
    if counts and not errors:
        recorded = {k: facts[k] for k in ("compiler", "flags", "valgrind") if k in facts}
        baselines.store(counts, recorded, baseline_dir)
    return counts, errors

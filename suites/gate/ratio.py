"""The same-run ratio gate: two commands, each printing one measurement (a time: smaller is
better), run as separate processes in randomized balanced interleaved rounds; the ratio
head/base per round, the bootstrap interval of its median, and a verdict that fails only when
the whole interval is past the threshold."""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .report import Row
from .stats import RatioSummary, Verdict, ratio_verdict, schedule, summarize


@dataclass(frozen=True)
class Measurement:
    value: float | None
    error: str | None = None


class MissingCommand(RuntimeError):
    """A command that says it cannot run here (exit status 77, like an unavailable adapter)."""


# A command exits with this status to say "I cannot run here" (an unavailable adapter or
# dataset): the gate reports MISSING, not ERROR. (77 is automake's "skipped".)
EXIT_UNAVAILABLE = 77


def measure(argv: Sequence[str], *, timeout: float = 300) -> Measurement:
    """Runs one command; its measurement is the first token of its last non-empty stdout line."""
    try:
        out = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        return Measurement(None, f"{argv[0]}: not found")
    except OSError as exc:  # not executable, or being rewritten by a build right now
        return Measurement(None, f"{argv[0]}: cannot run: {exc.strerror or exc}")
    except subprocess.TimeoutExpired:
        return Measurement(None, f"{argv[0]}: timed out after {timeout:.0f} s")
    if out.returncode == EXIT_UNAVAILABLE:
        text = out.stderr.strip() or out.stdout.strip() or f"{argv[0]} is unavailable"
        raise MissingCommand(text.splitlines()[-1])
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        return Measurement(None, f"{argv[0]}: exit {out.returncode}: {lines[-1] if lines else 'no message'}")
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    try:
        value = float(lines[-1].split()[0])
    except (IndexError, ValueError):
        return Measurement(None, f"{argv[0]}: last output line is not a number: {lines[-1:]!r}")
    if not value > 0:
        return Measurement(None, f"{argv[0]}: measurement {value} is not positive")
    return Measurement(value)


@dataclass
class Run:
    """The raw rounds of one ratio gate: what ran in which order and what it printed."""

    name: str
    order: list[tuple[str, str]]
    base: list[float] = field(default_factory=list)
    head: list[float] = field(default_factory=list)
    error: str | None = None
    missing: str | None = None


def collect(name: str, base: Sequence[str], head: Sequence[str], *, rounds: int, seed: int,
            measure_fn: Callable[[Sequence[str]], Measurement] = measure,
            progress: Callable[[str], None] = lambda s: None) -> Run:
    """Runs one warm-up of each command (discarded), then ``rounds`` interleaved rounds."""
    run = Run(name, schedule(rounds, seed))
    argv = {"A": base, "B": head}
    try:
        for who in ("A", "B"):
            warm = measure_fn(argv[who])
            if warm.error:
                run.error = f"warm-up of {'base' if who == 'A' else 'head'}: {warm.error}"
                return run
        for i, pair in enumerate(run.order):
            got: dict[str, float] = {}
            for who in pair:
                m = measure_fn(argv[who])
                if m.error or m.value is None:
                    run.error = f"round {i + 1}, {'base' if who == 'A' else 'head'}: {m.error}"
                    return run
                got[who] = m.value
            run.base.append(got["A"])
            run.head.append(got["B"])
            progress(f"{name}: round {i + 1}/{rounds} ratio {got['B'] / got['A']:.3f}")
    except MissingCommand as exc:
        run.missing = str(exc)
    return run


def row(run: Run, *, max_ratio: float | None = None, min_ratio: float | None = None,
        reason: str, resamples: int, confidence: float, seed: int) -> tuple[Row, RatioSummary | None]:
    """The table row of a finished run (and its summary, when there is one)."""
    thr = f"<= {max_ratio:g}" if max_ratio is not None else f">= {min_ratio:g}"
    if run.missing is not None:
        return Row(run.name, "-", "-", "-", "-", thr, Verdict.MISSING,
                   f"cannot run here: {run.missing}"), None
    if run.error is not None:
        return Row(run.name, "-", "-", "-", "-", thr, Verdict.ERROR, run.error), None
    s = summarize(run.base, run.head, resamples=resamples, confidence=confidence, seed=seed)
    verdict = ratio_verdict(s.lo, s.hi, max_ratio=max_ratio, min_ratio=min_ratio)
    interval = f"[{s.lo:.3f}, {s.hi:.3f}] {s.confidence:.0%}"
    r = Row(run.name, f"{statistics.median(run.base):.4g}", f"{statistics.median(run.head):.4g}",
            f"{s.median:.3f}", interval, thr, verdict)
    side = "above" if max_ratio is not None else "below"
    if verdict is Verdict.FAIL:
        r.note = (f"the whole {interval} interval of the median head/base ratio over {len(s.ratios)} "
                  f"rounds is {side} {thr.split()[1]} ({reason})")
    elif verdict is Verdict.WARN:
        r.note = (f"inconclusive: the interval straddles {thr.split()[1]}; passed with a warning. "
                  f"Rerun with more rounds (--rounds) to decide")
    return r, s

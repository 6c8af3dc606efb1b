"""Soak: many keep-alive requests while the server's RSS is sampled from /proc/<pid>/status.

"Flat" means the RSS at the end is within 10% of the RSS once the server has warmed up: the
baseline is the median of the samples taken in the first 10-20% of the run (after the first
connections and buffers exist), the end is the median of the last 20%, and the growth is also
checked against the maximum of the last 20% so a late spike cannot hide behind a median.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

FLAT_LIMIT_PCT = 10.0


def rss_bytes(pid: int) -> int | None:
    """VmRSS of pid plus its live children (a master/worker server counts as one); None once
    the process is gone."""
    try:
        total = _vmrss(pid)
    except OSError:
        return None
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        try:
            total += _vmrss(int(child))
        except OSError:
            pass  # exited between the listing and the read
    return total


def _vmrss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            value, unit = line.split()[1:3]
            return int(value) * {"kB": 1024, "mB": 1 << 20}.get(unit, 1)
    return 0  # a zombie has no VmRSS line


@dataclass
class RssVerdict:
    baseline: float
    end: float
    end_max: float
    growth_pct: float  # (end_max - baseline) / baseline, percent
    flat: bool


def verdict(samples: list[int], limit_pct: float = FLAT_LIMIT_PCT) -> RssVerdict:
    """Flatness of an RSS series sampled at a steady pace over the run (needs >= 5 samples)."""
    if len(samples) < 5:
        raise ValueError(f"{len(samples)} RSS samples: too few to judge flatness (need 5)")
    n = len(samples)
    early = samples[max(1, n // 10): max(2, n // 5) + 1]
    late = samples[n - max(1, n // 5):]
    baseline = statistics.median(early)
    end = statistics.median(late)
    end_max = max(late)
    growth = (end_max - baseline) / baseline * 100.0 if baseline > 0 else float("inf")
    return RssVerdict(baseline, end, end_max, growth, growth <= limit_pct)


def sample_while(pid: int, running, interval_s: float = 0.2, cap_s: float = 900.0) -> list[int]:
    """Samples rss_bytes(pid) every interval while ``running()`` is true (bounded by cap_s)."""
    samples: list[int] = []
    deadline = time.monotonic() + cap_s
    while running() and time.monotonic() < deadline:
        value = rss_bytes(pid)
        if value is None:
            break
        samples.append(value)
        time.sleep(interval_s)
    return samples

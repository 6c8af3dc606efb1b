"""What each mode of the server suite runs. Scenario ids follow the result schema:
``server.closed_<route>[c<C>-p<P>]``, ``server.open_<route>[<pct>pct]``,
``server.wrk_<route>[c<C>-p<P>]``, ``server.load_vs_wrk_<route>[c<C>-p<P>]``,
``server.soak_<route>[<n>req]`` and ``server.cold_start``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Closed:
    route: str
    connections: int
    pipeline: int

    @property
    def param(self) -> str:
        return f"c{self.connections}-p{self.pipeline}"


@dataclass(frozen=True)
class Plan:
    closed: tuple[Closed, ...]
    duration_s: float  # each measured closed/open run
    warmup_s: float  # a separate, discarded lapwise-load run before each measured one
    peak: Closed  # its throughput is the server's peak for the open-loop rates
    open_pcts: tuple[int, ...]
    wrk: tuple[Closed, ...]  # cross-checked with wrk right after the lapwise-load run
    wrk_duration_s: int
    soak_requests: int
    soak_native_only: bool
    cold_runs: int  # hyperfine --runs (0: skip)
    repeat: int = 1
    warmup_each: bool = True  # a warmup run before every measured run, else before a server's first


PLAINTEXT_MATRIX = tuple(Closed("plaintext", c, p) for c in (16, 64, 256) for p in (1, 16))
PEAK = Closed("plaintext", 64, 1)
PIPELINED = Closed("plaintext", 64, 16)

PLANS: dict[str, Plan] = {
    # ci/bench: the whole matrix, the other routes at 64 connections, 1M-request soak.
    "full": Plan(closed=PLAINTEXT_MATRIX + tuple(Closed(r, 64, 1) for r in ("json", "users", "echo")),
                 duration_s=5, warmup_s=1, peak=PEAK, open_pcts=(50, 80, 95), wrk=(PEAK, PIPELINED),
                 wrk_duration_s=5, soak_requests=1_000_000, soak_native_only=True, cold_runs=5),
    # CI-sized: the two headline points, one open-loop rate, a short soak (users is the
    # route the lap table reconciles against). Half a second at 64 connections is thousands of
    # requests even for the slowest server (about 7,000 req/s), enough for p50-p99 and for CPU
    # per request (50 clock ticks of a busy core: 2% resolution). The server is warmed once,
    # before its first measured run; each later run starts on a warm server (the open-loop run
    # keeps its own in-run warm-up for the generator's start). wrk cross-checks the peak only.
    # Twelve servers make every second per server here about 12 s of ci/bench --quick.
    "quick": Plan(closed=(PEAK, PIPELINED, Closed("json", 64, 1), Closed("users", 64, 1)),
                  duration_s=0.5, warmup_s=0.3, warmup_each=False,
                  peak=PEAK, open_pcts=(80,), wrk=(PEAK,), wrk_duration_s=1,
                  soak_requests=50_000, soak_native_only=True, cold_runs=2),
    # ctest's correctness smoke: every code path once, as briefly as possible.
    "smoke": Plan(closed=(Closed("plaintext", 16, 1), Closed("plaintext", 16, 16)), duration_s=0.5,
                  warmup_s=0.2, peak=Closed("plaintext", 16, 1), open_pcts=(50,),
                  wrk=(Closed("plaintext", 16, 16),), wrk_duration_s=1, soak_requests=20_000,
                  soak_native_only=False, cold_runs=2),
}


def is_native(name: str) -> bool:
    """Servers the RSS soak is for: native code (the reference servers and lapwise's own)."""
    return name in ("nginx", "h2o") or name.startswith("native")

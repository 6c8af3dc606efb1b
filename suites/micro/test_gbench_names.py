"""Every Google Benchmark name a bench binary registers follows the lapwise id
``<kind>.<scenario>[<param>]/<impl>`` (Google Benchmark's own suffixes aside), its kind is one
ci/bench knows, its ``<kind>/<impl>`` is an adapter or a record variant an adapter registers
(suites.adapters.registry.record_names, what ci/bench --adapters may select), and no two
binaries register the same id: the importer and the report parse these names, so a stray one
would fail the ci/bench job or merge two benchmarks into one record. The instruction gate's
drivers (suites/gate/) are held to the same ids and owners (their ``--list``).
The binaries are the ones ci/bench runs (suites.runner.jobs.gbench_binaries), listed with
``--benchmark_list_tests`` (nothing is timed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from suites.adapters import registry
from suites.results import SchemaError
from suites.results.importers.gbench import parse_name, run_name
from suites.runner.jobs import gbench_binaries
from suites.runner.main import KINDS

BUILD = Path(os.environ.get("LAPWISE_BUILD_DIR", Path(__file__).resolve().parents[2] / "build"))
BINARIES = gbench_binaries(BUILD)


def name_problem(name: str) -> str | None:
    """Why a registered benchmark name is not a lapwise id, or None when it is one."""
    base = run_name(name)
    try:
        scenario, _, _ = parse_name(base)
    except SchemaError:
        extra = base.split("/", 1)[1].split("/", 1)[1:] if base.count("/") > 1 else []
        if extra:
            return (f"is not '<kind>.<scenario>[<param>]/<impl>': '/{extra[0]}' follows the impl "
                    "(an Arg()? the parameter goes in the brackets)")
        return "is not '<kind>.<scenario>[<param>]/<impl>'"
    kind = scenario.split(".", 1)[0]
    if kind not in KINDS:
        return f"has kind {kind!r}, not one of ci/bench's kinds ({', '.join(KINDS)})"
    return None


def registered(binary: Path) -> list[str]:
    out = subprocess.run([str(binary), "--benchmark_list_tests"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, f"{binary} --benchmark_list_tests exited {out.returncode}: {out.stderr[-300:]}"
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("name,problem", [
    ("router.github_all/native", None),
    ("html.tokenize[all]/native-avx2", None),
    ("html.instr_parse[pages]/native/iterations:1", None),
    ("parser.headers[10]/native/repeats:3", None),
    ("client.scheduler_all_limits[5000]/native/5000", "is not"),
    ("BM_parse", "is not"),
    ("router.github_all", "is not"),
    ("Router.x/native", "is not"),
    ("nosuchkind.x/native", "has kind 'nosuchkind'"),
])
def test_the_rule(name, problem):
    got = name_problem(name)
    assert (got is None) if problem is None else (got is not None and got.startswith(problem)), got


@pytest.mark.skipif(not BINARIES, reason=f"no *_bench binaries under {BUILD}/cores (LAPWISE_BUILD_BENCHES off?)")
def test_every_registered_name_is_a_lapwise_id():
    bad: list[str] = []
    seen: dict[str, Path] = {}
    for binary in BINARIES:
        names = registered(binary)
        assert names, f"{binary.name} registers no benchmark"
        for name in names:
            problem = name_problem(name)
            if problem:
                bad.append(f"{binary.name}: {name!r} {problem}")
                continue
            key = run_name(name)
            if key in seen and seen[key] != binary:
                bad.append(f"{binary.name}: {name!r} is also registered by {seen[key].name}")
            seen.setdefault(key, binary)
    assert not bad, "benchmark names the report cannot parse:\n" + "\n".join(bad)


def unowned(binary: str, names: list[str]) -> set[str]:
    """``binary: <kind>/<impl>`` for each lapwise id in ``names`` that no adapter owns."""
    known = {n for kind in registry.KINDS for n in registry.record_names(kind)}
    out = set()
    for name in names:
        if name_problem(name) is None:
            scenario, _, impl = parse_name(run_name(name))
            if (owner := f"{scenario.split('.', 1)[0]}/{impl}") not in known:
                out.add(f"{binary}: {owner}")
    return out


@pytest.mark.skipif(not BINARIES, reason=f"no *_bench binaries under {BUILD}/cores (LAPWISE_BUILD_BENCHES off?)")
def test_every_impl_is_registered():
    found = set().union(*(unowned(b.name, registered(b)) for b in BINARIES))
    assert not found, ("records no adapter owns (add the impl to its adapter's record_variants):\n"
                       + "\n".join(sorted(found)))


def gate_benchmarks() -> dict[str, list[str]]:
    """driver name -> the ids it measures (``--list``), for the gate drivers of BUILD."""
    from suites.gate.built_drivers import GateError, benchmarks, load_manifest

    try:
        return {d.name: benchmarks(d.exe) for d in load_manifest(BUILD)}
    except GateError as exc:
        pytest.skip(f"no gate drivers in {BUILD}: {exc}")


def test_every_gate_benchmark_is_an_owned_id():
    """The instruction gate names its benchmarks as the micro benchmarks do, and an adapter owns
    each (its forced scanners and kernels are record variants), so ``ci/bench --adapters`` and
    the report know every name the gate's baselines hold. The gate's own calibration loop
    (``gate.spin/calibrated``) measures no adapter: its kind is the gate's."""
    by_driver = gate_benchmarks()
    assert by_driver
    names = {d: [n for n in ids if not n.startswith("gate.")] for d, ids in by_driver.items()}
    bad = [f"{d}: {n!r} {p}" for d, ids in names.items() for n in ids if (p := name_problem(n))]
    assert not bad, "gate benchmark names that are not lapwise ids:\n" + "\n".join(bad)
    found = set().union(*(unowned(f"gate_{d}", ids) for d, ids in names.items()))
    assert not found, ("gate benchmarks no adapter owns (add the impl to its adapter's record_variants):\n"
                       + "\n".join(sorted(found)))
    assert {n for ids in by_driver.values() for n in ids if n.startswith("gate.")} == {"gate.spin/calibrated"}

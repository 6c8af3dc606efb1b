"""Cold start to the first 200, timed by hyperfine over probe.py (one run = start, poll, stop).

The server's command line comes from its adapter (ProcessServer.command, pinned with taskset),
so hyperfine times the server itself, not lapwise's Python; probe.py's own interpreter start is
timed separately (``--baseline``) and kept in each record's extra. An adapter that is not a
command line cannot be started this way and is skipped with the reason.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from suites.adapters.server._process import ProcessServer, free_port
from suites.results import Record

PROBE = Path(__file__).resolve().parent / "probe.py"


def probe_spec(server: ProcessServer, host: str, port: int, cpu: int | None) -> dict:
    """The probe's JSON spec: the adapter's own command line, environment and workdir."""
    server.workdir = Path(tempfile.mkdtemp(prefix=f"lapwise-cold-{server.name}-"))
    argv = list(server.command(host, port))
    if cpu is not None:
        argv = [shutil.which("taskset") or "taskset", "-c", str(cpu), *argv]
    return {"argv": argv, "env": server.environment(), "cwd": str(server.workdir), "host": host,
            "port": port, "timeout": server.startup_timeout}


def run(server_cls: type, runs: int, workdir: Path, cpu: int | None) -> list[Record]:
    """hyperfine --runs N over the probe for one server; its wall_time record (ms)."""
    if not issubclass(server_cls, ProcessServer):
        raise RuntimeError(f"{server_cls.adapter_id()} is not a command-line server")
    hyperfine = shutil.which("hyperfine")
    if hyperfine is None:
        raise RuntimeError("hyperfine is not installed (Debian package hyperfine)")
    impl = server_cls.name
    spec_path = workdir / f"cold_{impl}.json"
    server = server_cls()
    spec_path.write_text(json.dumps(probe_spec(server, "127.0.0.1", free_port(), cpu)))
    try:
        return _hyperfine(hyperfine, impl, spec_path, workdir, runs, cpu)
    finally:
        if server.workdir is not None:
            shutil.rmtree(server.workdir, ignore_errors=True)


def _hyperfine(hyperfine: str, impl: str, spec_path: Path, workdir: Path, runs: int,
               cpu: int | None) -> list[Record]:
    out = workdir / f"hyperfine_cold_{impl}.json"
    probe = [sys.executable, "-I", "-S", str(PROBE)]
    name = f"server.cold_start/{impl}"
    baseline = "server.cold_start/probe-baseline"
    argv = [hyperfine, "-N", "--warmup", "1", "--runs", str(runs), "--export-json", str(out),
            "-n", name, " ".join([*probe, str(spec_path)]),
            "-n", baseline, " ".join([*probe, "--baseline"])]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60 + runs * 60)
    if proc.returncode != 0:
        raise RuntimeError(f"hyperfine exited {proc.returncode}: {proc.stderr.strip()[-1500:]}")
    from suites.results.importers import hyperfine as importer

    records = importer.load(out)
    base = next(r for r in records if r.adapter == "server/probe-baseline")
    mine = [r for r in records if r.adapter == f"server/{impl}"]
    for r in mine:
        r.extra.update({"probe_baseline_ms": base.median, "runs": runs, "pinned_cpu": cpu,
                        "what": "start to first 200 on GET /plaintext, then stop (probe.py)"})
    return mine

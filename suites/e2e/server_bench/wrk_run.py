"""wrk (Debian's 4.1) on the same server and request, to cross-check lapwise-load's throughput.

wrk sends one request per response unless a Lua script returns several: for pipelining the
script concatenates `depth` copies (wrk then counts each response). Its report is text; the
wrk importer of suites.results reads it (a local fallback reads the two lines used here if
that importer is absent).
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
from pathlib import Path

from suites.e2e.server_bench.app_requests import RouteRequest
from suites.e2e.server_bench.loadgen import pinned


def lua_script(req: RouteRequest, depth: int) -> str:
    """A wrk script sending ``req`` ``depth`` times per write. Depth 1 only sets wrk's request
    fields: wrk then sends one prebuilt request, as it does from a bare URL (a request()
    function would make wrk call Lua per request and slow the load generator down)."""
    def lua_string(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    body = lua_string(req.body.decode()) if req.body else "nil"
    if depth == 1:
        lines = [f"wrk.method = {lua_string(req.method)}", f"wrk.path = {lua_string(req.target)}"]
        lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in req.headers.items()]
        if req.body:
            lines.append(f"wrk.body = {body}")
        return "\n".join(lines) + "\n"
    # wrk.format uses the table it is given instead of wrk.headers, and wrk adds Host to
    # wrk.headers only just before calling init(): so build the batch in init, from a copy.
    extra = "".join(f"  headers[{lua_string(k)}] = {lua_string(v)}\n" for k, v in req.headers.items())
    return ("local batch\n"
            "init = function(args)\n"
            "  local headers = {}\n"
            "  for k, v in pairs(wrk.headers) do headers[k] = v end\n"
            f"{extra}"
            f"  local one = wrk.format({lua_string(req.method)}, {lua_string(req.target)}, headers, {body})\n"
            f"  batch = string.rep(one, {int(depth)})\n"
            "end\n"
            "request = function() return batch end\n")


def run(url: str, req: RouteRequest, connections: int, depth: int, duration_s: int,
        workdir: Path, cpu: int | None = None) -> tuple[str, Path, float]:
    """Runs ``wrk -t1 -c<connections> -d<duration>s --latency`` with the script; returns the
    report text, the file it was saved to, and wrk's CPU utilisation (CPU seconds per second of
    its duration: near 1.0, wrk's own core was the limit of its figure)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian package wrk)")
    script = workdir / f"wrk_{req.route}_p{depth}.lua"
    script.write_text(lua_script(req, depth))
    argv = [wrk, "-t1", f"-c{connections}", f"-d{max(1, int(duration_s))}s", "--latency",
            "-s", str(script), url]
    # wrk is the only child reaped during the run (taskset execs it), so the children's
    # rusage delta is its CPU.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(pinned(argv, cpu), capture_output=True, text=True,
                          timeout=duration_s + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = workdir / f"wrk_{req.route}_c{connections}_p{depth}.txt"
    out.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout, out, cpu_s / max(1, int(duration_s))


_REQS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse(text: str, where: str) -> dict[str, tuple[float, str]]:
    """metric -> (value, unit); the shared importer when present."""
    try:
        from suites.results.importers import wrk as importer
    except ImportError:
        importer = None
    if importer is not None:
        return importer.parse_text(text, where)
    m = _REQS.search(text)
    if not m:
        raise RuntimeError(f"{where}: no 'Requests/sec:' line in wrk's output")
    errors = sum(int(x) for x in _SOCKET.search(text).groups()) if _SOCKET.search(text) else 0
    non2xx = _NON2XX.search(text)
    errors += int(non2xx[1]) if non2xx else 0
    return {"throughput": (float(m[1]), "req/s"), "errors": (float(errors), "count")}

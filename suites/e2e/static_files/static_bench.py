"""The static-file benchmark: one large file (100 MB by default) over loopback from each server,
read by curl into /dev/null, against nginx with sendfile.

    python -m suites.e2e.static_files.static_bench [--size-mb 100] [--rounds 5]
        [--only SERVER@APP ...] [--out result.json]

Each case is a server and an app, named ``SERVER@APP`` as the hosting suites name them: the
server by its adapter's name (``server/<name>`` in the registry and in result files), the app
by what answers (``CASES`` below). nginx's own ``location`` with ``sendfile on``
(``nginx@location-sendfile``) is the base every other case is held against; the others are
``wsgi.file_wrapper`` on lapwise-wsgi, ``App.static`` on lapwise-app, an ASGI app sending
``http.response.pathsend`` on lapwise-asgi, Starlette's ``FileResponse`` on lapwise-asgi and on
uvicorn (httptools + uvloop), and in the same Starlette app lapwise's ``FileResponse`` and
Starlette's opted in to pathsend (``lapwise.asgi.send_files_by_path``). Each server is a child
process on 127.0.0.1, started here and stopped by pid. Before timing,
each server's answer is fetched whole once and checked (length and SHA-256 of the whole file);
every timed download checks its length. Rounds alternate the servers, so drift of a shared
machine hits them alike. Reported per server: the median throughput (MB/s, wall), the median of
the per-round ratios to nginx with a 95% bootstrap interval, server CPU seconds per GB (from
/proc schedstat) and the server process's peak RSS (VmHWM: the file must never be held in
memory), with the load average before and after. The client (curl, which copies every byte
into user space) usually costs more CPU than a sendfile server: on a shared machine the
throughput figures carry its scheduling noise, the CPU figures much less. Every download is
bounded (curl --max-time).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import importlib.util
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from suites.adapters.server import nginx
from suites.adapters.server._process import free_port
from suites.cli_names import refuse_unknown

HOST = "127.0.0.1"
NAME = "big.bin"


@dataclass
class Launched:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    speeds: list[float] = field(default_factory=list)  # MB/s per download
    cpu: float = 0.0  # server CPU seconds over the timed downloads
    bytes: int = 0
    peak_rss_mb: float = 0.0  # the server process's high-water mark (VmHWM) after the downloads


BASE = "nginx@location-sendfile"


@dataclass(frozen=True)
class Case:
    server: str  # the server adapter's name
    app: str  # what answers on it
    argv: tuple[str, ...]  # the server's command line, --host and --port added at start
    what: str

    @property
    def name(self) -> str:
        return f"{self.server}@{self.app}"


def _lapwise(server: str, app: str, target: str, what: str) -> Case:
    interface = server.removeprefix("lapwise-")
    return Case(server, app, (sys.executable, "-m", "lapwise", "serve",
                              f"suites.e2e.static_files.static_apps:{target}", "--interface", interface), what)


CASES = (
    Case("nginx", "location-sendfile", (), "nginx 1 worker, sendfile on"),
    _lapwise("lapwise-wsgi", "wsgi-file-wrapper", "wsgi_app", "wsgi.file_wrapper (sendfile)"),
    _lapwise("lapwise-app", "app-static", "lapwise_app", "App.static (sendfile)"),
    _lapwise("lapwise-asgi", "asgi-pathsend", "pathsend_app", "ASGI http.response.pathsend"),
    _lapwise("lapwise-asgi", "starlette-fileresponse", "starlette_app",
             "Starlette 0.26 FileResponse on lapwise (body messages)"),
    _lapwise("lapwise-asgi", "starlette-lapwise-fileresponse", "starlette_lapwise_app",
             "lapwise.asgi.FileResponse in Starlette (pathsend)"),
    _lapwise("lapwise-asgi", "starlette-fileresponse-pathsend", "starlette_pathsend_app",
             "Starlette FileResponse after send_files_by_path"),
    Case("uvicorn", "starlette-fileresponse",
         (sys.executable, "-m", "uvicorn", "suites.e2e.static_files.static_apps:starlette_app",
          "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"),
         "Starlette 0.26 FileResponse on uvicorn (httptools + uvloop)"),
)


def cases() -> dict[str, Case]:
    """The cases this machine can run, by name (Starlette's and uvicorn's need their modules)."""
    out = {c.name: c for c in CASES}
    if importlib.util.find_spec("starlette") is None:  # left out, as the app module does
        out = {k: c for k, c in out.items() if not c.app.startswith("starlette")}
    if importlib.util.find_spec("uvicorn") is None:
        out = {k: c for k, c in out.items() if c.server != "uvicorn"}
    return out


def _nginx_extra(root: Path) -> str:
    return (f"location /static/ {{ alias {root}/; sendfile on; tcp_nopush on; "
            f"default_type application/octet-stream; }}")


def start(case: Case, work: Path, root: Path) -> Launched:
    name = case.name
    port = free_port(HOST)
    env = dict(os.environ, LAPWISE_STATIC_DIR=str(root))
    if case.server == "nginx":
        nwork = work / "nginx"
        nwork.mkdir(exist_ok=True)
        conf = nwork / "nginx.conf"
        conf.write_text(nginx.config(nwork, HOST, port, server_extra=_nginx_extra(root)))
        cmd = nginx.command(nwork, conf)
    else:
        cmd = [*case.argv, "--host", HOST, "--port", str(port)]
    log = open(work / f"{name.replace('@', '-')}.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=Path.cwd())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited at start: {Path(log.name).read_text()[-2000:]}")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return Launched(name, proc, port)
        except OSError:
            time.sleep(0.1)
    stop(Launched(name, proc, port))
    raise RuntimeError(f"{name} did not listen within 30 s")


def stop(s: Launched) -> None:
    if s.proc.poll() is None:
        s.proc.send_signal(signal.SIGTERM)
        try:
            s.proc.wait(15)
        except subprocess.TimeoutExpired:
            s.proc.kill()
            s.proc.wait(5)


def verify(s: Launched, size: int, digest: str) -> None:
    """The whole answer once: status, length and SHA-256."""
    conn = http.client.HTTPConnection(HOST, s.port, timeout=60)
    try:
        conn.request("GET", f"/static/{NAME}")
        res = conn.getresponse()
        h = hashlib.sha256()
        got = 0
        while block := res.read(1 << 20):
            h.update(block)
            got += len(block)
    finally:
        conn.close()
    if res.status != 200 or got != size or h.hexdigest() != digest:
        raise RuntimeError(f"{s.name}: status {res.status}, {got} of {size} bytes, sha256 "
                           f"{'ok' if h.hexdigest() == digest else 'differs'}")


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of ``pid`` from /proc/<pid>/task/*/schedstat (nanoseconds: a
    sendfile download costs the server a few milliseconds, below /proc/<pid>/stat's ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total / 1e9


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def download(s: Launched, size: int) -> None:
    """One timed download with curl into /dev/null (bounded by --max-time)."""
    before = cpu_seconds(s.proc.pid)
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "120", "-w",
                          "%{http_code} %{size_download} %{time_total}",
                          f"http://{HOST}:{s.port}/static/{NAME}"],
                         capture_output=True, text=True, timeout=150)
    s.cpu += cpu_seconds(s.proc.pid) - before
    code, got, took = out.stdout.split()
    if code != "200" or int(got) != size:
        raise RuntimeError(f"{s.name}: curl got {code} with {got} of {size} bytes")
    s.bytes += size
    s.speeds.append(size / 1e6 / float(took))


def make_file(root: Path, size: int) -> str:
    h = hashlib.sha256()
    block = os.urandom(1 << 20)
    with open(root / NAME, "wb") as f:
        left = size
        i = 0
        while left > 0:
            piece = (i.to_bytes(8, "little") + block[8:])[:left]  # no two MiB alike
            f.write(piece)
            h.update(piece)
            left -= len(piece)
            i += 1
    return h.hexdigest()


def paired_ratio(mine: list[float], base: list[float], resamples: int = 2000) -> tuple[float, float, float]:
    """Median of the per-round ratios (rounds interleave the servers, so a round's two
    downloads saw the same machine) and its 95% bootstrap interval."""
    ratios = [a / b for a, b in zip(mine, base)]
    rng = random.Random(7)
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(resamples))
    return statistics.median(ratios), medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def run(size: int, rounds: int,
        only: list[str] | None = None) -> tuple[list[Launched], dict[str, str], tuple[float, float]]:
    """Starts the servers, checks each answer, times ``rounds`` interleaved downloads of a
    ``size``-byte file, stops every server. (servers, what each is, load average before/after)."""
    with tempfile.TemporaryDirectory(prefix="lapwise-static-bench-") as tmp:
        work = Path(tmp)
        root = work / "public"
        root.mkdir()
        digest = make_file(root, size)
        chosen = {k: c for k, c in cases().items() if not only or k == BASE or k in only}
        servers: list[Launched] = []
        try:
            for case in chosen.values():
                servers.append(start(case, work, root))
            for s in servers:
                verify(s, size, digest)
            load_before = os.getloadavg()[0]
            for _ in range(rounds):
                for s in servers:
                    download(s, size)
            load_after = os.getloadavg()[0]
            for s in servers:
                s.peak_rss_mb = peak_rss_mb(s.proc.pid)
        finally:
            for s in servers:
                stop(s)
    return servers, {k: c.what for k, c in chosen.items()}, (load_before, load_after)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", nargs="*", help=f"SERVER@APP cases ({BASE} is always included)")
    ap.add_argument("--out", type=Path, help="also write a schema v1 result file here")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--only", "server@app case", args.only, cases())
    servers, what, load = run(args.size_mb * 1_000_000, args.rounds, args.only)
    base = next(s for s in servers if s.name == BASE).speeds
    print(f"static file {args.size_mb} MB x {args.rounds} rounds, curl -> /dev/null, 127.0.0.1; "
          f"CPU {cpu_model()}, {os.cpu_count()} cores; load average {load[0]:.2f} before, {load[1]:.2f} after")
    print(f"{'server@app':46} {'MB/s median':>11} {'min':>8} {'max':>8} {'vs nginx [95% CI]':>20} "
          f"{'CPU s/GB':>9} {'peak RSS':>8}  what")
    for s in servers:
        med = statistics.median(s.speeds)
        ratio, low, high = paired_ratio(s.speeds, base)
        print(f"{s.name:46} {med:11.0f} {min(s.speeds):8.0f} {max(s.speeds):8.0f} "
              f"{f'{ratio:.2f} [{low:.2f}, {high:.2f}]':>20} "
              f"{s.cpu / (s.bytes / 1e9):9.3f} {s.peak_rss_mb:6.0f}MB  {what[s.name]}")
    if args.out:
        from suites.results import new_file, write

        result = new_file("e2e.static", ["python -m suites.e2e.static_files.static_bench "
                                         + " ".join(argv if argv is not None else sys.argv[1:])])
        result.records = records(servers, what, args.size_mb, load)
        write(result, args.out)
    return 0


def records(servers: list[Launched], what: dict[str, str], size_mb: int, load: tuple[float, float]) -> list:
    """Per case: download throughput (MB/s per round, as ops/s of one MB), its ratio to
    nginx's, server CPU per GB and peak RSS; adapter ``server/<server>``, scenario
    ``e2e.static.<app>``, parameter the size."""
    from suites.results import Record

    base = next(s for s in servers if s.name == BASE).speeds
    out = []
    for s in servers:
        server, app = s.name.split("@", 1)
        extra = {"what": what[s.name], "loadavg": list(load), "unit_note": "MB/s (one op = 1 MB)"}
        common = dict(adapter=f"server/{server}", scenario=f"e2e.static.{app}", param=f"{size_mb}MB",
                      extra=extra)
        ratio = paired_ratio(s.speeds, base)
        out += [Record(metric="throughput", unit="ops/s", samples=list(s.speeds), **common),
                Record(metric="ratio_vs_nginx", unit="ratio", samples=[ratio[0]],
                       **{**common, "extra": {**extra, "ci95": [ratio[1], ratio[2]]}}),
                Record(metric="cpu_per_gb", unit="s", samples=[s.cpu / max(1e-9, s.bytes / 1e9)], **common),
                Record(metric="peak_rss", unit="bytes", samples=[s.peak_rss_mb * 1e6], **common)]
    return out


if __name__ == "__main__":
    sys.exit(main())

"""The fault server, the client suite's own local target: a child process on 127.0.0.1, stopped
by its pid (never by name). nginx comes from suites.adapters.server.nginx.NginxServer."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def stop_child(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """Stops a child we started: SIGTERM to its pid, SIGKILL if it lingers, then reap it."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FaultServer:
    """``with FaultServer() as fs: fs.url("/delay/50")``; ``fs.log()`` is what it received."""

    def __init__(self, uvloop: bool = True) -> None:
        self.uvloop = uvloop
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> FaultServer:
        cmd = [sys.executable, "-m", "suites.e2e.client.fault_server"] + (["--uvloop"] if self.uvloop else [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("PORT "):
            stop_child(self.proc)
            raise RuntimeError(f"fault server did not start (said {line!r})")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop_child(self.proc)
            if self.proc.stdout:
                self.proc.stdout.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def _get(self, path: str) -> bytes:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
        with opener.open(self.url(path), timeout=10) as r:
            return r.read()

    def log(self) -> list[list]:
        """[t (monotonic s), path, id, arrival k, action] for every request since clear()."""
        return json.loads(self._get("/_log"))["log"]

    def clear(self) -> None:
        self._get("/_clear")

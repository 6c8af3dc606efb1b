"""Local targets for the client suite: the fault server and nginx, each started as a child
process on 127.0.0.1 and stopped by its pid (never by name)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _stop(proc: subprocess.Popen, timeout: float = 5.0) -> None:
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


def _wait_listening(port: int, proc: subprocess.Popen, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{what} is not listening on 127.0.0.1:{port} after {timeout} s")


class FaultServer:
    """``with FaultServer() as fs: fs.url("/delay/50")``; ``fs.log()`` is what it received."""

    def __init__(self, uvloop: bool = True) -> None:
        self.uvloop = uvloop
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> FaultServer:
        cmd = [sys.executable, str(HERE / "fault_server.py")] + (["--uvloop"] if self.uvloop else [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("PORT "):
            _stop(self.proc)
            raise RuntimeError(f"fault server did not start (said {line!r})")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            _stop(self.proc)
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


NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path {dir}/tmp_body;
  proxy_temp_path {dir}/tmp_proxy;
  fastcgi_temp_path {dir}/tmp_fastcgi;
  uwsgi_temp_path {dir}/tmp_uwsgi;
  scgi_temp_path {dir}/tmp_scgi;
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location = / {{ return 200 "hello, world\\n"; }}
    location / {{ root {dir}/www; }}
  }}
}}
"""


class Nginx:
    """Debian's nginx (nginx-light) from a generated config in a temp dir: one worker, no
    daemon, no master; listens on a free loopback port; stopped by pid."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.dir: tempfile.TemporaryDirectory | None = None

    @staticmethod
    def available() -> str | None:
        """None when nginx can run here, else why not."""
        return None if os.access(NGINX, os.X_OK) else f"nginx not found ({NGINX})"

    def __enter__(self) -> Nginx:
        self.dir = tempfile.TemporaryDirectory(prefix="lapwise-nginx-")
        d = Path(self.dir.name)
        (d / "www").mkdir()
        (d / "www" / "small.txt").write_text("hello, world\n")
        for attempt in range(5):
            self.port = free_port()
            (d / "nginx.conf").write_text(NGINX_CONF.format(dir=d, port=self.port))
            self.proc = subprocess.Popen([NGINX, "-p", str(d), "-c", str(d / "nginx.conf"),
                                          "-e", str(d / "error.log")],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                _wait_listening(self.port, self.proc, "nginx")
                return self
            except RuntimeError:
                _stop(self.proc)
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                if "Address already in use" not in err or attempt == 4:
                    self.dir.cleanup()
                    raise RuntimeError(f"nginx did not start: {err.strip()}") from None
        raise AssertionError("unreachable")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            _stop(self.proc)
            if self.proc.stderr:
                self.proc.stderr.close()
        if self.dir is not None:
            self.dir.cleanup()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

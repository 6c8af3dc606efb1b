"""A server in a child process: free port, readiness by a real request, CPU time from /proc,
and stop by pid. Shared by every server adapter that runs an external command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .base import Address, Server

_CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _get_plaintext(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(f"GET /plaintext HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def proc_cpu_seconds(pid: int) -> float:
    """utime+stime of pid plus its reaped and live children (fields 14-17 of /proc/pid/stat)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15]) / _CLK_TCK
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += proc_cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


class ProcessServer(Server):
    """Base for adapters whose server is a command line. Subclasses implement ``command``."""

    startup_timeout: float = 20.0

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None
        self.workdir: Path | None = None

    def command(self, host: str, port: int) -> Sequence[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("PYTHONPATH", os.pathsep.join(p for p in sys.path if p))
        return env

    def start(self, host: str = "127.0.0.1", port: int = 0, cpu: int | None = None) -> Address:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"servers listen on loopback only, not {host!r}")
        if self._proc is not None:
            raise RuntimeError(f"{self.adapter_id()} is already running (pid {self._proc.pid})")
        port = port or free_port(host)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"lapwise-{self.name}-"))
        cmd = list(self.command(host, port))
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu), *cmd]
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                      env=self.environment(), cwd=self.workdir,
                                      start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            if self.ready(host, port):
                return Address(host, port, self._proc.pid)
            time.sleep(0.05)
        output = self._output()
        self.stop()
        raise RuntimeError(f"{self.adapter_id()} did not come up on {host}:{port}: {' '.join(cmd)}\n{output}")

    def ready(self, host: str, port: int) -> bool:
        """True once the server answers; HTTP servers answer ``GET /plaintext``."""
        return _get_plaintext(host, port, timeout=0.5)

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self._proc.pid) if self._proc is not None else 0.0

    def exit_status(self) -> int | None:
        """The server process's exit status if it has ended on its own (a crash), else None."""
        return self._proc.poll() if self._proc is not None else None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def stop(self, grace: float = 5.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


def python_module_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]

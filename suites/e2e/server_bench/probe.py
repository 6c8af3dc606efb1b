"""Cold start probe, run by hyperfine: start a server, poll until its first 200, stop it.

    python -I -S probe.py SPEC.json        # spec: {"argv": [...], "env": {...}, "cwd": ...,
                                           #        "host": ..., "port": ..., "timeout": s}
    python -I -S probe.py --baseline       # the same interpreter start-up, no server

Only the standard library, so `-I -S` keeps the probe's own start-up small; the baseline
measures exactly that overhead. The server runs in its own session and is stopped by its pid
(its process group), then reaped, so the next run can bind the same port. Exit 0 only after a
200; 1 if the server died or did not answer within the timeout.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time


def first_200(host, port, deadline, proc):
    request = ("GET /plaintext HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (host, port)).encode()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5) as s:
                s.sendall(request)
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return True
        except OSError:
            time.sleep(0.002)  # not listening yet
    return False


def main():
    if sys.argv[1:] == ["--baseline"]:
        return 0
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    proc = subprocess.Popen(spec["argv"], env=spec["env"], cwd=spec["cwd"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        ok = first_200(spec["host"], spec["port"], time.monotonic() + spec["timeout"], proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

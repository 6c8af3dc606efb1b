"""lapwise-ws-load (the echo benchmark's client) counts only true echoes: its counts add up
against lapwise's echo, and it fails on a refused handshake and on an echo that differs.
No timing is asserted."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import subprocess
import threading

import pytest

from suites.adapters import registry
from suites.adapters.websocket._ws_process import built_tool

from .ws_echo_bench import records, ratios
from .ws_raw_client import GUID

TOOL = built_tool("lapwise-ws-load", "LAPWISE_WS_LOAD_BIN")
pytestmark = pytest.mark.skipif(TOOL is None, reason="lapwise-ws-load is not built")


def _load(port: int, *extra: str) -> tuple[int, dict]:
    out = subprocess.run([str(TOOL), "--port", str(port), "-c", "8", "--size", "100", "--warmup", "0.1",
                          "--duration", "0.5", "--messages", "20000", "--timeout", "5", *extra],
                         capture_output=True, text=True, timeout=60)
    return out.returncode, json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def lapwise_echo():
    try:
        server = registry.get("websocket/lapwise-core")()
    except LookupError as exc:
        pytest.skip(str(exc))
    address = server.start()
    yield address
    server.stop()


def test_counts_add_up(lapwise_echo):
    rc, report = _load(lapwise_echo.port, "--server-pid", str(lapwise_echo.pid))
    assert rc == 0, report
    assert 0 < report["messages"] <= 20000
    assert report["total_echoes"] >= report["messages"]
    assert report["server_cpu_s"] >= 0 and report["client_cpu_s"] > 0


def test_refused_handshake_fails(lapwise_echo):
    rc, report = _load(lapwise_echo.port, "--path", "/not-a-websocket")
    assert rc == 1 and "101" in report["error"]


def _corrupting_server(listener: socket.socket) -> None:
    """Accepts one connection, completes the handshake, then answers each message with a
    text frame of the same length whose first byte differs."""
    conn, _ = listener.accept()
    with conn:
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(4096)
        key = next(ln.split(b":", 1)[1].strip() for ln in head.split(b"\r\n")
                   if ln.lower().startswith(b"sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        conn.settimeout(10)
        try:
            conn.recv(4096)
            conn.sendall(bytes([0x81, 100]) + b"X" * 100)
            conn.recv(4096)
        except OSError:
            pass


def test_wrong_echo_fails():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        t = threading.Thread(target=_corrupting_server, args=(listener,), daemon=True)
        t.start()
        out = subprocess.run([str(TOOL), "--port", str(listener.getsockname()[1]), "-c", "1",
                              "--size", "100", "--warmup", "0", "--duration", "2", "--timeout", "5"],
                             capture_output=True, text=True, timeout=60)
        t.join(15)
    assert out.returncode == 1
    assert "differs" in json.loads(out.stdout.strip().splitlines()[-1])["error"]


def test_records_and_ratio_arithmetic():
    run = {"messages": 1000, "wall_s": 2.0, "client_cpu_s": 0.5, "server_cpu_s": 0.01, "loadavg": 1.0}
    slow = {**run, "server_cpu_s": 0.04}
    recs = records({("websocket/lapwise-core", 32): [run], ("websocket/peer", 32): [slow]}, 64)
    by = {(r.adapter, r.metric): r.samples[0] for r in recs}
    assert by[("websocket/lapwise-core", "throughput")] == 500.0
    assert by[("websocket/lapwise-core", "cpu_per_message")] == pytest.approx(10.0)
    assert by[("websocket/peer", "client_cpu_per_message")] == pytest.approx(500.0)
    (ratio,) = ratios(recs)
    assert ratio.metric == "ratio_vs_peer" and ratio.samples[0] == pytest.approx(4.0)


def test_bench_writes_a_valid_result_file(tmp_path, lapwise_echo):
    from suites.results import load

    from .ws_echo_bench import main

    assert main(["--out", str(tmp_path), "--adapters", "websocket/lapwise-core", "--rounds", "1",
                 "--seconds", "0.3", "--sizes", "32"]) == 0
    result = load(tmp_path / "e2e.websocket.echo.json")
    metrics = {r.metric for r in result.records}
    assert metrics == {"throughput", "cpu_per_message", "client_cpu_per_message"}
    assert "| lapwise-core | 32 |" in (tmp_path / "websocket_echo.md").read_text()

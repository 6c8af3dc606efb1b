"""Fault scenarios for the native server: each fault gets its correct answer (or a clean
close), and the server then serves a normal request. Graceful shutdown under load loses no
request the server had received. The server is a real child process on 127.0.0.1, stopped by
its pid."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from lapwise import _native_status

from suites.e2e.server import fault_app

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

GET_PLAIN = b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "suites.e2e.server.fault_app", str(self.port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.proc.stdout.read().decode()
            try:
                if request(self.port, GET_PLAIN)[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("fault app did not come up")

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


def read_response(s: socket.socket, buf: bytearray) -> tuple[int, bytes] | None:
    """One whole response from s (Content-Length framing; 204/1xx without body), or None
    when the peer closed before a whole one arrived. Leftover bytes stay in buf."""
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            head = bytes(buf[:end]).decode("latin-1")
            status = int(head.split(" ", 2)[1])
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if len(buf) >= end + 4 + length:
                body = bytes(buf[end + 4:end + 4 + length])
                del buf[:end + 4 + length]
                return status, body
        chunk = s.recv(1 << 16)
        if not chunk:
            return None
        buf += chunk


def request(port: int, raw: bytes, timeout: float = 10) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        got = read_response(s, bytearray())
        assert got is not None, "connection closed without a response"
        return got


def closed_by_server(s: socket.socket) -> bool:
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


@pytest.fixture(scope="module")
def server():
    srv = ServerProcess()
    yield srv
    assert srv.stop() == 0


@pytest.fixture(autouse=True)
def serves_afterwards(server):
    yield
    assert server.proc.poll() is None, "the server died"
    assert request(server.port, GET_PLAIN) == (200, b"Hello, World!")


def test_slowloris_gets_408_and_is_closed(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /plaintext HTTP/1.1\r\n")
        buf = bytearray()
        # A byte every 0.2 s does not extend the deadline: the answer comes while the client is
        # still trickling (bounded: 50 bytes, far past fault_app.HEADER_TIMEOUT).
        cut = False
        for _ in range(50):
            time.sleep(0.2)
            if select.select([s], [], [], 0)[0]:
                cut = True
                break
            try:
                s.sendall(b"X")
            except OSError:
                cut = True
                break
        assert cut, "the server kept waiting for a head trickled a byte at a time"
        got = read_response(s, buf)
        assert got is not None and got[0] == 408
        assert closed_by_server(s)


@pytest.mark.parametrize("raw,status", [
    (b"GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (fault_app.MAX_BODY + 1), 413),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     + b"100000\r\n" + b"z" * 0x100000 + b"\r\n" * 1 + b"800000\r\n" + b"z" * 0x800000 + b"\r\n0\r\n\r\n", 413),
    (b"GET /plaintext HTTP/9.9\r\nHost: x\r\n\r\n", 505),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
], ids=["headers-431", "uri-414", "body-413", "chunked-body-413", "version-505", "smuggling-400"])
def test_oversize_and_malformed(server, raw, status):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the whole body is sent
        got = read_response(s, bytearray())
        assert got is not None and got[0] == status
        assert closed_by_server(s)


def test_ten_thousand_malformed_requests_in_a_row(server):
    bad = [b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
           b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"]
    failures: list[str] = []

    def worker(offset: int) -> None:
        for i in range(offset, 10_000, 4):
            try:
                status, _ = request(server.port, bad[i % len(bad)])
                if status != 400:
                    failures.append(f"#{i}: {status}")
            except (OSError, AssertionError) as exc:
                failures.append(f"#{i}: {exc!r}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:5]


def test_clients_that_disconnect_mid_request_and_mid_response(server):
    for raw in (b"GET /plaintext HTTP/1.1\r\nHo",                                     # mid head
                b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",  # mid body
                b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                GET_PLAIN * 200 + b"GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n" * 200,  # unread answers
                b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n",                              # 4 MiB, unread
                b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"):                            # gone before the answer
        for reset in (False, True):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(raw)
            if reset:  # RST instead of FIN
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:  # mid response
        s.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(1000)
    time.sleep(0.5)  # /slow finishes for a client that is gone


def test_a_handler_that_raises_gets_500_and_the_connection_serves_on(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        buf = bytearray()
        s.sendall(b"GET /raise HTTP/1.1\r\nHost: x\r\n\r\n" + GET_PLAIN)
        assert read_response(s, buf)[0] == 500
        assert read_response(s, buf) == (200, b"Hello, World!")


def test_graceful_shutdown_under_load_loses_no_received_request():
    srv = ServerProcess()
    stop_load = threading.Event()
    problems: list[str] = []
    answered = [0]

    def load() -> None:  # keep-alive clients: every response that starts must be whole
        while not stop_load.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            except OSError:
                return  # no longer listening
            buf = bytearray()
            with s:
                while not stop_load.is_set():
                    try:
                        s.sendall(b"GET /users/7 HTTP/1.1\r\nHost: x\r\n\r\n")
                        got = read_response(s, buf)
                    except OSError:
                        got = None
                    if got is None:
                        if buf:
                            problems.append(f"partial response: {bytes(buf[:80])!r}")
                        break  # closed between requests: that request was not received
                    if got != (200, b'{"id":7,"name":"user7","q":null}'):
                        problems.append(f"bad response {got!r}")
                    answered[0] += 1

    loaders = [threading.Thread(target=load) for _ in range(4)]
    for t in loaders:
        t.start()
    time.sleep(0.5)
    slow = []
    for _ in range(8):  # requests in flight (held by an async handler) when SIGTERM arrives
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        slow.append(s)
    time.sleep(0.1)  # received by the server
    os.kill(srv.proc.pid, signal.SIGTERM)
    for s in slow:
        with s:
            assert read_response(s, bytearray()) == (200, b"slow")
    assert srv.proc.wait(15) == 0
    stop_load.set()
    for t in loaders:
        t.join()
    assert not problems, problems[:5]
    assert answered[0] > 0

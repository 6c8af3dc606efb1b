"""``python -m lapwise serve``: serves an ASGI app and a lapwise.App, worker processes on one
port, SIGTERM drains and exits 0, and a start that cannot happen is one line and exit 1. Every
server is a subprocess stopped by its pid."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

APPS = textwrap.dedent('''
    import os
    import lapwise

    async def asgi_app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": str(os.getpid()).encode()})

    def wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"wsgi"]

    native = lapwise.App()

    @native.get("/")
    def root(req):
        return "native"

    def create_app(greeting="factory", upper=False):
        async def made(scope, receive, send):
            if scope["type"] != "http":
                return
            text = greeting.upper() if upper else greeting
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": text.encode()})
        return made

    async def client_app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": f"{scope['scheme']} {scope['client'][0]}".encode()})

    def broken_factory():
        raise RuntimeError("no config")

    async def bad_startup(scope, receive, send):
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})
''')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path, *args: str) -> subprocess.Popen[str]:
    (tmp_path / "cli_apps.py").write_text(APPS)
    return subprocess.Popen([sys.executable, "-m", "lapwise", "serve", *args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def get(port: int) -> tuple[int, bytes] | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        res = conn.getresponse()
        out = (res.status, res.read())
        conn.close()
        return out
    except OSError:
        return None


def wait_ready(proc: subprocess.Popen[str], port: int) -> tuple[int, bytes]:
    for _ in range(200):  # bounded: at most ~10 s
        if (got := get(port)) is not None:
            return got
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.05)
    raise AssertionError("the server did not come up")


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


SERVED = [("cli_apps:asgi_app", "asgi", None), ("cli_apps:native", "app", b"native"),
          ("cli_apps:wsgi_app", "wsgi", b"wsgi")]


@pytest.mark.parametrize("spec,interface,body", SERVED)
def test_serves_and_sigterm_exits_zero(tmp_path, spec, interface, body):
    port = free_port()
    proc = start(tmp_path, spec, "--interface", interface, "--port", str(port))
    try:
        status, got = wait_ready(proc, port)
        assert status == 200
        if body is not None:
            assert got == body
        else:
            assert int(got) == proc.pid  # one process: the server is the command itself
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_workers_share_the_port(tmp_path):
    port = free_port()
    proc = start(tmp_path, "cli_apps:asgi_app", "--port", str(port), "--workers", "2")
    try:
        wait_ready(proc, port)
        pids = set()
        answered = 0
        for _ in range(40):  # new connections spread over the workers (SO_REUSEPORT)
            if (res := get(port)) is None:  # a machine under load may drop one: not the point here
                continue
            status, got = res
            assert status == 200
            pids.add(int(got))
            answered += 1
        assert answered > 0
        assert proc.pid not in pids
        assert 1 <= len(pids) <= 2
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_import_failure_is_one_line_and_exit_1(tmp_path):
    proc = start(tmp_path, "no_such_module:app", "--port", str(free_port()))
    proc.wait(timeout=20)
    err = proc.communicate()[1]
    assert proc.returncode == 1
    assert err.strip().splitlines() == ["lapwise: cannot import 'no_such_module': ModuleNotFoundError: "
                                        "No module named 'no_such_module'"]


def test_port_in_use_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = start(tmp_path, "cli_apps:asgi_app", "--port", str(port))
        proc.wait(timeout=20)
        err = proc.communicate()[1]
    assert proc.returncode == 1
    assert err.strip().splitlines() == [f"lapwise: cannot listen on 127.0.0.1:{port}: address already in use"]


def test_failing_lifespan_is_one_line_and_exit_1(tmp_path):
    proc = start(tmp_path, "cli_apps:bad_startup", "--port", str(free_port()))
    proc.wait(timeout=20)
    err = proc.communicate()[1]
    assert proc.returncode == 1
    assert err.strip().splitlines()[-1] == "lapwise: cannot start: LifespanError: no database"


def test_pid_helpers_leave_nothing_running(tmp_path):
    # A worker tree stopped through the parent leaves no worker behind.
    port = free_port()
    proc = start(tmp_path, "cli_apps:asgi_app", "--port", str(port), "--workers", "2")
    try:
        wait_ready(proc, port)
        children = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()
        assert len(children) == 2
    finally:
        stop(proc)
    for child in children:
        assert not os.path.exists(f"/proc/{child}") or "zombie" in open(f"/proc/{child}/status").read().lower()


def test_workers_stop_when_the_parent_is_killed(tmp_path):
    # SIGKILL gives the parent no chance to forward the stop; its workers must not keep serving.
    port = free_port()
    proc = start(tmp_path, "cli_apps:asgi_app", "--port", str(port), "--workers", "2")
    children: list[str] = []
    try:
        wait_ready(proc, port)
        children = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()
        assert len(children) == 2
        proc.kill()
        proc.wait(timeout=20)
        for _ in range(400):  # bounded: at most ~20 s for the workers to drain and exit
            if not any(os.path.exists(f"/proc/{c}") for c in children):
                break
            time.sleep(0.05)
        left = [c for c in children if os.path.exists(f"/proc/{c}")]
        assert left == [], f"workers still running after their parent was killed: {left}"
    finally:
        for c in children:  # whatever happened, nothing of this test keeps running
            try:
                os.kill(int(c), signal.SIGKILL)
            except ProcessLookupError:
                pass
        stop(proc)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.3, 0.6])
def test_a_stop_while_the_workers_start_ends_them(tmp_path, delay):
    # SIGTERM can reach a worker anywhere in its start (inside an import, before the server's
    # handlers exist): the stop must still end it and leave nothing on the port. A parent
    # stopped before it has set its own handlers ends as any process does (killed by SIGTERM);
    # once it has them it exits 0.
    port = free_port()
    proc = start(tmp_path, "cli_apps:asgi_app", "--port", str(port), "--workers", "2")
    time.sleep(delay)
    code, err = stop(proc)
    assert code in (0, -signal.SIGTERM), err
    for _ in range(400):  # bounded: at most ~20 s for a worker told by its parent's death
        if _port_free(port):
            break
        time.sleep(0.05)
    assert _port_free(port), "a worker still holds the port after the stop"


@pytest.mark.parametrize("args,body", [
    (["cli_apps:create_app", "--factory"], b"factory"),
    (["cli_apps:create_app()"], b"factory"),
    (["cli_apps:create_app('hello', upper=True)"], b"HELLO"),
    (["cli_apps:wsgi_app", "--interface", "wsgi", "-o", "max_body=1024", "--option", "idle_timeout=2.5"], b"wsgi"),
])
def test_app_factories_and_server_options(tmp_path, args, body):
    port = free_port()
    proc = start(tmp_path, *args, "--port", str(port))
    try:
        assert wait_ready(proc, port) == (200, body)
    finally:
        code, err = stop(proc)
    assert code == 0, err


BAD_STARTS = [
    (["cli_apps:broken_factory", "--factory"],
     "lapwise: the app factory broken_factory() raised RuntimeError: no config"),
    (["cli_apps:create_app(open('x'))"],
     "lapwise: cannot read \"cli_apps:create_app(open('x'))\": a factory call takes literal arguments only"),
    (["cli_apps:asgi_app", "-o", "max_bodyy=1"], "lapwise: cannot start: TypeError: unknown server option 'max_bodyy'"),
    (["cli_apps:asgi_app", "-o", "port=9"], "lapwise: --option port: use --port"),
    (["cli_apps:asgi_app", "-o", "max_body"], "lapwise: --option 'max_body': expected NAME=VALUE"),
    (["cli_apps:native", "--interface", "app", "--proxy-headers"],
     "lapwise: --proxy-headers is for --interface asgi or wsgi"),
    (["cli_apps:asgi_app", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1,nope"],
     "lapwise: forwarded_allow_ips: 'nope' is not an address or a network"),
]


@pytest.mark.parametrize("args,line", BAD_STARTS)
def test_a_bad_factory_or_option_is_one_line_and_exit_1(tmp_path, args, line):
    proc = start(tmp_path, *args, "--port", str(free_port()))
    proc.wait(timeout=20)
    err = proc.communicate()[1]
    assert proc.returncode == 1
    assert err.strip().splitlines()[-1].startswith(line), err


def test_a_server_option_takes_effect(tmp_path):
    port = free_port()
    proc = start(tmp_path, "cli_apps:wsgi_app", "--interface", "wsgi", "-o", "max_body=1024", "--port", str(port))
    try:
        wait_ready(proc, port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", "/", body=b"x" * 2048)
        assert conn.getresponse().status == 413
        conn.close()
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_proxy_headers_from_the_command_line(tmp_path):
    port = free_port()
    proc = start(tmp_path, "cli_apps:client_app", "--proxy-headers", "--port", str(port))
    try:
        wait_ready(proc, port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
        assert conn.getresponse().read() == b"https 203.0.113.7"
        conn.close()
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_an_access_log_from_the_command_line(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    proc = start(tmp_path, "cli_apps:wsgi_app", "--interface", "wsgi", "--access-log", str(log), "--port", str(port))
    try:
        wait_ready(proc, port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/logged?x=1", headers={"User-Agent": "cli-test"})
        assert conn.getresponse().read() == b"wsgi"
        conn.close()
    finally:
        code, err = stop(proc)
    assert code == 0, err
    lines = log.read_text().splitlines()
    assert any(line.startswith("127.0.0.1 - - [") and line.endswith('"GET /logged?x=1 HTTP/1.1" 200 4 "-" "cli-test"')
               for line in lines), lines

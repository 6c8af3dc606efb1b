"""The hosting corpus (hosting_cases.py) replayed against every server x app (hosting_hosts.py):
lapwise's answers match the expected statuses; every peer's normalised answer equals lapwise's
for the same app unless hosting_differences.py records the difference with its reason, and every
recorded difference is real (a stale record fails too). Each server process is stopped by pid.

Also: a failing lifespan startup stops every ASGI server with the app's error, and the smuggling
corpus holds through lapwise's ASGI and WSGI interfaces (the peers' answers are reported by
``python -m suites.conformance.hosting_table``)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from suites.adapters.server._hosted import FAILING_LIFESPAN_APP
from suites.adapters.server._process import free_port
from suites.adapters.server.apps.failing_lifespan_app import STARTUP_ERROR

from .hosting_cases import ALL_CASES
from .hosting_differences import DIFFERENCES, LIFESPAN, PENDING
from .hosting_hosts import INTERFACE, REFERENCE, SERVERS, Host, comparable, hosts, replay
from .hosting_replay import exchange, statuses
from .hosting_smuggling import SMUGGLING, verdict

_answers: dict[tuple[str, str], dict[str, tuple]] = {}  # (server, app) -> case -> normalised answer


def _available(host: Host) -> str:
    cls = SERVERS[host.server]
    ok = cls.available()
    return "" if ok else ok.reason


def _run(host: Host) -> dict[str, tuple]:
    if (host.server, host.app) in _answers:
        return _answers[(host.server, host.app)]
    srv = host.make()
    address = srv.start()
    got = {}
    try:
        for case in ALL_CASES:
            if host.app in case.apps:
                got[case.name] = (tuple(statuses(t := replay(address.host, address.port, case))),
                                  comparable(case, t))
    finally:
        srv.stop()
    with pytest.raises(ProcessLookupError):  # stopped by pid, and reaped
        os.kill(address.pid, 0)
    _answers[(host.server, host.app)] = got
    return got


@pytest.mark.parametrize("host", hosts(), ids=lambda h: h.label)
def test_hosting_corpus(host: Host):
    if reason := _available(host):
        pytest.skip(reason)
    got = _run(host)
    if host.reference:
        wrong = [f"{name}: got {st}, expected {case.expected(host.app)}"
                 for case in ALL_CASES if (name := case.name) in got
                 and (st := got[name][0]) != case.expected(host.app)]
        assert not wrong, f"{host.label}:\n" + "\n".join(wrong)
        return
    reference = _run(Host(REFERENCE[INTERFACE[host.app]], host.app))
    unrecorded, stale = [], []
    for name, (_, answer) in got.items():
        if (name, host.app) in PENDING:
            reason, witness = PENDING[(name, host.app)]
            if host.server == witness and answer == reference[name][1]:
                stale.append(f"{name}: recorded as pending ({reason}) but lapwise answers like {witness}")
            continue
        same = answer == reference[name][1]
        recorded = DIFFERENCES.get((name, host.server, host.app)) or DIFFERENCES.get((name, host.server, "*"))
        if not same and not recorded:
            unrecorded.append(f"{name}: {_short(answer)} vs lapwise {_short(reference[name][1])}")
        if same and recorded:
            stale.append(f"{name}: recorded as differing ({recorded}) but answers like lapwise")
    assert not unrecorded and not stale, f"{host.label}:\n" + "\n".join(unrecorded + stale)


def _short(answer: tuple) -> str:
    parts = [f"{a[0]} {dict(a[1]) if len(a) > 1 else ''} {a[2][:60]!r}" if len(a) > 2 else str(a[0])
             for a in answer[0]]
    return "[" + "; ".join(parts) + "]" + (f" {answer[1]}" if answer[1] else "")


@pytest.mark.parametrize("server", [s for s, c in SERVERS.items() if c.interface == "asgi"])
def test_failing_lifespan_stops_the_server(server: str):
    cls = SERVERS[server]
    if not (ok := cls.available()):
        pytest.skip(ok.reason)
    port = free_port()
    cmd = cls(FAILING_LIFESPAN_APP).serve_command(FAILING_LIFESPAN_APP, "127.0.0.1", port)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 15
    exited = served = False
    try:
        while time.monotonic() < deadline and not (exited := proc.poll() is not None):
            if served := _serves(port):  # up although the startup failed: no need to wait longer
                break
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    text = out.decode(errors="replace")
    behaviour = ("exits with the app's error" if exited and proc.returncode != 0 and STARTUP_ERROR in text
                 else f"exits {proc.returncode} without the app's error" if exited
                 else "keeps serving" if served else "neither exits nor serves")
    expected = LIFESPAN.get(server, "exits with the app's error")
    assert behaviour == expected.split(":")[0], f"{server}: {behaviour}; recorded: {expected}\n{text[-1500:]}"


def _serves(port: int) -> bool:
    try:
        return bool(exchange("127.0.0.1", port, [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"], ["GET"], timeout=0.5).answers)
    except OSError:
        return False


@pytest.mark.parametrize("server", ["lapwise-asgi", "lapwise-wsgi"])
def test_smuggling_corpus_holds_through_lapwise(server: str):
    cls = SERVERS[server]
    if not (ok := cls.available()):
        pytest.skip(ok.reason)
    app = "starlette-app" if cls.interface == "asgi" else "flask-app"
    srv = Host(server, app).make()
    address = srv.start()
    try:
        failures = []
        for case in SMUGGLING:
            started = time.monotonic()
            got = verdict(address.host, address.port, case)
            if got != "rejected":
                failures.append(f"{case.name}: {got} ({time.monotonic() - started:.1f} s)")
    finally:
        srv.stop()
    assert not failures, f"{server}@{app}:\n" + "\n".join(failures)

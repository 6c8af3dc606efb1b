"""Every harness command that takes names refuses an unknown one by name, with what it knows,
and exit status 2, before it starts anything (suites/cli_names.py). Each command runs as its
own process with a name that cannot exist, so nothing is started or timed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from suites.cli_names import split_names, unknown_name

ROOT = Path(__file__).resolve().parents[3]

# (module and arguments, the option's message, one name it must list as known)
COMMANDS = [
    (["suites.e2e.hostperf.hosting_bench", "--servers", "gunicorn-gthread-wsgi"],
     "unknown server 'gunicorn-gthread-wsgi'", "gunicorn-gthread"),
    (["suites.e2e.hostperf.hosting_bench", "--apps", "starlette-app-json,no-such-app"],
     "unknown app 'no-such-app'", "starlette-app-json"),
    (["suites.e2e.hostperf.million", "--server", "no-such-server"],
     "unknown server 'no-such-server'", "lapwise-asgi"),
    (["suites.e2e.hostperf.floors", "--only", "no-such-floor"],
     "unknown floor 'no-such-floor'", "flask-json"),
    (["suites.e2e.websocket.ws_echo_bench", "--out", "{tmp}", "--adapters", "websocket/no-such"],
     "unknown server 'websocket/no-such'", "websocket/lapwise-core"),
    (["suites.e2e.websocket.ws_conformance", "--out", "{tmp}", "--adapters", "websocket/no-such*"],
     "server pattern 'websocket/no-such*' matches nothing", "websocket/uvicorn-websockets"),
    (["suites.e2e.static_files.static_bench", "--only", "no-such-server"],
     "unknown server@app case 'no-such-server'", "nginx@location-sendfile"),
    (["suites.e2e.sse.sse_streams", "--server", "no-such-server"],
     "unknown server 'no-such-server'", "uvicorn"),
    (["suites.e2e.hosting.peer_cpu", "uvicorn-h11@starlette-app", "no-such@flask-app"],
     "unknown server@app pair 'no-such@flask-app'", "lapwise-wsgi@flask-app"),
    (["suites.conformance.hosting_table", "--servers", "no-such-server"],
     "unknown server 'no-such-server'", "gunicorn-gthread"),
    (["suites.laps.hosted_family", "--app", "flask-json"],
     "unknown app 'flask-json'", "fastapi-app-items"),
    (["suites.runner", "--root", str(ROOT), "--build", "{tmp}", "--kind", "router,no-such-kind"],
     "unknown kind 'no-such-kind'", "websocket"),
    (["suites.runner", "--root", str(ROOT), "--build", "{tmp}", "--adapters", "router/*,html/native-avx3"],
     "unknown adapter 'html/native-avx3'", "html/native-avx2"),
    (["suites.runner", "--root", str(ROOT), "--build", "{tmp}", "--adapters", "laps/*"],
     "adapter pattern 'laps/*' matches nothing", "pipeline/lapwise"),
    (["suites.runner", "--root", str(ROOT), "--build", "{tmp}", "--adapters", "server/uvicorn-starlette"],
     "unknown adapter 'server/uvicorn-starlette'", "server/uvicorn"),
]


@pytest.mark.parametrize("argv,message,known", COMMANDS, ids=[" ".join(c[0][:1] + c[0][-2:]) for c in COMMANDS])
def test_unknown_name_is_refused_by_name(argv, message, known, tmp_path):
    cmd = [sys.executable, "-m", *(a.replace("{tmp}", str(tmp_path)) for a in argv)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 2, f"{' '.join(argv)} exited {out.returncode}: {out.stderr[-400:]}"
    assert "Traceback" not in out.stderr, out.stderr[-400:]
    line = next((ln for ln in out.stderr.splitlines() if message in ln), "")
    assert line, f"{' '.join(argv)}: no {message!r} in {out.stderr[-400:]!r}"
    assert "(known: " in line and known in line.split("(known: ", 1)[1], line
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_names_and_patterns():
    known = ["websocket/lapwise-core", "websocket/uvicorn-websockets"]
    assert split_names(["a,b", " c ", ""]) == ["a", "b", "c"]
    assert split_names(None) == []
    assert unknown_name("server", "websocket/lapwise-core", known) is None
    assert unknown_name("server", "websocket/*", known, globs=True) is None
    assert unknown_name("server", "websocket/*", known) == (
        "unknown server 'websocket/*' (known: websocket/lapwise-core, websocket/uvicorn-websockets)")
    assert unknown_name("server", "websocket/x*", known, globs=True).startswith(
        "server pattern 'websocket/x*' matches nothing")
    # Another kind's part of a shared selection belongs to another suite.
    assert unknown_name("server", "router/*,parser/native", known, globs=True, kind="websocket") is None
    assert unknown_name("server", "router/*,lapwise-core", known, globs=True, kind="websocket") == (
        "unknown server 'lapwise-core' (known: websocket/lapwise-core, websocket/uvicorn-websockets)")


def test_ci_bench_selects_adapters_their_variants_and_pipelines():
    from suites.runner.selectable import selectable_names

    known = selectable_names()
    for selection in ("router/native,router/starlette", "html/native-avx2,parser/native-*,json/native-reader",
                      "pipeline/*,server/uvicorn", "*", "*/*", "websocket/lapwise-*"):
        assert unknown_name("adapter", selection, known, globs=True) is None, selection

"""The lap runner's own logic, without timing anything for real: the inputs and their
expected answers, the answer checks (a wrong answer is caught), the native driver's output
checks, the timer's protocol, and the records written for n/a steps."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from suites.laps import lap_families, lap_inputs, lap_timer, laps_bench


@pytest.fixture(scope="module", params=lap_inputs.SCENARIOS)
def inputs(request):
    import datasets

    try:
        return lap_inputs.load(request.param)
    except datasets.DatasetMissing as exc:
        pytest.skip(str(exc))


def test_inputs_expected_answers(inputs):
    route = inputs.routes[inputs.expected_value]
    assert route[0] == inputs.method
    assert inputs.request.startswith(f"{inputs.method} {inputs.path}?{inputs.query} HTTP/1.1\r\n".encode())
    assert inputs.request.endswith(b"\r\n\r\n")
    if inputs.scenario == "users":
        assert inputs.expected_kwargs == {"id": 42}
        assert inputs.expected_body == {"id": 42, "name": "user42", "q": "abc"}
    else:
        assert inputs.expected_params == {"owner": "julienschmidt", "repo": "httprouter"}
        assert len(inputs.routes) == 203 and len(inputs.headers) == 9


@pytest.mark.parametrize("pattern, canonical", [
    ("/a/:id", "/a/{id}"), ("/static/*filepath", "/static/{filepath:path}"), ("/*", "/{path:path}"),
    ("/plain", "/plain"),
])
def test_to_canonical(pattern, canonical):
    assert lap_inputs.to_canonical(pattern) == canonical


def test_python_glue_steps_give_the_expected_answers(inputs):
    parsed = SimpleNamespace(method=inputs.method, path=inputs.path, query=inputs.query,
                             target=f"{inputs.path}?{inputs.query}", version="1.1",
                             headers=list(inputs.headers))
    scope = lap_families.build_scope(parsed)
    assert lap_families.check("build_request", scope, inputs) is None
    assert lap_families.check("build_request", lap_families.peer_build_request(parsed), inputs) is None
    match = SimpleNamespace(value=inputs.expected_value, params=dict(inputs.expected_params))
    kwargs = lap_families.make_params(inputs)(match)
    assert lap_families.check("params", kwargs, inputs) is None
    body = lap_families.make_handler(inputs)((kwargs, list(inputs.expected_query)))
    assert lap_families.check("handler", body, inputs) is None
    raw = json.dumps(body, separators=(",", ":")).encode()
    for build in (lap_families.build_response, lap_families.peer_build_response):
        assert lap_families.check("response", build(raw), inputs) is None


@pytest.mark.parametrize("step, wrong", [
    ("route", SimpleNamespace(value=0, params={})),
    ("params", {"owner": "someone"}),
    ("query", [("a", "b")]),
    ("handler", {}),
    ("serialize", b'{"x":1}'),
    ("response", b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
    ("response", b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 99\r\n\r\n{}"),
    ("parse", object()),
])
def test_wrong_answers_are_caught(inputs, step, wrong):
    assert lap_families.check(step, wrong, inputs) is not None


def test_native_output_checks(inputs):
    body = json.dumps(inputs.expected_body, separators=(",", ":"))
    good = {"steps": {"serialize": {"ns": 1.0, "check": body},
                      "route": {"ns": 1.0, "check": {"value": inputs.expected_value,
                                                     "params": inputs.expected_params}}},
            "pipeline": {"ns": 2.0, "check": "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                                             f"content-length: {len(body)}\r\n\r\n{body}"}}
    laps_bench.verify_native(good, inputs)
    assert "error" not in good["steps"]["serialize"] and "check" not in good["pipeline"]
    bad = {"steps": {"route": {"ns": 1.0, "check": {"value": 9999, "params": {}}}}, "pipeline": {}}
    laps_bench.verify_native(bad, inputs)
    assert bad["steps"]["route"]["error"].startswith("wrong answer")


def test_unavailable_adapters_are_na_not_errors(inputs):
    steps = lap_families.build("native-py", inputs, selection="nothing/*")
    for name in ("parse", "route", "query", "serialize"):
        assert steps[name].fn is None and steps[name].na.startswith("n/a: ")
    assert lap_families.pipeline(steps) is None


def test_timer_protocol():
    calls = []
    t = lap_timer.measure(calls.append, 1, batches=3, min_batch_ns=10_000)
    assert t.batches == 3 and t.batch >= 1 and t.ns > 0
    # calibration, one warm-up batch and three timed ones all ran the step
    assert len(calls) >= 4 * t.batch
    with pytest.raises(ValueError):
        lap_timer.measure(calls.append, 1, batches=0, min_batch_ns=1)


def test_records_for_samples_and_na():
    runner = SimpleNamespace(processes=2, batches=3, min_batch_us=5.0)
    cells = {("api", "peer", "parse"): {"samples": [10.0, 11.0], "impl": "parser/httptools", "batch": 8},
             ("api", "native-py", "parse"): {"samples": [], "na": "n/a: parser/native not built"}}
    recs = {r.adapter: r for r in laps_bench.to_records(cells, runner)}
    assert recs["laps/peer"].samples == [10.0, 11.0] and recs["laps/peer"].unit == "ns"
    assert recs["laps/peer"].id == "laps.parse[api]/peer"
    assert recs["laps/native-py"].metric == "missing"
    assert recs["laps/native-py"].extra["reason"] == "n/a: parser/native not built"


def test_fresh_inputs_are_new_objects_for_every_call():
    made, seen = [], []

    def make():
        made.append(object())
        return made[-1]

    t = lap_timer.measure_fresh(seen.append, make, batches=2, min_batch_ns=10_000, max_pool=64)
    assert t.batch <= 64 and t.batches == 2
    assert len({id(x) for x in seen}) == len(seen) == len(made)  # no input reused


def test_fresh_bytes_is_equal_but_not_the_same_object():
    from suites.laps import lap_child

    buf = b"GET / HTTP/1.1\r\n\r\n"
    copy = lap_child.fresh_bytes(buf)
    assert copy == buf and copy is not buf


def test_plaintext_pipeline_routes_to_plaintext_and_is_verified():
    inputs = lap_inputs.load("users")
    req = lap_families.plaintext_request(inputs)
    assert req.startswith(b"GET /plaintext HTTP/1.1\r\n") and req.endswith(b"\r\n\r\n")
    for family in ("py-baseline", "peer"):
        steps = lap_families.build(family, inputs)
        if any(steps[n].fn is None for n in ("parse", "build_request", "route")):
            continue
        assert lap_families.check_plaintext(family, steps, inputs) is None
        run = lap_families.plaintext_pipeline(family, steps, inputs)
        assert run(req).endswith(b"\r\n\r\n" + lap_families.PLAINTEXT_BODY)
        # a router that sends /plaintext elsewhere is a wrong answer, not a timing
        wrong = dict(steps)
        wrong["route"] = lap_families.Step("route", lambda r: SimpleNamespace(value=99, params={}),
                                           "wrong")
        assert "matched" in lap_families.check_plaintext(family, wrong, inputs)


def test_plaintext_pipeline_is_none_without_a_plaintext_route(inputs):
    steps = lap_families.build("py-baseline", inputs)
    has_route = ("GET", "/plaintext") in inputs.routes
    assert (lap_families.plaintext_pipeline("py-baseline", steps, inputs) is not None) is has_route


# --- the reconciliation's request and the in-context timing (lap_context.py) -------------

def _app_requests():
    from suites.e2e.server_bench import app_requests

    return app_requests


def test_users_request_is_byte_for_byte_what_lapwise_load_sends():
    """suites/load/src/request_set.cc: request line, the Host it adds (the server's ephemeral
    port), the request's own headers, an empty line; a GET without a body."""
    spec = _app_requests().ROUTES["users"]
    wire = (f"{spec.method} {spec.target} HTTP/1.1\r\nHost: 127.0.0.1:40000\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in spec.headers.items()) + "\r\n").encode()
    assert not spec.body
    assert lap_inputs.USERS_REQUEST == wire
    users = lap_inputs.load("users")
    assert json.dumps(users.expected_body, separators=(",", ":")).encode() == spec.expect_body


def test_context_request_file_is_the_end_to_end_suites(tmp_path):
    from suites.laps import lap_context

    app = _app_requests()
    users = lap_inputs.load("users")
    for route, request in (("users", users.request),
                           ("plaintext", lap_families.plaintext_request(users))):
        spec = app.ROUTES[route]
        got = lap_context.request_file(request, len(spec.expect_body), tmp_path).read_text()
        assert got == app.request_file_text(spec)


def test_context_batches_subtract_the_clock_cost_and_failures_are_counted():
    from suites.laps import lap_context

    assert lap_context._batched_median([10] * 256 + [20] * 256 + [30] * 256, 256, 3.0) == 17.0
    report = {"requests": {"ok": 5, "failed": 2}, "warmup": {"ok": 1, "failed": 1},
              "errors": {"body": 2}}
    assert lap_context._failed(report) == 3
    assert lap_context._failed({"requests": {"ok": 5, "failed": 0}}) == 0


def _load_binary():
    import os

    for d in filter(None, (os.environ.get("LAPWISE_BUILD_DIR"),)):
        exe = laps_bench.load_binary(Path(d))
        if exe.exists():
            return exe
    pytest.skip("lapwise-load not built in $LAPWISE_BUILD_DIR")


def test_in_context_timing_serves_verified_answers_and_refuses_wrong_ones():
    from suites.laps import lap_context

    inputs = lap_inputs.load("users")
    steps = lap_families.build("py-baseline", inputs)
    run = lap_families.plaintext_pipeline("py-baseline", steps, inputs)
    req = lap_families.plaintext_request(inputs)
    exe = _load_binary()
    t = lap_context.time_in_context(run, req, len(lap_families.PLAINTEXT_BODY), load=exe,
                                    seconds=0.2, warmup=0.05, connections=4, batch=16)
    assert t.requests >= 16 and t.pipeline_ns > 0 and t.write_ns > 0
    # lapwise-load checks every body length: a wrong one fails the run, it is not timed
    with pytest.raises(RuntimeError, match="failed request"):
        lap_context.time_in_context(run, req, 99, load=exe, seconds=0.1, warmup=0.05,
                                    connections=2)


def test_child_reports_context_na_without_lapwise_load():
    from suites.laps import lap_child

    result = {"pipeline": {"ns": 1.0}, "pipeline_plaintext": {"ns": 1.0}}
    inputs = lap_inputs.load("users")
    out = lap_child._time_in_context("py-baseline", {}, inputs, result, None, 0.1)
    assert set(out) == {"pipeline_ctx", "write_ctx", "pipeline_plaintext_ctx",
                        "write_plaintext_ctx"}
    assert all(v["na"].startswith("n/a: lapwise-load") for v in out.values())


def test_insitu_times_the_servers_steps_once_per_request():
    """suites/laps/insitu.py against the real py-asyncio server: every /users request is parsed
    once and handled once (no hidden second pass), and the load saw no failure."""
    from suites.laps import insitu

    exe = _load_binary()
    got = insitu.run(SimpleNamespace(steps="py-baseline", route="users", regions="parse,handle",
                                     seconds=0.3, warmup=0.1, connections=4, load=str(exe)))
    assert got["requests"] > 0 and got["load_failed"] == 0
    for region in ("parse", "handle"):
        assert got["regions"][region]["calls_per_request"] == 1.0
        assert got["regions"][region]["ns_per_call"] > 0

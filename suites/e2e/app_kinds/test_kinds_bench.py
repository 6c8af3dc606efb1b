"""The kinds bench's servers: each shape answers /json and /users alike, with the route kind and
the middleware it names; an unknown shape or path is refused by name."""

from __future__ import annotations

import json
import urllib.request

import pytest

from lapwise import _native_status
from suites.e2e.app_kinds.kinds_bench import EXPECTED, known, main
from suites.e2e.app_kinds.kinds_server import SHAPES, build

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_answers_json(shape):
    app = build(shape)
    route = app._routes[0]
    assert route.pattern == "/json"
    assert len(app._middleware) == (1 if shape.endswith("_mw") else 0)
    assert len(app._wrappers) == (1 if shape.endswith("+cors") else 0)
    with app.serve(port=0) as srv:
        for path, expected in EXPECTED.items():
            with urllib.request.urlopen(srv.url + path, timeout=10) as r:
                assert json.loads(r.read()) == expected


def test_unknown_shapes_are_refused_by_name(capsys):
    with pytest.raises(ValueError, match="'nope'"):
        build("nope")
    with pytest.raises(SystemExit):
        main(["--shapes", "def,nope"])
    assert "unknown shapes nope" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--paths", "/nope"])
    assert "unknown paths /nope" in capsys.readouterr().err
    assert known("async@thread") and known("mixed@base") and known("uvicorn")
    assert not known("async@nope") and not known("nope@thread")

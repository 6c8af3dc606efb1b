"""The layering rule holds on this tree, and the checker catches each kind of violation (shown
on small trees made in a temporary directory)."""

from __future__ import annotations

from pathlib import Path

from suites.layering.rules import check

ROOT = Path(__file__).resolve().parents[2]


def test_the_tree_keeps_the_layering_rule() -> None:
    violations = check(ROOT)
    assert not violations, "\n".join(map(str, violations))


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "adapters/lapwise/app.py": "import json\nfrom . import _native\nimport lapwise.http\n",
        "suites/adapters/router/native.py": "import lapwise\nfrom suites.adapters import registry\n",
        "reports/build.py": "from suites.results import Record\n",
        "cores/router/src/router.cc": '#include "lapwise/router/router.h"\n#include <vector>\n',
        "cores/router/include/lapwise/router/router.h": "#pragma once\n",
        "adapters/bindings/bind_router.cc": "#include <pybind11/pybind11.h>\n",
    })
    assert check(root) == []


def test_the_product_importing_the_harness_or_numpy_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"adapters/lapwise/bad.py": (
        "import os\n\n\ndef f():\n    from suites.adapters import registry\n    import numpy as np\n")})
    found = [str(v) for v in check(root)]
    assert found == [
        "adapters/lapwise/bad.py:5: uses suites.adapters: the product imports neither the harness "
        "nor numpy/pandas",
        "adapters/lapwise/bad.py:6: uses numpy: the product imports neither the harness nor "
        "numpy/pandas"]


def test_the_harness_importing_the_report_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"suites/laps/x.py": "from reports import laps\n"})
    (v,) = check(root)
    assert (v.path, v.line, v.used) == ("suites/laps/x.py", 1, "reports")


def _found(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    """(file, line, what it uses) of every violation in a small tree of ``files``."""
    return sorted((v.path, v.line, v.used.split(" ")[0]) for v in check(_tree(tmp_path, files)))


def test_a_core_including_python_or_the_harness_fails(tmp_path: Path) -> None:
    assert _found(tmp_path, {
        "cores/parser/src/a.cc": '#include <vector>\n#include <pybind11/pybind11.h>\n#include "gate_driver.h"\n',
        "suites/gate/drivers/gate_driver.h": "#pragma once\n",
        "cores/parser/src/b.cc": '#include "../../../adapters/bindings/bindings.h"\n#include <Python.h>\n',
        "adapters/bindings/bindings.h": "#pragma once\n",
    }) == [("cores/parser/src/a.cc", 2, "pybind11/pybind11.h"),
           ("cores/parser/src/a.cc", 3, "gate_driver.h"),
           ("cores/parser/src/b.cc", 1, "../../../adapters/bindings/bindings.h"),
           ("cores/parser/src/b.cc", 2, "Python.h")]


def test_bindings_including_the_harness_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "adapters/bindings/bind_x.cc": '#include "load/driver.h"\n',
        "suites/load/driver.h": "#pragma once\n",
    })
    (v,) = check(root)
    assert (v.path, v.line) == ("adapters/bindings/bind_x.cc", 1)
    assert "suites/load/driver.h" in v.used


def test_the_dataset_loader_using_a_core_or_the_product_fails(tmp_path: Path) -> None:
    assert _found(tmp_path, {
        "datasets/cpp/lapwise_datasets/datasets.h": '#include "lapwise/router/router.h"\n',
        "cores/router/include/lapwise/router/router.h": "#pragma once\n",
        "datasets/route_gen.py": "from lapwise import Router\n",
        "cores/router/bench/router_bench.cc": '#include "lapwise_datasets/datasets.h"\n',
    }) == [("datasets/cpp/lapwise_datasets/datasets.h", 1, "lapwise/router/router.h"),
           ("datasets/route_gen.py", 1, "lapwise")]


def test_build_trees_are_not_source(tmp_path: Path) -> None:
    """A copy of a harness header in a build tree (the wheel test clones the repository there)
    neither hides a violation nor is checked itself."""
    root = _tree(tmp_path, {
        "cores/router/src/a.cc": '#include "gate_driver.h"\n',
        "suites/gate/drivers/gate_driver.h": "#pragma once\n",
        "build/wheel_test/src/suites/gate/drivers/gate_driver.h": "#pragma once\n",
        "build/wheel_test/src/adapters/lapwise/x.py": "import numpy\n",
    })
    assert [(v.path, v.line) for v in check(root)] == [("cores/router/src/a.cc", 1)]

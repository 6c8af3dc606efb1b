"""``pip install .`` as a user does it: a wheel built offline from a fresh clone of this
repository (Debian's setuptools and CMake, no build isolation), installed into a new venv outside
the tree, and adapters/README.md's example run there: an App serves a request on 127.0.0.1:0,
the Client fetches it, the Router matches, JSON round-trips. The package and its compiled module
must come from the venv, never from the source tree.

The work folder sits at a fixed place in the build tree, so the C++ compiles hit ccache from the
second run on. The clone is of HEAD: uncommitted changes are not in the wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("LAPWISE_BUILD_DIR") or ROOT / "build") / "wheel_test"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, as the README's set-up uses

CHECKS = '''
import pathlib, sys
import lapwise, lapwise._native
venv = pathlib.Path(sys.prefix).resolve()
for module in (lapwise, lapwise._native):
    where = pathlib.Path(module.__file__).resolve()
    assert venv in where.parents, f"{module.__name__} imported from {where}, not from {venv}"
print("wheel smoke: ok from", pathlib.Path(lapwise.__file__).parent)
'''


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{' '.join(cmd)} exited {out.returncode}:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


def _clean_env() -> dict[str, str]:
    """The environment without the tree's import paths (ctest puts them on PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    if shutil.which("ccache"):
        env.setdefault("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")
    return env


@pytest.fixture(scope="module")
def wheel() -> Path:
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout: the wheel is built from a clone")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    _run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(WORK / "src")])
    _run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
          "--wheel-dir", str(WORK / "dist"), str(WORK / "src")], env=_clean_env(), cwd=WORK)
    (built,) = (WORK / "dist").glob("lapwise-*.whl")
    return built


def test_the_wheel_holds_the_product_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert any(re.fullmatch(r"lapwise/_native\..*\.so", n) for n in names), names
    assert {"lapwise/__init__.py", "lapwise/_native.pyi", "lapwise/py.typed", "lapwise/http.py",
            "lapwise/json.py", "lapwise/query.py", "lapwise/router.py", "lapwise/app.py"} <= set(names)
    assert not [n for n in names if n.split("/")[0] in ("suites", "reports", "datasets", "tests")]


def test_the_installed_wheel_runs_the_readme_example(wheel: Path) -> None:
    venv = WORK / "venv"
    _run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(venv)])
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
          str(wheel)], env=_clean_env())
    readme = (WORK / "src" / "adapters" / "README.md").read_text()
    example = re.search(r"```python\n(.*?)```", readme, re.S)
    assert example, "adapters/README.md has no python example"
    smoke = WORK / "smoke.py"
    smoke.write_text(example.group(1) + CHECKS)
    out = _run([str(venv / "bin" / "python"), str(smoke)], env=_clean_env(), cwd=WORK, timeout=120)
    assert "wheel smoke: ok" in out.stdout

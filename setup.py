"""Builds lapwise's compiled module for ``pip install .`` (the rest is in pyproject.toml).

There is no scikit-build-core in Debian, so build_ext runs CMake itself: it configures the tree
with only the cores and the bindings (no tests, benchmarks or harness), builds the one target
``lapwise_native`` and copies the module into the wheel. ccache is used when
CMAKE_CXX_COMPILER_LAUNCHER says so (CMake reads it from the environment).

The CMake tree is ``build-wheel/`` beside the sources, one level down like ci/bootstrap's
``build/``: compile commands then name the same relative paths, so with ccache's base_dir a
wheel built after the development build (or from a clone of it) compiles nothing again, and a
second ``pip install .`` is incremental.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build_dir = ROOT / "build-wheel"
        configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir),
                     "-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}",
                     "-DLAPWISE_BUILD_TESTS=OFF", "-DLAPWISE_BUILD_BENCHES=OFF",
                     "-DLAPWISE_BUILD_HARNESS=OFF"]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        subprocess.run(configure, check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(min(os.cpu_count() or 1, 2))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "lapwise_native",
                        "-j", jobs], check=True)
        built = sorted((build_dir / "python" / "lapwise").glob("_native*.so"))
        if not built:
            raise RuntimeError(f"CMake built no lapwise/_native*.so under {build_dir}")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(ext_modules=[Extension("lapwise._native", sources=[])], cmdclass={"build_ext": CMakeBuild})

"""Head-vs-base: build the merge base and the current tree side by side and gate the difference
(pull-request style). The base source is exported with ``git archive`` (the repository's state
is never touched: no checkout, no worktree); both trees build only their gate drivers.

Then every head benchmark is gated twice against the same benchmark of the base build: by
instruction count (exact) and by same-run interleaved wall-time ratio.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

from .built_drivers import GateError
from .config import ROOT


def git(*args: str, cwd: Path = ROOT) -> str:
    out = subprocess.run(["git", *args], capture_output=True, text=True, cwd=cwd)
    if out.returncode != 0:
        raise GateError(f"git {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout.strip()


def default_base_ref(cwd: Path = ROOT) -> str:
    """origin/main when the clone has it (a pull request's target), else HEAD (gates the
    uncommitted working tree against the last commit)."""
    try:
        git("rev-parse", "--verify", "--quiet", "origin/main", cwd=cwd)
        return "origin/main"
    except GateError:
        return "HEAD"


def merge_base(ref: str, cwd: Path = ROOT) -> str:
    """The commit to build as base: the merge base of HEAD and ``ref``."""
    return git("merge-base", "HEAD", ref, cwd=cwd)


def export_tree(commit: str, dest: Path, cwd: Path = ROOT) -> Path:
    """Writes the tree of ``commit`` into ``dest`` (once; reused when already there)."""
    marker = dest / ".lapwise-gate-export"
    if marker.exists() and marker.read_text().strip() == commit:
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    data = subprocess.run(["git", "archive", "--format=tar", commit], capture_output=True, cwd=cwd)
    if data.returncode != 0:
        raise GateError(f"git archive {commit}: {data.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(data.stdout)) as tar:
        for member in tar.getmembers():  # git's own archive, but never write outside dest
            if member.name.startswith("/") or ".." in Path(member.name).parts:
                raise GateError(f"git archive {commit}: unsafe path {member.name!r}")
        tar.extractall(dest)
    marker.write_text(commit + "\n")
    return dest


def build_drivers(source: Path, build: Path, *, datasets_dir: str, jobs: int,
                  log: Callable[[str], None]) -> str | None:
    """Configures (once) and builds the gate_drivers target; returns None, or why it failed."""
    if not (build / "build.ninja").exists():
        configure = ["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
                     "-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}",
                     "-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF", "-DLAPWISE_BUILD_TESTS=OFF",
                     "-DLAPWISE_BUILD_BENCHES=OFF", f"-DLAPWISE_DATASETS_DIR={datasets_dir}"]
        log(f"configuring {build}")
        out = subprocess.run(configure, capture_output=True, text=True)
        if out.returncode != 0:
            return f"configure failed: {out.stderr.strip()[-400:]}"
    log(f"building gate_drivers in {build}")
    out = subprocess.run(["cmake", "--build", str(build), "--target", "gate_drivers", f"-j{jobs}"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        tail = (out.stdout + out.stderr).strip()[-400:]
        return f"build failed: {tail}"
    return None

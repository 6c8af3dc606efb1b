"""Head-vs-base: build the merge base and the current tree side by side and gate the difference
(pull-request style). The base source is exported with ``git archive`` (the repository's state
is never touched: no checkout, no worktree, so a shared repository's other worktrees never see
it) into ``<work>/base-src``, and built in ``<work>/base-src/build``: the same layout as any
checkout's ``build/``, so that with ccache (base_dir above the checkouts) every source the base
shares with a build made elsewhere is a cache hit. Only the gate drivers are built.

Then every head benchmark is gated twice against the same benchmark of the base build: by
instruction count (exact) and by same-run interleaved wall-time ratio.
"""

from __future__ import annotations

import io
import shutil
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


def _has(ref: str, cwd: Path) -> bool:
    try:
        git("rev-parse", "--verify", "--quiet", ref + "^{commit}", cwd=cwd)
        return True
    except GateError:
        return False


def ci_base(ref: str | None = None, cwd: Path = ROOT) -> tuple[str | None, str]:
    """The base CI gates HEAD against, and how it was chosen; (None, why) when there is none.

    The merge base with the main line (``ref``, else origin/main, else main): what a pull
    request changes. When HEAD is on the main line (the merge base is HEAD itself), the previous
    commit: what the last commit changed. A commit without a parent (a fresh clone with one
    commit) has no base.
    """
    head = git("rev-parse", "HEAD", cwd=cwd)
    if ref is None:
        ref = next((r for r in ("origin/main", "main") if _has(r, cwd)), None)
    base, how = None, ""
    if ref is not None:
        try:
            base = merge_base(ref, cwd)
            how = f"merge base of HEAD and {ref}"
        except GateError:
            base = None  # unrelated histories or a shallow clone: fall back to the parent
    if base is None or base == head:
        if not _has("HEAD~1", cwd):
            return None, ("HEAD " + head[:12] + " has no parent commit and no main line to "
                          "compare with (a fresh clone with one commit)")
        base = git("rev-parse", "HEAD~1", cwd=cwd)
        how = "previous commit (HEAD is on " + (ref or "the main line") + ")" if ref else "previous commit"
    return base, how


def export_tree(commit: str, dest: Path, cwd: Path = ROOT) -> Path:
    """Writes the tree of ``commit`` into ``dest`` (once; reused when already there)."""
    marker = dest / ".lapwise-gate-export"
    if marker.exists() and marker.read_text().strip() == commit:
        return dest
    if dest.exists():  # another commit's export: files it has and this one lacks must go
        shutil.rmtree(dest)
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


def _gate_targets(build: Path, names: list[str] | None) -> list[str]:
    """The driver targets to build: gate_<name> for each name the build defines (a base may
    lack a new driver), else everything (gate_drivers: drivers and their injected twins)."""
    if names is None:
        return ["gate_drivers"]
    out = subprocess.run(["cmake", "--build", str(build), "--target", "help"], capture_output=True, text=True)
    have = {line.split(":")[0].strip() for line in out.stdout.splitlines()}
    targets = [f"gate_{n}" for n in names if f"gate_{n}" in have]
    return targets or ["gate_drivers"]


def build_drivers(source: Path, build: Path, *, datasets_dir: str, jobs: int,
                  log: Callable[[str], None], names: list[str] | None = None) -> str | None:
    """Configures (once) and builds the gate drivers (``names``: only those drivers, without
    their injected twins); returns None, or why it failed."""
    if not (build / "build.ninja").exists():
        configure = ["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
                     "-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}",
                     "-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF", "-DLAPWISE_BUILD_TESTS=OFF",
                     "-DLAPWISE_BUILD_BENCHES=OFF", f"-DLAPWISE_DATASETS_DIR={datasets_dir}"]
        # ccache whether or not the caller's environment asks for it: the base is a commit
        # that other builds have compiled already (without it, a base build takes minutes)
        if shutil.which("ccache"):
            configure += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", "-DCMAKE_C_COMPILER_LAUNCHER=ccache"]
        log(f"configuring {build}")
        out = subprocess.run(configure, capture_output=True, text=True)
        if out.returncode != 0:
            return f"configure failed: {out.stderr.strip()[-400:]}"
    targets = _gate_targets(build, names)
    log(f"building {' '.join(targets)} in {build}")
    out = subprocess.run(["cmake", "--build", str(build), "--target", *targets, f"-j{jobs}"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        tail = (out.stdout + out.stderr).strip()[-400:]
        return f"build failed: {tail}"
    return None

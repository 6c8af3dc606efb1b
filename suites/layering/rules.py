"""Which layer may use which: the dependency rule of the tree, checked on the source.

    datasets <- cores -> bindings -> lapwise (the product) -> suites (the harness) -> reports, notebooks

``datasets`` is the floor: the cores' tests and benches read its C++ loader and the harness its
Python one, and it uses nothing of lapwise.

Python imports are read with ``ast`` (every import, also those inside functions); C++
``#include`` lines are resolved against the tree (relative to the including file first, then
by path suffix among the tree's headers), so a header reached through an include path is
recognised as well. Every violation names the file, the line and the rule it breaks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

CXX_SUFFIXES = (".h", ".hh", ".hpp", ".cc", ".cpp")
SKIPPED_DIRS = {".git", ".venv", "__pycache__", "node_modules"}


def _skipped(rel_parts: tuple[str, ...]) -> bool:
    """Tool folders and build trees (build/, build-san/, ...: they hold generated files and
    even a clone of the tree) are not source."""
    return bool(SKIPPED_DIRS & set(rel_parts)) or rel_parts[0].startswith("build")


@dataclass(frozen=True)
class PythonRule:
    """Python files under ``tree`` must not import the top-level modules in ``forbidden``."""

    tree: str
    forbidden: frozenset[str]
    why: str


@dataclass(frozen=True)
class CxxRule:
    """C++ files under ``tree`` must not include headers of the trees in ``forbidden_trees``
    nor the system headers starting with ``forbidden_system``."""

    tree: str
    forbidden_trees: tuple[str, ...]
    forbidden_system: tuple[str, ...]
    why: str


PYTHON_RULES = (
    PythonRule("adapters/lapwise", frozenset({"suites", "reports", "datasets", "notebooks", "numpy",
                                              "pandas"}),
               "the product imports neither the harness nor numpy/pandas"),
    PythonRule("suites", frozenset({"reports", "notebooks"}),
               "the harness does not import the report builder or the notebooks"),
    PythonRule("datasets", frozenset({"lapwise", "suites", "reports", "notebooks"}),
               "the dataset loader is the floor: it uses nothing of lapwise"),
)

CXX_RULES = (
    CxxRule("cores", ("adapters", "suites"), ("Python.h", "pybind11/"),
            "a core includes nothing from the bindings, the harness or Python"),
    CxxRule("adapters/bindings", ("suites",), (),
            "the bindings include nothing from the harness"),
    CxxRule("datasets", ("cores", "adapters", "suites"), ("Python.h", "pybind11/"),
            "the dataset loader is the floor: the cores' tests and benches include it"),
)


@dataclass(frozen=True)
class Violation:
    path: str  # relative to the root, POSIX separators
    line: int
    used: str  # the imported module or the included header
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: uses {self.used}: {self.why}"


def _files(root: Path, tree: str, suffixes: tuple[str, ...]) -> Iterator[Path]:
    base = root / tree
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        if path.suffix in suffixes and not _skipped(path.relative_to(root).parts):
            yield path


def python_imports(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


_INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def cxx_includes(source: str) -> Iterator[tuple[int, str, bool]]:
    """(line, header, quoted) for every #include in ``source``."""
    for number, text in enumerate(source.splitlines(), 1):
        m = _INCLUDE.match(text)
        if m:
            yield number, m.group(2), m.group(1) == '"'


class HeaderIndex:
    """Where a header named in an #include lives in the tree (by path suffix)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.by_name: dict[str, list[PurePosixPath]] = {}
        for path in _files(root, ".", (".h", ".hh", ".hpp")):
            rel = PurePosixPath(path.relative_to(root).as_posix())
            self.by_name.setdefault(rel.name, []).append(rel)

    def resolve(self, including: Path, header: str) -> list[PurePosixPath]:
        """The tree's files an include of ``header`` from ``including`` may reach."""
        local = including.parent / header
        if local.is_file():
            return [PurePosixPath(local.resolve().relative_to(self.root.resolve()).as_posix())]
        suffix = PurePosixPath(header)
        return [p for p in self.by_name.get(suffix.name, [])
                if p.parts[-len(suffix.parts):] == suffix.parts]


def _under(path: PurePosixPath, tree: str) -> bool:
    return path.parts[:len(PurePosixPath(tree).parts)] == PurePosixPath(tree).parts


def check_python(root: Path, rules: Iterable[PythonRule] = PYTHON_RULES) -> list[Violation]:
    found = []
    for rule in rules:
        for path in _files(root, rule.tree, (".py", ".pyi")):
            rel = path.relative_to(root).as_posix()
            for line, module in python_imports(path.read_text(encoding="utf-8")):
                if module.split(".")[0] in rule.forbidden:
                    found.append(Violation(rel, line, module, rule.why))
    return found


def check_cxx(root: Path, rules: Iterable[CxxRule] = CXX_RULES) -> list[Violation]:
    index = HeaderIndex(root)
    found = []
    for rule in rules:
        for path in _files(root, rule.tree, CXX_SUFFIXES):
            rel = path.relative_to(root).as_posix()
            for line, header, quoted in cxx_includes(path.read_text(encoding="utf-8", errors="replace")):
                if header.startswith(rule.forbidden_system):
                    found.append(Violation(rel, line, header, rule.why))
                    continue
                reached = index.resolve(path, header) if quoted or "/" in header else []
                if reached and all(any(_under(p, t) for t in rule.forbidden_trees) for p in reached):
                    found.append(Violation(rel, line, f"{header} ({reached[0]})", rule.why))
    return found


def check(root: Path) -> list[Violation]:
    return check_python(root) + check_cxx(root)

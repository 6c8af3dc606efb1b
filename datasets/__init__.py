"""Finds and reads ../shared/datasets (never copied into the project).

The folder is ``$LAPWISE_DATASETS_DIR`` if set, else ``<repo>/../shared/datasets``. A missing
folder or file raises ``DatasetMissing`` naming the path; suites turn that into a skip with the
same message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


class DatasetMissing(FileNotFoundError):
    pass


def root() -> Path:
    env = os.environ.get("LAPWISE_DATASETS_DIR")
    path = Path(env) if env else _REPO.parent / "shared" / "datasets"
    if not path.is_dir():
        raise DatasetMissing(f"shared datasets folder not found at {path} "
                             "(set LAPWISE_DATASETS_DIR or put shared/ beside the repository)")
    return path


def path(*parts: str) -> Path:
    p = root().joinpath(*parts)
    if not p.exists():
        raise DatasetMissing(f"dataset file not found: {p}")
    return p


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # httprouter syntax as in the files (:name, *name, bare *)


ROUTE_SETS = ("static", "github", "gplus", "parse", "node_router_benchmark")


def routes(name: str) -> list[Route]:
    """A route table from routes/<name>.txt, in file order."""
    out = []
    for lineno, line in enumerate(path("routes", f"{name}.txt").read_text().splitlines(), 1):
        method, sep, pattern = line.partition(" ")
        if not sep or not pattern.startswith("/"):
            raise ValueError(f"routes/{name}.txt:{lineno}: expected 'METHOD /path', got {line!r}")
        out.append(Route(method, pattern))
    return out


@dataclass(frozen=True)
class Lookup:
    dataset: str
    benchmark: str
    method: str
    path: str


def lookups() -> list[Lookup]:
    """The single-path lookups of routes/lookups.tsv (rows whose method is '*' describe the
    *All benchmarks, which request every route's pattern literally, and are left out)."""
    rows = path("routes", "lookups.tsv").read_text().splitlines()[1:]
    out = []
    for row in rows:
        dataset, benchmark, method, p = row.split("\t")
        if method != "*":
            out.append(Lookup(dataset, benchmark, method, p))
    return out


def http_request(name: str) -> bytes:
    """The exact bytes of http/<name>.http."""
    return path("http", f"{name}.http").read_bytes()


def http_requests() -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted(path("http").glob("*.http"))}


JSON_DOCS = ("twitter", "citm_catalog", "canada", "github")


def json_doc(name: str) -> bytes:
    return path("json", f"{name}.json").read_bytes()


def json_roundtrip() -> dict[str, bytes]:
    """roundtrip01..27: one-line documents that must serialize back byte-identical."""
    return {p.stem: p.read_bytes().strip() for p in sorted(path("json", "roundtrip").glob("*.json"))}


def html_pages() -> dict[str, bytes]:
    """The real pages of html/pages/ (name without .html -> bytes), sorted by name."""
    return {p.stem: p.read_bytes() for p in sorted(path("html", "pages").glob("*.html"))}


def querystring() -> str:
    return path("query", "querystrings.txt").read_text().strip()


def uri_decoding() -> list[tuple[str, str]]:
    """(encoded, decoded) pairs."""
    lines = path("query", "uri_decoding.tsv").read_text().splitlines()[1:]
    return [tuple(line.split("\t", 1)) for line in lines if line]

"""pytest-benchmark: every parser adapter on the same requests, answers verified first.

Scenarios (extra_info feeds suites.results.importers.pytest_benchmark):
  parser.request[<file stem>]        one request of the shared corpus per call
  parser.request_many[<file stem>]   parse_many over 100 copies (ops=100; native loops in C++)
  parser.headers[<N>]                cost growth over the header count, N = 1, 10, 50, 100
  parser.chunked_body[<bytes>]       cost growth over a chunked body of 0 B .. 1 MiB

Each timed call reads method, path, query and headers of the result (and the body where there
is one), so a lazy result pays for what a caller would use. Before timing, every adapter's
answer must equal parser/py-baseline's on the same input.
"""

from __future__ import annotations

import pytest

from suites.adapters.parser.base import ParsedRequest
from suites.adapters.parser.py_baseline import PyBaselineParser
from suites.adapters.pytest_params import adapter_params

ADAPTERS = adapter_params("parser")
MANY = 100
HEADER_COUNTS = (1, 10, 50, 100)
BODY_SIZES = (0, 1024, 64 * 1024, 1024 * 1024)
CHUNK = 8192


def _touch(r):
    return r.method, r.path, r.query, r.headers


def _touch_body(r):
    return r.method, r.path, r.query, r.headers, r.body


def _verified(parser, raw: bytes):
    want = PyBaselineParser().parse_request(raw)
    assert isinstance(want, ParsedRequest), f"the baseline rejects the input: {want!r}"
    got = parser.parse_request(raw)
    assert got == want, f"{type(parser).adapter_id()} disagrees with parser/py-baseline"
    return want


def _info(benchmark, cls, scenario: str, param: str, ops: int = 1) -> None:
    benchmark.extra_info.update(
        {"adapter": cls.adapter_id(), "scenario": scenario, "param": param, "ops": ops})


def _requests() -> dict[str, bytes]:
    import datasets

    try:
        return datasets.http_requests()
    except datasets.DatasetMissing:
        return {}


STEMS = sorted(_requests()) or ["(datasets missing)"]


def _request(stem: str, datasets) -> bytes:
    return datasets.http_request(stem)


def headers_request(n: int) -> bytes:
    """GET with n header fields (Host included), realistic lengths."""
    fields = ["Host: bench.example"] + [f"X-Bench-Field-{i:03d}: value-{i:03d}-abcdefghij"
                                        for i in range(1, n)]
    return ("GET /items/42?sort=asc&page=3 HTTP/1.1\r\n" + "".join(f + "\r\n" for f in fields)
            + "\r\n").encode()


def chunked_request(size: int) -> bytes:
    """POST whose body of `size` bytes is sent in chunks of at most CHUNK bytes."""
    body = bytes(i % 251 for i in range(size))
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + CHUNK]), body[i:i + CHUNK])
             for i in range(0, size, CHUNK)]
    return (b"POST /upload?kind=raw HTTP/1.1\r\nHost: bench.example\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(parts) + b"0\r\n\r\n")


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("cls", ADAPTERS)
def test_request(benchmark, cls, stem, datasets):
    raw = _request(stem, datasets)
    parser = cls()
    _verified(parser, raw)
    _info(benchmark, cls, "parser.request", stem)
    parse = parser.parse_request
    benchmark(lambda: _touch(parse(raw)))


@pytest.mark.parametrize("cls", ADAPTERS)
def test_request_many(benchmark, cls, datasets):
    stem = "picohttpparser_bench"
    raw = _request(stem, datasets)
    parser = cls()
    want = _verified(parser, raw)
    bufs = [raw] * MANY
    assert parser.parse_many(bufs) == [want] * MANY
    _info(benchmark, cls, "parser.request_many", stem, ops=MANY)
    parse_many = parser.parse_many
    benchmark(lambda: [_touch(r) for r in parse_many(bufs)])


@pytest.mark.parametrize("n", HEADER_COUNTS)
@pytest.mark.parametrize("cls", ADAPTERS)
def test_headers(benchmark, cls, n):
    raw = headers_request(n)
    parser = cls()
    want = _verified(parser, raw)
    assert len(want.headers) == n
    _info(benchmark, cls, "parser.headers", str(n))
    parse = parser.parse_request
    benchmark(lambda: _touch(parse(raw)))


@pytest.mark.parametrize("size", BODY_SIZES)
@pytest.mark.parametrize("cls", ADAPTERS)
def test_chunked_body(benchmark, cls, size):
    raw = chunked_request(size)
    parser = cls()
    want = _verified(parser, raw)
    assert len(want.body) == size and want.framing == "chunked"
    _info(benchmark, cls, "parser.chunked_body", str(size))
    parse = parser.parse_request
    benchmark(lambda: _touch_body(parse(raw)))

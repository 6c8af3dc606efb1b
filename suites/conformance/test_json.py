"""Every JSON adapter x every case: the shared documents (loads equal, dumps equal to the
stdlib with the same options), the round-trip files, and the hand-written dumps/loads table."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from conftest import adapter_params
from json_cases import DUMPS, LOADS, DumpsCase, LoadsCase

from lapwise.json.base import Json

ADAPTERS = adapter_params("json")
DOCS = ("twitter", "citm_catalog", "canada", "github")


def _make(adapter: type[Json], options: dict[str, bool]) -> Json:
    if not options:
        return adapter()
    try:
        return adapter(**options)
    except TypeError:
        pytest.skip(f"{adapter.adapter_id()} has no options {sorted(options)}")


def _same(a: Any, b: Any) -> bool:
    """== that also treats NaN as equal to NaN (for the NaN cases)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _check_recorded(adapter: type[Json], differs: dict[str, str], agrees: bool) -> None:
    reason = differs.get(adapter.adapter_id())
    if reason is not None:
        assert not agrees, f"recorded difference no longer holds, update the table: {reason}"
        pytest.xfail(reason)


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("doc", DOCS)
def test_shared_documents(adapter: type[Json], doc: str, datasets) -> None:
    data = datasets.json_doc(doc)
    reference = json.loads(data)
    impl = adapter()
    value = impl.loads(data)
    assert value == reference
    assert impl.loads(data.decode()) == reference  # str input too
    want = json.dumps(reference, separators=(",", ":"), ensure_ascii=False).encode()
    assert impl.dumps(value) == want


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("doc", DOCS)
def test_shared_documents_ensure_ascii(adapter: type[Json], doc: str, datasets) -> None:
    reference = json.loads(datasets.json_doc(doc))
    impl = _make(adapter, {"ensure_ascii": True})
    assert impl.dumps(reference) == json.dumps(reference, separators=(",", ":")).encode()


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_roundtrip_files(adapter: type[Json], datasets) -> None:
    """loads then dumps gives the file back byte for byte, except where Python's own float
    repr differs from the file's spelling (roundtrip27: the file has 1.7976931348623157e308,
    repr writes e+308; every Python-compatible writer does the same)."""
    impl = adapter()
    cases = datasets.json_roundtrip()
    assert len(cases) == 27
    for name, data in cases.items():
        out = impl.dumps(impl.loads(data))
        if name == "roundtrip27":
            assert out == data.replace(b"e308", b"e+308"), out
            continue
        assert out == data, f"{name}: {out!r} != {data!r}"


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("case", DUMPS, ids=[c.id for c in DUMPS])
def test_dumps_table(adapter: type[Json], case: DumpsCase) -> None:
    impl = _make(adapter, case.options)
    if isinstance(case.want, bytes):
        try:
            got: Any = impl.dumps(case.make())
        except Exception as exc:  # noqa: BLE001 - recorded below
            got = exc
        _check_recorded(adapter, case.differs, got == case.want)
        assert got == case.want
        return
    try:
        impl.dumps(case.make())
    except Exception as exc:  # noqa: BLE001 - checked below
        raised: BaseException | None = exc
    else:
        raised = None
    agrees = isinstance(raised, case.want)
    _check_recorded(adapter, case.differs, agrees)
    assert agrees, f"expected {case.want.__name__}, got {raised!r}"
    if case.message is not None and adapter.adapter_id() == "json/native":
        assert case.message in str(raised)


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("case", LOADS, ids=[c.id for c in LOADS])
def test_loads_table(adapter: type[Json], case: LoadsCase) -> None:
    impl = adapter()
    try:
        got: Any = impl.loads(case.data)
    except Exception as exc:  # noqa: BLE001 - compared below
        got = exc
    if isinstance(case.want, type) and issubclass(case.want, BaseException):
        agrees = isinstance(got, case.want)
    else:
        agrees = _same(got, case.want)
    _check_recorded(adapter, case.differs, agrees)
    assert agrees, f"{case.data[:40]!r}: {got!r} != {case.want!r}"


def test_native_decode_error_is_json_decode_error() -> None:
    from lapwise import _native_status

    if _native_status.error() is not None:
        pytest.skip(_native_status.error())
    native = _native_status.module()
    with pytest.raises(json.JSONDecodeError) as info:
        native.json_loads(b'{"a": [1, 2,, 3]}')
    assert info.value.pos > 0 and info.value.lineno == 1

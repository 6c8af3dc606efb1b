"""Every JSON adapter x every case: the shared documents (loads equal, dumps equal to the
stdlib with the same options), the round-trip files, and the hand-written dumps/loads table.

json/native spells float exponents 1e16/1e-5 where json.dumps writes 1e+16/1e-05;
where a test compares with json.dumps bytes, the reference is respelled for adapters that
declare "float_exponent" (suites.adapters.json._exponent), and the values are compared as well."""

from __future__ import annotations

import json
import math
import random
import struct
from typing import Any

import pytest

from suites.adapters.json._exponent import respell_exponents
from suites.adapters.json.base import Json
from suites.adapters.pytest_params import adapter_params
from suites.conformance.json_cases import DUMPS, LOADS, ROUNDTRIP_DIFFERS, DumpsCase, LoadsCase

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


def _reference(adapter: type[Json], stdlib_bytes: bytes) -> bytes:
    """What ``adapter`` must write for a value json.dumps writes as ``stdlib_bytes``."""
    if "float_exponent" in adapter.differences:
        return respell_exponents(stdlib_bytes)
    return stdlib_bytes


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
    out = impl.dumps(value)
    assert json.loads(out) == reference
    assert out == _reference(adapter, want)


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("doc", DOCS)
def test_shared_documents_ensure_ascii(adapter: type[Json], doc: str, datasets) -> None:
    reference = json.loads(datasets.json_doc(doc))
    impl = _make(adapter, {"ensure_ascii": True})
    want = json.dumps(reference, separators=(",", ":")).encode()
    assert impl.dumps(reference) == _reference(adapter, want)


ROUNDTRIP_NAMES = [f"roundtrip{i:02d}" for i in range(1, 28)]


def test_roundtrip_files_are_all_there(datasets) -> None:
    assert sorted(datasets.json_roundtrip()) == ROUNDTRIP_NAMES


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("name", ROUNDTRIP_NAMES)
def test_roundtrip_files(adapter: type[Json], name: str, datasets) -> None:
    """loads then dumps gives the file back byte for byte. json/native: all 27 files, no
    exception; peers that spell floats otherwise are recorded in ROUNDTRIP_DIFFERS."""
    impl = adapter()
    data = datasets.json_roundtrip()[name]
    value = impl.loads(data)
    out = impl.dumps(value)
    assert _same(json.loads(out), json.loads(data))  # the value survives in every case
    _check_recorded(adapter, ROUNDTRIP_DIFFERS.get(name, {}), out == data)
    assert out == data, f"{name}: {out!r} != {data!r}"


def test_native_floats_are_repr_with_respelled_exponents() -> None:
    """The documented float rule, over random doubles and the notation switch points:
    json/native's bytes are json.dumps' with exponents respelled, and parse back identical."""
    from lapwise import _native_status

    if _native_status.error() is not None:
        pytest.skip(_native_status.error())
    dumps = _native_status.module().json_dumps
    rng = random.Random(3)
    values = [1e-4, 1e16, 9.999999999999999e-05, 9999999999999998.0, 5e-324, 1e308, -1e-300]
    while len(values) < 20000:  # random bits (mostly huge or tiny), then around the switches
        v = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(v):
            values.append(v)
        values.append(rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-8, 20))
    out = dumps(values)
    assert out == respell_exponents(json.dumps(values, separators=(",", ":")).encode())
    assert b"e+" not in out and b"e-0" not in out
    parsed = json.loads(out)
    assert len(parsed) == len(values)
    assert all(struct.pack("<d", a) == struct.pack("<d", b) for a, b in zip(parsed, values))


def test_respell_exponents_leaves_strings_and_fixed_numbers_alone() -> None:
    src = rb'{"1e+16":[1e+16,-1.5e-07,1e-05,1e+100,0.0001,"x\\",1.7976931348623157e+308,5e-324]}'
    assert respell_exponents(src) == (
        rb'{"1e+16":[1e16,-1.5e-7,1e-5,1e100,0.0001,"x\\",1.7976931348623157e308,5e-324]}')
    quoted = rb'["a \"1e+16\" b",2e+20,"\\",3e-07]'  # escaped quote, escaped backslash
    assert respell_exponents(quoted) == rb'["a \"1e+16\" b",2e20,"\\",3e-7]'
    assert json.loads(src) == json.loads(respell_exponents(src))


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

"""json/native: lapwise's C++ writer (lapwise/parser/json_writer.h) and simdjson reader,
through ``lapwise.json``. Defaults: compact, UTF-8 (ensure_ascii=False), NaN/Infinity
written like the stdlib (allow_nan=True).

Two deliberate departures from json.dumps (orjson's behaviour):

- dict keys must be str: any other key raises TypeError naming the path, the key as its last
  step, e.g. ``$.a[3]: keys must be str, not int (non_str_keys=True converts int, float, bool
  and None keys like json.dumps)``. ``non_str_keys=True`` opts into json.dumps' conversion
  (``{7: 0, 2.5: 0, False: 0, None: 0}`` -> ``{"7":0,"2.5":0,"false":0,"null":0}``).
- float exponents are written without '+' or zero padding: ``1e16``, ``1e-5``,
  ``1.7976931348623157e308`` (json.dumps: ``1e+16``, ``1e-05``, ``...e+308``); digits and
  the switch to exponent form are repr's, and every value parses back to the same float.
  ``suites.adapters.json._exponent.respell_exponents`` maps json.dumps' bytes to native's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..adapter import Availability, requires_native
from .base import Json


class NativeJson(Json):
    name: ClassVar[str] = "native"
    # Each half alone (micro benchmarks), and the reader with simdjson's kernel forced (the
    # instruction gate, suites/gate/drivers/json_instr.cc: haswell is AVX2, icelake AVX-512).
    record_variants: ClassVar[tuple[str, ...]] = ("native-reader", "native-writer", "native-haswell",
                                                  "native-icelake")
    # Rejects what the stdlib accepts but JSON does not have (NaN/Infinity literals) or what
    # UTF-8 cannot carry (lone surrogates); RecursionError past 1024 levels. Non-str keys are
    # rejected unless non_str_keys=True; exponents are spelled 1e16, not 1e+16.
    differences: ClassVar[frozenset[str]] = frozenset({"nan_literals_rejected",
                                                       "lone_surrogates_rejected",
                                                       "non_str_keys", "float_exponent"})

    @classmethod
    def available(cls) -> Availability:
        return requires_native()

    def __init__(self, ensure_ascii: bool = False, allow_nan: bool = True,
                 non_str_keys: bool = False) -> None:
        import lapwise.json

        self._dumps = lapwise.json.dumps
        self._loads = lapwise.json.loads
        self.ensure_ascii = ensure_ascii
        self.allow_nan = allow_nan
        self.non_str_keys = non_str_keys
        # lapwise.json's functions are the C builtins: they are the methods when no option
        # differs from their defaults (no Python frame per call).
        self.loads = self._loads  # type: ignore[method-assign]
        if not ensure_ascii and allow_nan and not non_str_keys:
            self.dumps = self._dumps  # type: ignore[method-assign]

    def dumps(self, obj: Any) -> bytes:
        """Compact UTF-8 JSON for ``obj`` (see the module docstring for the two departures
        from json.dumps); TypeError naming the path for unsupported values and keys."""
        return self._dumps(obj, ensure_ascii=self.ensure_ascii, allow_nan=self.allow_nan,
                           non_str_keys=self.non_str_keys)

    def loads(self, data: bytes | str) -> Any:
        return self._loads(data)

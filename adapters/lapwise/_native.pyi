"""Typed stub of the private module lapwise._native (built from adapters/bindings/). Each kind
has its own section; only the package's adapters use these names."""

from collections.abc import Callable, Sequence
from typing import Any

ABI_VERSION: int

def build_info() -> dict[str, str]: ...

# --- router (bind_router.cc) -------------------------------------------------------------------

ROUTER_MAX_PARAMS: int
ROUTER_MAX_PATTERN_LENGTH: int

class _RouterCore:
    """Common shape of RadixRouter and LinearRouter. Results are instances of the two classes
    given to the constructor (slotted dataclasses: Match(value, params), NoMatch(status,
    allowed)), made without running their __init__."""

    def __init__(self, match_type: type, no_match_type: type) -> None: ...
    def add(self, method: str, pattern: str, value: int) -> tuple[str, str] | None:
        """None, or (code, message); code is syntax, duplicate, conflict, too_many_params or
        too_long. On error the router is unchanged. RuntimeError while match_many runs."""
    def __len__(self) -> int: ...
    def matcher(self) -> Callable[[str, str], Any]:
        """The builtin match(method, path) -> Match | NoMatch bound to this router."""
    def many_matcher(self) -> Callable[[Sequence[tuple[str, str]]], list[Any]]:
        """The builtin match_many(reqs) -> list[Match | NoMatch]; lookups run without the GIL."""

class RadixRouter(_RouterCore):
    """lapwise::router::radix_router."""

class LinearRouter(_RouterCore):
    """lapwise::router::linear_router."""

def router_to_canonical(pattern: str, syntax: str) -> str:
    """``syntax`` is canonical, httprouter or werkzeug; ValueError names the offending part."""

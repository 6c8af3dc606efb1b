"""adapters/APP_GUIDE.md: every Python example runs as written (each serves on a free port
and stops its servers itself)."""

from __future__ import annotations

import pathlib
import re

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

GUIDE = pathlib.Path(__file__).resolve().parents[1] / "APP_GUIDE.md"
EXAMPLES = re.findall(r"^## (.+?)$.*?^```python\n(.*?)^```$", GUIDE.read_text(), re.M | re.S)


def test_the_guide_has_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("title,code", EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_example_runs(title, code):
    exec(compile(code, f"{GUIDE.name}: {title}", "exec"), {"__name__": "guide_example"})

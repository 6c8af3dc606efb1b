"""Signed values (``lapwise._app_signed``): a value comes back only unchanged, under its key,
and within its age."""

from __future__ import annotations

import pytest

from lapwise._app_signed import sign, unsign

KEY = b"k" * 32
NOW = 1_800_000_000


def test_round_trip_and_cookie_safe_characters():
    for data in (b"", b"{}", b'{"user":"ann","n":[1,2]}', bytes(range(256))):
        value = sign(KEY, data, now=NOW)
        assert unsign(KEY, value, 60, now=NOW + 60) == data
        assert set(value) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]


GOOD = sign(KEY, b'{"user":"ann"}', now=NOW)
PAYLOAD, STAMP, MAC = GOOD.split(".")


@pytest.mark.parametrize("value,key,max_age,now", [
    (f"{_flip(PAYLOAD, 3)}.{STAMP}.{MAC}", KEY, None, NOW),  # the data changed
    (f"{PAYLOAD}.{NOW + 1}.{MAC}", KEY, None, NOW),  # the time changed
    (f"{PAYLOAD}.{STAMP}.{_flip(MAC, 0)}", KEY, None, NOW),  # the signature changed
    (GOOD, b"another key", None, NOW),
    (GOOD, KEY, 59, NOW + 60),  # too old
    (f"{PAYLOAD}.{STAMP}", KEY, None, NOW),
    (f"{PAYLOAD}.-1.{MAC}", KEY, None, NOW),
    ("", KEY, None, NOW),
    ("...", KEY, None, NOW),
    (f"{PAYLOAD}.{STAMP}.{MAC}.x", KEY, None, NOW),
])
def test_refused(value, key, max_age, now):
    assert unsign(key, value, max_age, now=now) is None


def test_any_age_without_max_age():
    assert unsign(KEY, GOOD, None, now=NOW + 10**9) == b'{"user":"ann"}'

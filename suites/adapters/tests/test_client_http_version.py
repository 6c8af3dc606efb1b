"""ClientResponse.http_version's spelling ("1.0", "1.1", "2", "3", or "" when unknown) from the forms
the client libraries give it in, and its place in ClientResponse equality (left out, like timings)."""

from __future__ import annotations

import pytest

from suites.adapters.client.base import ClientResponse, http_version, http_version_of


@pytest.mark.parametrize("major, minor, want", [
    (1, 0, "1.0"), (1, 1, "1.1"), (2, 0, "2"), (2, 1, "2"), (3, 0, "3"),
    (0, 9, ""), (1, 2, ""), (4, 0, ""), (0, 0, ""),
])
def test_from_numbers(major, minor, want):
    assert http_version(major, minor) == want


@pytest.mark.parametrize("text, want", [
    ("HTTP/1.0", "1.0"), ("HTTP/1.1", "1.1"), ("http/1.1", "1.1"), (" HTTP/1.1 ", "1.1"),
    ("HTTP/2", "2"), ("HTTP/2.0", "2"), ("HTTP/3", "3"),
    ("", ""), ("HTTP/", ""), ("HTTP/x.1", ""), ("HTTP/1.x", ""), ("HTTPS/1.1", ""),
    ("h2", ""), ("HTTP/1.1.1", ""), ("HTTP/0.9", ""),
])
def test_from_protocol_strings(text, want):
    assert http_version_of(text) == want


def test_default_is_unknown_and_equality_ignores_it():
    plain = ClientResponse(200, {}, b"x", "u")
    assert plain.http_version == ""
    h2 = ClientResponse(200, {}, b"x", "u", http_version="2")
    assert h2 == ClientResponse(200, {}, b"x", "u", http_version="1.1")
    assert h2 != ClientResponse(201, {}, b"x", "u", http_version="2")

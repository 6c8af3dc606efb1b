"""A test client's request bodies and targets (``lapwise._app_test_body``): params onto the
query, and json, form, multipart, raw bodies with their Content-Type."""

from __future__ import annotations

import io

import pytest

from lapwise._app_test_body import encode_body, pairs_of, with_params


@pytest.mark.parametrize("target,params,expected", [
    ("/a", None, "/a"),
    ("/a", {"x": "1", "y": "a b"}, "/a?x=1&y=a+b"),
    ("/a?z=0", {"x": 1}, "/a?z=0&x=1"),
    ("/a", {"tag": ["a", "b"], "n": None}, "/a?tag=a&tag=b&n="),
    ("/a", [("k", "1"), ("k", "é")], "/a?k=1&k=%C3%A9"),
])
def test_params(target, params, expected):
    assert with_params(target, params) == expected


@pytest.mark.parametrize("kw,body,ctype", [
    ({}, b"", None),
    ({"json": {"a": [1, None]}}, b'{"a":[1,null]}', "application/json"),
    ({"json": []}, b"[]", "application/json"),
    ({"data": {"name": "Ada L", "tag": ["x", "y"]}}, b"name=Ada+L&tag=x&tag=y", "application/x-www-form-urlencoded"),
    ({"data": b"\x00raw"}, b"\x00raw", None),
    ({"data": "text é"}, "text é".encode(), None),
    ({"content": b"raw"}, b"raw", None),
])
def test_bodies(kw, body, ctype):
    assert encode_body(**kw) == (body, ctype)


def test_multipart():
    body, ctype = encode_body(data={"caption": "a \"cat\""},
                              files={"photo": ("cat.png", b"\x89PNG", "image/png"), "notes": b"n",
                                     "doc": ("d.txt", io.BytesIO(b"doc"))})
    boundary = ctype.removeprefix("multipart/form-data; boundary=")
    assert len(boundary) == 32
    parts = body.split(f"--{boundary}".encode())
    assert parts[0] == b"" and parts[-1] == b"--\r\n"
    assert parts[1] == b'\r\nContent-Disposition: form-data; name="caption"\r\n\r\na "cat"\r\n'
    assert parts[2] == (b'\r\nContent-Disposition: form-data; name="photo"; filename="cat.png"\r\n'
                        b"Content-Type: image/png\r\n\r\n\x89PNG\r\n")
    assert b'name="notes"; filename="upload"' in parts[3]
    assert parts[4].endswith(b"application/octet-stream\r\n\r\ndoc\r\n")


def test_one_body_only():
    with pytest.raises(TypeError, match="json and content"):
        encode_body(json={}, content=b"x")
    with pytest.raises(TypeError, match="json and data/files"):
        encode_body(json={}, data={"a": "1"})


def test_pairs_of_keeps_order():
    assert pairs_of([("b", 1), ("a", [2, 3])]) == [("b", "1"), ("a", "2"), ("a", "3")]

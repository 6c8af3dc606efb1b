"""The multipart/form-data reader: RFC 7578 forms part by part, any split of the body reading
the same, limits (413), malformed bodies (400), file parts spooled to disk past the threshold,
and a seeded, bounded fuzz run (random splits, mutated bodies) where every outcome is a form or
a FormError and no file part is left open."""

from __future__ import annotations

import random

import pytest

from lapwise._app_form_types import FormError, FormLimits, UploadFile
from lapwise._app_multipart import MultipartParser, check_boundary, parse_params

BOUNDARY = "----lapwiseBoundary7MA4YWxk"


def encode(parts: list[tuple[str, object]], boundary: str = BOUNDARY, preamble: bytes = b"",
           epilogue: bytes = b"") -> bytes:
    """A body the way browsers write one: (name, str) text fields, (name, (filename,
    content_type, bytes)) files."""
    out = [preamble + b"\r\n" if preamble else b""]
    for name, value in parts:
        out.append(f"--{boundary}\r\n".encode())
        if isinstance(value, tuple):
            filename, ctype, data = value
            out.append(f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                       f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
        else:
            out.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                       + str(value).encode() + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode() + epilogue)
    return b"".join(out)


def read(body: bytes, pieces: list[int] | None = None, **limits: object) -> list[tuple[str, object]]:
    """The parts as (name, str) or (name, (filename, content_type, bytes))."""
    parser = MultipartParser(check_boundary(BOUNDARY), FormLimits(**limits))  # type: ignore[arg-type]
    at = 0
    for size in pieces or [len(body)]:
        parser.feed(body[at:at + size])
        at += size
    parser.feed(body[at:])
    with parser.close() as form:
        return [(n, (v.filename, v.content_type, v.read()) if isinstance(v, UploadFile) else v)
                for n, v in form.multi_items()]


PARTS: list[tuple[str, object]] = [
    ("title", "Hello\r\nworld"), ("empty", ""), ("title", "second"),
    ("file", ("a.txt", "text/plain", b"line1\r\nline2\r\n--not-the-boundary\r\n")),
    ("blob", ("b.bin", "application/octet-stream", bytes(range(256)) * 3)),
    ("unicode", "caf\u00e9 \u2713"),
]


def test_reads_fields_and_files_in_order():
    assert read(encode(PARTS)) == PARTS


def test_every_split_reads_the_same():
    body = encode(PARTS, preamble=b"ignored preamble", epilogue=b"ignored epilogue")
    assert read(body, [1] * len(body)) == PARTS
    for cut in range(len(body)):
        assert read(body, [cut]) == PARTS


def test_parameters_quoting_and_filename_star():
    assert parse_params('form-data; name="a;b"; filename="C:\\dir\\x.txt"') == \
        ("form-data", {"name": "a;b", "filename": "C:\\dir\\x.txt"})
    assert parse_params('form-data; name="q\\"x"; NAME=other')[1] == {"name": 'q"x'}
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=f; filename=\"fallback.txt\"; "
            f"filename*=UTF-8''%E2%9C%93.txt\r\n\r\nx\r\n--{BOUNDARY}--").encode()
    assert read(body) == [("f", ("\u2713.txt", "application/octet-stream", b"x"))]


def test_part_without_headers_or_disposition_is_400():
    for head in ("", "Content-Type: text/plain\r\n", "Content-Disposition: attachment; name=a\r\n",
                 "Content-Disposition: form-data\r\n", "bad header line\r\n"):
        body = f"--{BOUNDARY}\r\n{head}\r\nx\r\n--{BOUNDARY}--".encode()
        with pytest.raises(FormError) as err:
            read(body)
        assert err.value.status == 400, head


def test_malformed_bodies_are_400():
    for body in (b"", b"no boundary at all", f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
                 f'name="a"\r\n\r\nnever closed'.encode(), f"--{BOUNDARY}garbage\r\n".encode()):
        with pytest.raises(FormError) as err:
            read(body)
        assert err.value.status == 400


def test_transport_padding_and_charset():
    body = (f"--{BOUNDARY} \t\r\nContent-Disposition: form-data; name=a\r\n"
            f"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n").encode() + b"caf\xe9" + \
        f"\r\n--{BOUNDARY}--".encode()
    assert read(body) == [("a", "caf\u00e9")]


def test_limits_are_413():
    many = encode([(f"f{i}", "v") for i in range(11)])
    assert len(read(many, max_parts=11)) == 11
    for body, limits in ((many, {"max_parts": 10}),
                         (encode([("a", "x" * 101)]), {"max_field_bytes": 100}),
                         (encode([("f", ("a", "b/c", b"y" * 101))]), {"max_file_bytes": 100}),
                         (f"--{BOUNDARY}\r\nX-Long: {'h' * 200}\r\n\r\n".encode(),
                          {"max_part_header_bytes": 100})):
        with pytest.raises(FormError) as err:
            read(body, [7] * (len(body) // 7), **limits)
        assert err.value.status == 413, limits


def test_large_file_part_is_spooled_to_disk():
    data = random.Random(1).randbytes(300_000)
    parser = MultipartParser(check_boundary(BOUNDARY), FormLimits(spool_bytes=64 * 1024))
    body = encode([("small", ("s", "x/y", b"tiny")), ("big", ("b", "x/y", data))])
    for at in range(0, len(body), 4096):
        parser.feed(body[at:at + 4096])
    form = parser.close()
    assert form["small"].in_memory and not form["big"].in_memory
    assert form["big"].size == len(data) and form["big"].read() == data
    form.close()
    assert form["big"].file.closed


def test_boundary_checked():
    for bad in ("", "x" * 71, "ends with space ", "semi;colon"):
        with pytest.raises(FormError):
            check_boundary(bad)
    assert check_boundary("x" * 70) == b"x" * 70


def test_fuzz_random_splits_and_mutations():
    rng = random.Random(20261206)
    opened: list[UploadFile] = []
    for case in range(400):
        parts: list[tuple[str, object]] = []
        for i in range(rng.randint(0, 4)):
            if rng.random() < 0.5:
                parts.append((f"t{i}", rng.choice(["", "a", "\r\n", "--", f"--{BOUNDARY[:5]}", "x" * 50])))
            else:
                parts.append((f"f{i}", (f"n{i}", "application/x", rng.randbytes(rng.randint(0, 300)))))
        body = bytearray(encode(parts))
        mutated = case % 2 == 1
        if mutated:
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(body))
                action = rng.random()
                if action < 0.4:
                    body[at] = rng.randrange(256)
                elif action < 0.7:
                    del body[at:at + rng.randint(1, 8)]
                else:
                    body[at:at] = rng.choice([b"\r\n", b"--", b"\r\n\r\n", BOUNDARY.encode()])
        limits = FormLimits(max_parts=8, max_field_bytes=200, spool_bytes=64)
        parser = MultipartParser(check_boundary(BOUNDARY), limits)
        try:
            at = 0
            while at < len(body):
                step = rng.randint(1, 64)
                parser.feed(bytes(body[at:at + step]))
                at += step
            form = parser.close()
        except FormError as exc:
            assert exc.status in (400, 413)
            assert mutated or exc.status == 413, (case, exc)
            continue
        opened.extend(v for _, v in form.multi_items() if isinstance(v, UploadFile))
        if not mutated:
            got = [(n, (v.filename, v.content_type, v.read()) if isinstance(v, UploadFile) else v)
                   for n, v in form.multi_items()]
            assert got == parts, case
        form.close()
    assert all(f.file.closed for f in opened)

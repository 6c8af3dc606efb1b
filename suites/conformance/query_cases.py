"""The query-string conformance table: input, expected pairs (or the exception a limit
raises), and, per adapter id, the reason when an adapter is known to answer differently.

Expected values are parse_qsl(qs, keep_blank_values=True) semantics (Python 3.11), written out
by hand so that the table also checks the reference itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

R = "\ufffd"  # what errors="replace" puts in place of each maximal invalid UTF-8 subpart

NO_LIMITS = "starlette's QueryParams has no pair or length limit"


@dataclass(frozen=True)
class QueryCase:
    id: str
    qs: str
    want: list[tuple[str, str]] | type[Exception]
    max_pairs: int = 1000
    max_length: int = 64 * 1024
    differs: dict[str, str] = field(default_factory=dict)  # adapter id -> why


CASES: list[QueryCase] = [
    QueryCase("empty", "", []),
    QueryCase("only-separators", "&&&", []),
    QueryCase("simple", "a=1&b=2", [("a", "1"), ("b", "2")]),
    QueryCase("repeated-keys-kept-in-order", "foo=bar&x=1&foo=baz&foo=",
              [("foo", "bar"), ("x", "1"), ("foo", "baz"), ("foo", "")]),
    QueryCase("plus-is-space", "a+b=c+d+", [("a b", "c d ")]),
    QueryCase("encoded-plus-is-plus", "a%2Bb=1%2b1", [("a+b", "1+1")]),
    QueryCase("percent-20", "q=hello%20world", [("q", "hello world")]),
    QueryCase("invalid-escape-kept", "a=%zz&b=%4&c=%&d=100%", [("a", "%zz"), ("b", "%4"),
                                                               ("c", "%"), ("d", "100%")]),
    QueryCase("invalid-escape-in-key", "%g0=1", [("%g0", "1")]),
    QueryCase("double-percent", "a=%%41", [("a", "%A")]),
    QueryCase("blank-value-with-equals", "a=", [("a", "")]),
    QueryCase("blank-value-without-equals", "a&b", [("a", ""), ("b", "")]),
    QueryCase("blank-key", "=v", [("", "v")]),
    QueryCase("blank-key-and-value", "=", [("", "")]),
    QueryCase("equals-in-value", "a=b=c&d==", [("a", "b=c"), ("d", "=")]),
    QueryCase("semicolon-is-not-a-separator", "a=1;b=2", [("a", "1;b=2")]),
    QueryCase("empty-segments-skipped", "&a=1&&b=2&", [("a", "1"), ("b", "2")]),
    QueryCase("utf8-two-byte", "k=%C3%A9", [("k", "é")]),
    QueryCase("utf8-three-byte", "k=%E2%82%AC", [("k", "€")]),
    QueryCase("utf8-four-byte", "k=%F0%9F%98%80", [("k", "😀")]),
    QueryCase("raw-non-ascii", "clé=vålue😀", [("clé", "vålue😀")]),
    QueryCase("invalid-utf8-truncated", "k=%C3", [("k", R)]),
    QueryCase("invalid-utf8-lone-continuation", "k=%A9x", [("k", R + "x")]),
    QueryCase("invalid-utf8-ff", "%FF=%FE", [(R, R)]),
    QueryCase("invalid-utf8-surrogate-bytes", "k=%ED%A0%80", [("k", R * 3)]),
    QueryCase("invalid-utf8-overlong", "k=%C0%AF", [("k", R * 2)]),
    QueryCase("invalid-utf8-maximal-subpart", "k=%F0%9F%98", [("k", R)]),
    QueryCase("invalid-utf8-split-by-raw-char", "k=%C3é%A9", [("k", R + "é" + R)]),
    QueryCase("lone-surrogate-in-str", "a=\ud800", [("a", "\ud800")],
              differs={"query/native": "a str with a lone surrogate has no UTF-8 form: the "
                                       "native parser raises UnicodeEncodeError (a ValueError) "
                                       "instead of passing it through"}),
    QueryCase("limit-pairs-ok", "a=1&b=2", [("a", "1"), ("b", "2")], max_pairs=2),
    QueryCase("limit-pairs-exceeded", "a=1&b=2&c=3", ValueError, max_pairs=2,
              differs={"query/starlette": NO_LIMITS}),
    QueryCase("limit-pairs-empty-segments", "a=1&&b=2", [("a", "1"), ("b", "2")], max_pairs=2,
              differs={"query/urllib": "parse_qsl's max_num_fields counts empty fields too "
                                       "(3 here); lapwise counts pairs"}),
    QueryCase("limit-length-ok", "a=1&b=2", [("a", "1"), ("b", "2")], max_length=7),
    QueryCase("limit-length-exceeded", "a=1&b=2", ValueError, max_length=6,
              differs={"query/starlette": NO_LIMITS}),
]

"""Labelled HTTP/1.1 request cases for every parser adapter (RFC 9112 framing).

Each case is the raw bytes, the expected answer (a ``Parsed`` written out by hand, or an error
status), and ``differs``: the peers known to answer otherwise, each with the reason. The tests
check both directions, so the table stays true: the strict parsers (native, py-baseline) must
give the expected answer, every other adapter must give it unless it is listed, and a listed
adapter must really differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from suites.adapters.parser.base import Parsed, ParseError

CRLF = "\r\n"


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    expect: Parsed | ParseError
    differs: dict[str, str] = field(default_factory=dict)


def msg(*lines: str, body: bytes = b"") -> bytes:
    """A head from its lines (CRLF added, plus the empty line), then the body bytes."""
    return "".join(line + CRLF for line in lines).encode("latin-1") + CRLF.encode() + body


def ok(raw: bytes, method: str, target: str, headers: list[tuple[str, str]], *,
       path: str | None = None, query: str = "", version: str = "1.1", framing: str = "none",
       body: bytes = b"", consumed: int | None = None, keep_alive: bool | None = None,
       trailers: list[tuple[str, str]] | None = None) -> Parsed:
    return Parsed(method=method, target=target, path=target if path is None else path,
                  query=query, version=version, headers=headers, framing=framing, body=body,
                  consumed=len(raw) if consumed is None else consumed,
                  keep_alive=(version == "1.1") if keep_alive is None else keep_alive,
                  trailers=trailers or [])


def valid(name: str, raw: bytes, method: str, target: str, headers: list[tuple[str, str]],
          differs: dict[str, str] | None = None, **kw) -> Case:
    return Case(name, raw, ok(raw, method, target, headers, **kw), differs or {})


def bad(name: str, raw: bytes, status: int, differs: dict[str, str] | None = None) -> Case:
    return Case(name, raw, ParseError(status), differs or {})


H = ("Host", "example.com")
HOST = "Host: example.com"
H11, HT, AIO = "parser/h11", "parser/httptools", "parser/aiohttp"

_many = [(f"X-Field-{i:02d}", f"value {i}") for i in range(60)]
_chunked = msg("POST /upload HTTP/1.1", HOST, "Transfer-Encoding: chunked",
               body=b"5\r\nhello\r\n7;ext=1;q=\"a b\"\r\n, world\r\nA\r\n0123456789\r\n0\r\n\r\n")
_trailers = msg("POST /t HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                body=b"3\r\nabc\r\n0\r\nChecksum: 1234\r\nX-Done: yes\r\n\r\n")
_get = msg("GET /first HTTP/1.1", HOST)
_post = msg("POST /second?x=1 HTTP/1.1", HOST, "Content-Length: 3", body=b"abc")

VALID: list[Case] = [
    valid("get_root", msg("GET / HTTP/1.1", HOST), "GET", "/", [H]),
    valid("get_query", msg("GET /search?q=http+parser&page=2 HTTP/1.1", HOST), "GET",
          "/search?q=http+parser&page=2", [H], path="/search", query="q=http+parser&page=2"),
    valid("empty_query", msg("GET /a? HTTP/1.1", HOST), "GET", "/a?", [H], path="/a"),
    valid("percent_encoded_target", msg("GET /a%20b/%E2%82%AC?k=%26 HTTP/1.1", HOST), "GET",
          "/a%20b/%E2%82%AC?k=%26", [H], path="/a%20b/%E2%82%AC", query="k=%26"),
    valid("head", msg("HEAD /index.html HTTP/1.1", HOST), "HEAD", "/index.html", [H]),
    valid("delete", msg("DELETE /items/7 HTTP/1.1", HOST), "DELETE", "/items/7", [H]),
    valid("options_asterisk", msg("OPTIONS * HTTP/1.1", HOST), "OPTIONS", "*", [H]),
    valid("connect_authority", msg("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"),
          "CONNECT", "example.com:443", [("Host", "example.com:443")], path="",
          differs={H11: "does not parse targets: path is the whole authority",
                   HT: "httptools.parse_url rejects authority-form",
                   AIO: "reports path \"/\" for authority-form"}),
    valid("extension_method", msg("FROB /x HTTP/1.1", HOST), "FROB", "/x", [H],
          differs={HT: "knows only a fixed list of methods", AIO: "llhttp knows only a fixed list of methods"}),
    valid("absolute_form", msg("GET http://example.com/a/b?c=d HTTP/1.1", HOST), "GET",
          "http://example.com/a/b?c=d", [H], path="/a/b", query="c=d",
          differs={H11: "does not parse targets: path is the whole target before ?"}),
    valid("absolute_form_no_path", msg("GET http://example.com HTTP/1.1", HOST), "GET",
          "http://example.com", [H], path="/",
          differs={H11: "does not parse targets", HT: "parse_url gives an empty path"}),
    valid("put_content_length", msg("PUT /doc HTTP/1.1", HOST, "Content-Type: text/plain",
                                    "Content-Length: 11", body=b"hello world"),
          "PUT", "/doc", [H, ("Content-Type", "text/plain"), ("Content-Length", "11")],
          framing="length", body=b"hello world"),
    valid("content_length_zero", msg("POST /empty HTTP/1.1", HOST, "Content-Length: 0"), "POST",
          "/empty", [H, ("Content-Length", "0")], framing="length"),
    valid("content_length_identical_repeat",
          msg("POST /r HTTP/1.1", HOST, "Content-Length: 2", "Content-Length: 2", body=b"ok"),
          "POST", "/r", [H, ("Content-Length", "2"), ("Content-Length", "2")], framing="length",
          body=b"ok",
          differs={H11: "merges the repeated Content-Length into one header",
                   HT: "rejects any repeated Content-Length",
                   AIO: "rejects any repeated Content-Length"}),
    valid("content_length_identical_list",
          msg("POST /r HTTP/1.1", HOST, "Content-Length: 2, 2", body=b"ok"),
          "POST", "/r", [H, ("Content-Length", "2, 2")], framing="length", body=b"ok",
          differs={H11: "rewrites the list \"2, 2\" to one value",
                   HT: "rejects a Content-Length list",
                   AIO: "rejects a Content-Length list"}),
    valid("chunked_body", _chunked, "POST", "/upload", [H, ("Transfer-Encoding", "chunked")],
          framing="chunked", body=b"hello, world0123456789"),
    valid("chunked_trailers", _trailers, "POST", "/t", [H, ("Transfer-Encoding", "chunked")],
          framing="chunked", body=b"abc", trailers=[("Checksum", "1234"), ("X-Done", "yes")],
          differs={AIO: "drops chunked trailers"}),
    valid("chunked_case_insensitive",
          msg("POST /c HTTP/1.1", HOST, "Transfer-Encoding: Chunked", body=b"1\r\nz\r\n0\r\n\r\n"),
          "POST", "/c", [H, ("Transfer-Encoding", "Chunked")], framing="chunked", body=b"z",
          differs={H11: "lower-cases the Transfer-Encoding value it reports"}),
    valid("many_headers", msg("GET /many HTTP/1.1", HOST, *(f"{n}: {v}" for n, v in _many)),
          "GET", "/many", [H, *_many]),
    valid("header_case_and_ows",
          msg("GET / HTTP/1.1", "hOsT: example.com", "X-Pad: \t spaced  value \t ", "X-Empty:",
              "X-Latin: caf\xe9"),
          "GET", "/", [("hOsT", "example.com"), ("X-Pad", "spaced  value"), ("X-Empty", ""),
                       ("X-Latin", "caf\xe9")]),
    valid("pipelined_get_get", _get + _post, "GET", "/first", [H], consumed=len(_get)),
    valid("pipelined_post_get", _post + _get, "POST", "/second?x=1",
          [H, ("Content-Length", "3")], path="/second", query="x=1", framing="length",
          body=b"abc", consumed=len(_post)),
    valid("pipelined_second_partial", _get + b"GET /next HT", "GET", "/first", [H],
          consumed=len(_get)),
    valid("http10_default_close", msg("GET /old HTTP/1.0"), "GET", "/old", [], version="1.0"),
    valid("http10_keep_alive", msg("GET /old HTTP/1.0", "Connection: keep-alive"), "GET", "/old",
          [("Connection", "keep-alive")], version="1.0", keep_alive=True),
    valid("http11_close", msg("GET / HTTP/1.1", HOST, "Connection: close"), "GET", "/",
          [H, ("Connection", "close")], keep_alive=False),
    valid("http11_close_in_list", msg("GET / HTTP/1.1", HOST, "Connection: Upgrade, CLOSE"),
          "GET", "/", [H, ("Connection", "Upgrade, CLOSE")], keep_alive=False),
    valid("leading_empty_lines", b"\r\n\r\n" + msg("GET /late HTTP/1.1", HOST), "GET", "/late",
          [H],
          differs={H11: "rejects empty lines before the request line"}),
]

_long_target = "/" + "a" * 9000
_big_value = "v" * 70000
INVALID: list[Case] = [
    # framing: request-smuggling vectors
    bad("te_and_content_length", msg("POST / HTTP/1.1", HOST, "Content-Length: 5",
                                     "Transfer-Encoding: chunked", body=b"0\r\n\r\n"), 400,
        {H11: "accepts both (Transfer-Encoding wins)"}),
    bad("chunked_not_last", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked, gzip",
                                body=b"0\r\n\r\n"), 400,
        {H11: "answers 501 for any coding but chunked"}),
    bad("te_without_chunked", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: gzip",
                                  body=b"0\r\n\r\n"), 400,
        {H11: "answers 501 for any coding but chunked"}),
    bad("chunked_twice", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                             "Transfer-Encoding: chunked", body=b"0\r\n\r\n"), 400,
        {H11: "answers 501 (\"multiple Transfer-Encoding headers\")", HT: "accepts chunked twice"}),
    bad("te_in_http10", msg("POST / HTTP/1.0", "Transfer-Encoding: chunked",
                            body=b"0\r\n\r\n"), 400,
        {H11: "accepts Transfer-Encoding in HTTP/1.0",
         HT: "accepts Transfer-Encoding in HTTP/1.0",
         AIO: "accepts Transfer-Encoding in HTTP/1.0"}),
    bad("unknown_transfer_coding", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: gzip, chunked",
                                       body=b"0\r\n\r\n"), 501,
        {HT: "ignores codings before chunked", AIO: "ignores codings before chunked"}),
    bad("content_length_differing", msg("POST / HTTP/1.1", HOST, "Content-Length: 3",
                                        "Content-Length: 4", body=b"abcd"), 400),
    bad("content_length_differing_list", msg("POST / HTTP/1.1", HOST, "Content-Length: 3, 4",
                                             body=b"abcd"), 400),
    bad("content_length_not_digits", msg("POST / HTTP/1.1", HOST, "Content-Length: 3a",
                                         body=b"abc"), 400),
    bad("content_length_signed", msg("POST / HTTP/1.1", HOST, "Content-Length: +3",
                                     body=b"abc"), 400),
    bad("content_length_empty", msg("POST / HTTP/1.1", HOST, "Content-Length:"), 400),
    bad("content_length_overflow", msg("POST / HTTP/1.1", HOST,
                                       "Content-Length: 184467440737095516160"), 400,
        {H11: "reads the huge length and waits for the body"}),
    # field syntax
    bad("space_before_colon", msg("GET / HTTP/1.1", HOST, "X-Field : v"), 400,
        {HT: "keeps the space as part of the name", AIO: "keeps the space as part of the name"}),
    bad("space_in_name", msg("GET / HTTP/1.1", HOST, "X Field: v"), 400,
        {HT: "accepts a space inside a name", AIO: "accepts a space inside a name"}),
    bad("empty_name", msg("GET / HTTP/1.1", HOST, ": v"), 400,
        {AIO: "drops a field line with an empty name"}),
    bad("obs_fold", msg("GET / HTTP/1.1", HOST, "X-Folded: a", " continued"), 400,
        {H11: "unfolds obs-fold", HT: "unfolds obs-fold", AIO: "unfolds obs-fold"}),
    bad("bare_cr_in_value", msg("GET / HTTP/1.1", HOST, "X-Cr: a\rb"), 400),
    bad("bare_lf_line_ending", b"GET / HTTP/1.1\nHost: example.com\n\n", 400,
        {H11: "accepts bare LF line endings", HT: "accepts bare LF line endings", AIO: "accepts bare LF line endings"}),
    bad("lf_in_value", b"GET / HTTP/1.1\r\nHost: example.com\r\nX-Lf: a\nb\r\n\r\n", 400),
    bad("nul_in_value", msg("GET / HTTP/1.1", HOST, "X-Nul: a\x00b"), 400),
    bad("ctl_in_value", msg("GET / HTTP/1.1", HOST, "X-Ctl: a\x01b"), 400,
        {H11: "accepts control bytes in values"}),
    bad("del_in_value", msg("GET / HTTP/1.1", HOST, "X-Del: a\x7fb"), 400,
        {H11: "accepts DEL in values"}),
    bad("ctl_in_name", msg("GET / HTTP/1.1", HOST, "X-\x01: v"), 400),
    bad("ctl_in_method", msg("G\x01T / HTTP/1.1", HOST), 400),
    bad("delimiter_in_method", msg("GE(T / HTTP/1.1", HOST), 400),
    # request line
    bad("space_in_target", msg("GET /a b HTTP/1.1", HOST), 400),
    bad("nul_in_target", msg("GET /a\x00b HTTP/1.1", HOST), 400),
    bad("non_ascii_in_target", msg("GET /caf\xe9 HTTP/1.1", HOST), 400,
        {HT: "accepts bytes above 0x7E in the target", AIO: "accepts bytes above 0x7E in the target"}),
    bad("fragment_in_target", msg("GET /a#frag HTTP/1.1", HOST), 400,
        {H11: "accepts a fragment", HT: "accepts a fragment", AIO: "accepts a fragment"}),
    bad("asterisk_outside_options", msg("GET * HTTP/1.1", HOST), 400,
        {H11: "accepts * with any method", HT: "accepts * with any method", AIO: "accepts * with any method"}),
    bad("missing_version", msg("GET /", HOST), 400,
        {HT: "reads it as an HTTP/0.9 request", AIO: "reads it as an HTTP/0.9 request"}),
    bad("lowercase_version", msg("GET / http/1.1", HOST), 400),
    bad("double_space", msg("GET  / HTTP/1.1", HOST), 400,
        {HT: "skips repeated spaces", AIO: "skips repeated spaces"}),
    bad("http2_version", msg("GET / HTTP/2.0", HOST), 505,
        {H11: "accepts any HTTP/d.d", HT: "accepts any HTTP/d.d", AIO: "accepts any HTTP/d.d"}),
    bad("http3_version", msg("GET / HTTP/3.0", HOST), 505,
        {H11: "accepts any HTTP/d.d", HT: "accepts any HTTP/d.d", AIO: "accepts any HTTP/d.d"}),
    bad("http12_version", msg("GET / HTTP/1.2", HOST), 505,
        {H11: "accepts any HTTP/d.d", HT: "accepts any HTTP/d.d", AIO: "accepts any HTTP/d.d"}),
    bad("malformed_version", msg("GET / HTTP/1.1.1", HOST), 400),
    # Host
    bad("missing_host", msg("GET / HTTP/1.1", "Accept: */*"), 400,
        {HT: "does not require Host", AIO: "C parser does not require Host"}),
    bad("duplicate_host", msg("GET / HTTP/1.1", HOST, "Host: other.example"), 400,
        {HT: "accepts a repeated Host"}),
    bad("duplicate_host_http10", msg("GET / HTTP/1.0", HOST, HOST), 400,
        {HT: "accepts a repeated Host"}),
    bad("invalid_host", msg("GET / HTTP/1.1", "Host: exa mple.com"), 400,
        {H11: "does not check the Host value",
         HT: "does not check the Host value",
         AIO: "does not check the Host value"}),
    # chunked body
    bad("chunk_size_not_hex", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                  body=b"zz\r\nhello\r\n0\r\n\r\n"), 400),
    bad("chunk_size_empty", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                body=b"\r\nhello\r\n0\r\n\r\n"), 400),
    bad("chunk_size_negative", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                   body=b"-5\r\nhello\r\n0\r\n\r\n"), 400),
    bad("chunk_size_overflow", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                   body=b"10000000000000000\r\nhello\r\n0\r\n\r\n"), 400,
        {H11: "reads the huge chunk size and waits for the data"}),
    bad("chunk_size_overflow_long", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                        body=b"fffffffffffffffffff5\r\nhello\r\n0\r\n\r\n"), 400,
        {H11: "reads the huge chunk size and waits for the data"}),
    bad("chunk_extension_malformed", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                         body=b"5;\r\nhello\r\n0\r\n\r\n"), 400,
        {H11: "does not check chunk extensions",
         HT: "does not check chunk extensions",
         AIO: "does not check chunk extensions"}),
    bad("chunk_data_without_crlf", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                       body=b"5\r\nhelloXX\r\n0\r\n\r\n"), 400),
    bad("trailer_obs_fold", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                                body=b"0\r\nX-T: a\r\n b\r\n\r\n"), 400,
        {H11: "unfolds obs-fold in trailers", HT: "unfolds obs-fold in trailers", AIO: "skips trailers unchecked"}),
    # limits
    bad("request_line_too_long", msg(f"GET {_long_target} HTTP/1.1", HOST), 414,
        {H11: "has no request-line limit of its own (only an incomplete-event size)",
         HT: "has no request-line limit",
         AIO: "answers 400 for a line over its max_line_size"}),
    bad("header_section_too_large", msg("GET / HTTP/1.1", HOST, f"X-Big: {_big_value}"), 431,
        {H11: "limits only incomplete events; a complete head of any size passes",
         HT: "http-parser limit is 80 KiB",
         AIO: "answers 400 for a field over its max_field_size"}),
    bad("too_many_headers", msg("GET / HTTP/1.1", HOST, *(f"X-{i}: v" for i in range(100))), 431,
        {H11: "has no header count limit", HT: "has no header count limit", AIO: "its header count limit is higher"}),
    bad("body_too_large", msg("POST / HTTP/1.1", HOST, "Content-Length: 9000000"), 413,
        {H11: "has no body limit: waits for the body",
         HT: "has no body limit: waits for the body",
         AIO: "has no body limit: waits for the body"}),
    bad("chunk_too_large", msg("POST / HTTP/1.1", HOST, "Transfer-Encoding: chunked",
                               body=b"900000\r\n"), 413,
        {H11: "has no body limit: waits for the data",
         HT: "has no body limit: waits for the data",
         AIO: "has no body limit: waits for the data"}),
]

CASES: list[Case] = VALID + INVALID

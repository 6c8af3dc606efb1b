"""Typed stub of the private module lapwise._native (built from adapters/bindings/). Each kind
has its own section; only the product's modules (and the harness's native adapters) use these names."""

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

# --- server (bind_server.cc) -------------------------------------------------------------------

class ServerRequest:
    """What a handler receives; attributes are built lazily and cached."""

    method: str
    path: str  # percent-decoded, UTF-8 with replacement
    query_string: str
    query: dict[str, str]  # the first value of a repeated key wins
    params: dict[str, str | int]  # {x:int} parameters as int
    headers: dict[str, str]  # lower-case names, repeated ones joined with ", "
    body: bytes
    raw_path: bytes
    http_version: str
    raw_headers: list[tuple[bytes, bytes]]
    body_streamed: bool  # the body comes in pieces (_read() + the piece hook), not in `body`
    client: tuple[str, int] | None  # the peer's address
    server: tuple[str, int] | None  # the address the connection reached
    def json(self) -> Any: ...
    # Added by lapwise._app_request when an App serves:
    cookies: dict[str, str]  # the Cookie header's pairs, the first of a repeated name wins
    query_params: Any  # a lapwise.QueryParams: every pair of the query string
    session: Any  # a lapwise.Session, with lapwise.sessions(app, secret_key)
    url: str  # and base_url, host_url, host, scheme: lapwise._app_url
    base_url: str
    host_url: str
    host: str
    scheme: str
    def form(self, **limits: Any) -> Any: ...  # a lapwise.FormData (FormLimits' names)
    def _respond(self, result: Any) -> None: ...
    def _fail(self, exc: BaseException) -> None: ...
    def _read(self) -> bool: ...  # False: answered already, no piece will come
    # The interfaces' (ASGI, WSGI) whole answer: headers as (name, value) bytes or latin-1 str.
    def _answer(self, status: int, headers: Any, body: Any) -> None: ...
    def _scope(self, template: dict[str, Any]) -> dict[str, Any]: ...  # ASGI http scope

# Each (request, status, headers, body) as ServerRequest._answer, one io-thread wake-up for all.
def answer_many(answers: list[tuple[ServerRequest, int, Any, Any]], /) -> None: ...
def respond_many(answers: list[tuple[ServerRequest, Any]], /) -> None: ...

# WSGI (bind_wsgi.cc; lapwise.wsgi).
def wsgi_environ(request: ServerRequest, template: dict[str, Any], input_type: Any, /) -> dict[str, Any]: ...

class WsgiStart:
    status: str | None
    code: int
    headers: list[tuple[str, str]] | None
    written: list[bytes] | None
    sink: Callable[[bytes], None] | None
    started: bool
    def __init__(self) -> None: ...
    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]: ...
    def write(self, data: bytes, /) -> None: ...

class WsgiInline:
    app: Any
    def __init__(self, app: Any, template: dict[str, Any], input_type: Any, file_wrapper: type, pending: object,
                 on_streamed: Callable[[ServerRequest], Any], on_rest: Callable[..., Any],
                 on_close_error: Callable[[BaseException], None]) -> None: ...
    def __call__(self, request: ServerRequest, /) -> Any: ...

class Server:
    """lapwise::server::server with Python handlers, entered once per batch of ready requests."""

    def __init__(self, options: dict[str, Any]) -> None:
        """options: host, port, threads, server_name, header_timeout/idle_timeout/
        shutdown_timeout (ms), max_connections, max_pipelined, max_body, max_header_bytes,
        max_request_line, io ("epoll", "asio" or "auto"; else LAPWISE_SERVER_IO, else epoll),
        stream_body_over (bytes: larger bodies, and chunked or 100-continue ones not yet
        received, stream: req.body_streamed), body_window (bytes of a streamed body that may
        wait for the handler). A bad value raises ValueError."""
    def add_const(self, method: str, pattern: str, status: int, content_type: str,
                  headers: Sequence[tuple[str, str]], body: bytes) -> None: ...
    def add_route(self, method: str, pattern: str, handler: Callable[[ServerRequest], Any],
                  int_mask: int, offload: Callable[[ServerRequest], Any] | None = None,
                  max_body: int | None = None) -> int:
        """int_mask bit i: parameter i is {name:int} (converted to int for the handler);
        offload: called instead of handler once a batch has run past its budget; max_body
        (bytes): this route's body limit instead of the server's (larger or smaller: over it,
        413 before the handler runs). Returns the route's id (for set_handler and on_slow)."""
    def set_hooks(self, dumps: Callable[[Any], bytes], loads: Callable[[bytes], Any],
                  response_type: type, schedule: Callable[..., Any],
                  log_error: Callable[..., Any]) -> None:
        """log_error(exc, where, method, path) may return the answer (None: a 500)."""
    def set_dispatch(self, pending: object, on_slow: Callable[[int, float, int], None] | None,
                     slow_after: float, batch_budget: float, spill_mean: float) -> None:
        """pending: a handler returning this object answers later (req._respond/_fail);
        on_slow(route id, seconds, the route's call count) after every handler call longer
        than slow_after seconds; past batch_budget seconds in one batch, at over spill_mean
        seconds per call on average, the rest of it calls the routes' offload."""
    def set_handler(self, route: int, handler: Callable[[ServerRequest], Any]) -> None:
        """Replaces a route's callable, also while serving."""
    def set_piece(self, piece: Callable[[ServerRequest, bytes, bool, int], None],
                  whole: Callable[[ServerRequest], bytes] | None = None) -> None:
        """piece(request, data, end, error) for each piece asked for with request._read();
        whole(request): a streamed request's ``body``, the rest of it read whole."""
    def set_websocket(self, on_batch: Callable[[list[Any]], Any], max_message: int = 16 << 20,
                      permessage_deflate: bool = True, ping_interval: float = 20.0,
                      ping_timeout: float = 20.0, idle_timeout: float = 0.0) -> None:
        """Upgrade requests go to the routes (request.websocket), events to on_batch; the
        keep-alive in seconds (0: off): a Ping after ping_interval without a byte from the
        client, Close 1011 after ping_timeout without an answer, Close 1001 after idle_timeout
        without a message either way."""
    def set_resume(self, resume: Callable[[ServerRequest, bool], Any]) -> None:
        """resume(request, gone): a streamed part was taken, or the client left."""
    def set_stream(self, stream: Callable[[ServerRequest, Any], Any], stream_type: type) -> None:
        """stream(request, result) takes a handler's result that is a generator, an async
        generator or a stream_type instance, and streams it (req._start/_part)."""
    def set_unmatched(self, handler: Callable[[ServerRequest], Any]) -> int:
        """A route for the requests no route matches (404) or allows (405); returns its id."""
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def wait(self, timeout: float = -1.0) -> bool: ...
    @property
    def port(self) -> int: ...
    @property
    def io(self) -> str:
        """The transport in use once started ("epoll" or "asio"), else the one configured."""

# --- client (bind_client.cc) -------------------------------------------------------------------

class ClientRun:
    """One fan-out running on a native thread (private: use lapwise.Client). ``requests`` are
    Request-like objects (method, url, headers, body); ``policy`` is Policy.to_dict(). The
    core's own refusal is ValueError((index or None, message)), raised before anything is sent.
    Results are built from the two classes passed in: response_cls(status, headers, body, url,
    attempts, elapsed, timings, http_version) where timings is (connect, tls, first_byte, total)
    in seconds and http_version is "1.0", "1.1", "2", "3" or "" (libcurl's
    CURLINFO_HTTP_VERSION), and error_cls(kind, message, attempts, elapsed)."""

    def __init__(self, requests: Sequence[Any], policy: dict[str, Any]) -> None: ...
    def wait(self, timeout: float) -> list[int]:
        """Indices finished since the last call; waits up to ``timeout`` s, GIL released."""
    def poll(self) -> list[int]: ...
    def finished(self) -> bool: ...
    def wait_end(self, timeout: float) -> bool:
        """Waits up to ``timeout`` s for the run to end (GIL released); True once it has."""
    def fileno(self) -> int:
        """Readable when results are ready (for an event loop's add_reader)."""
    def cancel(self) -> None: ...
    def join(self) -> None: ...
    def result(self, i: int, response_cls: type, error_cls: type) -> Any:
        """Request ``i``'s result once it is done; IndexError past the end."""
    def results(self, response_cls: type, error_cls: type) -> list[Any]:
        """Joins the run, then one result per request in input order."""
    def stats(self) -> dict[str, int]:
        """attempts (every request started: attempts, redirect hops, resends), retries, resends,
        redirects, cancelled."""
    def __len__(self) -> int: ...

# --- json (bind_json.cc) -----------------------------------------------------------------------

JSON_MAX_DEPTH: int

def json_dumps(obj: Any, *, ensure_ascii: bool = False, allow_nan: bool = True,
               non_str_keys: bool = False) -> bytes:
    """json.dumps(obj, separators=(",", ":"), ensure_ascii=..., allow_nan=...).encode(), except:
    dict keys must be str (TypeError "<path>: keys must be str, not int (...)", the key as the
    path's last step) unless non_str_keys=True, which converts int, float, bool and None keys
    exactly like json.dumps; float exponents are written without '+' or zero padding (1e16,
    1e-5, 1.7976931348623157e308; the digits are repr's). TypeError naming the path for other
    types, ValueError for cycles and (allow_nan=False) NaN/Infinity, RecursionError past
    JSON_MAX_DEPTH levels."""

def json_dumps_strict(obj: Any, *, ensure_ascii: bool = False, allow_nan: bool = False,
                      non_str_keys: bool = False) -> bytes:
    """json_dumps with allow_nan=False by default (lapwise.App's responses)."""

def json_loads(data: bytes | bytearray | memoryview | str, *, allow_nan: bool = True) -> Any:
    """The value of the JSON text (simdjson): json.JSONDecodeError with the position on bad
    input, RecursionError past JSON_MAX_DEPTH levels; NaN, Infinity and -Infinity literals are
    read like json.loads does unless allow_nan=False."""

# --- query (bind_query.cc) ---------------------------------------------------------------------

def query_parse(qs: str, max_pairs: int = 1000, max_length: int = 65536,
                utf8_replace: bool = True, /) -> list[tuple[str, str]]:
    """parse_qsl(qs, keep_blank_values=True) with limits (ValueError past them); positional
    arguments only. utf8_replace=False raises on invalid UTF-8 instead of writing U+FFFD."""

def percent_decode_path(path: str | bytes, /) -> bytes:
    """Percent-decoding without the '+' rule."""

# --- parser (bind_parser.cc): the submodule lapwise._native.parser -----------------------------

class _ParsedRequest:
    """A complete request, read lazily from the input buffer (lapwise.http.ParsedRequest)."""

    method: str
    target: str
    path: str
    query: str
    version: str
    headers: list[tuple[str, str]]
    trailers: list[tuple[str, str]]
    framing: str
    body: bytes
    consumed: int
    keep_alive: bool
    head_size: int
    content_length: int
    expect_continue: bool
    upgrade: bool

class _RequestParser:
    def __init__(self, *, max_request_line: int = ..., max_header_bytes: int = ...,
                 max_headers: int = ..., max_body: int = ..., max_chunk_line: int = ...,
                 partial: Any = None, error: type | None = None) -> None:
        """``partial`` is returned for an incomplete request, ``error(status, reason)`` built
        for an invalid one."""
    def parse(self, buf: bytes | bytearray | memoryview) -> Any: ...
    def parse_many(self, bufs: Sequence[bytes | bytearray | memoryview]) -> list[Any]: ...
    @property
    def limits(self) -> dict[str, int]: ...

class _ParserModule:
    Request: type[_ParsedRequest]
    RequestParser: type[_RequestParser]
    DEFAULT_LIMITS: dict[str, int]

parser: _ParserModule

# --- html (bind_html.cc) -----------------------------------------------------------------------

class HtmlSelector:
    """A compiled CSS selector; ValueError (with the position) when ``css`` is invalid."""

    def __init__(self, css: str) -> None: ...
    @property
    def text(self) -> str: ...

class HtmlElement:
    """A node of a parsed document; keeps the document alive."""

    @property
    def tag(self) -> str: ...
    @property
    def attrs(self) -> dict[str, str]: ...
    def get(self, name: str, default: Any = None) -> Any: ...
    @property
    def text(self) -> str:
        """The text in "normalized" mode."""
    def get_text(self, mode: str = "normalized") -> str:
        """``mode`` is normalized, raw or strings; ValueError otherwise."""
    @property
    def outer_html(self) -> str: ...
    @property
    def inner_html(self) -> str: ...
    @property
    def parent(self) -> HtmlElement | None: ...
    @property
    def children(self) -> list[HtmlElement]: ...
    def select(self, css: str | HtmlSelector) -> list[HtmlElement]: ...
    def select_one(self, css: str | HtmlSelector) -> HtmlElement | None: ...

class HtmlDocument(HtmlElement):
    """A parsed document (the root node)."""

    @property
    def root(self) -> HtmlElement | None: ...
    @property
    def head(self) -> HtmlElement | None: ...
    @property
    def body(self) -> HtmlElement | None: ...
    @property
    def error_count(self) -> int: ...
    @property
    def truncated(self) -> bool: ...
    @property
    def quirks(self) -> str: ...

class HtmlExtractor:
    """Fields (selector, take, text mode, attribute, first only); take is text, html,
    inner_html, attr or attrs. ValueError "field <index>: invalid selector ..." when a selector
    does not compile."""

    def __init__(self, fields: Sequence[tuple[str, str, str, str, bool]]) -> None: ...
    def __len__(self) -> int: ...
    def extract(self, doc: HtmlDocument) -> list[Any]: ...
    def extract_many(self, pages: Sequence[bytes | bytearray | str], threads: int = 0) -> list[list[Any]]:
        """Parses and extracts every page on ``threads`` native threads (0: one per CPU), GIL released."""

def html_parse(data: bytes | bytearray | str) -> HtmlDocument: ...

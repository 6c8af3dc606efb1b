// lapwise::parser — HTTP/1.1 message parsing (RFC 9112), zero copy, errors as values.
//
// Contract (the conformance tables and the adapters rely on each line):
// - Stateless head parsers: each call parses `buf` from its start. Not enough bytes gives
//   need_more (consumed 0, nothing kept); call again with the same bytes plus more. A complete
//   head gives `consumed` = bytes of the head; the next message starts there (pipelining).
// - Zero copy: every string_view points into `buf` (or into the caller's body storage for a
//   decoded chunked body), valid as long as those bytes are. No allocation, no exception.
// - Strict framing; each rejection is an error_code mapped by http_status() to the status a
//   server sends. Rejected (400 unless noted): control bytes, SP or delimiters in tokens; SP/HTAB
//   before the colon; obs-fold; bare CR or bare LF (CRLF only); CR/LF/NUL/CTL in values; a
//   target byte outside 0x21-0x7E, or '#'; a version other than HTTP/1.0, HTTP/1.1 (505);
//   missing or duplicate Host in HTTP/1.1 (duplicate in 1.0 too); Transfer-Encoding with
//   Content-Length; Transfer-Encoding in HTTP/1.0; chunked applied twice or not last; a coding
//   other than chunked (501); a malformed or overflowing Content-Length; differing Content-Length
//   values. Identical duplicates ("5" twice, or "5, 5") are collapsed, as RFC 9110 §8.6 allows.
//   Over limits: request line 414, header section or count 431, body 413.
// - Leading empty lines (CRLF) before a request line are skipped (RFC 9112 §2.2) and counted in
//   `consumed` and against max_request_line. There are no lenient modes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lapwise::parser {

struct header {
  std::string_view name;   // a token, case as sent
  std::string_view value;  // leading and trailing SP/HTAB removed; may be empty
};

struct limits {
  std::size_t max_request_line = 8192;   // request/status line incl. leading CRLFs -> 414
  std::size_t max_header_bytes = 65536;  // header section incl. final CRLF; also trailers -> 431
  std::size_t max_headers = 100;         // header fields (min with storage.size()) -> 431
  std::uint64_t max_body = 8u << 20;     // Content-Length or decoded chunked total -> 413
  std::size_t max_chunk_line = 4096;     // chunk-size line incl. extensions -> 400
};

enum class error_code : std::uint8_t {
  none,
  bad_request_line,       // 400 malformed method, target or layout of the request line
  bad_status_line,        // 400 malformed status line (responses)
  bad_version,            // 400 not "HTTP/" DIGIT "." DIGIT
  unsupported_version,    // 505 well formed but not 1.0 or 1.1
  request_line_too_long,  // 414
  bad_header_name,        // 400 empty name or a non-token byte in it
  space_before_colon,     // 400
  obs_fold,               // 400 line folding (a field line starting with SP/HTAB)
  bad_header_value,       // 400 CTL (other than HTAB) or DEL in a value
  bad_line_ending,        // 400 bare CR or bare LF
  headers_too_large,      // 431 header section (or trailer section) over max_header_bytes
  too_many_headers,       // 431 over max_headers or the caller's storage
  missing_host,           // 400 HTTP/1.1 request without Host
  duplicate_host,         // 400
  bad_host,               // 400 a byte that cannot appear in uri-host [":" port]
  bad_content_length,     // 400 not 1*DIGIT, overflow, or differing values
  content_length_with_transfer_encoding,  // 400 both present
  bad_transfer_encoding,                  // 400 empty, malformed, chunked twice, or with parameters
  chunked_not_last,                       // 400 (requests; a response is then read until close)
  unknown_transfer_coding,                // 501 a coding other than chunked
  transfer_encoding_http10,               // 400 Transfer-Encoding in an HTTP/1.0 message
  body_too_large,                         // 413 over max_body (or the caller's body storage)
  bad_chunk_size,                         // 400 not 1*HEXDIG, or overflowing 64 bits
  bad_chunk_extension,  // 400 malformed chunk-ext, or chunk line over max_chunk_line
  bad_chunk_data,       // 400 chunk data not followed by CRLF
  incomplete_message,   // 400 end of input (eof) inside a message
};

int http_status(error_code e) noexcept;       // 400/413/414/431/501/505; 0 for none
const char* describe(error_code e) noexcept;  // short English text, static storage

enum class parse_status : std::uint8_t { complete, need_more, error };

struct parse_result {
  parse_status status = parse_status::need_more;
  std::size_t consumed = 0;  // bytes of buf used; 0 unless complete
  error_code error = error_code::none;
};

// How the body that follows the head is delimited (RFC 9112 §6.3).
enum class body_framing : std::uint8_t { none, content_length, chunked, until_close };

struct request {
  std::string_view method;  // a token, case-sensitive ("GET")
  std::string_view target;  // as sent: origin, absolute, authority (CONNECT) or "*" (OPTIONS)
  std::string_view path;    // origin/"*": target before '?'; absolute: its path ("/" if empty,
                            // static storage); authority-form: empty. Not percent-decoded.
  std::string_view query;   // after the first '?' (without it); may be empty. '#' is rejected
  int version_minor = 1;    // 0 or 1
  std::span<const header> headers;   // into the caller's storage, in order
  std::span<const header> trailers;  // chunked trailers (parse_request only), after headers
  std::string_view host;             // the Host value (empty if absent)
  body_framing framing = body_framing::none;  // none, content_length or chunked
  std::uint64_t content_length = 0;           // when framing == content_length
  bool keep_alive = true;        // 1.1 unless "Connection: close"; 1.0 only with "keep-alive"
  bool expect_continue = false;  // "Expect: 100-continue" (HTTP/1.1)
  bool upgrade = false;          // "Connection: upgrade" and an Upgrade header
  std::size_t head_size = 0;     // bytes of the head incl. skipped leading CRLFs
  std::string_view body;         // parse_request only: the whole (decoded) body
};

struct response {
  int version_minor = 1;
  int status = 0;           // 100..999
  std::string_view reason;  // may be empty (the SP before it may then be missing too)
  std::span<const header> headers;
  std::span<const header> trailers;           // parse_response only
  body_framing framing = body_framing::none;  // none for HEAD, 1xx, 204, 304, 2xx to CONNECT
  std::uint64_t content_length = 0;
  bool keep_alive = true;  // false for until_close
  std::size_t head_size = 0;
  std::string_view body;  // parse_response only
};

// Parses a request head (request line + header section). `storage` receives the headers;
// the smaller of storage.size() and max_headers bounds their number.
parse_result parse_request_head(std::string_view buf, request& out, std::span<header> storage,
                                const limits& lim = {}) noexcept;

// Parses a response head to a request made with `request_method` (decides HEAD/CONNECT
// bodies). Transfer-Encoding whose last coding is not chunked means until_close.
parse_result parse_response_head(std::string_view buf, std::string_view request_method,
                                 response& out, std::span<header> storage,
                                 const limits& lim = {}) noexcept;

// Whole messages: the head, then the body. A Content-Length body is a view into buf; a chunked
// body is decoded into body_storage (its size bounds the body too: 413) and its trailers go to
// storage after the headers. `consumed` covers head + body, so pipelined messages follow. The
// body must be wholly in buf (re-parsed per call): stream large bodies with chunked_decoder.
parse_result parse_request(std::string_view buf, request& out, std::span<header> storage,
                           std::span<char> body_storage, const limits& lim = {}) noexcept;
// `eof`: no more bytes will come; completes an until_close body, else incomplete_message.
parse_result parse_response(std::string_view buf, std::string_view request_method, response& out,
                            std::span<header> storage, std::span<char> body_storage, bool eof,
                            const limits& lim = {}) noexcept;

// Incremental decoder of a chunked body (RFC 9112 §7.1), from the first chunk-size line to
// the end of the trailer section. Stateful: bytes it consumed are never needed again.
class chunked_decoder {
 public:
  // Trailers go to `trailer_storage` (bounded also by max_headers); views into the input.
  explicit chunked_decoder(std::span<header> trailer_storage = {}, const limits& lim = {}) noexcept;

  struct result {
    parse_status status = parse_status::need_more;  // complete: last chunk + trailers consumed
    std::size_t consumed = 0;  // bytes of `in` used (also on need_more; > 0 is progress)
    std::size_t produced = 0;  // data bytes written to the front of `out`
    error_code error = error_code::none;
  };
  // Decodes from `in`, writing data to `out`; stops when `in` runs dry, `out` is full, or at the
  // end. Chunk lines and the trailer section are consumed only once whole (so trailer views stay
  // in the last `in`). `out` may alias `in` (in-place decoding): output never passes input.
  result feed(std::string_view in, std::span<char> out) noexcept;

  [[nodiscard]] std::span<const header> trailers() const noexcept { return {trailers_, count_}; }
  [[nodiscard]] std::uint64_t body_size() const noexcept { return total_; }  // decoded so far
  void reset() noexcept;  // ready for the next body (same storage and limits)

 private:
  enum class state : std::uint8_t { size_line, data, data_crlf, trailers, done, failed };
  header* trailers_;
  std::size_t capacity_;
  std::size_t count_ = 0;
  limits limits_;
  std::uint64_t remaining_ = 0;  // data bytes left in the current chunk
  std::uint64_t total_ = 0;
  state state_ = state::size_line;
  error_code error_ = error_code::none;
};

}  // namespace lapwise::parser

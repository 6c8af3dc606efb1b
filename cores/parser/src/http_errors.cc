// The status a server answers for each error, and a short description of it.
#include "lapwise/parser/http.h"

namespace lapwise::parser {

int http_status(error_code e) noexcept {
  switch (e) {
    case error_code::none:
      return 0;
    case error_code::unsupported_version:
      return 505;
    case error_code::request_line_too_long:
      return 414;
    case error_code::headers_too_large:
    case error_code::too_many_headers:
      return 431;
    case error_code::unknown_transfer_coding:
      return 501;
    case error_code::body_too_large:
      return 413;
    default:
      return 400;
  }
}

const char* describe(error_code e) noexcept {
  switch (e) {
    case error_code::none:
      return "no error";
    case error_code::bad_request_line:
      return "malformed request line";
    case error_code::bad_status_line:
      return "malformed status line";
    case error_code::bad_version:
      return "malformed HTTP version";
    case error_code::unsupported_version:
      return "HTTP version not supported";
    case error_code::request_line_too_long:
      return "request line too long";
    case error_code::bad_header_name:
      return "invalid header field name";
    case error_code::space_before_colon:
      return "whitespace before colon in header field";
    case error_code::obs_fold:
      return "obsolete line folding in header field";
    case error_code::bad_header_value:
      return "invalid byte in header field value";
    case error_code::bad_line_ending:
      return "bare CR or LF (lines must end in CRLF)";
    case error_code::headers_too_large:
      return "header section too large";
    case error_code::too_many_headers:
      return "too many header fields";
    case error_code::missing_host:
      return "HTTP/1.1 request without Host";
    case error_code::duplicate_host:
      return "more than one Host header field";
    case error_code::bad_host:
      return "invalid Host header field value";
    case error_code::bad_content_length:
      return "invalid Content-Length";
    case error_code::content_length_with_transfer_encoding:
      return "both Content-Length and Transfer-Encoding";
    case error_code::bad_transfer_encoding:
      return "invalid Transfer-Encoding";
    case error_code::chunked_not_last:
      return "chunked is not the final transfer coding";
    case error_code::unknown_transfer_coding:
      return "transfer coding not implemented";
    case error_code::transfer_encoding_http10:
      return "Transfer-Encoding in an HTTP/1.0 message";
    case error_code::body_too_large:
      return "body too large";
    case error_code::bad_chunk_size:
      return "invalid chunk size";
    case error_code::bad_chunk_extension:
      return "invalid chunk extension or chunk line too long";
    case error_code::bad_chunk_data:
      return "chunk data not followed by CRLF";
    case error_code::incomplete_message:
      return "connection closed inside a message";
  }
  return "unknown error";
}

}  // namespace lapwise::parser

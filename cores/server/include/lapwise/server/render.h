// lapwise::server — response head rendering shared by the session and the pre-rendered routes.
//
// Contract: render_response() appends one whole HTTP/1.1 response to `out`: status line
// (a status outside 200..999 becomes 500), Server, Date (the 29 bytes at `date`),
// Content-Type when non-empty, Content-Length (not for 204/304, whose body is dropped;
// Transfer-Encoding: chunked or nothing for a streamed head, head_fields::frame), the
// caller's extra header lines, then Connection: close or keep-alive when asked, and the body.
// It returns the offset in `out` of the Date value, so pre-rendered bytes can be re-dated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lapwise::server::detail {

struct head_fields {
  int status;
  std::string_view server_name;
  const char* date;  // date_length bytes
  std::string_view content_type;
  std::string_view headers;  // "Name: value\r\n" lines
  bool close;                // Connection: close
  bool keep_alive10;         // Connection: keep-alive (an HTTP/1.0 client asked for it)
  // How the body is delimited: Content-Length (the default), or for a streamed response,
  // chunked (HTTP/1.1) or by the close (HTTP/1.0: no length header at all).
  enum class framing : std::uint8_t { length, chunked, close } frame = framing::length;
  std::uint64_t extra_length = 0;  // body bytes sent from elsewhere (a file), after `body`
};

[[nodiscard]] std::string_view reason_phrase(int status) noexcept;
// With `with_body` false only the head is appended (its Content-Length still body.size()): the
// caller sends the body from where it already is.
std::size_t render_response(std::string& out, const head_fields& h, std::string_view body,
                            bool with_body = true);

}  // namespace lapwise::server::detail

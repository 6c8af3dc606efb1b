// Private: the server's access log (config::access_log), one line per answered request in
// the Combined Log Format that nginx and Apache write by default:
//
//   127.0.0.1 - - [06/Dec/2026:15:13:07 +0000] "GET /json?q=1 HTTP/1.1" 200 27 "-" "wrk"
//
// (client, identity and user: unknown, time, request line as received, status, body bytes,
// Referer, User-Agent). A request line the server never read whole (a 400 for a malformed
// head, a 408) is "-"; a streamed body's length is "-". Quotes, backslashes and control bytes
// inside quoted fields are escaped (\" \\ \xHH), so a client cannot forge a line.
//
// Why not one write per line: the io threads format lines into one buffer and write it when it
// passes 32 KiB, at every tick sweep (a line waits at most one tick, about a second) and when
// the server stops. One lock per line, taken only when the log is on.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "lapwise/parser/http.h"

namespace lapwise::server::detail {

struct access_fields {
  std::string_view client;  // numeric address; empty: "-"
  std::string_view method;  // empty: the request line is unknown
  std::string_view path;    // as received (not percent-decoded)
  std::string_view query;   // as received, without '?'; empty: none
  int version_minor = 1;
  int status = 0;
  std::int64_t bytes = -1;                  // body bytes sent; -1: not known when the head went out
  std::span<const parser::header> headers;  // Referer and User-Agent come from here
};

// Appends one line and its '\n' to `out`. `http_date` is the loops' cached Date value
// ("Sun, 06 Dec 2026 15:13:07 GMT"): the log's own time format is cut from it.
void append_access_line(std::string& out, const access_fields& f, const char* http_date);

class access_log {
 public:
  // "-": standard error; otherwise a file, created if missing and appended to. Throws
  // std::system_error naming the path when it cannot be opened.
  explicit access_log(const std::string& where);
  ~access_log();
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  void add(const access_fields& f, const char* http_date);
  void flush();  // writes what is buffered, now

 private:
  void write_locked();
  std::mutex mu_;
  std::string buffer_;
  int fd_ = -1;
  bool owned_ = false;
};

}  // namespace lapwise::server::detail

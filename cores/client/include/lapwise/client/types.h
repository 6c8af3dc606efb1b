// lapwise::client — the vocabulary of a fan-out: requests, the policy that schedules them, and
// the one result each request yields.
//
// Contract:
// - A request is (method, absolute http/https URL, header fields, body bytes). validate() checks
//   every request and the policy before anything is sent; nothing here throws.
// - Every request yields exactly one result: a response (any status, 4xx/5xx included, once the
//   retries are spent) or an error (kind + message). `attempts` counts the attempts the
//   scheduler started plus libcurl's own resends (a request resent on a fresh connection when a
//   reused keep-alive connection closed before any response byte). Redirect hops are not
//   attempts: a server sees attempts + hops requests for one result (less those that never
//   connected); run_stats::attempts counts all of them.
// - A non-idempotent request (POST, PATCH, ...) is never sent twice unless
//   policy::retry_non_idempotent: libcurl's resend is refused, and the attempt fails as `reset`.
// - Memory is bounded per request in flight: body (decoded) <= max_body_bytes, response head
//   <= max_header_bytes and <= max_headers fields; past a limit the attempt ends as too_large.
// - Durations are std::chrono; a zero timeout or a zero rate means "none".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lapwise::client {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using duration = std::chrono::nanoseconds;
using header = std::pair<std::string, std::string>;

inline constexpr std::size_t max_requests = 10'000'000;
inline constexpr std::size_t max_url_length = 65'536;
inline constexpr std::size_t max_headers_per_request = 256;

struct request {
  std::string method = "GET";
  std::string url;
  std::vector<header> headers;
  std::string body;
};

// A token bucket: `rate` requests per second on average, at most `burst` at once. rate 0 = off.
struct rate_limit {
  double rate = 0;
  double burst = 1;
};

struct policy {
  std::size_t concurrency = 64;  // attempts in flight, all hosts together (>= 1)
  std::size_t per_host = 0;      // attempts in flight per scheme://host:port; 0 = no own cap
  rate_limit global_rate;        // every attempt (retries too) takes a token from each bucket
  rate_limit host_rate;
  std::uint32_t retries = 2;  // extra attempts after the first
  duration backoff_base = std::chrono::milliseconds(100);
  duration backoff_cap = std::chrono::seconds(10);
  std::vector<int> retry_statuses = {408, 429, 500, 502, 503, 504};
  bool retry_on_errors = true;        // connect, reset and timeout errors
  bool retry_non_idempotent = false;  // POST/PATCH/... are retried only when this is set
  duration retry_after_max = std::chrono::seconds(60);  // a longer Retry-After ends the retries
  duration connect_timeout = std::chrono::seconds(10);
  // Longest time between two bytes within an attempt: the clock starts when the attempt starts
  // and restarts whenever its connection moves bytes (received, or sent while the request
  // goes out), so a slow but steady sender never times out and a stalled one always does.
  duration read_timeout = std::chrono::seconds(30);
  duration total_timeout{0};  // whole attempt; 0 = none
  bool follow_redirects = true;
  std::uint32_t max_redirects = 10;
  bool verify_tls = true;
  std::string ca_file;    // empty: the system's CA store
  std::string proxy;      // empty: libcurl's environment variables (http_proxy, ...)
  bool use_proxy = true;  // false: no proxy at all, whatever the environment says
  std::size_t max_body_bytes = 64u << 20;    // decoded body (Content-Encoding undone)
  std::size_t max_header_bytes = 64u << 10;  // all response heads of one attempt, raw bytes
  std::size_t max_headers = 256;             // fields in one response head
  std::string user_agent = "lapwise/0.1";
  std::uint64_t seed = 0;  // jitter RNG seed; 0 = random
};

enum class error_kind : std::uint8_t {
  connect,    // DNS or TCP connect failed
  timeout,    // connect, read (between bytes) or total timeout
  reset,      // connection closed or reset before a complete response
  tls,        // handshake or certificate verification failed
  redirects,  // more than max_redirects, or a redirect to a URL that is not http/https
  protocol,   // malformed response (status line, framing), HTTP/2 errors, bad content encoding
  too_large,  // body over max_body_bytes, head over max_header_bytes or max_headers
  cancelled,  // the caller cancelled the run before this request completed
  other,
};

std::string_view to_string(error_kind kind) noexcept;

// The HTTP version the final response came over, as libcurl negotiated it (ALPN for h2).
enum class http_version : std::uint8_t { unknown, v1_0, v1_1, v2, v3 };

// "1.0", "1.1", "2", "3"; "" for unknown.
std::string_view to_string(http_version version) noexcept;

// Phases of the last attempt, seconds from its start (libcurl's timers).
struct timings {
  double connect = 0;
  double tls = 0;
  double first_byte = 0;
  double total = 0;
};

struct response {
  int status = 0;
  std::vector<header> headers;  // names lower-cased, in arrival order (last response only)
  std::string body;             // decoded (Content-Encoding undone)
  std::string url;              // final URL after redirects
  http_version version = http_version::unknown;
  std::uint32_t attempts = 0;
  double elapsed = 0;  // seconds from the first attempt's start to the result
  timings phases;
};

struct error {
  error_kind kind = error_kind::other;
  std::string message;
  std::uint32_t attempts = 0;
  double elapsed = 0;
};

using result = std::variant<response, error>;

// Why a fan-out was refused before anything was sent. `index` names the request, or is
// `npos` when the policy is at fault.
struct invalid_input {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t index = npos;
  std::string message;
};

}  // namespace lapwise::client

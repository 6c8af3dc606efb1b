// lapwise::load::run — the load generator: N keep-alive connections on raw epoll, closed or open
// loop.
//
// Contract:
// - Closed loop (rate == 0): every connection keeps `pipeline` requests in flight; each response
//   is answered by the next request in the same loop iteration (refills after one read go out
//   in one write). Latency = response complete (clock read when the read that completed it
//   returned) - request handed to the socket (clock read just before that connection's write).
// - Open loop (rate > 0): the schedule of schedule.h (request k intended at k / rate, on
//   connection k mod N); a connection writes a due request while it has fewer than `pipeline`
//   in flight, else the request waits. Latency = response complete - intended send time
//   (coordinated omission corrected). Each measured request also records, at its write:
//     send lateness     = written - intended (everything that held it back), and
//     generator lateness = written - max(intended, when its connection last had room):
//                         the part that is the generator's own delay, not the server's
//                         backpressure on a full connection;
//   and each ok response: response time = complete - written (what the server took).
// - The loop: one epoll wait (level-triggered, nanosecond timeout) per iteration; every ready
//   socket read once (no speculative re-read); then the requests due by now are released and
//   every connection with something to send writes once. The wait sleeps until the next
//   intended request, but at least pace_gap_us after the previous release (see driver.cc),
//   so at high rates requests leave in small batches; that lag is measured (above).
// - Phases: warmup (warmup_s; counted apart, not in the histograms), then the measured window
//   (duration_s, or until max_requests measured requests were issued), then a drain: requests
//   still in flight get up to timeout_ms to finish. A request belongs to the phase of its start
//   (send time in closed loop, intended time in open loop). Every load is bounded in time.
// - Accounting, per phase: issued == ok + failed, always. A request fails with exactly one
//   kind: read (connection reset or closed before its response), write, parse (a response the
//   strict parser rejects), status (not expect_status), body (length != expect_length),
//   timeout (no response within timeout_ms of its write, or still pending when the run ends).
//   read, write, parse and timeout break the connection: its other in-flight requests fail with
//   the same kind and it reconnects (open loop: waiting requests keep their intended times).
//   status and body leave a well-framed connection open. `connect` counts failed connection
//   attempts, which are not requests.
// - Threads: `threads` loops, each on its own thread with a share of the connections (default
//   1: the caller pins the process to a core). Timestamps: steady_clock.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "lapwise/load/histogram.h"
#include "lapwise/load/request_set.h"

namespace lapwise::load {

struct config {
  std::string host = "127.0.0.1";  // a numeric IPv4 or IPv6 address (no name lookup)
  std::uint16_t port = 0;
  std::uint32_t connections = 16;
  std::uint32_t threads = 1;
  std::uint32_t pipeline = 1;  // requests in flight per connection
  double rate = 0;             // open loop: requests per second over all connections
  double duration_s = 10;
  double warmup_s = 0;
  std::uint64_t max_requests = 0;  // measured requests to issue; 0 = bounded by duration only
  std::uint32_t timeout_ms = 2000;
  // Open loop: the loop sleeps at least this long after releasing due requests (unless a
  // response wakes it first), so above 1e6 / pace_gap_us requests/s they leave in batches.
  std::uint32_t pace_gap_us = 50;
  std::vector<request_spec> requests;  // sent round-robin (connection c starts at c mod size)
};

enum class failure_kind : std::uint8_t { read, write, parse, status, body, timeout, count_ };
inline constexpr std::array<const char*, 6> failure_kind_names = {"read",   "write", "parse",
                                                                  "status", "body",  "timeout"};

struct counters {
  std::uint64_t issued = 0;  // requests started (written in closed loop, due in open loop)
  std::uint64_t sent = 0;    // requests written to a socket
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(failure_kind::count_)> errors{};

  void add(const counters& o) noexcept;
};

struct report {
  counters measured;
  counters warmup;
  std::uint64_t connect_errors = 0;  // failed connection attempts (all phases)
  std::uint64_t connects = 0;        // successful connections (all phases)
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;
  histogram latency_ns;  // measured ok responses only
  // Open loop only (empty in closed loop), measured requests: see the contract above.
  histogram send_lateness_ns;     // one per request written: written - intended
  histogram loadgen_lateness_ns;  // one per request written: written - max(intended, room)
  histogram response_ns;          // one per ok response: complete - written
  double elapsed_s = 0;   // measured window: its start to the last measured completion (or end)
  double wall_s = 0;      // the whole run: connecting, warmup, measured window and drain
  double cpu_user_s = 0;  // this process (all threads), over the whole run
  double cpu_system_s = 0;
  std::vector<std::string> first_errors;  // up to 8 messages, for humans
};

// Checks a config before a run; the empty string when it can run, else what is wrong.
std::string check_config(const config& cfg);
// Runs the load described by cfg (validated first). `error` is set (and the report empty)
// when it cannot start: an invalid config or address.
report run(const config& cfg, std::string& error);

}  // namespace lapwise::load

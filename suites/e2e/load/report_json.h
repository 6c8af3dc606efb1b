// lapwise-load's JSON report (its own format; suites/e2e/server_bench converts it to schema v1).
//
//   {"tool": "lapwise-load", "format": 1,
//    "config": {host, port, connections, threads, pipeline, rate, mode: "closed"|"open",
//               duration_s, warmup_s, max_requests, timeout_ms,
//               requests: [{method, target, expect_status, expect_length}]},
//    "elapsed_s", "throughput_rps" (ok / elapsed_s),
//    "requests": {issued, sent, ok, failed},          measured window; issued == ok + failed
//    "errors": {read, write, parse, status, body, timeout},   sum == requests.failed
//    "warmup": {issued, sent, ok, failed},
//    "connections": {opened, connect_errors},
//    "latency_us": {count, min, mean, p50, p90, p99, p99.9, p99.99, max, saturated},
//    "histogram": {digits, highest_ns},
//    "cpu": {user_s, system_s}, "bytes": {read, written}, "first_errors": [...]}
//
// Percentiles are the nearest-rank values of histogram.h (each its bucket's upper bound).
#pragma once

#include <ostream>

#include "driver.h"

namespace lapwise::load {

void write_json(std::ostream& out, const config& cfg, const report& rep);
// A few human lines (wrk-like) for stderr.
void write_summary(std::ostream& out, const config& cfg, const report& rep);

}  // namespace lapwise::load

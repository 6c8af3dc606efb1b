// lapwise-load's JSON report (its own format; suites/e2e/server_bench converts it to schema v1).
//
//   {"tool": "lapwise-load", "format": 1,
//    "config": {host, port, connections, threads, pipeline, rate, mode: "closed"|"open",
//               duration_s, warmup_s, max_requests, timeout_ms, pace_gap_us,
//               requests: [{method, target, expect_status, expect_length}]},
//    "elapsed_s", "throughput_rps" (ok / elapsed_s),
//    "requests": {issued, sent, ok, failed},          measured window; issued == ok + failed
//    "errors": {read, write, parse, status, body, timeout},   sum == requests.failed
//    "warmup": {issued, sent, ok, failed},
//    "connections": {opened, connect_errors},
//    "latency_us": {count, min, mean, p50, p90, p99, p99.9, p99.99, max, saturated},
//    "open_loop": {send_lateness_us, loadgen_lateness_us, response_us},
//                 each {count, p50, p90, p99, p99.9, max}; counts 0 in closed loop
//    "histogram": {digits, highest_ns},
//    "cpu": {user_s, system_s, wall_s, utilisation}, "bytes": {read, written},
//    "first_errors": [...]}
//
// Percentiles are the nearest-rank values of histogram.h (each its bucket's upper bound).
// open_loop (driver.h): send lateness = written - intended; loadgen lateness = written -
// max(intended, when the connection had room), the generator's own delay; response = complete
// - written. cpu.utilisation = (user_s + system_s) / wall_s: 1.0 is one saturated core.
#pragma once

#include <ostream>

#include "lapwise/load/driver.h"

namespace lapwise::load {

void write_json(std::ostream& out, const config& cfg, const report& rep);
// The run's CPU (user + system, all threads) per wall second; 0 when nothing ran.
double cpu_utilisation(const report& rep) noexcept;
// A few human lines (wrk-like) for stderr.
void write_summary(std::ostream& out, const config& cfg, const report& rep);

}  // namespace lapwise::load

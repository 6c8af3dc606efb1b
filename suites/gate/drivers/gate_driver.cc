#include "gate_driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>

#ifndef LAPWISE_INJECT_SLOWDOWN_PCT
#define LAPWISE_INJECT_SLOWDOWN_PCT 0
#endif
#ifndef LAPWISE_GATE_CXX
#define LAPWISE_GATE_CXX "unknown"
#endif
#ifndef LAPWISE_GATE_CXX_FLAGS
#define LAPWISE_GATE_CXX_FLAGS "unknown"
#endif

extern "C" __attribute__((noinline)) std::uint64_t lapwise_gate_measured(
    const lapwise::gate::workload& w, std::size_t passes) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < passes; ++i) sum += w.pass();
  return sum;
}

namespace lapwise::gate {
namespace {

int usage(const char* argv0, const char* why) {
  std::fprintf(stderr,
               "%s: %s\nusage: %s --list | --info | --requires | --bench=ID [--mode=instr|time] "
               "[--reps=K]\n",
               argv0, why, argv0);
  return 2;
}

// Parses a positive count; 0 on anything else.
std::size_t parse_count(std::string_view text) {
  std::size_t n = 0;
  if (text.empty() || text.size() > 9) return 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

// Median wall time per operation over `reps` timed repetitions of `time_passes` passes each.
// The median (not the mean or the minimum) because a shared machine's interruptions skew the
// tail one way; the ratio gate then compares medians of separate processes round by round.
double time_per_op_ns(const workload& w, std::size_t reps, std::uint64_t* sink) {
  using clock = std::chrono::steady_clock;
  *sink += lapwise_gate_measured(w, w.time_passes);  // warm caches and branch predictors
  std::vector<double> per_op(reps);
  for (auto& v : per_op) {
    auto start = clock::now();
    *sink += lapwise_gate_measured(w, w.time_passes);
    std::chrono::duration<double, std::nano> took = clock::now() - start;
    v = took.count() / static_cast<double>(w.time_passes * w.ops_per_pass);
  }
  std::nth_element(per_op.begin(), per_op.begin() + reps / 2, per_op.end());
  return per_op[reps / 2];
}

}  // namespace

int run_main(int argc, char** argv, const std::vector<benchmark>& benchmarks) {
  std::string_view bench_id, mode = "instr";
  std::size_t reps = 15;
  bool list = false, info = false, needs = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--list") {
      list = true;
    } else if (arg == "--info") {
      info = true;
    } else if (arg == "--requires") {
      needs = true;
    } else if (arg.starts_with("--bench=")) {
      bench_id = arg.substr(8);
    } else if (arg.starts_with("--mode=")) {
      mode = arg.substr(7);
    } else if (arg.starts_with("--reps=")) {
      reps = parse_count(arg.substr(7));
      if (reps == 0) return usage(argv[0], "--reps takes a positive whole number");
    } else {
      return usage(argv[0], "unknown argument");
    }
  }
  if (list) {
    for (const auto& b : benchmarks) std::printf("%s\n", b.id.c_str());
    return 0;
  }
  if (needs) {
    for (const auto& b : benchmarks) {
      cpu_needs n = b.needs();
      std::printf("%s\t%s\t%s\n", b.id.c_str(), n.flags.c_str(), n.runnable() ? "yes" : "no");
    }
    return 0;
  }
  if (info) {
    std::printf("compiler=%s\nflags=%s\ninject_pct=%d\n", LAPWISE_GATE_CXX, LAPWISE_GATE_CXX_FLAGS,
                LAPWISE_INJECT_SLOWDOWN_PCT);
    return 0;
  }
  if (bench_id.empty()) return usage(argv[0], "no --bench=ID (see --list)");
  if (mode != "instr" && mode != "time") return usage(argv[0], "--mode is instr or time");
  auto it = std::find_if(benchmarks.begin(), benchmarks.end(),
                         [&](const benchmark& b) { return b.id == bench_id; });
  if (it == benchmarks.end()) return usage(argv[0], "unknown benchmark id (see --list)");

  if (cpu_needs n = it->needs(); !n.runnable()) {
    std::fprintf(stderr, "%s: cannot run here: needs CPU flags %s\n", it->id.c_str(),
                 n.flags.c_str());
    return 77;
  }
  workload w;
  try {
    w = it->make();
  } catch (const missing_input& e) {
    std::fprintf(stderr, "%s: missing input: %s\n", it->id.c_str(), e.what.c_str());
    return 4;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: setup failed: %s\n", it->id.c_str(), e.what());
    return 4;
  }
  std::string why;
  if (!w.verify(&why)) {
    std::fprintf(stderr, "%s: wrong answer, nothing measured: %s\n", it->id.c_str(), why.c_str());
    return 3;
  }
  std::uint64_t sink = 0;
  if (mode == "instr") {
    sink = lapwise_gate_measured(w, w.instr_passes);
    std::printf("checksum %llu\n", static_cast<unsigned long long>(sink));
  } else {
    double ns = time_per_op_ns(w, reps, &sink);
    std::printf("%.3f\n", ns);
    std::fprintf(stderr, "checksum %llu\n", static_cast<unsigned long long>(sink));
  }
  return 0;
}

}  // namespace lapwise::gate

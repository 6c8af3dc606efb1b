// A fixed-work driver for the performance gates: one executable per core that runs a
// fixed set of operations on fixed inputs, either once under callgrind (instruction counts) or
// repeatedly with a clock (one wall-time figure for the same-run ratio gate).
//
// Why not the Google Benchmark binaries: their iteration count adapts to elapsed time (and under
// valgrind, to valgrind's slowdown and the machine's load), so the instructions of a whole run
// differ from run to run. Here the number of passes is fixed, and only the call of
// lapwise_gate_measured() is counted (callgrind --toggle-collect=lapwise_gate_measured), so
// start-up, input loading and table building are outside the count.
//
// Command line (every driver):
//   --list                      benchmark ids, one per line
//   --info                      build facts (compiler, flags, injected slowdown), key=value lines
//   --requires                  per benchmark: "ID<TAB>cpu flags it runs on<TAB>yes|no" (can it
//                               run on this CPU, as this process sees it: under valgrind, the
//                               CPU valgrind emulates)
//   --bench=ID [--mode=instr]   verify, then run the fixed passes once; prints the checksum
//   --bench=ID --mode=time [--reps=K]   verify, warm up, time K repetitions; prints one number:
//                               the median nanoseconds per operation
// Exit status: 0 ok, 2 usage error, 3 a wrong answer (before anything is measured), 4 missing
// input, 77 the benchmark cannot run here (the CPU lacks what it needs; the reason on stderr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lapwise::gate {

// One benchmark's fixed work. `pass` runs every operation of the benchmark once and returns a
// checksum (so the work cannot be optimised away); it must not allocate or depend on time.
struct workload {
  std::function<bool(std::string* why)> verify;  // checks the answers; false + why on a mismatch
  std::function<std::uint64_t()> pass;
  std::size_t ops_per_pass = 1;
  std::size_t instr_passes = 1;  // passes counted under callgrind: a few million instructions
  std::size_t time_passes = 1;   // passes per timed repetition: about a millisecond
};

// Thrown by a factory when its input (a dataset file) is absent: exit status 4, not a crash.
struct missing_input {
  std::string what;
};

// What a benchmark needs from the CPU. `flags` names them in /proc/cpuinfo's spelling (the gate
// stores them beside the baseline, so another machine can tell "cannot run here" from "slower");
// `runnable` checks them in this process (valgrind hides what it cannot emulate, e.g. AVX-512).
struct cpu_needs {
  std::string flags;  // space-separated; empty: any x86-64
  std::function<bool()> runnable = [] { return true; };
};

struct benchmark {
  std::string id;                  // <kind>.<scenario>[<param>]/<impl>
  std::function<workload()> make;  // builds inputs and tables; never measured
  std::function<cpu_needs()> needs = [] { return cpu_needs{}; };
};

// Runs the command line above over `benchmarks`; returns the exit status.
int run_main(int argc, char** argv, const std::vector<benchmark>& benchmarks);

}  // namespace lapwise::gate

// The only function whose instructions the instruction-count gate collects: runs `passes`
// passes of `w`. extern "C" and never inlined, so its name is the same in every build.
extern "C" std::uint64_t lapwise_gate_measured(const lapwise::gate::workload& w,
                                               std::size_t passes);

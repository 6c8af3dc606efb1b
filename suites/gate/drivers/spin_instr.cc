// The gate's own calibrated workload: an operation whose cost is a known number of "work units",
// each one iteration of the same loop LAPWISE_INJECT_WORK runs. An injected slowdown of N% then
// adds N% of the operation's loop iterations, so both its instruction count and its time grow
// by close to N%: the self-tests know the size of the regression they must catch, whatever the
// other cores' injection points cost.
#include <cstdint>
#include <string>

#include "gate_driver.h"
#include "lapwise/common/inject.h"

namespace {

constexpr std::size_t kUnits = 1000;  // work units per operation
constexpr std::size_t kOpsPerPass = 100;

// One operation of the calibrated hot path: kUnits iterations, then the injected work.
__attribute__((noinline)) std::uint64_t spin_op(std::size_t units) noexcept {
  std::size_t i = 0;
  for (; i < units; ++i) {
    asm volatile("" : : "r"(i) : "memory");  // the same loop body as the injected work
  }
  LAPWISE_INJECT_WORK(kUnits);
  return i;
}

lapwise::gate::workload spin() {
  lapwise::gate::workload w;
  w.ops_per_pass = kOpsPerPass;
  w.pass = [] {
    std::uint64_t sum = 0;
    for (std::size_t op = 0; op < kOpsPerPass; ++op) sum += spin_op(kUnits);
    return sum;
  };
  w.verify = [](std::string* why) {
    if (spin_op(kUnits) == kUnits) return true;
    *why = "spin_op did not run its " + std::to_string(kUnits) + " units";
    return false;
  };
  w.instr_passes = 10;  // ~3 million instructions
  w.time_passes = 20;   // ~2 million loop iterations: about a millisecond
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  return lapwise::gate::run_main(argc, argv, {{"gate.spin/calibrated", spin}});
}

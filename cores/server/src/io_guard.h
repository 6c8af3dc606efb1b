// Private: what an io thread does with an exception from its own work (a sweep, an accept, a
// loop turn). Nothing there should throw; when something does (an allocation that fails, a
// bug), the io thread must keep serving and someone must hear of it: the server's report
// hook (config::report), else one line on stderr.
#pragma once

#include <cstdio>
#include <exception>
#include <string>

#include "lapwise/server/server.h"

namespace lapwise::server::detail {

// Tells `cfg.report` (or stderr) that io thread `index` caught `what`.
inline void report_io_error(const config& cfg, unsigned index, const char* what) noexcept {
  try {
    const std::string message =
        "io thread " + std::to_string(index) + ": " + what + " (caught; the thread goes on)";
    if (cfg.report) {
      cfg.report(message);
      return;
    }
    std::fprintf(stderr, "lapwise server: %s\n", message.c_str());
  } catch (...) {  // the hook itself threw, or no memory for the message
    std::fprintf(stderr, "lapwise server: io thread %u: %s\n", index, what);
  }
}

// Runs `f`; an exception it throws is reported (above) and swallowed. True when none was.
template <class F>
bool run_guarded(const config& cfg, unsigned index, F&& f) noexcept {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    report_io_error(cfg, index, e.what());
  } catch (...) {
    report_io_error(cfg, index, "an exception that is not a std::exception");
  }
  return false;
}

}  // namespace lapwise::server::detail

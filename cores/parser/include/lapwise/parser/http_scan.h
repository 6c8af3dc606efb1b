// lapwise::parser::detail — which byte scanner the HTTP parser runs. The parser picks the best
// one the CPU supports at first use (AVX-512, else AVX2, else SSE4.2, else scalar); tests, fuzzers
// and benchmarks override it to check and time every variant on the same inputs.
#pragma once

#include <cstdint>

namespace lapwise::parser::detail {

enum class scan_impl : std::uint8_t { scalar, sse42, avx2, avx512 };

// True when this CPU can run `impl` (scalar always can).
bool scan_supported(scan_impl impl) noexcept;

// The scanner parses use now.
scan_impl active_scan() noexcept;

// Makes every later parse use `impl`; returns false and changes nothing when the CPU lacks it.
// Meant for tests and benchmarks: set it before parsing, not while other threads parse.
bool force_scan(scan_impl impl) noexcept;

// "scalar", "sse4.2", "avx2" or "avx512".
const char* scan_name(scan_impl impl) noexcept;

}  // namespace lapwise::parser::detail

// lapwise::html::detail — which byte scanner the tokenizer runs over text and attribute-value
// runs. The best one the CPU supports is picked at first use (AVX2, else SSE4.2, else scalar);
// tests, fuzzers and benchmarks override it to check and time every level on the same inputs.
#pragma once

#include <cstdint>

namespace lapwise::html::detail {

enum class text_scan_level : std::uint8_t { scalar, sse42, avx2 };

// True when this CPU can run `level` (scalar always can).
bool text_scan_supported(text_scan_level level) noexcept;

// The level tokenizers use now.
text_scan_level active_text_scan() noexcept;

// Makes every later tokenizer use `level`; false (and no change) when the CPU lacks it. For
// tests and benchmarks: set it before tokenizing, not while other threads tokenize.
bool force_text_scan(text_scan_level level) noexcept;

// "scalar", "sse4.2" or "avx2".
const char* text_scan_name(text_scan_level level) noexcept;

}  // namespace lapwise::html::detail

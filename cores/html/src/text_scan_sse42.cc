// SSE4.2-level scanners: 16 bytes per step with byte compares (PCMPESTRI's latency is several
// compares'). Run only when the CPU reports SSE4.2.
#include <immintrin.h>

#include <cstdint>

#include "text_scan_target.h"
#include "text_scanners.h"

LAPWISE_HTML_TARGET_BEGIN("sse4.2")
namespace lapwise::html::detail {
namespace {

struct sse_ops {
  static constexpr int width = 16;
  static __m128i load(const char* p) noexcept {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }
  static __m128i eq(__m128i a, __m128i b) noexcept { return _mm_cmpeq_epi8(a, b); }
  static __m128i either(__m128i a, __m128i b) noexcept { return _mm_or_si128(a, b); }
  static std::uint32_t mask(__m128i a) noexcept {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(a));
  }
  static __m128i splat(char c) noexcept { return _mm_set1_epi8(c); }
};

#include "text_scan_vector.h"

}  // namespace

const text_scanners sse42_text_scanners = vector_scan<sse_ops>::table();

}  // namespace lapwise::html::detail
LAPWISE_HTML_TARGET_END

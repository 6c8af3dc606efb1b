// AVX2 scanners: 32 bytes per step with byte compares. Run only when the CPU reports AVX2.
#include <immintrin.h>

#include <cstdint>

#include "text_scan_target.h"
#include "text_scanners.h"

LAPWISE_HTML_TARGET_BEGIN("avx2")
namespace lapwise::html::detail {
namespace {

struct avx2_ops {
  static constexpr int width = 32;
  static __m256i load(const char* p) noexcept {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  static __m256i eq(__m256i a, __m256i b) noexcept { return _mm256_cmpeq_epi8(a, b); }
  static __m256i either(__m256i a, __m256i b) noexcept { return _mm256_or_si256(a, b); }
  static std::uint32_t mask(__m256i a) noexcept {
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(a));
  }
  static __m256i splat(char c) noexcept { return _mm256_set1_epi8(c); }
};

#include "text_scan_vector.h"

}  // namespace

const text_scanners avx2_text_scanners = vector_scan<avx2_ops>::table();

}  // namespace lapwise::html::detail
LAPWISE_HTML_TARGET_END

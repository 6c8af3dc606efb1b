// AVX2 scanners: 32 bytes per step with byte compares. Run only when the CPU reports AVX2.
#include <immintrin.h>

#include <cstdint>

#include "text_scan_target.h"
#include "text_scanners.h"

LAPWISE_HTML_TARGET_BEGIN("avx2")
namespace lapwise::html::detail {
namespace {

template <int Which>
const char* slow(const char* p, const char* end) noexcept {
  while (p < end && !(stops.bits[static_cast<unsigned char>(*p)] & (1u << Which))) ++p;
  return p;
}

// The first of the bytes C... in the 32 bytes at p, as a bit mask.
template <char... C>
std::uint32_t hits(const char* p) noexcept {
  __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  __m256i m = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0));
  ((m = _mm256_or_si256(m, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(C)))), ...);
  return static_cast<std::uint32_t>(_mm256_movemask_epi8(m));
}

// Whole blocks, then one last block that overlaps bytes already known not to stop (cheaper
// than a byte loop); inputs shorter than a block take the byte loop.
template <int Which, char... C>
const char* scan(const char* p, const char* end) noexcept {
  if (end - p < 32) return slow<Which>(p, end);
  for (; end - p >= 32; p += 32) {
    if (std::uint32_t m = hits<C...>(p)) return p + __builtin_ctz(m);
  }
  if (p == end) return end;
  const char* last = end - 32;
  std::uint32_t m = hits<C...>(last);
  return m ? last + __builtin_ctz(m) : end;
}

}  // namespace

const text_scanners avx2_text_scanners = {
    scan<0, '<', '&', '\r'>, scan<1, '<', '\r'>,       scan<2, '\r'>,
    scan<3, '"', '&', '\r'>, scan<4, '\'', '&', '\r'>, scan<5, '-', '<', '\r'>};

}  // namespace lapwise::html::detail
LAPWISE_HTML_TARGET_END

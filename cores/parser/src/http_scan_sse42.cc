// SSE4.2 scanner: PCMPESTRI with byte ranges tests 16 bytes against up to 8 ranges in one
// instruction (the picohttpparser technique); run only when the CPU reports SSE4.2.
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "http_chars.h"
#include "http_impl.h"
#include "http_scan_scalar.h"
#include "http_target.h"

LAPWISE_TARGET_BEGIN("sse4.2")
#include "http_head_impl.h"

namespace lapwise::parser::detail {
namespace {

constexpr int range_mode = _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_LEAST_SIGNIFICANT;

struct sse42_scan {
  // Not a tchar: a PSHUFB (SSSE3) lookup per nibble, see http_chars.h.
  static const char* name_end(const char* p, const char* end) noexcept {
    const __m128i lo_table =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(token_lo_nibble.data()));
    const __m128i hi_table =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(token_hi_nibble.data()));
    const __m128i nibble = _mm_set1_epi8(0x0f);
    while (end - p >= 16) {
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      __m128i lo = _mm_shuffle_epi8(lo_table, _mm_and_si128(x, nibble));
      __m128i hi = _mm_shuffle_epi8(hi_table, _mm_and_si128(_mm_srli_epi16(x, 4), nibble));
      __m128i none = _mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128());
      if (int m = _mm_movemask_epi8(none)) return p + __builtin_ctz(static_cast<unsigned>(m));
      p += 16;
    }
    return scalar_scan::name_end(p, end);
  }
  // Stops at 0x00-0x08, 0x0A-0x1F (CR, LF among them) and 0x7F: HTAB is the one CTL allowed.
  static const char* value_end(const char* p, const char* end) noexcept {
    const __m128i ranges =
        _mm_setr_epi8(0x00, 0x08, 0x0a, 0x1f, 0x7f, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    while (end - p >= 16) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      int i = _mm_cmpestri(ranges, 6, b, 16, range_mode);
      if (i != 16) return p + i;
      p += 16;
    }
    return scalar_scan::value_end(p, end);
  }
  // Stops at 0x00-0x20, '#' and 0x7F-0xFF.
  static const char* target_end(const char* p, const char* end) noexcept {
    const __m128i ranges = _mm_setr_epi8(0x00, 0x20, '#', '#', 0x7f, static_cast<char>(0xff), 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 0);
    while (end - p >= 16) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      int i = _mm_cmpestri(ranges, 6, b, 16, range_mode);
      if (i != 16) return p + i;
      p += 16;
    }
    return scalar_scan::target_end(p, end);
  }
};

}  // namespace

const http_entry_points sse42_entry_points = make_entry_points<sse42_scan>();

}  // namespace lapwise::parser::detail
LAPWISE_TARGET_END

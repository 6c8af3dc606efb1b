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
  // Field names are short, and the table loop's exit is a predicted branch, whereas a vector
  // scan's result (ctz of a mask) starts the value scan and so lengthens the dependency chain
  // from line to line: the table loop is faster here (see http_scan_avx2.cc).
  static const char* name_end(const char* p, const char* end) noexcept {
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

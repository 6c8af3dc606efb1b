// SSE4.2 scanner: the header section 64 bytes at a time (http_scan_block.h, classified with
// PSHUFB nibble lookups 16 bytes per step), and for the request-target and the lines the block
// reader leaves, PCMPESTRI with byte ranges, which tests 16 bytes against up to 8 ranges in one
// instruction (the picohttpparser technique); run only when the CPU reports SSE4.2.
#include <immintrin.h>

#include <algorithm>
#include <array>
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
#include "http_scan_block.h"

namespace lapwise::parser::detail {
namespace {

constexpr int range_mode = _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_LEAST_SIGNIFICANT;

// A 16-entry PSHUFB table.
inline __m128i nibble_table(const std::array<std::uint8_t, 16>& t) noexcept {
  __m128i x;
  std::memcpy(&x, t.data(), 16);
  return x;
}

// The constants of the block classifier (see http_scan_block.h), in registers across a parse.
struct sse42_block_consts {
  __m128i tchar_lo = nibble_table(tchar_nibbles.lo);
  __m128i tchar_hi = nibble_table(tchar_nibbles.hi);
  __m128i odd_lo = nibble_table(odd_nibbles.lo);
  __m128i odd_hi = nibble_table(odd_nibbles.hi);
  __m128i low_nibble = _mm_set1_epi8(0x0f);
  __m128i lf = _mm_set1_epi8('\n');
  __m128i zero = _mm_setzero_si128();
};

// The masks of the 64 bytes at p (all readable): four 16-byte steps of the classifier of
// http_scan_avx2.h (PSHUFB is SSSE3).
inline block_masks classify_block(const sse42_block_consts& k, const char* p) noexcept {
  block_masks m{0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    __m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), k.low_nibble);
    __m128i tchar = _mm_cmpgt_epi8(
        _mm_and_si128(_mm_shuffle_epi8(k.tchar_lo, x), _mm_shuffle_epi8(k.tchar_hi, hi)), k.zero);
    __m128i odd = _mm_cmpgt_epi8(
        _mm_and_si128(_mm_shuffle_epi8(k.odd_lo, x), _mm_shuffle_epi8(k.odd_hi, hi)), k.zero);
    __m128i lf = _mm_cmpeq_epi8(x, k.lf);
    auto bits = [i](__m128i v) {
      return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(v))} << (16 * i);
    };
    m.tchar |= bits(tchar);
    m.odd |= bits(odd);
    m.lf |= bits(lf);
  }
  return m;
}

struct sse42_scan {
  sse42_block_consts blocks;

  const char* field_lines(const char* lo, const char* p, const char* end, header* out,
                          std::size_t cap, std::size_t& n) const noexcept {
    return walk_field_lines([this](const char* q) { return classify_block(blocks, q); }, lo, p, end,
                            out, cap, n);
  }
  // Field names are short, and the table loop's exit is a predicted branch, whereas a vector
  // scan's result (ctz of a mask) starts the value scan and so lengthens the dependency chain
  // from line to line: the table loop is faster here (see http_scan_avx2.h).
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

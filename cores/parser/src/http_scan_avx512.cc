// AVX-512 scanner: the block reader of http_scan_block.h with one 64-byte vector per block, whose
// compares and tests give the 64-bit masks directly (AVX2 needs two halves, two PMOVMSKB and a
// shift per mask); the per-line scans are the AVX2 ones. Run only on CPUs with AVX-512BW and
// AVX-512VBMI: the second marks the generations (Ice Lake, Zen 4 and later) where 512-bit integer
// code does not lower the clock much, the rule simdjson follows too.
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

LAPWISE_TARGET_BEGIN("avx512f,avx512bw,avx512vbmi,avx2,bmi")
#include "http_head_impl.h"
#include "http_scan_avx2.h"
#include "http_scan_block.h"

namespace lapwise::parser::detail {
namespace {

// A 16-entry PSHUFB table repeated for the four 128-bit lanes (PSHUFB looks up within each
// lane), as constant data: one load per parse.
constexpr std::array<std::uint8_t, 64> four_lanes(const std::array<std::uint8_t, 16>& t) {
  std::array<std::uint8_t, 64> lanes{};
  for (std::size_t i = 0; i < lanes.size(); ++i) lanes[i] = t[i % 16];
  return lanes;
}
alignas(64) constexpr std::array<std::uint8_t, 64> tchar_lo_lanes = four_lanes(tchar_nibbles.lo);
alignas(64) constexpr std::array<std::uint8_t, 64> tchar_hi_lanes = four_lanes(tchar_nibbles.hi);
alignas(64) constexpr std::array<std::uint8_t, 64> odd_lo_lanes = four_lanes(odd_nibbles.lo);
alignas(64) constexpr std::array<std::uint8_t, 64> odd_hi_lanes = four_lanes(odd_nibbles.hi);

inline __m512i load_table(const std::array<std::uint8_t, 64>& t) noexcept {
  return _mm512_load_si512(t.data());
}

// The constants of the block classifier, in registers across a parse.
struct avx512_block_consts {
  __m512i tchar_lo = load_table(tchar_lo_lanes);
  __m512i tchar_hi = load_table(tchar_hi_lanes);
  __m512i odd_lo = load_table(odd_lo_lanes);
  __m512i odd_hi = load_table(odd_hi_lanes);
  __m512i low_nibble = _mm512_set1_epi8(0x0f);
  __m512i lf = _mm512_set1_epi8('\n');
};

// The masks of the 64 bytes at p (all readable), from one vector.
inline block_masks classify_block(const avx512_block_consts& k, const char* p) noexcept {
  __m512i x = _mm512_loadu_si512(p);
  // PSHUFB indexed by the byte itself looks up its low nibble (0 for bytes >= 0x80); VPTESTMB
  // is the "AND of the two lookups is not 0" of each byte, straight into a mask.
  __m512i hi = _mm512_and_si512(_mm512_srli_epi16(x, 4), k.low_nibble);
  __mmask64 tchar = _mm512_test_epi8_mask(_mm512_shuffle_epi8(k.tchar_lo, x),
                                          _mm512_shuffle_epi8(k.tchar_hi, hi));
  __mmask64 odd =
      _mm512_test_epi8_mask(_mm512_shuffle_epi8(k.odd_lo, x), _mm512_shuffle_epi8(k.odd_hi, hi));
  __mmask64 lf = _mm512_cmpeq_epi8_mask(x, k.lf);
  return {static_cast<std::uint64_t>(tchar), static_cast<std::uint64_t>(odd),
          static_cast<std::uint64_t>(lf)};
}

struct avx512_scan : avx2_line_scan {
  avx512_block_consts blocks;

  const char* field_lines(const char* lo, const char* p, const char* end, header* out,
                          std::size_t cap, std::size_t& n) const noexcept {
    return walk_field_lines([this](const char* q) { return classify_block(blocks, q); }, lo, p, end,
                            out, cap, n);
  }
};

}  // namespace

const http_entry_points avx512_entry_points = make_entry_points<avx512_scan>();

}  // namespace lapwise::parser::detail
LAPWISE_TARGET_END

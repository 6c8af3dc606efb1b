// The header section 64 bytes at a time (simdjson-style): a vector classifier turns each block
// into bitmasks, and whole field lines are read off the masks with bit operations, so neither the
// name nor the value of a line is scanned byte by byte, and no line waits for the scans of the
// line before it (the next line start is the next LF bit).
//
// For every line start s (bit after an LF), adding s into the mask of tchar bytes carries
// through the name and stops at its first non-tchar byte: that byte's bit is the name's end.
// A block whose lines are all plain (name of tchars ended by ':', no CTL but HTAB, every CR
// right before an LF and every LF right after a CR) is taken in full; otherwise the lines before
// the first doubtful byte are taken and the per-line parser (http_head_impl.h) resumes at the
// line holding it. That parser, not this walk, decides every error, need-more and limit, and the
// end of the section (the empty line's CR is a line starting with a non-tchar: doubtful too).
//
// Header-only and internal; included by the vector scanners inside their target region.
#pragma once

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "http_chars.h"
#include "lapwise/parser/http.h"

namespace lapwise::parser::detail {
namespace {

// One bit per byte of a 64-byte block, bit i for byte i.
struct block_masks {
  std::uint64_t tchar;  // a tchar (RFC 9110 §5.6.2): may be part of a field name
  std::uint64_t odd;    // a CTL other than HTAB and LF, or DEL: in a field line, only its CR
  std::uint64_t lf;
};

// A byte class as two 16-entry tables for PSHUFB: class(c) = lo[c & 15] & hi[c >> 4] != 0. Each
// high nibble holding members gets its own bit (at most 7, so that an AND of the two entries is
// positive as a signed byte: one compare makes the mask). Bytes 0x80-0xFF must be outside the
// class: PSHUFB indexed by the byte itself gives 0 for them, which saves masking the index.
struct nibble_tables {
  std::array<std::uint8_t, 16> lo{};
  std::array<std::uint8_t, 16> hi{};
};

constexpr nibble_tables make_nibble_tables(const byte_table& t) {
  nibble_tables n;
  int next_bit = 0;
  for (int h = 0; h < 16; ++h) {
    bool any = false;
    for (int l = 0; l < 16; ++l) any = any || t[h * 16 + l];
    if (!any) continue;
    if (h >= 8 || next_bit == 7) throw "class not representable";  // fails constant evaluation
    auto bit = static_cast<std::uint8_t>(1u << next_bit++);
    n.hi[h] = bit;
    for (int l = 0; l < 16; ++l) {
      if (t[h * 16 + l]) n.lo[l] = static_cast<std::uint8_t>(n.lo[l] | bit);
    }
  }
  return n;
}

inline constexpr byte_table odd_table =
    make_byte_table([](unsigned char c) { return !field_value_table[c] && c != '\n'; });

inline constexpr nibble_tables tchar_nibbles = make_nibble_tables(tchar_table);
inline constexpr nibble_tables odd_nibbles = make_nibble_tables(odd_table);

// Checks the tables against the byte classes they encode, for all 256 bytes.
constexpr bool nibbles_match(const nibble_tables& n, const byte_table& t) {
  for (int c = 0; c < 256; ++c) {
    bool in_class = c < 0x80 && (n.lo[c & 15] & n.hi[c >> 4]) != 0;
    if (in_class != t[c]) return false;
  }
  return true;
}
static_assert(nibbles_match(tchar_nibbles, tchar_table));
static_assert(nibbles_match(odd_nibbles, odd_table));

inline std::uint64_t lowest_bit(std::uint64_t m) { return m & (0 - m); }

// Reads whole field lines starting at the line start p, for as long as they are plain, into
// out[count..cap), and returns the start of the first line not read (p when none was): the
// per-line parser continues there with the updated count. `classify(q)` gives the masks of the
// 64 bytes at q. Reads only [lo, end): blocks inside [p, end), and for the last partial block
// the 64 bytes before end, when [lo, end) holds 64 bytes.
template <class Classify>
const char* walk_field_lines(const Classify& classify, const char* lo, const char* p,
                             const char* end, header* out, std::size_t cap, std::size_t& count) {
  std::size_t n = count;
  const char* line = p;         // start of the first line not yet read
  const char* colon = nullptr;  // its name's end, when that was in an earlier block
  std::uint64_t lf_in = 1;      // the block starts a line (an LF ended the previous one)
  std::uint64_t odd_in = 0;     // the previous block ended with an odd byte (a CR, if plain)
  unsigned char carry = 0;      // a name running on into the next block
  for (const char* b = p;; b += 64) {
    block_masks m;
    std::uint64_t outside = 0;  // bytes at or past end
    if (end - b >= 64) [[likely]] {
      m = classify(b);
    } else {
      // The last partial block: the 64 bytes ending at end, shifted so that bit 0 is b.
      if (end - lo < 64 || b == end) break;
      unsigned shift = static_cast<unsigned>(64 - (end - b));
      m = classify(end - 64);
      m.tchar >>= shift;
      m.odd >>= shift;
      m.lf >>= shift;
      outside = ~(~std::uint64_t{0} >> shift);
    }
    // Line starts: after each LF. Adding them into the tchar bits carries through each name and
    // sets the bit of the byte that ends it (or of the start itself, when that is no tchar).
    std::uint64_t starts = m.lf << 1 | lf_in;
    unsigned long long sum;
    carry = _addcarry_u64(carry, m.tchar, starts, &sum);
    std::uint64_t name_ends = sum & ~m.tchar;
    // Doubtful bytes: an odd byte not right before an LF or an LF not right after one (both
    // show in the shifted odd bits XOR the LF bits), an empty name (a line starting with a non-
    // tchar: ':', SP, HTAB, or the CR of the section's end), and anything past end. Whether the
    // odd byte before each LF is a CR, and each name's end a colon, is checked line by line.
    std::uint64_t doubt = ((m.odd << 1 | odd_in) ^ m.lf) | (name_ends & starts) | outside;
    lf_in = m.lf >> 63;
    odd_in = m.odd >> 63;
    std::uint64_t before = lowest_bit(doubt) - 1;  // all bits when there is no doubt
    std::uint64_t lfs = m.lf & before;
    std::uint64_t names = name_ends & before;
    // Each line has one name end, then one LF: the k-th of each belong to the same line.
    while (lfs != 0) {
      const char* c = colon;
      if (c == nullptr) {
        c = b + __builtin_ctzll(names);
        names &= names - 1;
      }
      const char* lf = b + __builtin_ctzll(lfs);
      if (*c != ':' || lf[-1] != '\r' || n == cap) [[unlikely]] {
        doubt = 1;  // the per-line parser takes this line (and reports too_many_headers)
        break;
      }
      colon = nullptr;
      lfs &= lfs - 1;
      // The value trimmed as the per-line parser does: lf[-1] is the CR, and the colon bounds
      // the trailing OWS trim.
      const char* value = c + 1;
      value += *value == ' ';
      if (static_cast<unsigned char>(*value) <= ' ') [[unlikely]] {
        while (*value == ' ' || *value == '\t') ++value;
      }
      const char* value_end = lf - 1;
      if (static_cast<unsigned char>(value_end[-1]) <= ' ') [[unlikely]] {
        while (value_end != value && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
      }
      out[n++] = header{{line, static_cast<std::size_t>(c - line)},
                        {value, static_cast<std::size_t>(value_end - value)}};
      line = lf + 1;
    }
    if (doubt != 0) break;
    if (names != 0) colon = b + __builtin_ctzll(names);  // the current line's, its LF still ahead
  }
  count = n;
  return line;
}

}  // namespace
}  // namespace lapwise::parser::detail

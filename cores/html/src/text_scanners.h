// The tokenizer's run scanners: each returns the first byte in [p, end) that the state must
// look at, or end. One table per instruction-set level; text_scan_dispatch.cc picks one.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "lapwise/html/text_scan.h"

namespace lapwise::html::detail {

using run_scanner = const char* (*)(const char* p, const char* end) noexcept;

struct text_scanners {
  run_scanner data;         // < & \r \0   (data and RCDATA)
  run_scanner rawtext;      // < \r \0     (RAWTEXT, script data)
  run_scanner plaintext;    // \r \0       (PLAINTEXT)
  run_scanner attr_double;  // " & \r \0
  run_scanner attr_single;  // ' & \r \0
  run_scanner comment;      // - < \r \0
};

extern const text_scanners scalar_text_scanners;
extern const text_scanners sse42_text_scanners;
extern const text_scanners avx2_text_scanners;

// The active level's table (resolved on first use).
const text_scanners& active_text_scanners() noexcept;

// Byte classes shared by the scalar scanner and the vector scanners' tails: bit i set when the
// byte stops scanner i (in the order of the struct above).
struct stop_table {
  std::uint8_t bits[256];
};
inline constexpr stop_table make_stop_table() {
  stop_table t{};
  auto set = [&t](unsigned char c, int which) {
    t.bits[c] |= static_cast<std::uint8_t>(1u << which);
  };
  for (int s : {0, 1, 2, 3, 4, 5}) {
    set('\r', s);
    set('\0', s);
  }
  set('<', 0);
  set('&', 0);
  set('<', 1);
  set('"', 3);
  set('&', 3);
  set('\'', 4);
  set('&', 4);
  set('-', 5);
  set('<', 5);
  return t;
}
inline constexpr stop_table stops = make_stop_table();

template <int Which>
inline const char* scan_tail(const char* p, const char* end) noexcept {
  while (p < end && !(stops.bits[static_cast<unsigned char>(*p)] & (1u << Which))) ++p;
  return p;
}

}  // namespace lapwise::html::detail

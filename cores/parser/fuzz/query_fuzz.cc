// Fuzzes parse_query, percent_decode and utf8_replace: no crash or over-read (ASan), every view
// inside the input or the scratch buffer, replace-mode output always valid UTF-8, reject mode
// agreeing with replace mode on valid input, and decoding never growing the text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/percent.h"
#include "lapwise/parser/query.h"

namespace lp = lapwise::parser;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "query_fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

bool inside(std::string_view v, const char* base, std::size_t n) {
  return v.empty() || (v.data() >= base && v.data() + v.size() <= base + n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Exact-size buffers so ASan catches any write past the documented bounds.
  std::vector<char> decoded(size);
  for (bool plus : {false, true}) {
    const std::size_t n = lp::percent_decode(input, decoded.data(), plus);
    check(n <= size, "percent_decode grew the text");
    std::vector<char> repaired(3 * n);
    const std::size_t m = lp::utf8_replace({decoded.data(), n}, repaired.data());
    check(m <= 3 * n, "utf8_replace overflowed its bound");
    check(lp::utf8_valid({repaired.data(), m}), "utf8_replace output is not UTF-8");
    if (lp::utf8_valid({decoded.data(), n})) {
      check(std::string_view(repaired.data(), m) == std::string_view(decoded.data(), n),
            "utf8_replace changed valid UTF-8");
    }
  }

  std::vector<lp::query_pair> pairs(size / 2 + 1);
  std::vector<char> scratch(lp::query_scratch_size(size));
  lp::query_options replace{.max_length = 1 << 20, .max_pairs = 64};
  const lp::query_result r = lp::parse_query(input, pairs, scratch, replace);
  check(r.status == lp::query_status::ok || r.status == lp::query_status::too_many_pairs,
        "unexpected status in replace mode");
  if (r.status == lp::query_status::ok) {
    bool all_valid_raw = true;
    for (std::size_t i = 0; i < r.count; ++i) {
      for (std::string_view v : {pairs[i].key, pairs[i].value}) {
        check(inside(v, input.data(), size) || inside(v, scratch.data(), scratch.size()),
              "view outside input and scratch");
        check(lp::utf8_valid(v), "replace mode produced invalid UTF-8");
      }
    }
    lp::query_options reject = replace;
    reject.utf8 = lp::utf8_policy::reject;
    std::vector<lp::query_pair> pairs2(pairs.size());
    std::vector<char> scratch2(scratch.size());
    const lp::query_result r2 = lp::parse_query(input, pairs2, scratch2, reject);
    if (r2.status == lp::query_status::ok) {
      check(r2.count == r.count, "reject mode found a different number of pairs");
      for (std::size_t i = 0; i < r.count; ++i) {
        check(pairs2[i].key == pairs[i].key && pairs2[i].value == pairs[i].value,
              "reject and replace modes disagree on valid input");
      }
    } else {
      check(r2.status == lp::query_status::invalid_utf8, "reject mode: unexpected status");
      all_valid_raw = false;
    }
    (void)all_valid_raw;
  }

  // The owning parser agrees with the span API.
  lp::query_parser parser({.max_length = 1 << 20, .max_pairs = 64});
  const lp::query_status st = parser.parse(input);
  check(st == r.status, "query_parser and parse_query disagree on status");
  if (st == lp::query_status::ok) check(parser.pairs().size() == r.count, "pair counts differ");
  return 0;
}

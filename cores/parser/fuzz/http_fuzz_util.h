// Shared by the HTTP fuzz targets: run the same input through every scanner the CPU has and
// require identical answers (the scalar scanner is the reference), plus a few invariants.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/http.h"
#include "lapwise/parser/http_scan.h"

namespace lapwise::parser::fuzz {

inline const std::vector<detail::scan_impl>& scans() {
  static const std::vector<detail::scan_impl> all = [] {
    std::vector<detail::scan_impl> v;
    for (auto s : {detail::scan_impl::scalar, detail::scan_impl::sse42, detail::scan_impl::avx2,
                   detail::scan_impl::avx512}) {
      if (detail::scan_supported(s)) v.push_back(s);
    }
    return v;
  }();
  return all;
}

[[noreturn]] inline void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "%s\n--- reference ---\n%s\n--- other ---\n%s\n", what, a.c_str(),
               b.c_str());
  std::abort();
}

inline void check(bool ok, const char* what) {
  if (!ok) fail(what, "", "");
}

// True when `v` lies inside [base, base + size).
inline bool within(std::string_view v, const char* base, std::size_t size) {
  return v.empty() || (v.data() >= base && v.data() + v.size() <= base + size);
}

inline void describe_fields(std::string& s, std::span<const header> fields) {
  for (const header& h : fields) {
    s += std::string(h.name) + ": " + std::string(h.value) + "\n";
  }
}

inline void describe_result(std::string& s, const parse_result& r) {
  s += "status=" + std::to_string(static_cast<int>(r.status)) +
       " consumed=" + std::to_string(r.consumed) +
       " error=" + std::to_string(static_cast<int>(r.error)) + "\n";
}

// Runs `summary()` once per scanner; every scanner's text must equal the scalar one.
template <class Fn>
void differential(Fn summary) {
  std::string reference;
  for (std::size_t i = 0; i < scans().size(); ++i) {
    detail::force_scan(scans()[i]);
    std::string s = summary();
    if (i == 0) {
      reference = std::move(s);
    } else if (s != reference) {
      fail(detail::scan_name(scans()[i]), reference, s);
    }
  }
}

}  // namespace lapwise::parser::fuzz

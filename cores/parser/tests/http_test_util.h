// Shared by the HTTP parser tests: inputs placed right before an unreadable page (an over-read
// crashes the test instead of passing silently) and the list of scanners to run every table with.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/http.h"
#include "lapwise/parser/http_scan.h"

namespace lapwise::parser::testing {

// Memory whose last readable byte is followed by a PROT_NONE page.
class guarded_buffer {
 public:
  guarded_buffer() = default;
  guarded_buffer(const guarded_buffer&) = delete;
  guarded_buffer& operator=(const guarded_buffer&) = delete;
  ~guarded_buffer() { release(); }

  // A writable copy of `input` ending right before the guard page.
  std::string_view place(std::string_view input) { return {put(input), input.size()}; }
  char* put(std::string_view input) {
    reserve(input.size());
    char* start = guard_ - input.size();
    if (!input.empty()) std::memcpy(start, input.data(), input.size());
    return start;
  }

 private:
  void reserve(std::size_t n) {
    if (n <= usable_) return;
    release();
    std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    usable_ = (n + page - 1) / page * page;
    size_ = usable_ + page;
    void* m = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<char*>(m);
    guard_ = base_ + usable_;
    if (mprotect(guard_, page, PROT_NONE) != 0) throw std::runtime_error("mprotect failed");
  }
  void release() {
    if (base_) munmap(base_, size_);
    base_ = guard_ = nullptr;
    usable_ = size_ = 0;
  }
  char* base_ = nullptr;
  char* guard_ = nullptr;
  std::size_t usable_ = 0;
  std::size_t size_ = 0;
};

inline std::vector<detail::scan_impl> supported_scans() {
  std::vector<detail::scan_impl> out;
  for (auto s : {detail::scan_impl::scalar, detail::scan_impl::sse42, detail::scan_impl::avx2,
                 detail::scan_impl::avx512}) {
    if (detail::scan_supported(s)) out.push_back(s);
  }
  return out;
}

inline std::string scan_param_name(const ::testing::TestParamInfo<detail::scan_impl>& info) {
  std::string n = detail::scan_name(info.param);
  for (char& c : n) c = (c == '.') ? '_' : c;
  return n;
}

// A test fixture run once per scanner; restores the default afterwards.
class per_scan : public ::testing::TestWithParam<detail::scan_impl> {
 protected:
  void SetUp() override {
    saved_ = detail::active_scan();
    ASSERT_TRUE(detail::force_scan(GetParam()));
  }
  void TearDown() override { detail::force_scan(saved_); }
  guarded_buffer guarded_;

 private:
  detail::scan_impl saved_ = detail::scan_impl::scalar;
};

inline const char* status_name(parse_status s) {
  switch (s) {
    case parse_status::complete:
      return "complete";
    case parse_status::need_more:
      return "need_more";
    case parse_status::error:
      return "error";
  }
  return "?";
}

}  // namespace lapwise::parser::testing

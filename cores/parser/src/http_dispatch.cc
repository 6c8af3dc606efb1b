// Picks the scanner once (CPU features at run time) and routes the public head parsers to it.
#include <array>
#include <atomic>

#include "http_impl.h"
#include "lapwise/common/inject.h"

namespace lapwise::parser::detail {
namespace {

constexpr std::uint8_t unresolved = 0xff;
std::atomic<std::uint8_t> active{unresolved};

constexpr std::array<const http_entry_points*, 4> tables = {
    &scalar_entry_points, &sse42_entry_points, &avx2_entry_points, &avx512_entry_points};

scan_impl best_supported() noexcept {
  if (scan_supported(scan_impl::avx512)) return scan_impl::avx512;
  if (scan_supported(scan_impl::avx2)) return scan_impl::avx2;
  if (scan_supported(scan_impl::sse42)) return scan_impl::sse42;
  return scan_impl::scalar;
}

}  // namespace

bool scan_supported(scan_impl impl) noexcept {
  __builtin_cpu_init();  // may run before static constructors: make the feature bits valid
  switch (impl) {
    case scan_impl::scalar:
      return true;
    case scan_impl::sse42:
      return __builtin_cpu_supports("sse4.2");
    case scan_impl::avx2:  // compiled for AVX2 and BMI1 (TZCNT, BLSR in the block reader)
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi");
    case scan_impl::avx512:  // see http_scan_avx512.cc for why VBMI is required
      return scan_supported(scan_impl::avx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
  }
  return false;
}

scan_impl active_scan() noexcept {
  std::uint8_t k = active.load(std::memory_order_relaxed);
  return k == unresolved ? best_supported() : static_cast<scan_impl>(k);
}

bool force_scan(scan_impl impl) noexcept {
  if (static_cast<std::size_t>(impl) >= tables.size() || !scan_supported(impl)) return false;
  active.store(static_cast<std::uint8_t>(impl), std::memory_order_relaxed);
  return true;
}

const char* scan_name(scan_impl impl) noexcept {
  switch (impl) {
    case scan_impl::scalar:
      return "scalar";
    case scan_impl::sse42:
      return "sse4.2";
    case scan_impl::avx2:
      return "avx2";
    case scan_impl::avx512:
      return "avx512";
  }
  return "unknown";
}

const http_entry_points& entry_points() noexcept {
  std::uint8_t k = active.load(std::memory_order_relaxed);
  if (k == unresolved) [[unlikely]] {
    k = static_cast<std::uint8_t>(best_supported());
    active.store(k, std::memory_order_relaxed);
  }
  return *tables[k];
}

}  // namespace lapwise::parser::detail

namespace lapwise::parser {

parse_result parse_request_head(std::string_view buf, request& out, std::span<header> storage,
                                const limits& lim) noexcept {
  parse_result r = detail::entry_points().request_head(buf, out, storage, lim);
  LAPWISE_INJECT_WORK(r.consumed / 2 + 16);
  return r;
}

parse_result parse_response_head(std::string_view buf, std::string_view request_method,
                                 response& out, std::span<header> storage,
                                 const limits& lim) noexcept {
  parse_result r = detail::entry_points().response_head(buf, request_method, out, storage, lim);
  LAPWISE_INJECT_WORK(r.consumed / 2 + 16);
  return r;
}

}  // namespace lapwise::parser

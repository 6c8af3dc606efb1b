// Picks the text scanners once (CPU features at run time).
#include <array>
#include <atomic>

#include "text_scanners.h"

namespace lapwise::html::detail {
namespace {

constexpr std::uint8_t unresolved = 0xff;
std::atomic<std::uint8_t> active{unresolved};

constexpr std::array<const text_scanners*, 3> tables = {&scalar_text_scanners, &sse42_text_scanners,
                                                        &avx2_text_scanners};

text_scan_level best_supported() noexcept {
  if (text_scan_supported(text_scan_level::avx2)) return text_scan_level::avx2;
  if (text_scan_supported(text_scan_level::sse42)) return text_scan_level::sse42;
  return text_scan_level::scalar;
}

}  // namespace

bool text_scan_supported(text_scan_level level) noexcept {
  __builtin_cpu_init();  // may run before static constructors: make the feature bits valid
  switch (level) {
    case text_scan_level::scalar:
      return true;
    case text_scan_level::sse42:
      return __builtin_cpu_supports("sse4.2");
    case text_scan_level::avx2:
      return __builtin_cpu_supports("avx2");
  }
  return false;
}

text_scan_level active_text_scan() noexcept {
  std::uint8_t k = active.load(std::memory_order_relaxed);
  return k == unresolved ? best_supported() : static_cast<text_scan_level>(k);
}

bool force_text_scan(text_scan_level level) noexcept {
  if (static_cast<std::size_t>(level) >= tables.size() || !text_scan_supported(level)) return false;
  active.store(static_cast<std::uint8_t>(level), std::memory_order_relaxed);
  return true;
}

const char* text_scan_name(text_scan_level level) noexcept {
  switch (level) {
    case text_scan_level::scalar:
      return "scalar";
    case text_scan_level::sse42:
      return "sse4.2";
    case text_scan_level::avx2:
      return "avx2";
  }
  return "unknown";
}

const text_scanners& active_text_scanners() noexcept {
  std::uint8_t k = active.load(std::memory_order_relaxed);
  if (k == unresolved) [[unlikely]] {
    k = static_cast<std::uint8_t>(best_supported());
    active.store(k, std::memory_order_relaxed);
  }
  return *tables[k];
}

}  // namespace lapwise::html::detail

// Byte-at-a-time scanners: the fallback on any CPU and the reference the vector levels are
// tested against.
#include "text_scanners.h"

namespace lapwise::html::detail {
namespace {

template <int Which>
const char* scan(const char* p, const char* end) noexcept {
  return scan_tail<Which>(p, end);
}

}  // namespace

const text_scanners scalar_text_scanners = {scan<0>, scan<1>, scan<2>, scan<3>, scan<4>, scan<5>};

}  // namespace lapwise::html::detail

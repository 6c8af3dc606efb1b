// AVX2 scanner: the header section 64 bytes at a time (http_scan_block.h, classified with
// PSHUFB nibble lookups), and for the request-target and the lines the block reader leaves,
// 32 bytes per step with compares instead of PCMPESTRI (whose latency is ~3x a compare), a last
// overlapping step, and 16-byte steps or the scalar scan for short inputs. Run only when the CPU
// reports AVX2 and BMI1.
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

LAPWISE_TARGET_BEGIN("avx2,bmi")
#include "http_head_impl.h"
#include "http_scan_avx2.h"
#include "http_scan_block.h"

namespace lapwise::parser::detail {

const http_entry_points avx2_entry_points = make_entry_points<avx2_scan>();

}  // namespace lapwise::parser::detail
LAPWISE_TARGET_END

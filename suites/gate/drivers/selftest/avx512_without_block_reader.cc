// The gate's proof that it sees a regression in the scanner production picks: the parser's
// AVX-512 level with its block reader deleted, exactly the change that once made header-heavy
// requests 1.55x slower while every gate passed (the gate forced AVX2). It replaces
// cores/parser/src/http_scan_avx512.cc in a private copy of the parser core, linked only into
// gate_parser_without_avx512_blocks: the AVX-512 entry points then scan line by line with the
// AVX2 line scans, as the file did without its block reader. The self-test
// gate_selftest_avx512_deleted must see the [[ratio.floor]] on that level FAIL.
#include <immintrin.h>

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

namespace lapwise::parser::detail {
namespace {

struct avx512_scan_without_block_reader : avx2_line_scan {};

}  // namespace

const http_entry_points avx512_entry_points = make_entry_points<avx512_scan_without_block_reader>();

}  // namespace lapwise::parser::detail
LAPWISE_TARGET_END

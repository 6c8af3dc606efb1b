// The portable scanner: one table load per byte, unrolled by four. Also the tail of the vector
// scanners (fewer bytes left than one vector) and the reference the tests compare them with.
#include "http_scan_scalar.h"

#include "http_head_impl.h"

namespace lapwise::parser::detail {

const http_entry_points scalar_entry_points = make_entry_points<scalar_scan>();

}  // namespace lapwise::parser::detail

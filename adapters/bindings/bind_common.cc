// Nothing core-specific: version of the bindings' ABI, so a stale _native is detected.
#include "bindings.h"

namespace lapwise::bindings {

void bind_common(py::module_& m) { m.attr("ABI_VERSION") = 1; }

}  // namespace lapwise::bindings

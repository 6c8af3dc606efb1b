// lapwise._native: the private module behind `import lapwise`. Glue only: each bind_<kind>.cc
// exposes one core; this file exposes the build's identity (recorded in every result file).
#include <pybind11/pybind11.h>

#include "bindings.h"

namespace py = pybind11;

#define LAPWISE_BIND(kind) void bind_##kind(py::module_& m);
namespace lapwise::bindings {
#include "bind_list.inc"
}  // namespace lapwise::bindings
#undef LAPWISE_BIND

PYBIND11_MODULE(_native, m) {
  m.doc() = "lapwise native cores (private; use the lapwise package)";
  m.def("build_info", [] {
    py::dict info;
    info["compiler"] = LAPWISE_CXX_COMPILER;
    info["flags"] = LAPWISE_CXX_FLAGS;
    info["build_type"] = LAPWISE_BUILD_TYPE;
    info["inject_slowdown_pct"] = LAPWISE_INJECT_SLOWDOWN_PCT;
    return info;
  });
#define LAPWISE_BIND(kind) lapwise::bindings::bind_##kind(m);
#include "bind_list.inc"
#undef LAPWISE_BIND
}

// Shared by the bind_<kind>.cc files: nothing but the pybind11 includes and the namespace.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace lapwise::bindings {
namespace py = pybind11;
}  // namespace lapwise::bindings

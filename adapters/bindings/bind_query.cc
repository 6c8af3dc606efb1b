// lapwise._native.query_parse / percent_decode_path: glue over lapwise::parser's query and
// percent-decoding functions. Exposed as raw METH_FASTCALL functions, not pybind11 ones: a
// query string parses in ~100 ns, and pybind11's dispatcher alone costs about that much.
#include <Python.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "bindings.h"
#include "lapwise/parser/percent.h"
#include "lapwise/parser/query.h"

namespace lapwise::bindings {
namespace {

namespace lp = lapwise::parser;

// A str from UTF-8 the core guarantees valid (views of a str's UTF-8, or repaired text).
PyObject* str_from_utf8(std::string_view s) {
  return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "strict");
}

bool arg_size(PyObject* o, const char* name, std::size_t* out) {
  const Py_ssize_t v = PyLong_AsSsize_t(o);
  if (v == -1 && PyErr_Occurred()) return false;
  if (v < 0) {
    PyErr_Format(PyExc_ValueError, "%s must be >= 0", name);
    return false;
  }
  *out = static_cast<std::size_t>(v);
  return true;
}

// query_parse(qs: str, max_pairs: int = 1000, max_length: int = 65536,
//             utf8_replace: bool = True) -> list[tuple[str, str]]
// Raises ValueError on a limit or (utf8_replace=False) invalid UTF-8; UnicodeEncodeError
// (a ValueError) for a str holding lone surrogates, which have no UTF-8 form.
PyObject* query_parse(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs < 1 || nargs > 4) {
    PyErr_SetString(PyExc_TypeError,
                    "query_parse(qs, max_pairs=1000, max_length=65536, utf8_replace=True)");
    return nullptr;
  }
  if (!PyUnicode_Check(args[0])) {
    PyErr_Format(PyExc_TypeError, "query string must be str, not %.100s",
                 Py_TYPE(args[0])->tp_name);
    return nullptr;
  }
  lp::query_options options;
  if (nargs > 1 && !arg_size(args[1], "max_pairs", &options.max_pairs)) return nullptr;
  if (nargs > 2 && !arg_size(args[2], "max_length", &options.max_length)) return nullptr;
  if (nargs > 3) {
    const int replace = PyObject_IsTrue(args[3]);
    if (replace < 0) return nullptr;
    options.utf8 = replace ? lp::utf8_policy::replace : lp::utf8_policy::reject;
  }
  Py_ssize_t len = 0;
  const char* data = PyUnicode_AsUTF8AndSize(args[0], &len);
  if (data == nullptr) return nullptr;
  const std::string_view qs(data, static_cast<std::size_t>(len));
  if (qs.size() > options.max_length) {  // before sizing any storage for it
    return PyErr_Format(PyExc_ValueError, "%s (%zu > %zu bytes)",
                        lp::describe(lp::query_status::too_long), qs.size(), options.max_length);
  }
  // Reused across calls (the GIL serializes callers of one interpreter; thread_local keeps
  // this correct without it).
  thread_local std::vector<lp::query_pair> pairs;
  thread_local std::vector<char> scratch;
  const std::size_t want = std::min(options.max_pairs, (qs.size() + 1) / 2);
  if (pairs.size() < want) pairs.resize(want);
  if (scratch.size() < lp::query_scratch_size(qs.size())) {
    scratch.resize(lp::query_scratch_size(qs.size()));
  }
  const lp::query_result r = lp::parse_query(qs, pairs, scratch, options);
  if (r.status != lp::query_status::ok) {
    if (r.status == lp::query_status::too_many_pairs) {
      return PyErr_Format(PyExc_ValueError, "%s (max_pairs=%zu)", lp::describe(r.status),
                          options.max_pairs);
    }
    PyErr_SetString(PyExc_ValueError, lp::describe(r.status));
    return nullptr;
  }
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(r.count));
  if (list == nullptr) return nullptr;
  for (std::size_t i = 0; i < r.count; ++i) {
    PyObject* k = str_from_utf8(pairs[i].key);
    PyObject* v = k ? str_from_utf8(pairs[i].value) : nullptr;
    PyObject* t = v ? PyTuple_New(2) : nullptr;
    if (t == nullptr) {
      Py_XDECREF(k);
      Py_XDECREF(v);
      Py_DECREF(list);
      return nullptr;
    }
    PyTuple_SET_ITEM(t, 0, k);
    PyTuple_SET_ITEM(t, 1, v);
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), t);
  }
  return list;
}

// percent_decode_path(path: str | bytes) -> bytes: '%XY' decoded, '+' kept, invalid escapes
// literal. Bytes out, because a decoded path is bytes until the caller decides ("%FF").
PyObject* percent_decode_path(PyObject*, PyObject* arg) {
  const char* data = nullptr;
  Py_ssize_t len = 0;
  if (PyUnicode_Check(arg)) {
    data = PyUnicode_AsUTF8AndSize(arg, &len);
    if (data == nullptr) return nullptr;
  } else if (PyBytes_Check(arg)) {
    data = PyBytes_AS_STRING(arg);
    len = PyBytes_GET_SIZE(arg);
  } else {
    return PyErr_Format(PyExc_TypeError, "path must be str or bytes, not %.100s",
                        Py_TYPE(arg)->tp_name);
  }
  PyObject* out = PyBytes_FromStringAndSize(nullptr, len);
  if (out == nullptr) return nullptr;
  const std::size_t n =
      lp::percent_decode_path({data, static_cast<std::size_t>(len)}, PyBytes_AS_STRING(out));
  if (_PyBytes_Resize(&out, static_cast<Py_ssize_t>(n)) < 0) return nullptr;
  return out;
}

PyMethodDef query_methods[] = {
    {"query_parse", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(query_parse)),
     METH_FASTCALL,
     "query_parse(qs, max_pairs=1000, max_length=65536, utf8_replace=True) -> "
     "list[tuple[str, str]]\n\nparse_qsl(qs, keep_blank_values=True) semantics; see "
     "lapwise/parser/query.h."},
    {"percent_decode_path", percent_decode_path, METH_O,
     "percent_decode_path(path) -> bytes: percent-decoding without the '+' rule."},
};

}  // namespace

void bind_query(py::module_& m) {
  for (PyMethodDef& def : query_methods) {
    PyObject* f = PyCFunction_NewEx(&def, nullptr, m.attr("__name__").ptr());
    if (f == nullptr) throw py::error_already_set();
    m.add_object(def.ml_name, py::reinterpret_steal<py::object>(f));
  }
}

}  // namespace lapwise::bindings

// lapwise._native, router section: RadixRouter and LinearRouter over lapwise::router.
//
// Glue only, but the lookup path is the thing being measured, so it avoids pybind11's generic
// dispatch: matcher() and many_matcher() hand out METH_FASTCALL builtins bound to the router,
// and results are built as instances of the Python Match/NoMatch classes given at construction
// by filling their slots directly (a frozen dataclass's __init__ costs more than the lookup).
// The classes are passed in, not imported, because the bindings know nothing of the package.
#include <Python.h>
#include <structmember.h>

#include "bindings.h"

#if defined(LAPWISE_HAS_ROUTER)
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lapwise/router/linear_router.h"
#include "lapwise/router/radix_router.h"

namespace lapwise::bindings {
namespace {

namespace rt = lapwise::router;

// A Python str seen as UTF-8 without copying (PyUnicode_AsUTF8AndSize caches the encoding in
// the str, and for ASCII it is the str's own buffer). A str holding lone surrogates has no UTF-8
// form; it is encoded with "surrogatepass" into `owned`, and values are decoded back the same
// way, so such paths route like any other text instead of raising.
struct utf8_arg {
  std::string_view view;
  PyObject* owned = nullptr;  // the surrogatepass bytes, when needed

  utf8_arg() = default;
  utf8_arg(const utf8_arg&) = delete;
  utf8_arg& operator=(const utf8_arg&) = delete;
  utf8_arg(utf8_arg&& o) noexcept : view(o.view), owned(std::exchange(o.owned, nullptr)) {}
  ~utf8_arg() { Py_XDECREF(owned); }

  // False with a Python error set (TypeError for a non-str).
  bool load(PyObject* obj, const char* what) {
    if (!PyUnicode_Check(obj)) {
      PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(obj)->tp_name);
      return false;
    }
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(obj, &size);
    if (data == nullptr) {
      PyErr_Clear();
      owned = PyUnicode_AsEncodedString(obj, "utf-8", "surrogatepass");
      if (owned == nullptr) return false;
      data = PyBytes_AS_STRING(owned);
      size = PyBytes_GET_SIZE(owned);
    }
    view = std::string_view(data, static_cast<std::size_t>(size));
    return true;
  }
};

// Where a slot of a slotted class lives: the offset of its member descriptor.
Py_ssize_t slot_offset(PyObject* type, const char* attr) {
  py::object descr = py::reinterpret_steal<py::object>(PyObject_GetAttrString(type, attr));
  if (!descr) PyErr_Clear();
  if (!descr || !Py_IS_TYPE(descr.ptr(), &PyMemberDescr_Type)) {
    throw py::type_error(std::string("result type has no slot '") + attr +
                         "' (expected a dataclass with slots=True)");
  }
  PyMemberDef* member = reinterpret_cast<PyMemberDescrObject*>(descr.ptr())->d_member;
  if (member->type != T_OBJECT_EX && member->type != T_OBJECT) {
    throw py::type_error(std::string("slot '") + attr + "' does not hold an object");
  }
  return member->offset;
}

// Builds Match(value, params) / NoMatch(status, allowed) instances without running __init__:
// allocate with tp_alloc and store the (owned) field values in the slots.
class result_factory {
 public:
  result_factory(py::handle match_type, py::handle no_match_type) {
    if (!PyType_Check(match_type.ptr()) || !PyType_Check(no_match_type.ptr())) {
      throw py::type_error("match_type and no_match_type must be classes");
    }
    match_type_ = py::reinterpret_borrow<py::object>(match_type);
    no_match_type_ = py::reinterpret_borrow<py::object>(no_match_type);
    value_at_ = slot_offset(match_type.ptr(), "value");
    params_at_ = slot_offset(match_type.ptr(), "params");
    status_at_ = slot_offset(no_match_type.ptr(), "status");
    allowed_at_ = slot_offset(no_match_type.ptr(), "allowed");
  }

  // Steals `value` and `params`. Returns a new reference or nullptr with an error set.
  PyObject* match(PyObject* value, PyObject* params) const {
    return make(match_type_.ptr(), value_at_, value, params_at_, params);
  }
  PyObject* no_match(long status, PyObject* allowed) const {
    return make(no_match_type_.ptr(), status_at_, PyLong_FromLong(status), allowed_at_, allowed);
  }

 private:
  static PyObject* make(PyObject* type_obj, Py_ssize_t at_a, PyObject* a, Py_ssize_t at_b,
                        PyObject* b) {
    auto* type = reinterpret_cast<PyTypeObject*>(type_obj);
    PyObject* obj = (a && b) ? type->tp_alloc(type, 0) : nullptr;
    if (obj == nullptr) {
      Py_XDECREF(a);
      Py_XDECREF(b);
      return nullptr;
    }
    *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(obj) + at_a) = a;
    *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(obj) + at_b) = b;
    return obj;
  }

  py::object match_type_, no_match_type_;
  Py_ssize_t value_at_ = 0, params_at_ = 0, status_at_ = 0, allowed_at_ = 0;
};

struct view_hash {
  std::size_t operator()(std::string_view v) const noexcept {
    return std::hash<const void*>{}(v.data()) ^ v.size();
  }
};
// Views into the router are compared by identity (address and length): the router hands out
// the same view for the same name until it is modified, and the caches are cleared then.
struct view_identity {
  bool operator()(std::string_view a, std::string_view b) const noexcept {
    return a.data() == b.data() && a.size() == b.size();
  }
};
using view_cache = std::unordered_map<std::string_view, PyObject*, view_hash, view_identity>;

const char* code_name(rt::insert_error_code code) {
  switch (code) {
    case rt::insert_error_code::syntax:
      return "syntax";
    case rt::insert_error_code::duplicate:
      return "duplicate";
    case rt::insert_error_code::conflict:
      return "conflict";
    case rt::insert_error_code::too_many_params:
      return "too_many_params";
    case rt::insert_error_code::too_long:
      return "too_long";
  }
  return "unknown";
}

// One router plus what turning its answers into Python objects needs. Touched only with the
// GIL held, except core.match() inside match_many (GIL released, `readers` > 0, and add()
// refuses to modify the router meanwhile).
template <class Core>
class router_state {
 public:
  router_state(py::handle match_type, py::handle no_match_type)
      : results_(match_type, no_match_type) {
    not_found_ = results_.no_match(404, PyTuple_New(0));
    if (not_found_ == nullptr) throw py::error_already_set();
  }
  ~router_state() {
    clear_caches();
    Py_XDECREF(not_found_);
  }
  router_state(const router_state&) = delete;
  router_state& operator=(const router_state&) = delete;

  // None, or (error code name, message) for the Python side to raise as RouteError.
  py::object add(py::handle method, py::handle pattern, std::uint32_t value) {
    if (readers_ > 0) {
      throw std::runtime_error(
          "add() while match_many() runs in another thread: "
          "add the routes before matching");
    }
    utf8_arg m, p;
    if (!m.load(method.ptr(), "method") || !p.load(pattern.ptr(), "pattern")) {
      throw py::error_already_set();
    }
    clear_caches();  // add() may move the router's strings that the caches are keyed on
    auto err = core_.add(m.view, p.view, value);
    if (!err) return py::none();
    return py::make_tuple(code_name(err->code), err->message);
  }

  std::size_t size() const noexcept { return core_.size(); }

  PyObject* match(PyObject* method, PyObject* path) {
    utf8_arg m, p;
    if (!m.load(method, "method") || !p.load(path, "path")) return nullptr;
    thread_local rt::match_result r;  // reused: a fresh one clears ~0.5 KiB per lookup
    core_.match_into(m.view, p.view, r);
    return build(r.kind, r.value, r.allowed, r.params.data(), r.param_count);
  }

  PyObject* match_many(PyObject* reqs) {
    py::object items = py::reinterpret_steal<py::object>(PySequence_Tuple(reqs));
    if (!items) return nullptr;
    const Py_ssize_t n = PyTuple_GET_SIZE(items.ptr());
    std::vector<py::object> held;  // non-tuple items, copied to tuples so they cannot change
    std::vector<utf8_arg> args(static_cast<std::size_t>(2 * n));
    for (Py_ssize_t i = 0; i < n; ++i) {
      PyObject* item = PyTuple_GET_ITEM(items.ptr(), i);
      if (!PyTuple_Check(item)) {
        item = PySequence_Tuple(item);
        if (item == nullptr) return nullptr;
        held.push_back(py::reinterpret_steal<py::object>(item));
      }
      if (PyTuple_GET_SIZE(item) != 2) {
        PyErr_Format(PyExc_ValueError, "match_many: request %zd is not a (method, path) pair", i);
        return nullptr;
      }
      if (!args[2 * i].load(PyTuple_GET_ITEM(item, 0), "method") ||
          !args[2 * i + 1].load(PyTuple_GET_ITEM(item, 1), "path")) {
        return nullptr;
      }
    }

    // The lookups, without the GIL. Results are kept compact (a match_result is ~0.5 KiB).
    struct compact {
      rt::status kind;
      std::uint32_t value;
      std::string_view allowed;
      std::size_t first_param, param_count;
    };
    std::vector<compact> out(static_cast<std::size_t>(n));
    std::vector<rt::param> params;
    params.reserve(static_cast<std::size_t>(2 * n));
    ++readers_;
    Py_BEGIN_ALLOW_THREADS;
    rt::match_result r;
    for (std::size_t i = 0; i < out.size(); ++i) {
      core_.match_into(args[2 * i].view, args[2 * i + 1].view, r);
      out[i] = {r.kind, r.value, r.allowed, params.size(), r.param_count};
      params.insert(params.end(), r.params.begin(), r.params.begin() + r.param_count);
    }
    Py_END_ALLOW_THREADS;

    PyObject* list = PyList_New(n);
    for (Py_ssize_t i = 0; list != nullptr && i < n; ++i) {
      const compact& c = out[static_cast<std::size_t>(i)];
      PyObject* res =
          build(c.kind, c.value, c.allowed, params.data() + c.first_param, c.param_count);
      if (res == nullptr)
        Py_CLEAR(list);
      else
        PyList_SET_ITEM(list, i, res);
    }
    --readers_;  // only now: the names and allowed lists above are views into the router
    return list;
  }

 private:
  PyObject* build(rt::status kind, std::uint32_t value, std::string_view allowed,
                  const rt::param* params, std::size_t count) {
    if (kind == rt::status::not_found) return Py_NewRef(not_found_);
    if (kind == rt::status::method_not_allowed) return method_not_allowed(allowed);
    PyObject* dict = PyDict_New();
    for (std::size_t i = 0; dict != nullptr && i < count; ++i) {
      PyObject* name = param_name(params[i].name);
      PyObject* text = name ? PyUnicode_DecodeUTF8(params[i].value.data(),
                                                   static_cast<Py_ssize_t>(params[i].value.size()),
                                                   "surrogatepass")
                            : nullptr;
      if (text == nullptr || PyDict_SetItem(dict, name, text) < 0) Py_CLEAR(dict);
      Py_XDECREF(text);
    }
    if (dict == nullptr) return nullptr;
    return results_.match(PyLong_FromUnsignedLong(value), dict);
  }

  // Interned once per router version: most lookups reuse a handful of names.
  PyObject* param_name(std::string_view name) {
    auto it = names_.find(name);
    if (it != names_.end()) return it->second;
    PyObject* s = PyUnicode_DecodeUTF8(name.data(), static_cast<Py_ssize_t>(name.size()), nullptr);
    if (s == nullptr) return nullptr;
    PyUnicode_InternInPlace(&s);
    names_.emplace(name, s);
    return s;
  }

  // NoMatch(405, ("GET", "POST")) is immutable, so one instance per allowed list is shared.
  PyObject* method_not_allowed(std::string_view allowed) {
    auto it = not_allowed_.find(allowed);
    if (it != not_allowed_.end()) return Py_NewRef(it->second);
    py::list methods;
    for (std::size_t start = 0; start <= allowed.size();) {
      std::size_t comma = allowed.find(", ", start);
      std::size_t end = comma == std::string_view::npos ? allowed.size() : comma;
      methods.append(py::str(allowed.data() + start, end - start));
      start = end + 2;
    }
    PyObject* nm = results_.no_match(405, PyList_AsTuple(methods.ptr()));
    if (nm == nullptr) return nullptr;
    not_allowed_.emplace(allowed, nm);
    return Py_NewRef(nm);
  }

  void clear_caches() {
    for (auto& [_, obj] : names_) Py_DECREF(obj);
    for (auto& [_, obj] : not_allowed_) Py_DECREF(obj);
    names_.clear();
    not_allowed_.clear();
  }

  Core core_;
  result_factory results_;
  PyObject* not_found_ = nullptr;
  view_cache names_, not_allowed_;
  int readers_ = 0;  // match_many calls between their GIL release and their last view use
};

constexpr const char* state_capsule = "lapwise._native.router_state";

template <class Core>
router_state<Core>* state_of(PyObject* capsule) {
  return static_cast<std::shared_ptr<router_state<Core>>*>(
             PyCapsule_GetPointer(capsule, state_capsule))
      ->get();
}

template <class Core>
PyObject* match_entry(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError, "match(method, path) takes 2 arguments (%zd given)", nargs);
    return nullptr;
  }
  return state_of<Core>(self)->match(args[0], args[1]);
}

template <class Core>
PyObject* match_many_entry(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 1) {
    PyErr_Format(PyExc_TypeError, "match_many(reqs) takes 1 argument (%zd given)", nargs);
    return nullptr;
  }
  return state_of<Core>(self)->match_many(args[0]);
}

template <class Core>
PyMethodDef match_def = {"match", reinterpret_cast<PyCFunction>(+match_entry<Core>), METH_FASTCALL,
                         "match(method: str, path: str) -> Match | NoMatch"};
template <class Core>
PyMethodDef match_many_def = {"match_many", reinterpret_cast<PyCFunction>(+match_many_entry<Core>),
                              METH_FASTCALL,
                              "match_many(reqs: Sequence[tuple[str, str]]) -> list[Match | NoMatch]"
                              " (the lookups run with the GIL released)"};

// A builtin function bound to a capsule that shares ownership of the router state.
template <class Core>
py::object bound(const std::shared_ptr<router_state<Core>>& state, PyMethodDef* def) {
  auto* owner = new std::shared_ptr<router_state<Core>>(state);
  PyObject* capsule = PyCapsule_New(owner, state_capsule, [](PyObject* c) {
    delete static_cast<std::shared_ptr<router_state<Core>>*>(
        PyCapsule_GetPointer(c, state_capsule));
  });
  if (capsule == nullptr) {
    delete owner;
    throw py::error_already_set();
  }
  PyObject* fn = PyCFunction_New(def, capsule);
  Py_DECREF(capsule);
  if (fn == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(fn);
}

template <class Core>
void bind_one(py::module_& m, const char* name, const char* doc) {
  using state = router_state<Core>;
  py::class_<state, std::shared_ptr<state>>(m, name, doc)
      .def(py::init<py::handle, py::handle>(), py::arg("match_type"), py::arg("no_match_type"),
           "Result instances are made of these classes (slotted: Match(value, params), "
           "NoMatch(status, allowed)) without running their __init__.")
      .def("add", &state::add, py::arg("method"), py::arg("pattern"), py::arg("value"),
           "None, or (code, message) with code one of syntax, duplicate, conflict, "
           "too_many_params, too_long; on error the router is unchanged.")
      .def("__len__", &state::size)
      .def(
          "matcher", [](const std::shared_ptr<state>& s) { return bound(s, &match_def<Core>); },
          "The builtin match(method, path) of this router.")
      .def(
          "many_matcher",
          [](const std::shared_ptr<state>& s) { return bound(s, &match_many_def<Core>); },
          "The builtin match_many(reqs) of this router.");
}

}  // namespace

void bind_router(py::module_& m) {
  bind_one<rt::radix_router>(m, "RadixRouter", "lapwise::router::radix_router");
  bind_one<rt::linear_router>(m, "LinearRouter", "lapwise::router::linear_router");
  m.def(
      "router_to_canonical",
      [](std::string_view pattern, std::string_view from) {
        rt::syntax s;
        if (from == "canonical")
          s = rt::syntax::canonical;
        else if (from == "httprouter")
          s = rt::syntax::httprouter;
        else if (from == "werkzeug")
          s = rt::syntax::werkzeug;
        else
          throw py::value_error("syntax must be canonical, httprouter or werkzeug");
        std::string error;
        auto out = rt::to_canonical(pattern, s, &error);
        if (!out) throw py::value_error(error);
        return *out;
      },
      py::arg("pattern"), py::arg("syntax"),
      "The canonical form of `pattern` written in `syntax`; ValueError names the bad part.");
  m.attr("ROUTER_MAX_PARAMS") = rt::max_params;
  m.attr("ROUTER_MAX_PATTERN_LENGTH") = rt::max_pattern_length;
}

}  // namespace lapwise::bindings

#else  // the router core is not in this build: the module simply has no router section

namespace lapwise::bindings {
void bind_router(py::module_&) {}
}  // namespace lapwise::bindings

#endif

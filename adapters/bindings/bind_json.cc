// lapwise._native.json_dumps / json_loads: the Python-object side of lapwise's JSON.
//
// dumps walks Python objects and hands each token to lapwise::parser::json::writer (all byte
// formatting lives there); loads receives simdjson events from json::reader and builds
// objects. Raw METH_FASTCALL functions, not pybind11 ones: the call overhead matters for
// small documents.
//
// dumps(obj, *, ensure_ascii=False, allow_nan=True, non_str_keys=False) -> bytes, equal to
// json.dumps(obj, separators=(",", ":"), ensure_ascii=..., allow_nan=...).encode() except in
// two deliberate ways (both are orjson's behaviour):
// - dict keys must be str (or a str subclass). Any other key: TypeError naming the path, the
//   key itself as the last step: "$.a[3]: keys must be str, not int (non_str_keys=True
//   converts int, float, bool and None keys like json.dumps)". non_str_keys=True converts
//   int, float, bool and None keys exactly as json.dumps does ("3", "1e+16", "true", "null");
//   other key types then fail with "$.a[(1, 2)]: keys must be str, int, float, bool or None,
//   not tuple".
// - float exponents are written without '+' or zero padding: 1e16, 1e-5,
//   1.7976931348623157e308 where json.dumps writes 1e+16, 1e-05, 1.7976931348623157e+308
//   (json_number.h has the rule; the shared round-trip files use this spelling). Everything
//   else, fixed-notation floats included, is byte-identical.
// Values: dict, list, tuple, str, int (any size), float, bool, None, and subclasses of these
//   (as the stdlib: an IntEnum is written as its int). Anything else: TypeError naming the
//   path, "$.users[3].created: Object of type datetime is not JSON serializable".
// - NaN/Infinity: written as NaN/Infinity/-Infinity like the stdlib (allow_nan=True);
//   allow_nan=False raises ValueError "<path>: Out of range float values are not JSON
//   compliant".
// - Cycles: ValueError "<path>: Circular reference detected". Nesting deeper than
//   max_depth (1024) without a cycle: RecursionError. Cycles are looked for only when the
//   depth limit is hit (a cycle always reaches it), so the common case pays nothing.
// - A str with a lone surrogate: ValueError with ensure_ascii=False (UTF-8 cannot carry it;
//   the stdlib's .encode() fails the same way); escaped as \udXXX with ensure_ascii=True.
//
// loads(data: bytes | bytearray | memoryview | str, *, allow_nan=True) -> object:
// json.JSONDecodeError (a ValueError) with the position on bad input, RecursionError past 1024
// levels. Integers of any size; floats beyond double range become inf like the stdlib;
// NaN/Infinity/-Infinity literals are read like json.loads does (what dumps writes with
// allow_nan=True reads back) unless allow_nan=False; lone-surrogate escapes are rejected (see
// json_reader.h).
#include <Python.h>

#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bindings.h"
#include "lapwise/parser/json_reader.h"
#include "lapwise/parser/json_writer.h"

namespace lapwise::bindings {
namespace {

namespace lj = lapwise::parser::json;

constexpr std::size_t max_depth = 1024;

// ---------------------------------------------------------------------------------- dumps

// One step of the path to a failing value, collected while unwinding (so the success path
// keeps no path at all).
struct path_step {
  PyObject* key;  // borrowed dict key, or nullptr for a list/tuple index
  Py_ssize_t index;
};

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// "$", ".name", "['odd key']", "[3]": JSONPath-like, root first.
std::string render_path(const std::vector<path_step>& steps) {
  std::string out = "$";
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (it->key == nullptr) {
      out += "[" + std::to_string(it->index) + "]";
      continue;
    }
    if (PyUnicode_Check(it->key)) {
      Py_ssize_t n = 0;
      const char* s = PyUnicode_AsUTF8AndSize(it->key, &n);
      if (s != nullptr && is_identifier({s, static_cast<std::size_t>(n)})) {
        out += ".";
        out.append(s, static_cast<std::size_t>(n));
        continue;
      }
      PyErr_Clear();
    }
    PyObject* r = PyObject_Repr(it->key);
    const char* s = r ? PyUnicode_AsUTF8(r) : nullptr;
    out += "[";
    out += s ? s : "?";
    out += "]";
    Py_XDECREF(r);
    PyErr_Clear();
  }
  if (out.size() > 300) out = out.substr(0, 140) + "..." + out.substr(out.size() - 140);
  return out;
}

class encoder {
 public:
  encoder(lj::writer& w, bool ensure_ascii, bool allow_nan, bool non_str_keys)
      : w_(w), ensure_ascii_(ensure_ascii), allow_nan_(allow_nan), non_str_keys_(non_str_keys) {}
  ~encoder() {
    for (PyObject* o : held_) Py_DECREF(o);
  }
  encoder(const encoder&) = delete;
  encoder& operator=(const encoder&) = delete;

  // Writes `o`; on failure a Python exception is set with the path in its message.
  bool encode_root(PyObject* o) {
    if (encode(o)) return true;
    raise();
    return false;
  }

 private:
  enum class failure { none, python, type, not_finite, surrogate, cycle, depth, memory, key };

  bool fail(failure f, PyObject* culprit = nullptr) {
    failure_ = f;
    culprit_ = culprit;
    return false;
  }

  bool check(lj::write_status s, PyObject* o) {
    switch (s) {
      case lj::write_status::ok:
        return true;
      case lj::write_status::non_finite:
        return fail(failure::not_finite, o);
      case lj::write_status::lone_surrogate:
        return fail(failure::surrogate, o);
      default:
        return fail(failure::memory, o);
    }
  }

  void raise() {
    if (path_depth_ < steps_.size()) {  // keep the root-most path_depth_ steps
      steps_.erase(steps_.begin(), steps_.end() - static_cast<std::ptrdiff_t>(path_depth_));
    }
    const std::string path = render_path(steps_);
    const char* p = path.c_str();
    switch (failure_) {
      case failure::python: {  // an exception is already set: prefix the path to it
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        PyObject* msg = value ? PyObject_Str(value) : nullptr;
        if (msg != nullptr && PyExceptionClass_Check(type) &&
            PyErr_GivenExceptionMatches(type, PyExc_ValueError)) {
          PyErr_Format(type, "%s: %U", p, msg);
          Py_XDECREF(type);
          Py_XDECREF(value);
          Py_XDECREF(tb);
        } else {
          PyErr_Restore(type, value, tb);
        }
        Py_XDECREF(msg);
        return;
      }
      case failure::type:
        PyErr_Format(PyExc_TypeError, "%s: Object of type %s is not JSON serializable", p,
                     _PyType_Name(Py_TYPE(culprit_)));
        return;
      case failure::key: {
        PyObject* k = culprit_;
        if (non_str_keys_) {  // the stdlib's message: these are the types it converts
          PyErr_Format(PyExc_TypeError, "%s: keys must be str, int, float, bool or None, not %s", p,
                       _PyType_Name(Py_TYPE(k)));
        } else if (PyLong_Check(k) || PyFloat_Check(k) || k == Py_None) {  // bool is an int
          PyErr_Format(PyExc_TypeError,
                       "%s: keys must be str, not %s (non_str_keys=True converts int, float, "
                       "bool and None keys like json.dumps)",
                       p, _PyType_Name(Py_TYPE(k)));
        } else {
          PyErr_Format(PyExc_TypeError, "%s: keys must be str, not %s", p,
                       _PyType_Name(Py_TYPE(k)));
        }
        return;
      }
      case failure::not_finite:
        PyErr_Format(PyExc_ValueError, "%s: Out of range float values are not JSON compliant", p);
        return;
      case failure::surrogate:
        PyErr_Format(PyExc_ValueError,
                     "%s: str contains a lone surrogate, which UTF-8 cannot encode "
                     "(ensure_ascii=True escapes it)",
                     p);
        return;
      case failure::cycle:
        PyErr_Format(PyExc_ValueError, "%s: Circular reference detected", p);
        return;
      case failure::depth:
        PyErr_Format(PyExc_RecursionError, "%s: maximum JSON nesting depth (%zu) exceeded", p,
                     max_depth);
        return;
      case failure::memory:
        PyErr_NoMemory();
        return;
      case failure::none:
        PyErr_SetString(PyExc_SystemError, "json_dumps failed without a reason");
        return;
    }
  }

  bool str(PyObject* s) {
    if (PyUnicode_READY(s) < 0) return fail(failure::python);  // legacy (wstr) strings only
    switch (PyUnicode_KIND(s)) {
      case PyUnicode_1BYTE_KIND:
        return check(w_.string_latin1({PyUnicode_1BYTE_DATA(s),
                                       static_cast<std::size_t>(PyUnicode_GET_LENGTH(s))},
                                      ensure_ascii_),
                     s);
      case PyUnicode_2BYTE_KIND:
        return check(w_.string_ucs2({PyUnicode_2BYTE_DATA(s),
                                     static_cast<std::size_t>(PyUnicode_GET_LENGTH(s))},
                                    ensure_ascii_),
                     s);
      default:
        return check(w_.string_ucs4({PyUnicode_4BYTE_DATA(s),
                                     static_cast<std::size_t>(PyUnicode_GET_LENGTH(s))},
                                    ensure_ascii_),
                     s);
    }
  }

  bool integer(PyObject* o) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow == 0) {
      if (v == -1 && PyErr_Occurred()) return fail(failure::python);
      return w_.int_value(v) || fail(failure::memory);
    }
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(o);
      if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
        return w_.uint_value(u) || fail(failure::memory);
      }
      PyErr_Clear();
    }
    // Beyond 64 bits: int.__repr__ (also for subclasses, like the stdlib).
    PyObject* text = PyLong_Type.tp_repr(o);
    if (text == nullptr) return fail(failure::python);
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(text, &n);
    const bool ok = s != nullptr && w_.integer_text({s, static_cast<std::size_t>(n)});
    Py_DECREF(text);
    return ok || fail(s ? failure::memory : failure::python);
  }

  // A dict key. str (and subclasses) always; with non_str_keys, the keys json.dumps converts
  // (float, bool, None, int) become the strings json.dumps writes for them: float.__repr__
  // ("1e+16", as str(key) gives, since the key text is data a Python reader looks up),
  // "true", "false", "null", int.__repr__. Anything else fails with the key in the path.
  bool key(PyObject* k) {
    if (PyUnicode_Check(k)) return str(k);
    if (!non_str_keys_) return fail(failure::key, k);
    std::string_view text;
    if (PyFloat_Check(k)) {
      const double d = PyFloat_AS_DOUBLE(k);
      if (!std::isfinite(d)) {  // NaN/Infinity/-Infinity, or ValueError without allow_nan
        lj::writer tmp;
        if (!check(tmp.double_value(d, allow_nan_), k)) return false;
        return check(w_.string_utf8(tmp.view(), false), k);
      }
      return repr_key(PyFloat_Type.tp_repr, k);
    }
    if (k == Py_True) {
      text = "true";
    } else if (k == Py_False) {
      text = "false";
    } else if (k == Py_None) {
      text = "null";
    } else if (PyLong_Check(k)) {
      return repr_key(PyLong_Type.tp_repr, k);
    } else {
      return fail(failure::key, k);
    }
    return check(w_.string_utf8(text, false), k);
  }

  // Writes repr(k) as a JSON string, with the base type's repr (as the stdlib does for
  // subclasses such as IntEnum).
  bool repr_key(reprfunc repr, PyObject* k) {
    PyObject* r = repr(k);
    if (r == nullptr) return fail(failure::python);
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(r, &n);
    const bool ok =
        s != nullptr && check(w_.string_utf8({s, static_cast<std::size_t>(n)}, false), k);
    Py_DECREF(r);
    return ok || (s == nullptr && fail(failure::python));
  }

  bool enter(PyObject* container) {
    if (stack_.size() == max_depth) {
      // A cycle always ends here; report it as one if `container` is already on the path.
      // The reported path ends where the cycle closes: at the first container that
      // repeats one of its ancestors.
      for (std::size_t j = 1; j < stack_.size(); ++j) {
        for (std::size_t i = 0; i < j; ++i) {
          if (stack_[i] == stack_[j]) {
            path_depth_ = j;
            return fail(failure::cycle);
          }
        }
      }
      return fail(failure::depth);
    }
    stack_.push_back(container);
    return true;
  }

  bool member(PyObject* k, PyObject* v, bool first) {
    if ((first || w_.put(',')) && key(k) && w_.put(':') && encode(v)) return true;
    if (failure_ == failure::none) failure_ = failure::memory;
    steps_.push_back({k, 0});
    return false;
  }

  bool dict(PyObject* o) {
    if (!enter(o)) return false;
    if (!w_.put('{')) return fail(failure::memory);
    if (PyDict_CheckExact(o)) {
      Py_ssize_t pos = 0;
      PyObject *k, *v;
      bool first = true;
      while (PyDict_Next(o, &pos, &k, &v)) {
        if (!member(k, v, first)) return false;
        first = false;
      }
    } else {
      // Subclasses (OrderedDict, ...) in the order their items() gives, like the stdlib.
      PyObject* items = PyMapping_Items(o);
      if (items == nullptr) return fail(failure::python);
      for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); ++i) {
        PyObject* kv = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2) {
          Py_DECREF(items);
          PyErr_SetString(PyExc_ValueError, "items must return 2-tuples");
          return fail(failure::python);
        }
        // Keys stay alive through `items` until the path is rendered: keep it referenced.
        if (!member(PyTuple_GET_ITEM(kv, 0), PyTuple_GET_ITEM(kv, 1), i == 0)) {
          held_.push_back(items);
          return false;
        }
      }
      Py_DECREF(items);
    }
    stack_.pop_back();
    return w_.put('}') || fail(failure::memory);
  }

  bool sequence(PyObject* o, PyObject* const* items, Py_ssize_t n) {
    if (!enter(o)) return false;
    if (!w_.put('[')) return fail(failure::memory);
    for (Py_ssize_t i = 0; i < n; ++i) {
      if ((i > 0 && !w_.put(',')) || !encode(items[i])) {
        if (failure_ == failure::none) failure_ = failure::memory;
        steps_.push_back({nullptr, i});
        return false;
      }
    }
    stack_.pop_back();
    return w_.put(']') || fail(failure::memory);
  }

  bool encode(PyObject* o) {
    PyTypeObject* t = Py_TYPE(o);
    // Exact types first (the common case), then subclasses in the stdlib's order.
    if (t == &PyUnicode_Type) return str(o);
    if (t == &PyLong_Type) return integer(o);
    if (t == &PyFloat_Type) return check(w_.double_value(PyFloat_AS_DOUBLE(o), allow_nan_), o);
    if (t == &PyDict_Type) return dict(o);
    if (t == &PyList_Type) {
      // PySequence_Fast_ITEMS-style access: the list is not modified while we hold the GIL.
      return sequence(o, PySequence_Fast_ITEMS(o), PyList_GET_SIZE(o));
    }
    if (o == Py_None) return w_.null_value() || fail(failure::memory);
    if (o == Py_True) return w_.bool_value(true) || fail(failure::memory);
    if (o == Py_False) return w_.bool_value(false) || fail(failure::memory);
    if (t == &PyTuple_Type) return sequence(o, PySequence_Fast_ITEMS(o), PyTuple_GET_SIZE(o));
    if (PyUnicode_Check(o)) return str(o);
    if (PyLong_Check(o)) return integer(o);
    if (PyFloat_Check(o)) {
      return check(w_.double_value(PyFloat_AS_DOUBLE(o), allow_nan_), o);
    }
    if (PyList_Check(o)) return sequence(o, PySequence_Fast_ITEMS(o), PyList_GET_SIZE(o));
    if (PyTuple_Check(o)) return sequence(o, PySequence_Fast_ITEMS(o), PyTuple_GET_SIZE(o));
    if (PyDict_Check(o)) return dict(o);
    return fail(failure::type, o);
  }

  lj::writer& w_;
  bool ensure_ascii_;
  bool allow_nan_;
  bool non_str_keys_;
  failure failure_ = failure::none;
  PyObject* culprit_ = nullptr;
  std::vector<PyObject*> stack_;  // containers on the current path
  std::vector<path_step> steps_;  // filled only while unwinding from a failure
  std::vector<PyObject*> held_;   // owned objects that path_step keys point into
  std::size_t path_depth_ = static_cast<std::size_t>(-1);  // report only this many steps
};

bool flag(PyObject* v, bool* out) {
  const int b = PyObject_IsTrue(v);
  if (b < 0) return false;
  *out = b != 0;
  return true;
}

PyObject* dumps_with(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, bool allow_nan) {
  if (nargs != 1) {
    PyErr_SetString(PyExc_TypeError,
                    "dumps(obj, *, ensure_ascii=False, allow_nan=True, non_str_keys=False)");
    return nullptr;
  }
  bool ensure_ascii = false;
  bool non_str_keys = false;
  if (kwnames != nullptr) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); ++i) {
      PyObject* name = PyTuple_GET_ITEM(kwnames, i);
      PyObject* value = args[nargs + i];
      if (PyUnicode_CompareWithASCIIString(name, "ensure_ascii") == 0) {
        if (!flag(value, &ensure_ascii)) return nullptr;
      } else if (PyUnicode_CompareWithASCIIString(name, "allow_nan") == 0) {
        if (!flag(value, &allow_nan)) return nullptr;
      } else if (PyUnicode_CompareWithASCIIString(name, "non_str_keys") == 0) {
        if (!flag(value, &non_str_keys)) return nullptr;
      } else {
        return PyErr_Format(PyExc_TypeError, "dumps() got an unexpected keyword argument '%U'",
                            name);
      }
    }
  }
  // One writer per thread, reused: after the first few calls dumps allocates only the result.
  thread_local lj::writer w;
  w.clear();
  encoder enc(w, ensure_ascii, allow_nan, non_str_keys);
  if (!enc.encode_root(args[0])) return nullptr;
  const std::string_view out = w.view();
  PyObject* bytes = PyBytes_FromStringAndSize(out.data(), static_cast<Py_ssize_t>(out.size()));
  // Do not let one huge document pin its buffer for the life of the thread.
  if (w.capacity() > (64u << 20)) w = lj::writer();
  return bytes;
}

PyObject* json_dumps(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  return dumps_with(args, nargs, kwnames, true);
}

// The same with allow_nan=False by default: what lapwise.App writes (a JSON response must
// parse anywhere), without a functools.partial's cost on every response.
PyObject* json_dumps_strict(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  return dumps_with(args, nargs, kwnames, false);
}

// ---------------------------------------------------------------------------------- loads

bool ascii_only(std::string_view s) {
  std::size_t i = 0;
  std::uint64_t acc = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    acc |= w;
  }
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// simdjson validated the UTF-8, so an ASCII string can be copied without decoding.
PyObject* make_str(std::string_view s) {
  if (ascii_only(s)) {
    PyObject* o = PyUnicode_New(static_cast<Py_ssize_t>(s.size()), 127);
    if (o != nullptr) std::memcpy(PyUnicode_1BYTE_DATA(o), s.data(), s.size());
    return o;
  }
  return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "strict");
}

// Object keys repeat (twitter.json has ~20 distinct keys for ~13k fields): a direct-mapped
// cache of ASCII keys up to 32 bytes returns the same str object, whose hash is then also
// cached, so both the allocation and the dict's hashing are skipped.
class key_cache {
 public:
  PyObject* get(std::string_view k) {
    if (k.size() > 32) return make_str(k);
    std::uint64_t h = 1469598103934665603ULL ^ k.size();
    for (char c : k) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    entry& e = slots_[h & (slots_.size() - 1)];
    if (e.str != nullptr && e.len == k.size() && std::memcmp(e.bytes, k.data(), k.size()) == 0) {
      Py_INCREF(e.str);
      return e.str;
    }
    PyObject* s = make_str(k);
    if (s == nullptr || !PyUnicode_IS_ASCII(s)) return s;
    Py_XSETREF(e.str, (Py_INCREF(s), s));
    e.len = k.size();
    std::memcpy(e.bytes, k.data(), k.size());
    return s;
  }

 private:
  struct entry {
    PyObject* str = nullptr;
    std::size_t len = 0;
    char bytes[32];
  };
  std::vector<entry> slots_ = std::vector<entry>(1024);
};

// Builds Python objects from reader events: values accumulate on one stack; a container's end
// turns its slice of the stack into a list or dict.
class builder {
 public:
  builder(key_cache& keys, bool allow_nan) : keys_(keys), allow_nan_(allow_nan) {
    stack_.reserve(64);
  }
  ~builder() {
    for (PyObject* o : stack_) Py_DECREF(o);
  }

  PyObject* take_root() {
    PyObject* o = stack_.back();
    stack_.pop_back();
    return o;
  }

  bool null_value() { return push((Py_INCREF(Py_None), Py_None)); }
  bool bool_value(bool b) {
    PyObject* o = b ? Py_True : Py_False;
    Py_INCREF(o);
    return push(o);
  }
  bool int_value(std::int64_t v) { return push(PyLong_FromLongLong(v)); }
  bool uint_value(std::uint64_t v) { return push(PyLong_FromUnsignedLongLong(v)); }
  bool double_value(double v) { return push(PyFloat_FromDouble(v)); }
  bool number_text(std::string_view text, bool is_integer) {
    std::string z(text);  // NUL-terminated for the C API
    if (is_integer) return push(PyLong_FromString(z.c_str(), nullptr, 10));
    // Beyond double range: Python's float() gives inf (json.loads does the same).
    const double d = PyOS_string_to_double(z.c_str(), nullptr, nullptr);
    if (d == -1.0 && PyErr_Occurred()) return false;
    return push(PyFloat_FromDouble(d));
  }
  bool string_value(std::string_view s) { return push(make_str(s)); }
  bool key(std::string_view k) { return push(keys_.get(k)); }
  bool allow_non_finite() const { return allow_nan_; }

  std::size_t begin_array() { return stack_.size(); }
  bool end_array(std::size_t mark) {
    const std::size_t n = stack_.size() - mark;
    PyObject* list = PyList_New(static_cast<Py_ssize_t>(n));
    if (list == nullptr) return false;
    for (std::size_t i = 0; i < n; ++i) {
      PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), stack_[mark + i]);  // steals
    }
    stack_.resize(mark);
    return push(list);
  }
  std::size_t begin_object() { return stack_.size(); }
  bool end_object(std::size_t mark) {
    PyObject* dict = PyDict_New();
    if (dict == nullptr) return false;
    for (std::size_t i = mark; i + 1 < stack_.size(); i += 2) {
      if (PyDict_SetItem(dict, stack_[i], stack_[i + 1]) < 0) {
        Py_DECREF(dict);
        return false;
      }
    }
    for (std::size_t i = mark; i < stack_.size(); ++i) Py_DECREF(stack_[i]);
    stack_.resize(mark);
    return push(dict);
  }

 private:
  bool push(PyObject* o) {
    if (o == nullptr) return false;
    stack_.push_back(o);
    return true;
  }

  key_cache& keys_;
  bool allow_nan_;
  std::vector<PyObject*> stack_;
};

PyObject* decode_error_class() {
  static PyObject* cls = [] {
    PyObject* mod = PyImport_ImportModule("json.decoder");
    PyObject* c = mod ? PyObject_GetAttrString(mod, "JSONDecodeError") : nullptr;
    Py_XDECREF(mod);
    return c;
  }();
  return cls;
}

void raise_decode_error(const lj::read_result& r, std::string_view text) {
  if (r.status == lj::read_status::too_deep) {
    PyErr_Format(PyExc_RecursionError, "maximum JSON nesting depth (%zu) exceeded",
                 lj::default_max_depth);
    return;
  }
  if (r.status == lj::read_status::out_of_memory) {
    PyErr_NoMemory();
    return;
  }
  // JSONDecodeError(msg, doc, pos) wants a str and a character position.
  const std::size_t at = r.offset < text.size() ? r.offset : text.size();
  PyObject* doc =
      PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  PyObject* head = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(at), "replace");
  PyObject* cls = decode_error_class();
  if (doc == nullptr || head == nullptr || cls == nullptr) {
    Py_XDECREF(doc);
    Py_XDECREF(head);
    return;
  }
  std::string msg(r.message);
  if (!msg.empty()) msg[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(msg[0])));
  PyObject* msg_obj = PyUnicode_FromStringAndSize(msg.data(), static_cast<Py_ssize_t>(msg.size()));
  PyObject* pos = PyLong_FromSsize_t(PyUnicode_GET_LENGTH(head));
  PyObject* exc =
      msg_obj && pos ? PyObject_CallFunctionObjArgs(cls, msg_obj, doc, pos, nullptr) : nullptr;
  Py_XDECREF(msg_obj);
  Py_XDECREF(pos);
  if (exc != nullptr) {
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
  }
  Py_DECREF(doc);
  Py_DECREF(head);
}

PyObject* json_loads(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (nargs != 1) {
    PyErr_SetString(PyExc_TypeError, "loads(data, *, allow_nan=True)");
    return nullptr;
  }
  bool allow_nan = true;
  if (kwnames != nullptr) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); ++i) {
      PyObject* name = PyTuple_GET_ITEM(kwnames, i);
      if (PyUnicode_CompareWithASCIIString(name, "allow_nan") != 0) {
        return PyErr_Format(PyExc_TypeError, "loads() got an unexpected keyword argument '%U'",
                            name);
      }
      if (!flag(args[nargs + i], &allow_nan)) return nullptr;
    }
  }
  PyObject* arg = args[0];
  std::string_view text;
  Py_buffer view{};
  bool have_view = false;
  if (PyBytes_Check(arg)) {
    text = {PyBytes_AS_STRING(arg), static_cast<std::size_t>(PyBytes_GET_SIZE(arg))};
  } else if (PyUnicode_Check(arg)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(arg, &n);
    if (s == nullptr) return nullptr;
    text = {s, static_cast<std::size_t>(n)};
  } else if (PyObject_CheckBuffer(arg)) {
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return nullptr;
    have_view = true;
    text = {static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len)};
  } else {
    return PyErr_Format(PyExc_TypeError,
                        "the JSON object must be str, bytes or bytearray, not %.100s",
                        Py_TYPE(arg)->tp_name);
  }
  thread_local lj::reader reader;
  thread_local key_cache keys;
  builder b(keys, allow_nan);
  const lj::read_result r = reader.parse(text, b);
  PyObject* out = nullptr;
  if (r.status == lj::read_status::ok) {
    out = b.take_root();
  } else if (r.status != lj::read_status::handler_failed || !PyErr_Occurred()) {
    raise_decode_error(r, text);
  }
  if (have_view) PyBuffer_Release(&view);
  return out;
}

PyMethodDef json_methods[] = {
    {"json_dumps", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(json_dumps)),
     METH_FASTCALL | METH_KEYWORDS,
     "json_dumps(obj, *, ensure_ascii=False, allow_nan=True, non_str_keys=False) -> bytes\n\n"
     "json.dumps(obj, separators=(',', ':'), ...).encode(), in C++, with two differences:\n"
     "dict keys must be str (TypeError naming the path) unless non_str_keys=True, which\n"
     "converts int, float, bool and None keys like json.dumps; float exponents are written\n"
     "without '+' or zero padding (1e16, 1e-5, 1.7976931348623157e308), like orjson."},
    {"json_dumps_strict",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(json_dumps_strict)),
     METH_FASTCALL | METH_KEYWORDS,
     "json_dumps_strict(obj, *, ensure_ascii=False, allow_nan=False, non_str_keys=False)\n\n"
     "json_dumps with allow_nan=False by default: NaN and Infinity raise ValueError naming\n"
     "the path."},
    {"json_loads", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(json_loads)),
     METH_FASTCALL | METH_KEYWORDS,
     "json_loads(data, *, allow_nan=True) -> object: JSON (UTF-8 bytes or str) through\n"
     "simdjson. allow_nan=True (as json.loads) also reads NaN, Infinity and -Infinity, which\n"
     "json_dumps writes with allow_nan=True; allow_nan=False rejects them (strict JSON)."},
};

}  // namespace

void bind_json(py::module_& m) {
  for (PyMethodDef& def : json_methods) {
    PyObject* f = PyCFunction_NewEx(&def, nullptr, m.attr("__name__").ptr());
    if (f == nullptr) throw py::error_already_set();
    m.add_object(def.ml_name, py::reinterpret_steal<py::object>(f));
  }
  m.attr("JSON_MAX_DEPTH") = max_depth;
}

}  // namespace lapwise::bindings

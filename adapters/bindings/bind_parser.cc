// lapwise._native.parser: the HTTP/1.1 request parser core as two Python types.
//
//   RequestParser(max_request_line=, max_header_bytes=, max_headers=, max_body=,
//                 max_chunk_line=, partial=None, error=None)
//     .parse(buf) -> Request | partial | error(status, reason)
//     .parse_many(bufs) -> list of the same, looping here
//   Request: a lazy result. It keeps a reference to the input bytes and the core's views into
//   them; method, target, path, query, headers, trailers and body become Python objects only
//   when read (then cached).
//
// Both types are written against the CPython API rather than pybind11's class_: a parse through
// Python costs well under a microsecond, and pybind11's generic dispatcher (argument casters,
// overload resolution) would add a large fraction of that to every call and every attribute
// read. pybind11 still owns the module. The Python package supplies `partial` and `error`
// (lapwise.parser.base.PARTIAL and Error), so this file knows nothing of the package.
#include "bindings.h"

#if defined(LAPWISE_HAS_PARSER)

#include <Python.h>
#include <structmember.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "lapwise/parser/http.h"

namespace lapwise::bindings {
namespace {

namespace lp = lapwise::parser;

// ---- interned constants ----------------------------------------------------------------------

// Header names that occur in almost every request, interned once: a name read in exactly this
// spelling costs a pointer comparison instead of a new str. Other spellings are decoded.
constexpr std::array<std::string_view, 34> kCommonNames = {"Host",
                                                           "User-Agent",
                                                           "Accept",
                                                           "Accept-Language",
                                                           "Accept-Encoding",
                                                           "Accept-Charset",
                                                           "Connection",
                                                           "Keep-Alive",
                                                           "Cookie",
                                                           "Content-Type",
                                                           "Content-Length",
                                                           "Transfer-Encoding",
                                                           "Referer",
                                                           "Cache-Control",
                                                           "DNT",
                                                           "Upgrade-Insecure-Requests",
                                                           "Origin",
                                                           "Authorization",
                                                           "If-None-Match",
                                                           "If-Modified-Since",
                                                           "Pragma",
                                                           "Upgrade",
                                                           "Expect",
                                                           "Date",
                                                           "TE",
                                                           "X-Forwarded-For",
                                                           "X-Requested-With",
                                                           "Sec-Fetch-Mode",
                                                           "Sec-Fetch-Site",
                                                           "Sec-Fetch-Dest",
                                                           "host",
                                                           "user-agent",
                                                           "accept",
                                                           "content-length"};

struct constants {
  std::array<PyObject*, kCommonNames.size()> names{};
  PyObject* version[2]{};  // "1.0", "1.1"
  PyObject* framing[4]{};  // indexed by lp::body_framing
  PyObject* empty_str = nullptr;
  PyObject* empty_bytes = nullptr;
};
constants g;

bool init_constants() {
  for (std::size_t i = 0; i < kCommonNames.size(); ++i) {
    g.names[i] = PyUnicode_InternFromString(std::string(kCommonNames[i]).c_str());
    if (g.names[i] == nullptr) return false;
  }
  g.version[0] = PyUnicode_InternFromString("1.0");
  g.version[1] = PyUnicode_InternFromString("1.1");
  // The adapter interface's names: body framing "none", "length", "chunked" (a request is
  // never read until close, but the core's enum has that value for responses).
  g.framing[0] = PyUnicode_InternFromString("none");
  g.framing[1] = PyUnicode_InternFromString("length");
  g.framing[2] = PyUnicode_InternFromString("chunked");
  g.framing[3] = PyUnicode_InternFromString("until_close");
  g.empty_str = PyUnicode_InternFromString("");
  g.empty_bytes = PyBytes_FromStringAndSize(nullptr, 0);
  return g.version[1] && g.framing[3] && g.empty_str && g.empty_bytes;
}

PyObject* latin1(std::string_view s) {
  return PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
}

PyObject* header_name(std::string_view s) {
  for (std::size_t i = 0; i < kCommonNames.size(); ++i) {
    if (kCommonNames[i].size() == s.size() &&
        std::memcmp(kCommonNames[i].data(), s.data(), s.size()) == 0) {
      Py_INCREF(g.names[i]);
      return g.names[i];
    }
  }
  return latin1(s);
}

// A list of (name, value) str tuples; nullptr with an exception set on failure.
PyObject* field_list(std::span<const lp::header> fields) {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(fields.size()));
  if (list == nullptr) return nullptr;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    PyObject* pair = PyTuple_New(2);
    if (pair == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), pair);
    PyObject* name = header_name(fields[i].name);
    if (name == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyTuple_SET_ITEM(pair, 0, name);
    PyObject* value = latin1(fields[i].value);
    if (value == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyTuple_SET_ITEM(pair, 1, value);
  }
  return list;
}

// ---- Request: the lazy result ----------------------------------------------------------------

enum cached : int { c_method, c_target, c_path, c_query, c_headers, c_trailers, c_body, c_count };

// Variable-size object: `fields` holds the headers, then the trailers (copied from the
// parser's reusable storage, so the views inside stay valid: they point into `buf`).
struct request_object {
  PyObject_VAR_HEAD PyObject* buf;  // the input bytes every view points into (or static storage)
  PyObject* cache[c_count];
  std::string_view method, target, path, query, body;
  std::uint64_t content_length;
  std::size_t consumed, head_size;
  std::uint32_t n_headers, n_trailers;
  std::uint8_t version_minor, framing;
  bool keep_alive, expect_continue, upgrade;
  lp::header fields[1];
};

PyTypeObject* g_request_type = nullptr;

void request_dealloc(PyObject* self) {
  auto* r = reinterpret_cast<request_object*>(self);
  PyTypeObject* type = Py_TYPE(self);
  Py_XDECREF(r->buf);
  for (PyObject* o : r->cache) Py_XDECREF(o);
  PyObject_Free(self);
  Py_DECREF(type);  // instances of heap types own a reference to their type
}

std::span<const lp::header> headers_of(const request_object* r) {
  return {r->fields, r->n_headers};
}
std::span<const lp::header> trailers_of(const request_object* r) {
  return {r->fields + r->n_headers, r->n_trailers};
}

template <int slot>
PyObject* get_text(PyObject* self, void*) {
  auto* r = reinterpret_cast<request_object*>(self);
  if (r->cache[slot] == nullptr) {
    std::string_view s = slot == c_method   ? r->method
                         : slot == c_target ? r->target
                         : slot == c_path   ? r->path
                                            : r->query;
    r->cache[slot] = s.empty() ? (Py_INCREF(g.empty_str), g.empty_str) : latin1(s);
    if (r->cache[slot] == nullptr) return nullptr;
  }
  Py_INCREF(r->cache[slot]);
  return r->cache[slot];
}

template <int slot>
PyObject* get_fields(PyObject* self, void*) {
  auto* r = reinterpret_cast<request_object*>(self);
  if (r->cache[slot] == nullptr) {
    r->cache[slot] = field_list(slot == c_headers ? headers_of(r) : trailers_of(r));
    if (r->cache[slot] == nullptr) return nullptr;
  }
  Py_INCREF(r->cache[slot]);
  return r->cache[slot];
}

PyObject* get_body(PyObject* self, void*) {
  auto* r = reinterpret_cast<request_object*>(self);
  if (r->cache[c_body] == nullptr) {  // a Content-Length body still lives in buf
    r->cache[c_body] =
        r->body.empty()
            ? (Py_INCREF(g.empty_bytes), g.empty_bytes)
            : PyBytes_FromStringAndSize(r->body.data(), static_cast<Py_ssize_t>(r->body.size()));
    if (r->cache[c_body] == nullptr) return nullptr;
  }
  Py_INCREF(r->cache[c_body]);
  return r->cache[c_body];
}

PyObject* get_version(PyObject* self, void*) {
  PyObject* v = g.version[reinterpret_cast<request_object*>(self)->version_minor ? 1 : 0];
  Py_INCREF(v);
  return v;
}

PyObject* get_framing(PyObject* self, void*) {
  PyObject* v = g.framing[reinterpret_cast<request_object*>(self)->framing & 3];
  Py_INCREF(v);
  return v;
}

PyObject* get_consumed(PyObject* self, void*) {
  return PyLong_FromSize_t(reinterpret_cast<request_object*>(self)->consumed);
}
PyObject* get_head_size(PyObject* self, void*) {
  return PyLong_FromSize_t(reinterpret_cast<request_object*>(self)->head_size);
}
PyObject* get_content_length(PyObject* self, void*) {
  return PyLong_FromUnsignedLongLong(reinterpret_cast<request_object*>(self)->content_length);
}
PyObject* get_keep_alive(PyObject* self, void*) {
  return PyBool_FromLong(reinterpret_cast<request_object*>(self)->keep_alive);
}
PyObject* get_expect_continue(PyObject* self, void*) {
  return PyBool_FromLong(reinterpret_cast<request_object*>(self)->expect_continue);
}
PyObject* get_upgrade(PyObject* self, void*) {
  return PyBool_FromLong(reinterpret_cast<request_object*>(self)->upgrade);
}

PyGetSetDef request_getset[] = {
    {"method", get_text<c_method>, nullptr, "the method token (str)", nullptr},
    {"target", get_text<c_target>, nullptr, "the request-target as sent (str)", nullptr},
    {"path", get_text<c_path>, nullptr, "the target's path, not percent-decoded (str)", nullptr},
    {"query", get_text<c_query>, nullptr, "after the first '?', before any '#' (str)", nullptr},
    {"version", get_version, nullptr, "\"1.0\" or \"1.1\"", nullptr},
    {"headers", get_fields<c_headers>, nullptr, "[(name, value)] in received order and case",
     nullptr},
    {"trailers", get_fields<c_trailers>, nullptr, "chunked trailer fields", nullptr},
    {"framing", get_framing, nullptr, "\"none\", \"length\" or \"chunked\"", nullptr},
    {"body", get_body, nullptr, "the decoded body (bytes)", nullptr},
    {"consumed", get_consumed, nullptr, "bytes of the input this request occupies", nullptr},
    {"keep_alive", get_keep_alive, nullptr, "whether the connection persists", nullptr},
    {"head_size", get_head_size, nullptr, "bytes of the head (request line + headers)", nullptr},
    {"content_length", get_content_length, nullptr,
     "the Content-Length (0 unless framing is length)", nullptr},
    {"expect_continue", get_expect_continue, nullptr, "Expect: 100-continue", nullptr},
    {"upgrade", get_upgrade, nullptr, "Connection: upgrade with an Upgrade header", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

bool same_fields(std::span<const lp::header> a, std::span<const lp::header> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const lp::header& x, const lp::header& y) {
                      return x.name == y.name && x.value == y.value;
                    });
}

// Request == Request compares content here; any other ParsedResult is compared by the Python
// side (NotImplemented makes Python try the reflected Parsed.__eq__).
PyObject* request_richcompare(PyObject* a, PyObject* b, int op) {
  if ((op != Py_EQ && op != Py_NE) || Py_TYPE(a) != g_request_type ||
      Py_TYPE(b) != g_request_type) {
    Py_RETURN_NOTIMPLEMENTED;
  }
  auto* x = reinterpret_cast<request_object*>(a);
  auto* y = reinterpret_cast<request_object*>(b);
  auto body_of = [](request_object* r) -> std::string_view {
    if (r->cache[c_body] != nullptr) {
      return {PyBytes_AS_STRING(r->cache[c_body]),
              static_cast<std::size_t>(PyBytes_GET_SIZE(r->cache[c_body]))};
    }
    return r->body;
  };
  bool eq = x->method == y->method && x->target == y->target && x->path == y->path &&
            x->query == y->query && x->version_minor == y->version_minor &&
            x->framing == y->framing && x->consumed == y->consumed &&
            x->keep_alive == y->keep_alive && same_fields(headers_of(x), headers_of(y)) &&
            same_fields(trailers_of(x), trailers_of(y)) && body_of(x) == body_of(y);
  return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

PyObject* request_repr(PyObject* self) {
  auto* r = reinterpret_cast<request_object*>(self);
  PyObject* method = get_text<c_method>(self, nullptr);
  PyObject* target = method ? get_text<c_target>(self, nullptr) : nullptr;
  PyObject* out = nullptr;
  if (target != nullptr) {
    out = PyUnicode_FromFormat(
        "<Request %R %R HTTP/1.%d, %u headers, %s body of %zu bytes, consumed %zu>", method, target,
        int{r->version_minor}, unsigned{r->n_headers}, PyUnicode_AsUTF8(g.framing[r->framing & 3]),
        r->body.size(), r->consumed);
  }
  Py_XDECREF(method);
  Py_XDECREF(target);
  return out;
}

PyType_Slot request_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(request_dealloc)},
    {Py_tp_getset, request_getset},
    {Py_tp_richcompare, reinterpret_cast<void*>(request_richcompare)},
    {Py_tp_hash, reinterpret_cast<void*>(PyObject_HashNotImplemented)},
    {Py_tp_repr, reinterpret_cast<void*>(request_repr)},
    {Py_tp_doc,
     const_cast<char*>("A parsed request; fields become Python objects when first read.")},
    {0, nullptr}};

PyType_Spec request_spec = {
    "lapwise._native.parser.Request", static_cast<int>(offsetof(request_object, fields)),
    static_cast<int>(sizeof(lp::header)), Py_TPFLAGS_DEFAULT, request_slots};

// ---- RequestParser -----------------------------------------------------------------------------

struct parser_state {
  lp::limits limits;
  std::vector<lp::header> fields;  // headers then trailers, reused by every call
  std::unique_ptr<char[]> body;    // chunked bodies decode here (uninitialised: pages are
  std::size_t body_size = 0;       // touched only as far as a body reaches)
};

struct parser_object {
  PyObject_HEAD parser_state* state;
  PyObject* partial;     // returned as is for need_more
  PyObject* error_type;  // called as error_type(status, reason)
};

void parser_dealloc(PyObject* self) {
  auto* p = reinterpret_cast<parser_object*>(self);
  PyTypeObject* type = Py_TYPE(self);
  delete p->state;
  Py_XDECREF(p->partial);
  Py_XDECREF(p->error_type);
  type->tp_free(self);
  Py_DECREF(type);
}

PyObject* parser_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  static const char* kw[] = {"max_request_line", "max_header_bytes", "max_headers", "max_body",
                             "max_chunk_line",   "partial",          "error",       nullptr};
  lp::limits lim;
  Py_ssize_t line = static_cast<Py_ssize_t>(lim.max_request_line);
  Py_ssize_t header_bytes = static_cast<Py_ssize_t>(lim.max_header_bytes);
  Py_ssize_t count = static_cast<Py_ssize_t>(lim.max_headers);
  unsigned long long body = lim.max_body;
  Py_ssize_t chunk_line = static_cast<Py_ssize_t>(lim.max_chunk_line);
  PyObject* partial = Py_None;
  PyObject* error_type = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$nnnKnOO", const_cast<char**>(kw), &line,
                                   &header_bytes, &count, &body, &chunk_line, &partial,
                                   &error_type)) {
    return nullptr;
  }
  if (line <= 0 || header_bytes <= 0 || count <= 0 || chunk_line <= 0 || count > 1'000'000 ||
      body > (std::uint64_t{1} << 40)) {
    PyErr_SetString(PyExc_ValueError,
                    "limits must be positive (max_headers <= 1e6, max_body <= 1 TiB)");
    return nullptr;
  }
  auto* self = reinterpret_cast<parser_object*>(type->tp_alloc(type, 0));
  if (self == nullptr) return nullptr;
  try {
    self->state = new parser_state;
    self->state->limits = {static_cast<std::size_t>(line), static_cast<std::size_t>(header_bytes),
                           static_cast<std::size_t>(count), body,
                           static_cast<std::size_t>(chunk_line)};
    // Headers and trailers share the storage; max_headers bounds each section.
    self->state->fields.resize(2 * static_cast<std::size_t>(count));
  } catch (const std::bad_alloc&) {
    Py_DECREF(self);
    return PyErr_NoMemory();
  }
  Py_INCREF(partial);
  self->partial = partial;
  Py_INCREF(error_type);
  self->error_type = error_type;
  return reinterpret_cast<PyObject*>(self);
}

// The chunked body buffer, allocated on first need at max_body bytes (never re-grown).
std::span<char> body_storage(parser_state& s) {
  if (!s.body) {
    s.body_size = static_cast<std::size_t>(s.limits.max_body);
    s.body.reset(new (std::nothrow) char[s.body_size == 0 ? 1 : s.body_size]);
    if (!s.body) s.body_size = 0;
  }
  return {s.body.get(), s.body_size};
}

PyObject* make_error(parser_object* p, lp::error_code e) {
  if (p->error_type == Py_None) return Py_BuildValue("(is)", lp::http_status(e), lp::describe(e));
  return PyObject_CallFunction(p->error_type, "is", lp::http_status(e), lp::describe(e));
}

PyObject* parse_one(parser_object* p, PyObject* arg) {
  PyObject* buf;  // a bytes object, owned: the result's views point into it
  if (PyBytes_CheckExact(arg)) {
    Py_INCREF(arg);
    buf = arg;
  } else {
    buf = PyBytes_FromObject(arg);  // bytearray, memoryview...: copy once, views need stability
    if (buf == nullptr) return nullptr;
  }
  parser_state& s = *p->state;
  std::string_view in(PyBytes_AS_STRING(buf), static_cast<std::size_t>(PyBytes_GET_SIZE(buf)));
  lp::request req;
  // A Content-Length body is a view into `in`; only a chunked one needs the decode buffer,
  // and asking for it costs nothing once it exists.
  lp::parse_result res = lp::parse_request(in, req, s.fields, body_storage(s), s.limits);
  if (res.status != lp::parse_status::complete) {
    Py_DECREF(buf);
    if (res.status == lp::parse_status::need_more) {
      if (p->partial == Py_None) Py_RETURN_NONE;
      Py_INCREF(p->partial);
      return p->partial;
    }
    return make_error(p, res.error);
  }
  const std::size_t n = req.headers.size() + req.trailers.size();
  auto* r = PyObject_NewVar(request_object, g_request_type, static_cast<Py_ssize_t>(n));
  if (r == nullptr) {
    Py_DECREF(buf);
    return nullptr;
  }
  r->buf = buf;
  std::fill(std::begin(r->cache), std::end(r->cache), nullptr);
  r->method = req.method;
  r->target = req.target;
  r->path = req.path;
  r->query = req.query;
  r->body = req.body;
  r->content_length = req.content_length;
  r->consumed = res.consumed;
  r->head_size = req.head_size;
  r->n_headers = static_cast<std::uint32_t>(req.headers.size());
  r->n_trailers = static_cast<std::uint32_t>(req.trailers.size());
  r->version_minor = static_cast<std::uint8_t>(req.version_minor);
  r->framing = static_cast<std::uint8_t>(req.framing);
  r->keep_alive = req.keep_alive;
  r->expect_continue = req.expect_continue;
  r->upgrade = req.upgrade;
  std::copy(req.headers.begin(), req.headers.end(), r->fields);
  std::copy(req.trailers.begin(), req.trailers.end(), r->fields + req.headers.size());
  if (req.framing == lp::body_framing::chunked) {  // decoded into reusable storage: copy now
    r->cache[c_body] =
        PyBytes_FromStringAndSize(req.body.data(), static_cast<Py_ssize_t>(req.body.size()));
    if (r->cache[c_body] == nullptr) {
      Py_DECREF(r);
      return nullptr;
    }
  }
  return reinterpret_cast<PyObject*>(r);
}

PyObject* parser_parse(PyObject* self, PyObject* arg) {
  return parse_one(reinterpret_cast<parser_object*>(self), arg);
}

PyObject* parser_parse_many(PyObject* self, PyObject* arg) {
  PyObject* seq = PySequence_Fast(arg, "parse_many expects a sequence of bytes");
  if (seq == nullptr) return nullptr;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  PyObject** items = PySequence_Fast_ITEMS(seq);
  PyObject* out = PyList_New(n);
  if (out == nullptr) {
    Py_DECREF(seq);
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* r = parse_one(reinterpret_cast<parser_object*>(self), items[i]);
    if (r == nullptr) {
      Py_DECREF(out);
      Py_DECREF(seq);
      return nullptr;
    }
    PyList_SET_ITEM(out, i, r);
  }
  Py_DECREF(seq);
  return out;
}

PyObject* parser_limits(PyObject* self, void*) {
  const lp::limits& l = reinterpret_cast<parser_object*>(self)->state->limits;
  return Py_BuildValue("{s:n,s:n,s:n,s:K,s:n}", "max_request_line",
                       static_cast<Py_ssize_t>(l.max_request_line), "max_header_bytes",
                       static_cast<Py_ssize_t>(l.max_header_bytes), "max_headers",
                       static_cast<Py_ssize_t>(l.max_headers), "max_body",
                       static_cast<unsigned long long>(l.max_body), "max_chunk_line",
                       static_cast<Py_ssize_t>(l.max_chunk_line));
}

PyMethodDef parser_methods[] = {
    {"parse", parser_parse, METH_O,
     "parse(buf) -> Request | partial | error(status, reason): the first request in buf"},
    {"parse_many", parser_parse_many, METH_O, "parse_many(bufs) -> list: parse() of each buffer"},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef parser_getset[] = {
    {"limits", parser_limits, nullptr, "the limits in force (dict)", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyType_Slot parser_slots[] = {
    {Py_tp_new, reinterpret_cast<void*>(parser_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(parser_dealloc)},
    {Py_tp_methods, parser_methods},
    {Py_tp_getset, parser_getset},
    {Py_tp_doc,
     const_cast<char*>("A strict HTTP/1.1 request parser (lapwise::parser::parse_request).")},
    {0, nullptr}};

PyType_Spec parser_spec = {"lapwise._native.parser.RequestParser",
                           static_cast<int>(sizeof(parser_object)), 0, Py_TPFLAGS_DEFAULT,
                           parser_slots};

}  // namespace

void bind_parser(py::module_& m) {
  py::module_ sub = m.def_submodule("parser", "HTTP/1.1 request parsing (lapwise::parser)");
  if (!init_constants()) throw py::error_already_set();
  g_request_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&request_spec));
  if (g_request_type == nullptr) throw py::error_already_set();
  sub.add_object("Request",
                 py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(g_request_type)));
  PyObject* parser_type = PyType_FromSpec(&parser_spec);
  if (parser_type == nullptr) throw py::error_already_set();
  sub.add_object("RequestParser", py::reinterpret_steal<py::object>(parser_type));
  const lp::limits d;
  py::dict defaults;
  defaults["max_request_line"] = d.max_request_line;
  defaults["max_header_bytes"] = d.max_header_bytes;
  defaults["max_headers"] = d.max_headers;
  defaults["max_body"] = d.max_body;
  defaults["max_chunk_line"] = d.max_chunk_line;
  sub.attr("DEFAULT_LIMITS") = defaults;
}

}  // namespace lapwise::bindings

#else  // the parser core is not in this tree yet: the binding adds nothing

namespace lapwise::bindings {
void bind_parser(py::module_&) {}
}  // namespace lapwise::bindings

#endif

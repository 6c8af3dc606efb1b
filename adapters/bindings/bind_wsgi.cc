// lapwise._native's WSGI glue (PEP 3333), under lapwise.wsgi: the environ built in one call, a
// native start_response, and the whole call of an app that answers in one piece.
//
// wsgi_environ(request, template, input_type): a copy of the dict `template` (the wsgi.* keys,
// SCRIPT_NAME, the default SERVER_NAME/SERVER_PORT) with the request's keys set: REQUEST_METHOD,
// PATH_INFO (the percent-decoded path's bytes as latin-1), QUERY_STRING, SERVER_PROTOCOL,
// REMOTE_ADDR/REMOTE_PORT, SERVER_NAME/SERVER_PORT when the connection's local address is
// known, wsgi.errors (sys.stderr now), CONTENT_TYPE/CONTENT_LENGTH and HTTP_* (cgi.h; repeated
// fields joined with ","), and, for a body that came whole, wsgi.input = input_type(body) and a
// CONTENT_LENGTH when the request had none (a chunked body the core read whole). A streamed
// body's wsgi.input is the caller's to set.
//
// WsgiStart(): a start_response(status, headers, exc_info=None) that keeps what it is given
// (status, code, headers) and returns its write(). write() hands each piece to `sink` when one
// is set, else keeps a copy in `written`. `started` (set by the caller once the head left) makes
// a later call with exc_info re-raise it, as PEP 3333 asks.
//
// WsgiInline(app, template, input_type, file_wrapper, pending, on_streamed, on_rest,
// on_close_error): what the io thread calls for a request once the app runs inline. A request
// whose body is streamed goes to on_streamed(request). Otherwise it builds the environ, calls
// the app and, when the app answered in one piece (start_response called, nothing written, a
// list or tuple of at most one item or an iterable that ends after one, not a file_wrapper),
// answers the request and closes the iterable itself: no Python frame of the server's on the
// way. Anything else (an exception, a second piece, write(), a file) goes to
// on_rest(request, environ, start, result, pieces, rest, exc) with what was taken so far; it
// returns what the call returns. A close() that raises goes to on_close_error(exc).
#include <Python.h>
#include <structmember.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "bindings.h"
#include "lapwise/server/cgi.h"
#include "lapwise/server/server.h"
#include "server_request.h"

namespace lapwise::bindings {
namespace {

namespace ls = lapwise::server;

// Interned once: the environ's keys and the values every request shares.
struct names {
  PyObject *request_method, *path_info, *query_string, *server_protocol, *remote_addr, *remote_port,
      *server_name, *server_port, *content_type, *content_length, *wsgi_input, *wsgi_errors,
      *http10, *http11, *get, *head, *post, *empty, *close, *comma, *empty_bytes, *stderr_name,
      *sys;
};
names k{};

bool make_names() {
  const auto in = [](const char* s) { return PyUnicode_InternFromString(s); };
  k = {in("REQUEST_METHOD"),
       in("PATH_INFO"),
       in("QUERY_STRING"),
       in("SERVER_PROTOCOL"),
       in("REMOTE_ADDR"),
       in("REMOTE_PORT"),
       in("SERVER_NAME"),
       in("SERVER_PORT"),
       in("CONTENT_TYPE"),
       in("CONTENT_LENGTH"),
       in("wsgi.input"),
       in("wsgi.errors"),
       in("HTTP/1.0"),
       in("HTTP/1.1"),
       in("GET"),
       in("HEAD"),
       in("POST"),
       in(""),
       in("close"),
       in(","),
       PyBytes_FromStringAndSize(nullptr, 0),
       in("stderr"),
       PyImport_ImportModule("sys")};
  for (PyObject* o :
       {k.request_method, k.path_info,   k.query_string, k.server_protocol, k.remote_addr,
        k.remote_port,    k.server_name, k.server_port,  k.content_type,    k.content_length,
        k.wsgi_input,     k.wsgi_errors, k.http10,       k.http11,          k.get,
        k.head,           k.post,        k.empty,        k.close,           k.comma,
        k.empty_bytes,    k.stderr_name, k.sys}) {
    if (o == nullptr) return false;
  }
  return true;
}

PyObject* latin1(std::string_view s) {
  return PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
}

// Sets d[key] = value and drops the reference to value; false (error set) when either failed.
bool put(PyObject* d, PyObject* key, PyObject* value) {
  if (value == nullptr) return false;
  const int rc = PyDict_SetItem(d, key, value);
  Py_DECREF(value);
  return rc == 0;
}

PyObject* method_text(std::string_view m) {
  PyObject* shared = m == "GET" ? k.get : m == "HEAD" ? k.head : m == "POST" ? k.post : nullptr;
  if (shared == nullptr) return latin1(m);
  Py_INCREF(shared);
  return shared;
}

PyObject* decimal(std::uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  return PyUnicode_FromStringAndSize(digits, end - digits);
}

// The last address's host and port strings: every connection of a listener has the same local
// address, and a benchmark's or a proxy's connections one peer host. Used with the GIL held.
struct address_text {
  std::string host;
  std::uint16_t port = 0;
  PyObject* host_text = nullptr;
  PyObject* port_text = nullptr;

  bool put(PyObject* d, PyObject* host_key, PyObject* port_key, const ls::net_address& a,
           bool same_port) {
    if (host_text == nullptr || a.host != host) {
      PyObject* text = latin1(a.host);
      if (text == nullptr) return false;
      Py_XSETREF(host_text, text);
      host.assign(a.host);
    }
    if (!same_port)
      return PyDict_SetItem(d, host_key, host_text) == 0 &&
             bindings::put(d, port_key, decimal(a.port));
    if (port_text == nullptr || a.port != port) {
      PyObject* text = decimal(a.port);
      if (text == nullptr) return false;
      Py_XSETREF(port_text, text);
      port = a.port;
    }
    return PyDict_SetItem(d, host_key, host_text) == 0 &&
           PyDict_SetItem(d, port_key, port_text) == 0;
  }
};
address_text peer_text, local_text;

// One header as its CGI variable: CONTENT_TYPE/CONTENT_LENGTH set (the last one wins), HTTP_*
// joined with "," when the field repeats.
bool put_header(PyObject* d, std::string_view key, std::string_view value,
                ls::cgi::header_kind kind) {
  PyObject* name = nullptr;
  if (kind == ls::cgi::header_kind::content_type) {
    name = k.content_type;
    Py_INCREF(name);
  } else if (kind == ls::cgi::header_kind::content_length) {
    name = k.content_length;
    Py_INCREF(name);
  } else {
    name = PyUnicode_FromStringAndSize(key.data(), static_cast<Py_ssize_t>(key.size()));
    if (name == nullptr) return false;
  }
  PyObject* text = latin1(value);
  bool ok = text != nullptr;
  if (ok && kind == ls::cgi::header_kind::other) {
    // One lookup: SetDefault inserts, or gives the earlier field's value (the dict then keeps
    // its size; the values may be the same object, as one-character strings are).
    const Py_ssize_t size = PyDict_GET_SIZE(d);
    PyObject* before = PyDict_SetDefault(d, name, text);  // borrowed
    if (before == nullptr) {
      ok = false;
    } else if (PyDict_GET_SIZE(d) == size) {
      PyObject* joined = PyUnicode_FromFormat("%U,%U", before, text);
      ok = joined != nullptr && PyDict_SetItem(d, name, joined) == 0;
      Py_XDECREF(joined);
    }
  } else if (ok) {
    ok = PyDict_SetItem(d, name, text) == 0;
  }
  Py_XDECREF(text);
  Py_DECREF(name);
  return ok;
}

// The environ of `r` (see the file's comment); a new reference, or null with an error set.
PyObject* build_environ(const ls::request& r, PyObject* tmpl, PyObject* input_type) {
  PyObject* d = PyDict_Copy(tmpl);
  if (d == nullptr) return nullptr;
  // sys.stderr as it is now (a test or a logging set-up may replace it); PySys_GetObject would
  // make a str of the name on every call.
  PyObject* errors = PyObject_GetAttr(k.sys, k.stderr_name);
  if (errors == nullptr) {
    PyErr_Clear();
    errors = Py_NewRef(Py_None);
  }
  bool ok =
      put(d, k.request_method, method_text(r.method())) && put(d, k.path_info, latin1(r.path())) &&
      put(d, k.query_string, latin1(r.query())) &&
      PyDict_SetItem(d, k.server_protocol, r.version_minor() == 0 ? k.http10 : k.http11) == 0 &&
      PyDict_SetItem(d, k.wsgi_errors, errors) == 0;
  Py_DECREF(errors);
  if (ok && !r.client().host.empty()) {
    ok = peer_text.put(d, k.remote_addr, k.remote_port, r.client(), false);
  } else if (ok) {
    ok = PyDict_SetItem(d, k.remote_addr, k.empty) == 0 &&
         PyDict_SetItem(d, k.remote_port, k.empty) == 0;
  }
  if (ok && !r.server().host.empty()) {
    ok = local_text.put(d, k.server_name, k.server_port, r.server(), true);
  }
  ok = ok &&
       ls::cgi::for_each_variable(
           r.headers(), [d](std::string_view key, std::string_view value,
                            ls::cgi::header_kind kind) { return put_header(d, key, value, kind); });
  if (ok && !r.body_streamed()) {
    const std::string_view b = r.body();
    PyObject* body = PyBytes_FromStringAndSize(b.data(), static_cast<Py_ssize_t>(b.size()));
    ok = body != nullptr && put(d, k.wsgi_input, PyObject_CallOneArg(input_type, body));
    Py_XDECREF(body);
    if (ok && !b.empty()) {
      const int has = PyDict_Contains(d, k.content_length);
      ok = has >= 0 && (has == 1 || put(d, k.content_length, decimal(b.size())));
    }
  }
  if (!ok) {
    Py_DECREF(d);
    return nullptr;
  }
  return d;
}

PyObject* wsgi_environ(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 3 || !PyDict_Check(args[1])) {
    PyErr_SetString(PyExc_TypeError, "wsgi_environ(request, template dict, input_type)");
    return nullptr;
  }
  const ls::request* r = server_request_of(args[0]);
  if (r == nullptr) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "this request was already answered");
    return nullptr;
  }
  return build_environ(*r, args[1], args[2]);
}

PyMethodDef wsgi_environ_def = {
    "wsgi_environ", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(wsgi_environ)),
    METH_FASTCALL, "wsgi_environ(request, template, input_type): the request's WSGI environ"};

// ------------------------------------------------------------------------- start_response

struct wsgi_start {
  PyObject_HEAD vectorcallfunc vectorcall;
  PyObject* status;   // the app's status line, or null before start_response
  PyObject* headers;  // the app's header list, or null
  PyObject* written;  // a list of what write() kept, or null
  PyObject* sink;     // write()'s piece goes here when set
  int code;
  char started;  // the head left: headers can no longer change
};

PyTypeObject* start_type = nullptr;

PyMethodDef write_def;  // set below; write() bound to a start object

// int(status.split(" ", 1)[0]) for whatever cgi::status_code does not read.
long parse_status(PyObject* status) {
  if (!PyUnicode_Check(status)) {
    PyErr_SetString(PyExc_TypeError, "WSGI: the status must be a str such as '200 OK'");
    return -1;
  }
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(status, &n);
  if (s == nullptr) return -1;
  const int fast = ls::cgi::status_code({s, static_cast<std::size_t>(n)});
  if (fast >= 0) return fast;
  const Py_ssize_t space = PyUnicode_FindChar(status, ' ', 0, PyUnicode_GET_LENGTH(status), 1);
  if (space == -2) return -1;
  PyObject* head = PyUnicode_Substring(status, 0, space < 0 ? PyUnicode_GET_LENGTH(status) : space);
  if (head == nullptr) return -1;
  PyObject* number = PyLong_FromUnicodeObject(head, 10);
  Py_DECREF(head);
  if (number == nullptr) return -1;
  const long code = PyLong_AsLong(number);
  Py_DECREF(number);
  if (code == -1 && PyErr_Occurred()) return -1;
  if (code < 0 || code > 999) {  // the answer refuses it later; keep int's range sane here
    PyErr_Format(PyExc_ValueError, "WSGI: status %ld is not an HTTP status", code);
    return -1;
  }
  return code;
}

PyObject* start_call(PyObject* self_obj, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  auto* self = reinterpret_cast<wsgi_start*>(self_obj);
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  PyObject* exc_info = nargs > 2 ? args[2] : Py_None;
  const Py_ssize_t nkw = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  if (nargs < 2 || nargs + nkw > 3 ||
      (nkw == 1 && PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "exc_info"))) {
    PyErr_SetString(PyExc_TypeError, "start_response(status, headers, exc_info=None)");
    return nullptr;
  }
  if (nkw == 1) exc_info = args[nargs];
  if (exc_info != Py_None) {
    if (self->started) {  // too late to change the head: the app's error goes on
      if (!PyTuple_Check(exc_info) || PyTuple_GET_SIZE(exc_info) < 3 ||
          !PyExceptionInstance_Check(PyTuple_GET_ITEM(exc_info, 1))) {
        PyErr_SetString(PyExc_TypeError, "exc_info must be sys.exc_info()");
        return nullptr;
      }
      PyObject* value = PyTuple_GET_ITEM(exc_info, 1);
      PyObject* tb = PyTuple_GET_ITEM(exc_info, 2);
      if (tb != Py_None && PyException_SetTraceback(value, tb) != 0) return nullptr;
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(value)), value);
      return nullptr;
    }
  } else if (self->headers != nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "WSGI: start_response called twice without exc_info");
    return nullptr;
  }
  const long code = parse_status(args[0]);
  if (code < 0) return nullptr;
  self->code = static_cast<int>(code);
  Py_INCREF(args[0]);
  Py_XSETREF(self->status, args[0]);
  Py_INCREF(args[1]);  // as given: the answer drops the server's own headers and checks the rest
  Py_XSETREF(self->headers, args[1]);
  return PyCFunction_NewEx(&write_def, self_obj, nullptr);
}

PyObject* start_write(PyObject* self_obj, PyObject* data) {
  auto* self = reinterpret_cast<wsgi_start*>(self_obj);
  if (self->sink != nullptr && self->sink != Py_None) return PyObject_CallOneArg(self->sink, data);
  if (self->headers == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "WSGI: body before start_response");
    return nullptr;
  }
  // Kept past the call: a copy, so that a bytearray the app reuses cannot change it.
  PyObject* piece = PyBytes_CheckExact(data) ? Py_NewRef(data) : PyBytes_FromObject(data);
  if (piece == nullptr) return nullptr;
  if (self->written == nullptr || !PyList_Check(self->written)) {
    PyObject* list = PyList_New(0);
    if (list == nullptr) {
      Py_DECREF(piece);
      return nullptr;
    }
    Py_XSETREF(self->written, list);
  }
  const int rc = PyList_Append(self->written, piece);
  Py_DECREF(piece);
  if (rc != 0) return nullptr;
  Py_RETURN_NONE;
}

PyObject* start_new(PyTypeObject* type, PyObject*, PyObject*) {
  auto* self = PyObject_GC_New(wsgi_start, type);
  if (self == nullptr) return nullptr;
  self->vectorcall = start_call;
  self->status = self->headers = self->written = self->sink = nullptr;
  self->code = 0;
  self->started = 0;
  PyObject_GC_Track(self);
  return reinterpret_cast<PyObject*>(self);
}

int start_traverse(PyObject* self_obj, visitproc visit, void* arg) {
  auto* self = reinterpret_cast<wsgi_start*>(self_obj);
  Py_VISIT(self->status);
  Py_VISIT(self->headers);
  Py_VISIT(self->written);
  Py_VISIT(self->sink);
  Py_VISIT(Py_TYPE(self_obj));
  return 0;
}

int start_clear(PyObject* self_obj) {
  auto* self = reinterpret_cast<wsgi_start*>(self_obj);
  Py_CLEAR(self->status);
  Py_CLEAR(self->headers);
  Py_CLEAR(self->written);
  Py_CLEAR(self->sink);
  return 0;
}

void start_dealloc(PyObject* self_obj) {
  PyObject_GC_UnTrack(self_obj);
  start_clear(self_obj);
  PyTypeObject* tp = Py_TYPE(self_obj);
  PyObject_GC_Del(self_obj);
  Py_DECREF(tp);
}

PyMemberDef start_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(wsgi_start, vectorcall), READONLY, nullptr},
    {"status", T_OBJECT, offsetof(wsgi_start, status), READONLY, "the status line, or None"},
    {"code", T_INT, offsetof(wsgi_start, code), READONLY, "the status code (0 before)"},
    {"headers", T_OBJECT, offsetof(wsgi_start, headers), READONLY, "the headers, or None"},
    {"written", T_OBJECT, offsetof(wsgi_start, written), 0, "what write() kept, or None"},
    {"sink", T_OBJECT, offsetof(wsgi_start, sink), 0, "where write() sends, or None"},
    {"started", T_BOOL, offsetof(wsgi_start, started), 0, "the head left"},
    {nullptr, 0, 0, 0, nullptr}};

PyMethodDef start_methods[] = {
    {"write", start_write, METH_O, "write(data): the WSGI write() callable"},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot start_slots[] = {
    {Py_tp_new, reinterpret_cast<void*>(start_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(start_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(start_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(start_clear)},
    {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
    {Py_tp_members, start_members},
    {Py_tp_methods, start_methods},
    {Py_tp_doc, const_cast<char*>("A WSGI start_response (see lapwise.wsgi)")},
    {0, nullptr}};

PyType_Spec start_spec = {"lapwise._native.WsgiStart", sizeof(wsgi_start), 0,
                          Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
                          start_slots};

// ----------------------------------------------------------------------------- the call

struct wsgi_inline {
  PyObject_HEAD vectorcallfunc vectorcall;
  PyObject* app;
  PyObject* tmpl;
  PyObject* input_type;
  PyObject* file_wrapper;
  PyObject* pending;
  PyObject* on_streamed;
  PyObject* on_rest;
  PyObject* on_close_error;
};

constexpr int inline_fields = 8;

PyObject** inline_slots(wsgi_inline* self) { return &self->app; }

// on_rest(request, environ, start, result, pieces, rest, exc); steals pieces, rest and exc.
PyObject* rest_of(wsgi_inline* self, PyObject* req, PyObject* environ, PyObject* start,
                  PyObject* result, PyObject* pieces, PyObject* rest, PyObject* exc) {
  PyObject* args[7] = {req,
                       environ,
                       start,
                       result != nullptr ? result : Py_None,
                       pieces != nullptr ? pieces : Py_None,
                       rest != nullptr ? rest : Py_None,
                       exc != nullptr ? exc : Py_None};
  PyObject* out = PyObject_Vectorcall(self->on_rest, args, 7, nullptr);
  Py_XDECREF(pieces);
  Py_XDECREF(rest);
  Py_XDECREF(exc);
  return out;
}

// The exception being raised, as an object (the error indicator cleared).
PyObject* take_error() {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  if (value != nullptr && tb != nullptr) PyException_SetTraceback(value, tb);
  Py_XDECREF(type);
  Py_XDECREF(tb);
  return value;
}

// result.close() when it has one (PEP 3333: always called); what it raises is logged.
void close_result(wsgi_inline* self, PyObject* result) {
  if (PyList_CheckExact(result) || PyTuple_CheckExact(result)) return;
  PyObject* close = PyObject_GetAttr(result, k.close);
  PyObject* out = nullptr;
  if (close == nullptr) {
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
      PyErr_Clear();
      return;
    }
  } else {
    out = PyObject_CallNoArgs(close);
    Py_DECREF(close);
  }
  if (out != nullptr) {
    Py_DECREF(out);
    return;
  }
  PyObject* exc = take_error();
  PyObject* logged = PyObject_CallOneArg(self->on_close_error, exc != nullptr ? exc : Py_None);
  if (logged == nullptr) PyErr_WriteUnraisable(self->on_close_error);
  Py_XDECREF(logged);
  Py_XDECREF(exc);
}

// The app's whole answer: status, headers, one body piece (null: empty).
void answer(PyObject* req, const wsgi_start* start, PyObject* body) {
  PyObject* code = PyLong_FromLong(start->code);
  if (code == nullptr) {
    PyErr_Clear();
    code = Py_NewRef(Py_None);  // the answer refuses it: a 500
  }
  answer_server_request(req, code, start->headers, body != nullptr ? body : k.empty_bytes);
  Py_DECREF(code);
}

PyObject* run_inline(wsgi_inline* self, PyObject* req, PyObject* environ, PyObject* start_obj) {
  auto* start = reinterpret_cast<wsgi_start*>(start_obj);
  PyObject* args[2] = {environ, start_obj};
  PyObject* result = PyObject_Vectorcall(self->app, args, 2, nullptr);
  if (result == nullptr) {
    return rest_of(self, req, environ, start_obj, nullptr, nullptr, nullptr, take_error());
  }
  PyObject* out = nullptr;
  if (start->headers == nullptr || (start->written != nullptr && start->written != Py_None) ||
      PyObject_TypeCheck(result, reinterpret_cast<PyTypeObject*>(self->file_wrapper))) {
    out = rest_of(self, req, environ, start_obj, result, nullptr, nullptr, nullptr);
  } else if ((PyList_Check(result) || PyTuple_Check(result)) && Py_SIZE(result) <= 1) {
    PyObject* body = nullptr;  // borrowed
    if (Py_SIZE(result) == 1) {
      body = PyList_Check(result) ? PyList_GET_ITEM(result, 0) : PyTuple_GET_ITEM(result, 0);
    }
    answer(req, start, body);
    close_result(self, result);
    out = Py_NewRef(self->pending);
  } else {
    PyObject* it = PyObject_GetIter(result);
    PyObject* first = it != nullptr ? PyIter_Next(it) : nullptr;
    PyObject* second = first != nullptr ? PyIter_Next(it) : nullptr;
    if (PyErr_Occurred()) {
      Py_XDECREF(first);
      Py_XDECREF(second);
      Py_XDECREF(it);
      out = rest_of(self, req, environ, start_obj, result, nullptr, nullptr, take_error());
    } else if (second != nullptr) {  // more than one piece: streamed, or gathered, in Python
      PyObject* pieces = PyList_New(2);
      if (pieces != nullptr) {
        PyList_SET_ITEM(pieces, 0, first);
        PyList_SET_ITEM(pieces, 1, second);
      } else {
        Py_DECREF(first);
        Py_DECREF(second);
      }
      out = pieces == nullptr ? nullptr
                              : rest_of(self, req, environ, start_obj, result, pieces, it, nullptr);
    } else {
      Py_XDECREF(it);
      answer(req, start, first);
      Py_XDECREF(first);
      close_result(self, result);
      out = Py_NewRef(self->pending);
    }
  }
  Py_DECREF(result);
  return out;
}

PyObject* inline_call(PyObject* self_obj, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  auto* self = reinterpret_cast<wsgi_inline*>(self_obj);
  if (PyVectorcall_NARGS(nargsf) != 1 || kwnames != nullptr) {
    PyErr_SetString(PyExc_TypeError, "WsgiInline(request)");
    return nullptr;
  }
  PyObject* req = args[0];
  const ls::request* r = server_request_of(req);
  if (r == nullptr) return PyErr_Occurred() ? nullptr : Py_NewRef(self->pending);
  if (r->body_streamed()) return PyObject_CallOneArg(self->on_streamed, req);
  PyObject* environ = build_environ(*r, self->tmpl, self->input_type);
  if (environ == nullptr) return nullptr;
  PyObject* start = start_new(start_type, nullptr, nullptr);
  PyObject* out = start != nullptr ? run_inline(self, req, environ, start) : nullptr;
  Py_XDECREF(start);
  Py_DECREF(environ);
  return out;
}

PyObject* inline_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  static const char* const kw[] = {"app",          "template",       "input_type",
                                   "file_wrapper", "pending",        "on_streamed",
                                   "on_rest",      "on_close_error", nullptr};
  PyObject* v[inline_fields];
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO!OO!OOOO:WsgiInline", const_cast<char**>(kw),
                                   &v[0], &PyDict_Type, &v[1], &v[2], &PyType_Type, &v[3], &v[4],
                                   &v[5], &v[6], &v[7])) {
    return nullptr;
  }
  // The argument parser's "O!" types checked template and file_wrapper; v[0] is the app.
  auto* self = PyObject_GC_New(wsgi_inline, type);
  if (self == nullptr) return nullptr;
  self->vectorcall = inline_call;
  PyObject** slots = inline_slots(self);
  for (int i = 0; i < inline_fields; ++i) slots[i] = Py_NewRef(v[i]);
  PyObject_GC_Track(self);
  return reinterpret_cast<PyObject*>(self);
}

int inline_traverse(PyObject* self_obj, visitproc visit, void* arg) {
  PyObject** slots = inline_slots(reinterpret_cast<wsgi_inline*>(self_obj));
  for (int i = 0; i < inline_fields; ++i) Py_VISIT(slots[i]);
  Py_VISIT(Py_TYPE(self_obj));
  return 0;
}

int inline_clear(PyObject* self_obj) {
  PyObject** slots = inline_slots(reinterpret_cast<wsgi_inline*>(self_obj));
  for (int i = 0; i < inline_fields; ++i) Py_CLEAR(slots[i]);
  return 0;
}

void inline_dealloc(PyObject* self_obj) {
  PyObject_GC_UnTrack(self_obj);
  inline_clear(self_obj);
  PyTypeObject* tp = Py_TYPE(self_obj);
  PyObject_GC_Del(self_obj);
  Py_DECREF(tp);
}

PyMemberDef inline_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(wsgi_inline, vectorcall), READONLY, nullptr},
    {"app", T_OBJECT, offsetof(wsgi_inline, app), READONLY, "the WSGI app"},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot inline_slots_spec[] = {
    {Py_tp_new, reinterpret_cast<void*>(inline_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(inline_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(inline_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(inline_clear)},
    {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
    {Py_tp_members, inline_members},
    {Py_tp_doc, const_cast<char*>("A WSGI app's call on the io thread (see lapwise.wsgi)")},
    {0, nullptr}};

PyType_Spec inline_spec = {"lapwise._native.WsgiInline", sizeof(wsgi_inline), 0,
                           Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
                           inline_slots_spec};

PyObject* add_type(py::module_& m, PyType_Spec& spec, const char* name) {
  PyObject* t = PyType_FromSpec(&spec);
  if (t == nullptr) throw py::error_already_set();
  m.add_object(name, py::reinterpret_borrow<py::object>(t));
  return t;
}

}  // namespace

void bind_wsgi(py::module_& m) {
  if (!make_names()) throw py::error_already_set();
  write_def = {"write", start_write, METH_O, "the WSGI write() callable"};
  start_type = reinterpret_cast<PyTypeObject*>(add_type(m, start_spec, "WsgiStart"));
  add_type(m, inline_spec, "WsgiInline");
  PyObject* environ = PyCFunction_NewEx(&wsgi_environ_def, nullptr, m.ptr());
  if (environ == nullptr) throw py::error_already_set();
  m.add_object("wsgi_environ", py::reinterpret_steal<py::object>(environ));
}

}  // namespace lapwise::bindings

// lapwise._native.Server / ServerRequest: the server core with Python handlers.
//
// The io threads enter Python once per BATCH of ready requests (one PyEval_RestoreThread per
// handler::handle call, on a thread state made once per io thread). For each request the
// handler is called with a ServerRequest; its result is converted here, in C++:
// dict/list -> the JSON serializer given to set_hooks (application/json), str ->
// text/plain; charset=utf-8, bytes-like -> application/octet-stream, an instance of the
// Response class given to set_hooks -> its status, headers and body. A coroutine (async def
// handler) goes to the schedule hook, which runs it on an asyncio loop thread and later calls
// req._respond(result) or req._fail(exc); the response is then posted back to the io thread.
// A handler that returns the `pending` object given to set_dispatch has taken the request
// elsewhere (lapwise.App's handler pool) and answers it later the same way. Which callable a
// route calls can be swapped while serving (set_handler), and every call that takes longer
// than the budget given to set_dispatch is reported to its on_slow hook: lapwise.App decides
// from that where a handler runs. Once a batch has run longer than its budget, the rest of
// it calls each route's `offload` callable instead (the pool entry) when its calls took more
// than a given mean, so that a batch of handlers cheap one by one still cannot hold the io
// thread for long. The clock is read here
// because the same two reads from Python cost about a tenth of a cheap handler's whole request. Any
// exception (handler, conversion, scheduling) is passed to the log_error hook and answered with
// what the hook returns, or a 500 when it returns None: it never reaches the io thread.
//
// Streamed request bodies (options stream_body_over, body_window): req.body_streamed says the
// body comes in pieces; req._read() asks for the next, which arrives through the set_piece hook
// as piece(request, bytes, end, error) in a batch like the resumptions (error: the status the
// client gets, the body cannot be read on). `body` of such a request calls set_piece's `whole`
// hook, which reads the rest whole (it raises what the read raises); without that hook it is
// empty. req.client / req.server: (host, port) or None.
//
// Streamed responses (ASGI): req._start(Response) sends the head, req._part(body, end) the
// next parts; after each part but the last, and when a held request's client leaves (the
// `tell_gone` option), the io thread calls the set_resume hook with (request, gone), in the
// same batch (and GIL hold) as new requests. The core request's context() maps it back here.
// parts_many([(request, head, body, end), ...]) sends many parts (of many streams) waking each
// io thread once, as answer_many does for whole answers.
//
// A result sent in parts (a generator, an async generator, an instance of the class given to
// set_stream) goes to the set_stream hook, which streams it through _start/_part. A route set
// with set_unmatched gets the requests no route matches (404) or allows (405).
//
// ServerRequest attributes are built lazily and cached: method, path (percent-decoded, UTF-8
// with replacement), query_string, query (dict, first value wins), params (dict; {x:int}
// parameters as int), headers (dict, lower-case names, repeated ones joined with ", "), body
// (bytes); json() parses the body with the json_loads hook. Once answered, a request keeps
// what was built; an attribute never built then raises RuntimeError (unless the request was
// still referenced when answered: then everything is built first).
#include <Python.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "bind_websocket.h"
#include "bindings.h"
#include "lapwise/parser/query.h"
#include "lapwise/server/server.h"
#include "server_request.h"

namespace lapwise::bindings {
namespace {

namespace ls = lapwise::server;

struct route_info {
  PyObject* fn;             // strong; replaced only with the GIL held (set_handler)
  PyObject* offload;        // strong or null: called instead of fn once a batch is over budget
  std::uint32_t int_mask;   // bit i: parameter i is {name:int}
  std::uint64_t calls = 0;  // counted with the GIL held, so io threads do not race on it
};

class py_handler;

struct py_request {
  PyObject_HEAD ls::request* req;  // null once answered
  py_handler* owner;
  PyObject* method;
  PyObject* path;
  PyObject* query_string;
  PyObject* query;
  PyObject* params;
  PyObject* headers;
  PyObject* body;
};

PyTypeObject* request_type = nullptr;

// Hooks shared by every server of the process are per server; these hold them.
class py_handler final : public ls::handler {
 public:
  ~py_handler() override {
    for (route_info& r : routes_) {
      Py_XDECREF(r.fn);
      Py_XDECREF(r.offload);
    }
    Py_XDECREF(dumps_);
    Py_XDECREF(loads_);
    Py_XDECREF(response_type_);
    Py_XDECREF(schedule_);
    Py_XDECREF(log_error_);
    Py_XDECREF(pending_);
    Py_XDECREF(on_slow_);
    Py_XDECREF(resume_);
    Py_XDECREF(piece_);
    Py_XDECREF(whole_);
    Py_XDECREF(stream_);
    Py_XDECREF(stream_type_);
  }

  std::vector<route_info> routes_;
  PyObject* dumps_ = nullptr;
  PyObject* loads_ = nullptr;
  PyObject* response_type_ = nullptr;
  PyObject* schedule_ = nullptr;
  PyObject* log_error_ = nullptr;
  PyObject* pending_ = nullptr;  // a handler's "answered later" marker
  PyObject* on_slow_ = nullptr;  // on_slow(route id, seconds, calls) after one over slow_after_
  // resume(request, gone) for a request handed back (ls::request::resumed()): its streamed
  // part was taken, or its client went away.
  PyObject* resume_ = nullptr;
  // piece(request, bytes, end, error) for a streamed body's piece asked for with _read().
  PyObject* piece_ = nullptr;
  // whole(request) -> bytes: `body` of a streamed request, the rest of it read whole. Null:
  // such a body reads empty.
  PyObject* whole_ = nullptr;
  // stream(request, result) takes a result that is sent in parts: a generator, an async
  // generator or an instance of stream_type_ (set_stream). Null: such a result is a 500.
  PyObject* stream_ = nullptr;
  PyObject* stream_type_ = nullptr;
  std::chrono::steady_clock::duration slow_after_ = std::chrono::steady_clock::duration::max();
  // Past this much time in one batch, at more than spill_mean_ per request on average, the
  // rest of it goes to the routes' offload callables. The mean tells handlers that are slow
  // from a thread the scheduler preempted once in a long batch of cheap calls.
  std::chrono::steady_clock::duration batch_budget_ = std::chrono::steady_clock::duration::max();
  std::chrono::steady_clock::duration spill_mean_{};

  void thread_started() noexcept override {
    tstate_ = PyThreadState_New(PyInterpreterState_Main());
  }
  void thread_stopping() noexcept override {
    PyEval_RestoreThread(tstate_);
    PyThreadState_Clear(tstate_);
    PyThreadState_DeleteCurrent();
    tstate_ = nullptr;
  }

  void handle(std::span<ls::request* const> batch) noexcept override {
    // An io thread takes the GIL with its own thread state; an external loop's thread
    // (server.poll()) calls from Python and holds it already.
    const bool io_thread = tstate_ != nullptr;
    PyGILState_STATE held{};
    if (io_thread) {
      PyEval_RestoreThread(tstate_);
    } else {
      held = PyGILState_Ensure();
    }
    if (on_slow_ != nullptr) batch_usage_ = thread_usage();
    const auto started = std::chrono::steady_clock::now();
    auto now = started;
    std::size_t done = 0;
    for (ls::request* r : batch) {
      if (r->resumed()) {
        if (r->take_piece()) {
          piece_one(r);
        } else {
          resume_one(r);
        }
        continue;
      }
      const auto spent = now - started;
      now = handle_one(r, spent > batch_budget_ && spent > spill_mean_ * done, now);
      ++done;
    }
    if (io_thread) {
      PyEval_SaveThread();
    } else {
      PyGILState_Release(held);
    }
  }

  // Sends the 500 and logs the Python exception that is set.
  void fail(py_request* pr, const char* where) noexcept;
  // Converts `result` and answers; on a conversion error, logs it and answers 500.
  void answer(py_request* pr, PyObject* result) noexcept;
  void resume_one(ls::request* r) noexcept;
  void piece_one(ls::request* r) noexcept;

 private:
  // Calls the route's callable (its offload one when `offload` and it has one); returns the
  // time the call ended. The call is timed from `since`, the end of the batch's previous call:
  // one clock read a request, and what lies between (answering the previous request, making
  // this one's object) is a few microseconds against a budget of milliseconds.
  std::chrono::steady_clock::time_point handle_one(
      ls::request* r, bool offload, std::chrono::steady_clock::time_point since) noexcept;
  static thread_local PyThreadState* tstate_;

  // This thread's CPU time and voluntary context switches (getrusage RUSAGE_THREAD).
  struct usage {
    std::chrono::microseconds cpu{0};
    long voluntary = -1;
  };
  static usage thread_usage() noexcept {
    rusage ru{};
    if (::getrusage(RUSAGE_THREAD, &ru) != 0) return {};
    const auto us = [](const timeval& t) {
      return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
    };
    return {us(ru.ru_utime) + us(ru.ru_stime), ru.ru_nvcsw};
  }
  // A call over slow_after_ whose batch so far neither blocked (no voluntary switch: no sleep,
  // no I/O, no GIL wait) nor used slow_after_ of CPU was preempted: a loaded machine took the
  // time, not the handler, and telling on_slow would move a cheap handler off the io thread.
  static bool preempted(std::chrono::steady_clock::duration limit) noexcept {
    const usage now = thread_usage();
    return now.voluntary >= 0 && batch_usage_.voluntary == now.voluntary &&
           now.cpu - batch_usage_.cpu < limit;
  }
  static thread_local usage batch_usage_;  // at the start of the batch being handled
};

thread_local PyThreadState* py_handler::tstate_ = nullptr;
thread_local py_handler::usage py_handler::batch_usage_;

// ------------------------------------------------------------------------------ conversion

bool utf8_of(PyObject* s, std::string_view& out) {
  Py_ssize_t n = 0;
  const char* p = PyUnicode_AsUTF8AndSize(s, &n);
  if (p == nullptr) return false;
  out = {p, static_cast<std::size_t>(n)};
  return true;
}

// Body-like values: what a handler may return, or put in Response.body.
bool convert_body(py_handler& h, PyObject* v, ls::response& out, bool set_type) {
  if (PyDict_Check(v) || PyList_Check(v)) {
    PyObject* bytes = PyObject_Vectorcall(h.dumps_, &v, 1, nullptr);
    if (bytes == nullptr) return false;
    if (!PyBytes_Check(bytes)) {
      Py_DECREF(bytes);
      PyErr_SetString(PyExc_TypeError, "the JSON serializer did not return bytes");
      return false;
    }
    out.body.assign(PyBytes_AS_STRING(bytes), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes)));
    Py_DECREF(bytes);
    if (set_type) out.content_type = "application/json";
    return true;
  }
  if (PyUnicode_Check(v)) {
    std::string_view s;
    if (!utf8_of(v, s)) return false;
    out.body.assign(s);
    if (set_type) out.content_type = "text/plain; charset=utf-8";
    return true;
  }
  if (PyBytes_Check(v)) {
    out.body.assign(PyBytes_AS_STRING(v), static_cast<std::size_t>(PyBytes_GET_SIZE(v)));
  } else if (PyByteArray_Check(v)) {
    out.body.assign(PyByteArray_AS_STRING(v), static_cast<std::size_t>(PyByteArray_GET_SIZE(v)));
  } else if (PyMemoryView_Check(v)) {
    Py_buffer view;
    if (PyObject_GetBuffer(v, &view, PyBUF_CONTIG_RO) != 0) return false;
    out.body.assign(static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len));
    PyBuffer_Release(&view);
  } else if (v == Py_None) {
    out.body.clear();
    return true;
  } else {
    PyErr_Format(PyExc_TypeError,
                 "a handler returned %.100s; expected dict, list, str, bytes or Response",
                 Py_TYPE(v)->tp_name);
    return false;
  }
  if (set_type) out.content_type = "application/octet-stream";
  return true;
}

// One header from Response.headers: Content-Type goes to its own field, the rest become a
// header line. The rule (token name, no CR/LF/NUL, the server's own headers refused) is the
// core's: validate_header().
bool add_header(PyObject* name, PyObject* value, ls::response& out, bool& has_type) {
  std::string_view n, v;
  if (!PyUnicode_Check(name) || !PyUnicode_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "Response headers must be str: str");
    return false;
  }
  if (!utf8_of(name, n) || !utf8_of(value, v)) return false;
  bool is_type = n.size() == 12;
  for (std::size_t i = 0; is_type && i < n.size(); ++i) {
    is_type = (n[i] | 0x20) == "content-type"[i];
  }
  if (is_type) {  // checked with the rest by convert_response()
    out.content_type.assign(v);
    has_type = true;
    return true;
  }
  if (auto err = ls::validate_header(n, v)) {
    PyErr_SetString(PyExc_ValueError, err->c_str());
    return false;
  }
  out.headers.append(n).append(": ").append(v).append("\r\n");
  return true;
}

bool convert_response(py_handler& h, PyObject* res, ls::response& out);

// Flask's `return body, status` / `body, headers` / `body, status, headers`: the Response the
// tuple stands for, converted as one.
bool convert_tuple(py_handler& h, PyObject* res, ls::response& out) {
  const Py_ssize_t n = PyTuple_GET_SIZE(res);
  PyObject* second = n >= 2 ? PyTuple_GET_ITEM(res, 1) : nullptr;
  if ((n != 2 && n != 3) || (n == 3 && !PyLong_Check(second))) {
    PyErr_SetString(
        PyExc_TypeError,
        "a handler's tuple is (body, status), (body, headers) or (body, status, headers)");
    return false;
  }
  const bool has_status = PyLong_Check(second);
  PyObject* status = has_status ? Py_NewRef(second) : PyLong_FromLong(200);
  if (status == nullptr) return false;
  PyObject* headers = n == 3 ? PyTuple_GET_ITEM(res, 2) : (has_status ? Py_None : second);
  PyObject* args[3] = {status, headers, PyTuple_GET_ITEM(res, 0)};
  PyObject* made = PyObject_Vectorcall(h.response_type_, args, 3, nullptr);
  Py_DECREF(status);
  if (made == nullptr) return false;
  const bool converted = convert_response(h, made, out);
  Py_DECREF(made);
  return converted;
}

bool convert_response(py_handler& h, PyObject* res, ls::response& out) {
  if (PyTuple_CheckExact(res)) return convert_tuple(h, res, out);
  const int is_response = PyObject_IsInstance(res, h.response_type_);
  if (is_response < 0) return false;
  if (!is_response) return convert_body(h, res, out, true);
  PyObject* status = PyObject_GetAttrString(res, "status");
  if (status == nullptr) return false;
  const long code = PyLong_AsLong(status);
  Py_DECREF(status);
  if (code == -1 && PyErr_Occurred()) return false;
  if (code < 200 || code > 599) {
    PyErr_Format(PyExc_ValueError, "Response.status %ld is outside 200..599", code);
    return false;
  }
  out.status = static_cast<int>(code);
  bool has_type = false;
  PyObject* headers = PyObject_GetAttrString(res, "headers");
  if (headers == nullptr) return false;
  bool ok = true;
  if (headers != Py_None) {
    PyObject* items = PyDict_Check(headers) ? PyDict_Items(headers) : PySequence_List(headers);
    if (items == nullptr) {
      ok = false;
    } else {
      for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(items); ++i) {
        PyObject* pair = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
          PyErr_SetString(PyExc_TypeError, "Response headers: a dict or (name, value) pairs");
          ok = false;
          break;
        }
        ok = add_header(PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1), out, has_type);
      }
      Py_DECREF(items);
    }
  }
  Py_DECREF(headers);
  if (!ok) return false;
  PyObject* body = PyObject_GetAttrString(res, "body");
  if (body == nullptr) return false;
  ok = convert_body(h, body, out, !has_type);
  Py_DECREF(body);
  if (!ok) return false;
  if (auto err = ls::validate_response(out)) {  // the core would answer 500: say why here
    PyErr_SetString(PyExc_ValueError, err->c_str());
    return false;
  }
  return true;
}

// ------------------------------------------------------------------------------ the request

PyObject* detached_error() {
  PyErr_SetString(PyExc_RuntimeError,
                  "this request was already answered; read its attributes before returning");
  return nullptr;
}

PyObject* get_method(py_request* self, void*) {
  if (self->method == nullptr) {
    if (self->req == nullptr) return detached_error();
    const std::string_view m = self->req->method();
    self->method = PyUnicode_DecodeLatin1(m.data(), static_cast<Py_ssize_t>(m.size()), nullptr);
    if (self->method == nullptr) return nullptr;
  }
  Py_INCREF(self->method);
  return self->method;
}

PyObject* get_path(py_request* self, void*) {
  if (self->path == nullptr) {
    if (self->req == nullptr) return detached_error();
    const std::string_view p = self->req->path();
    self->path = PyUnicode_DecodeUTF8(p.data(), static_cast<Py_ssize_t>(p.size()), "replace");
    if (self->path == nullptr) return nullptr;
  }
  Py_INCREF(self->path);
  return self->path;
}

PyObject* get_query_string(py_request* self, void*) {
  if (self->query_string == nullptr) {
    if (self->req == nullptr) return detached_error();
    const std::string_view q = self->req->query();
    self->query_string =
        PyUnicode_DecodeLatin1(q.data(), static_cast<Py_ssize_t>(q.size()), nullptr);
    if (self->query_string == nullptr) return nullptr;
  }
  Py_INCREF(self->query_string);
  return self->query_string;
}

PyObject* get_query(py_request* self, void*) {
  if (self->query == nullptr) {
    if (self->req == nullptr) return detached_error();
    thread_local lapwise::parser::query_parser qp;
    const auto st = qp.parse(self->req->query());
    if (st != lapwise::parser::query_status::ok) {
      PyErr_Format(PyExc_ValueError, "query string: %s", lapwise::parser::describe(st));
      return nullptr;
    }
    PyObject* d = PyDict_New();
    if (d == nullptr) return nullptr;
    for (const auto& pair : qp.pairs()) {
      PyObject* k = PyUnicode_DecodeUTF8(pair.key.data(), static_cast<Py_ssize_t>(pair.key.size()),
                                         "replace");
      PyObject* v = k ? PyUnicode_DecodeUTF8(pair.value.data(),
                                             static_cast<Py_ssize_t>(pair.value.size()), "replace")
                      : nullptr;
      PyObject* kept = v ? PyDict_SetDefault(d, k, v) : nullptr;  // the first value wins
      Py_XDECREF(k);
      Py_XDECREF(v);
      if (kept == nullptr) {
        Py_DECREF(d);
        return nullptr;
      }
    }
    self->query = d;
  }
  Py_INCREF(self->query);
  return self->query;
}

PyObject* get_params(py_request* self, void*) {
  if (self->params == nullptr) {
    if (self->req == nullptr) return detached_error();
    const std::uint32_t mask = self->owner->routes_[self->req->route()].int_mask;
    PyObject* d = PyDict_New();
    if (d == nullptr) return nullptr;
    std::size_t i = 0;
    for (const auto& p : self->req->params()) {
      PyObject* k =
          PyUnicode_FromStringAndSize(p.name.data(), static_cast<Py_ssize_t>(p.name.size()));
      PyObject* v = nullptr;
      if ((mask >> i) & 1u) {
        const std::string digits(p.value);
        v = PyLong_FromString(digits.c_str(), nullptr, 10);
        if (v == nullptr) PyErr_Clear();  // beyond int's digit limit: keep the text
      }
      if (v == nullptr) {
        v = PyUnicode_DecodeUTF8(p.value.data(), static_cast<Py_ssize_t>(p.value.size()),
                                 "replace");
      }
      const int rc = (k && v) ? PyDict_SetItem(d, k, v) : -1;
      Py_XDECREF(k);
      Py_XDECREF(v);
      if (rc != 0) {
        Py_DECREF(d);
        return nullptr;
      }
      ++i;
    }
    self->params = d;
  }
  Py_INCREF(self->params);
  return self->params;
}

PyObject* get_headers(py_request* self, void*) {
  if (self->headers == nullptr) {
    if (self->req == nullptr) return detached_error();
    PyObject* d = PyDict_New();
    if (d == nullptr) return nullptr;
    std::string lower;
    for (const auto& h : self->req->headers()) {
      lower.assign(h.name);
      for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      PyObject* k =
          PyUnicode_DecodeLatin1(lower.data(), static_cast<Py_ssize_t>(lower.size()), nullptr);
      PyObject* v = k ? PyUnicode_DecodeLatin1(h.value.data(),
                                               static_cast<Py_ssize_t>(h.value.size()), nullptr)
                      : nullptr;
      int rc = -1;
      if (v != nullptr) {
        PyObject* old = PyDict_GetItemWithError(d, k);
        if (old != nullptr) {
          PyObject* joined = PyUnicode_FromFormat("%U, %U", old, v);
          rc = joined ? PyDict_SetItem(d, k, joined) : -1;
          Py_XDECREF(joined);
        } else if (!PyErr_Occurred()) {
          rc = PyDict_SetItem(d, k, v);
        }
      }
      Py_XDECREF(k);
      Py_XDECREF(v);
      if (rc != 0) {
        Py_DECREF(d);
        return nullptr;
      }
    }
    self->headers = d;
  }
  Py_INCREF(self->headers);
  return self->headers;
}

PyObject* get_body(py_request* self, void*) {
  if (self->body == nullptr) {
    if (self->req == nullptr) return detached_error();
    if (self->req->body_streamed() && self->owner->whole_ != nullptr) {
      PyObject* arg = reinterpret_cast<PyObject*>(self);
      PyObject* b = PyObject_Vectorcall(self->owner->whole_, &arg, 1, nullptr);
      if (b == nullptr) return nullptr;
      if (!PyBytes_Check(b)) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_TypeError, "the whole-body hook must return bytes");
        return nullptr;
      }
      Py_XSETREF(self->body, b);
    } else {
      const std::string_view b = self->req->body();
      self->body = PyBytes_FromStringAndSize(b.data(), static_cast<Py_ssize_t>(b.size()));
      if (self->body == nullptr) return nullptr;
    }
  }
  Py_INCREF(self->body);
  return self->body;
}

// For ASGI's scope: the path as sent, the version, and the headers as (lower-case name, value)
// byte pairs in order. Not cached: an interface reads each once.
PyObject* get_raw_path(py_request* self, void*) {
  if (self->req == nullptr) return detached_error();
  const std::string_view p = self->req->raw_path();
  return PyBytes_FromStringAndSize(p.data(), static_cast<Py_ssize_t>(p.size()));
}

PyObject* get_http_version(py_request* self, void*) {
  if (self->req == nullptr) return detached_error();
  return PyUnicode_FromString(self->req->version_minor() == 0 ? "1.0" : "1.1");
}

PyObject* get_raw_headers(py_request* self, void*) {
  if (self->req == nullptr) return detached_error();
  const auto hs = self->req->headers();
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(hs.size()));
  if (list == nullptr) return nullptr;
  std::string lower;
  for (std::size_t i = 0; i < hs.size(); ++i) {
    lower.assign(hs[i].name);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    PyObject* name = PyBytes_FromStringAndSize(lower.data(), static_cast<Py_ssize_t>(lower.size()));
    PyObject* value = name ? PyBytes_FromStringAndSize(hs[i].value.data(),
                                                       static_cast<Py_ssize_t>(hs[i].value.size()))
                           : nullptr;
    PyObject* pair = value ? PyTuple_Pack(2, name, value) : nullptr;
    Py_XDECREF(name);
    Py_XDECREF(value);
    if (pair == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), pair);
  }
  return list;
}

// A streamed body (lapwise::server::request::body_streamed()): _read() asks for the next
// piece, which comes through the piece hook (set_piece). Not streamed: `body` is all of it,
// also once the whole-body hook has read a streamed one into `body`.
PyObject* get_body_streamed(py_request* self, void*) {
  if (self->req == nullptr) return detached_error();
  const bool read_whole = self->body != nullptr && self->owner->whole_ != nullptr;
  return PyBool_FromLong(self->req->body_streamed() && !read_whole);
}

// False when the request is answered already: no piece will come.
PyObject* req_read(py_request* self, PyObject*) {
  if (self->req == nullptr) Py_RETURN_FALSE;
  ls::answer_batch batch;  // an external loop's thread reads on at once (server::poll())
  self->req->read_body();
  Py_RETURN_TRUE;
}

// (host, port) of the peer / the local socket, or None when unknown.
PyObject* address_of(const ls::net_address& a) {
  if (a.host.empty()) Py_RETURN_NONE;
  PyObject* host =
      PyUnicode_DecodeLatin1(a.host.data(), static_cast<Py_ssize_t>(a.host.size()), nullptr);
  if (host == nullptr) return nullptr;
  return Py_BuildValue("(NH)", host, a.port);
}
PyObject* get_client(py_request* self, void*) {
  if (self->req == nullptr) return detached_error();
  return address_of(self->req->client());
}
PyObject* get_server(py_request* self, void*) {
  if (self->req == nullptr) return detached_error();
  return address_of(self->req->server());
}

// _scope(template): a copy of the dict `template` with this request's ASGI http scope keys
// set (http_version, method, path, raw_path, query_string as bytes, headers, client, and
// server when the core knows it): one call for what would be nine attribute reads and a dict
// built in Python.
PyObject* req_scope(py_request* self, PyObject* tmpl) {
  if (self->req == nullptr) return detached_error();
  if (!PyDict_Check(tmpl)) {
    PyErr_SetString(PyExc_TypeError, "_scope(template): a dict");
    return nullptr;
  }
  const ls::request& r = *self->req;
  PyObject* d = PyDict_Copy(tmpl);
  if (d == nullptr) return nullptr;
  const std::string_view q = r.query();
  PyObject* values[8] = {get_http_version(self, nullptr),
                         get_method(self, nullptr),
                         get_path(self, nullptr),
                         get_raw_path(self, nullptr),
                         PyBytes_FromStringAndSize(q.data(), static_cast<Py_ssize_t>(q.size())),
                         get_raw_headers(self, nullptr),
                         get_client(self, nullptr),
                         get_server(self, nullptr)};
  static PyObject* const keys[8] = {
      PyUnicode_InternFromString("http_version"), PyUnicode_InternFromString("method"),
      PyUnicode_InternFromString("path"),         PyUnicode_InternFromString("raw_path"),
      PyUnicode_InternFromString("query_string"), PyUnicode_InternFromString("headers"),
      PyUnicode_InternFromString("client"),       PyUnicode_InternFromString("server")};
  bool ok = true;
  for (int i = 0; i < 8; ++i) {
    // An unknown local address keeps the template's server.
    const bool keep = i == 7 && values[i] == Py_None;
    ok = ok && keys[i] != nullptr && values[i] != nullptr &&
         (keep || PyDict_SetItem(d, keys[i], values[i]) == 0);
    Py_XDECREF(values[i]);
  }
  if (!ok) {
    Py_DECREF(d);
    return nullptr;
  }
  return d;
}

// A deferred WebSocket handshake's channel (bind_websocket.cc), or None.
PyObject* get_websocket(py_request* self, void*) {
  if (self->req == nullptr) return detached_error();
  const auto& ch = self->req->websocket();
  if (!ch) Py_RETURN_NONE;
  return websocket_object(ch);
}

PyObject* req_json(py_request* self, PyObject*) {
  PyObject* body = get_body(self, nullptr);
  if (body == nullptr) return nullptr;
  PyObject* out = PyObject_Vectorcall(self->owner->loads_, &body, 1, nullptr);
  Py_DECREF(body);
  return out;
}

// Builds every attribute, so a request kept past its answer still reads; a streamed body not
// read by then stays unread (reading it now would wait for the client).
bool materialize(py_request* self) {
  using getter = PyObject* (*)(py_request*, void*);
  const bool unread =
      self->req->body_streamed() && self->body == nullptr && self->owner->whole_ != nullptr;
  for (getter g :
       {get_method, get_path, get_query_string, get_query, get_params, get_headers, get_body}) {
    if (g == get_body && unread) continue;
    PyObject* v = g(self, nullptr);
    if (v == nullptr) {
      PyErr_Clear();
      continue;
    }
    Py_DECREF(v);
  }
  return true;
}

// Answers the C++ request once, building nothing first; later calls are ignored.
void send_bare(py_request* pr, ls::response&& resp) {
  ls::request* r = pr->req;
  if (r == nullptr) return;
  pr->req = nullptr;
  r->set_context(nullptr);  // no resumption reaches the Python object after this
  r->respond(std::move(resp));
}

// Answers the C++ request once; later calls are ignored.
void send(py_request* pr, ls::response&& resp) {
  if (pr->req != nullptr && Py_REFCNT(pr) > 1) materialize(pr);
  send_bare(pr, std::move(resp));
}

void py_handler::resume_one(ls::request* r) noexcept {
  auto* pr = static_cast<py_request*>(r->context());
  if (pr == nullptr || resume_ == nullptr) return;
  PyObject* args[2] = {reinterpret_cast<PyObject*>(pr), r->gone() ? Py_True : Py_False};
  PyObject* out = PyObject_Vectorcall(resume_, args, 2, nullptr);
  if (out == nullptr) PyErr_WriteUnraisable(resume_);
  Py_XDECREF(out);
}

void py_handler::piece_one(ls::request* r) noexcept {
  auto* pr = static_cast<py_request*>(r->context());
  if (pr == nullptr || piece_ == nullptr) return;
  const std::string_view b = r->body();
  PyObject* data = PyBytes_FromStringAndSize(b.data(), static_cast<Py_ssize_t>(b.size()));
  if (data == nullptr) {
    PyErr_WriteUnraisable(piece_);
    return;
  }
  PyObject* out = PyObject_CallFunction(piece_, "ONOi", reinterpret_cast<PyObject*>(pr), data,
                                        r->body_end() ? Py_True : Py_False, r->body_error());
  if (out == nullptr) PyErr_WriteUnraisable(piece_);
  Py_XDECREF(out);
}

void py_handler::fail(py_request* pr, const char* where) noexcept {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  if (value != nullptr && tb != nullptr) PyException_SetTraceback(value, tb);
  if (value != nullptr && log_error_ != nullptr) {
    PyObject* method = pr->req ? get_method(pr, nullptr) : nullptr;
    PyObject* path = pr->req ? get_path(pr, nullptr) : nullptr;
    if (method == nullptr || path == nullptr) PyErr_Clear();
    PyObject* out = PyObject_CallFunction(log_error_, "OsOO", value, where,
                                          method ? method : Py_None, path ? path : Py_None);
    Py_XDECREF(method);
    Py_XDECREF(path);
    if (out == nullptr) PyErr_WriteUnraisable(log_error_);
    // The hook's answer, unless that answer is what failed to convert.
    if (out != nullptr && out != Py_None && std::strcmp(where, "response") != 0) {
      Py_XDECREF(type);
      Py_XDECREF(value);
      Py_XDECREF(tb);
      answer(pr, out);
      Py_DECREF(out);
      return;
    }
    Py_XDECREF(out);
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  send(pr, {500, "text/plain; charset=utf-8", {}, "Internal Server Error"});
}

// Tested after the plain bodies, so that they pay two pointer compares at most.
bool is_stream(const py_handler& h, PyObject* v) {
  if (h.stream_ == nullptr || PyDict_CheckExact(v) || PyList_CheckExact(v) ||
      PyUnicode_CheckExact(v) || PyBytes_CheckExact(v)) {
    return false;
  }
  return PyGen_CheckExact(v) || PyAsyncGen_CheckExact(v) ||
         PyObject_TypeCheck(v, reinterpret_cast<PyTypeObject*>(h.stream_type_));
}

void py_handler::answer(py_request* pr, PyObject* result) noexcept {
  if (is_stream(*this, result)) {
    PyObject* args[2] = {reinterpret_cast<PyObject*>(pr), result};
    PyObject* ok = PyObject_Vectorcall(stream_, args, 2, nullptr);
    if (ok == nullptr) fail(pr, "response");
    Py_XDECREF(ok);
    return;
  }
  ls::response resp;
  if (!convert_response(*this, result, resp)) {
    fail(pr, "response");
    return;
  }
  send(pr, std::move(resp));
}

py_request* new_request(ls::request* r, py_handler* owner) {
  auto* pr = PyObject_New(py_request, request_type);
  if (pr == nullptr) return nullptr;
  pr->req = r;
  pr->owner = owner;
  pr->method = pr->path = pr->query_string = pr->query = pr->params = pr->headers = pr->body =
      nullptr;
  return pr;
}

std::chrono::steady_clock::time_point py_handler::handle_one(
    ls::request* r, bool offload, std::chrono::steady_clock::time_point since) noexcept {
  py_request* pr = new_request(r, this);
  if (pr == nullptr) {
    PyErr_Clear();
    r->respond({500, "text/plain; charset=utf-8", {}, "Internal Server Error"});
    return std::chrono::steady_clock::now();
  }
  PyObject* arg = reinterpret_cast<PyObject*>(pr);
  r->set_context(pr);  // borrowed: cleared before the request is completed (send())
  const std::uint32_t route = r->route();
  route_info& info = routes_[route];
  ++info.calls;
  PyObject* fn = offload && info.offload != nullptr ? info.offload : info.fn;
  Py_INCREF(fn);  // set_handler may replace it while the call has released the GIL
  PyObject* res = PyObject_Vectorcall(fn, &arg, 1, nullptr);
  const auto ended = std::chrono::steady_clock::now();
  const auto took = ended - since;
  Py_DECREF(fn);
  if (res == nullptr) {
    fail(pr, "handler");
  } else if (res == pending_) {
    // Whoever took the request holds a reference to it and answers through _respond/_fail.
  } else if (PyCoro_CheckExact(res) || (Py_TYPE(res)->tp_as_async != nullptr &&
                                        Py_TYPE(res)->tp_as_async->am_await != nullptr)) {
    PyObject* args[2] = {res, arg};
    PyObject* ok = PyObject_Vectorcall(schedule_, args, 2, nullptr);
    if (ok == nullptr) fail(pr, "schedule");
    Py_XDECREF(ok);
  } else {
    answer(pr, res);
  }
  Py_XDECREF(res);
  Py_DECREF(arg);
  // After the answer: it is not delayed.
  if (took > slow_after_ && on_slow_ != nullptr && !preempted(slow_after_)) {
    PyObject* out =
        PyObject_CallFunction(on_slow_, "IdK", route, std::chrono::duration<double>(took).count(),
                              static_cast<unsigned long long>(info.calls));
    if (out == nullptr) PyErr_WriteUnraisable(on_slow_);
    Py_XDECREF(out);
  }
  return ended;
}

void req_dealloc(py_request* self) {
  // A request dropped unanswered (an async path that lost it) still gets its 500.
  if (self->req != nullptr) {
    ls::request* r = self->req;
    self->req = nullptr;
    r->set_context(nullptr);
    r->respond({500, "text/plain; charset=utf-8", {}, "Internal Server Error"});
  }
  Py_XDECREF(self->method);
  Py_XDECREF(self->path);
  Py_XDECREF(self->query_string);
  Py_XDECREF(self->query);
  Py_XDECREF(self->params);
  Py_XDECREF(self->headers);
  Py_XDECREF(self->body);
  PyTypeObject* tp = Py_TYPE(self);
  PyObject_Free(self);
  Py_DECREF(tp);
}

PyObject* req_respond(py_request* self, PyObject* result) {
  ls::answer_batch batch;  // an external loop's thread writes it at once (server::poll())
  self->owner->answer(self, result);
  Py_RETURN_NONE;
}

// A streamed response (lapwise::server::response::part): _start(response) sends the head
// (and the body as the first part), _part(body, end) one more part, the last with end True.
// The request comes back through the resume hook after each part but the last.
PyObject* req_start(py_request* self, PyObject* result) {
  if (self->req == nullptr) Py_RETURN_NONE;
  ls::answer_batch batch;  // as in req_respond
  ls::response resp;
  if (!convert_response(*self->owner, result, resp)) return nullptr;
  resp.kind = ls::response::part::head;
  self->req->respond(std::move(resp));
  Py_RETURN_NONE;
}

PyObject* req_part(py_request* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_SetString(PyExc_TypeError, "_part(body, end)");
    return nullptr;
  }
  if (self->req == nullptr) Py_RETURN_NONE;
  ls::answer_batch batch;  // as in req_respond
  ls::response resp;
  if (!convert_body(*self->owner, args[0], resp, false)) return nullptr;
  const int end = PyObject_IsTrue(args[1]);
  if (end < 0) return nullptr;
  if (end) {
    resp.kind = ls::response::part::end;
    send(self, std::move(resp));
  } else {
    resp.kind = ls::response::part::chunk;
    self->req->respond(std::move(resp));
  }
  Py_RETURN_NONE;
}

// A file body (lapwise::server::file_body): _file(head, fd, offset, count, more) sends `count`
// bytes of the open file `fd` from `offset` (the server sends a dup() of it, so the caller may
// close its file at once). With a Response as `head` it answers the request (after the
// Response's body), or with `more` starts a streamed response; with None it is the next part
// of a streamed response, the last unless `more`.
PyObject* req_file(py_request* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 5) {
    PyErr_SetString(PyExc_TypeError, "_file(head, fd, offset, count, more)");
    return nullptr;
  }
  const int fd = PyObject_AsFileDescriptor(args[1]);
  const long long offset = PyLong_AsLongLong(args[2]);
  const long long count = PyLong_AsLongLong(args[3]);
  const int more = PyObject_IsTrue(args[4]);
  if (fd < 0 || PyErr_Occurred() || more < 0) return nullptr;
  if (offset < 0 || count < 0) {
    PyErr_SetString(PyExc_ValueError, "_file: offset and count must not be negative");
    return nullptr;
  }
  if (self->req == nullptr) Py_RETURN_NONE;
  ls::answer_batch batch;  // as in req_respond
  ls::response resp;
  if (args[0] != Py_None && !convert_response(*self->owner, args[0], resp)) return nullptr;
  auto body = ls::file_body::from_dup(fd, static_cast<std::uint64_t>(offset),
                                      static_cast<std::uint64_t>(count));
  if (!body) return PyErr_SetFromErrno(PyExc_OSError);
  resp.file = std::move(*body);
  using part = ls::response::part;
  if (args[0] != Py_None) {
    resp.kind = more ? part::head : part::whole;
  } else {
    resp.kind = more ? part::chunk : part::end;
  }
  if (resp.kind == part::whole || resp.kind == part::end) {
    send(self, std::move(resp));
  } else {
    self->req->respond(std::move(resp));
  }
  Py_RETURN_NONE;
}

// Accepts a WebSocket handshake (websocket is not None): the 101, with the subprotocol (one
// the client offered, or None) and extra headers ((name, value) pairs, or None).
PyObject* req_accept_websocket(py_request* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_SetString(PyExc_TypeError, "_accept_websocket(subprotocol, headers)");
    return nullptr;
  }
  if (self->req == nullptr) Py_RETURN_NONE;
  ls::response resp;
  resp.status = 101;
  if (args[0] != Py_None) {
    std::string_view sub;
    if (!PyUnicode_Check(args[0]) || !utf8_of(args[0], sub)) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "subprotocol must be str or None");
      return nullptr;
    }
    resp.body.assign(sub);
  }
  if (args[1] != Py_None) {
    PyObject* items = PySequence_List(args[1]);
    if (items == nullptr) return nullptr;
    bool ok = true, has_type = false;
    for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(items); ++i) {
      PyObject* pair = PyList_GET_ITEM(items, i);
      ok = PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2 &&
           add_header(PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1), resp, has_type);
      if (!ok && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "headers: (name, value) pairs");
    }
    Py_DECREF(items);
    if (!ok) return nullptr;
  }
  send(self, std::move(resp));
  Py_RETURN_NONE;
}

PyObject* req_fail(py_request* self, PyObject* exc) {
  ls::answer_batch batch;  // as in req_respond
  if (PyExceptionInstance_Check(exc)) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc)), exc);
  } else {
    PyErr_SetString(PyExc_RuntimeError, "async handler failed");
  }
  self->owner->fail(self, "handler");
  Py_RETURN_NONE;
}

// ------------------------------------------------------------------ the interfaces' answer

// A header name or value from an ASGI (bytes) or WSGI (str, latin-1 by PEP 3333) app.
bool header_text(PyObject* v, std::string_view& out) {
  if (PyBytes_Check(v)) {
    out = {PyBytes_AS_STRING(v), static_cast<std::size_t>(PyBytes_GET_SIZE(v))};
    return true;
  }
  if (PyByteArray_Check(v)) {
    out = {PyByteArray_AS_STRING(v), static_cast<std::size_t>(PyByteArray_GET_SIZE(v))};
    return true;
  }
  if (PyUnicode_Check(v)) {
    if (PyUnicode_KIND(v) == PyUnicode_1BYTE_KIND) {  // latin-1 text is its own bytes
      out = {reinterpret_cast<const char*>(PyUnicode_1BYTE_DATA(v)),
             static_cast<std::size_t>(PyUnicode_GET_LENGTH(v))};
      return true;
    }
    PyErr_SetString(PyExc_ValueError, "a response header holds a character beyond latin-1");
    return false;
  }
  PyErr_SetString(PyExc_TypeError, "response headers must be (name, value) pairs of bytes or str");
  return false;
}

bool same_name(std::string_view n, std::string_view lower) {
  if (n.size() != lower.size()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    if ((n[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

// A Content-Length value as a number (digits only, as RFC 9110 writes it), or nullopt.
std::optional<std::uint64_t> declared_length(std::string_view v) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  return n;
}

// What an ASGI or WSGI app answered: status, headers in its order, body. The server's own
// headers (it writes them) are dropped, Content-Type goes to its field and is left empty when
// the app gave none (so the response has none), the rest are checked by the core's rule. A
// HEAD answer goes out as its head alone, with the Content-Length a GET would have had.
bool convert_interface(py_handler& h, ls::request& r, PyObject* status, PyObject* headers,
                       PyObject* body, ls::response& out) {
  const long code = PyLong_AsLong(status);
  if (code == -1 && PyErr_Occurred()) return false;
  if (code < 200 || code > 599) {
    PyErr_Format(PyExc_ValueError, "status %ld is outside 200..599", code);
    return false;
  }
  out.status = static_cast<int>(code);
  out.content_type.clear();
  std::optional<std::uint64_t> declared;  // the app's Content-Length, when it is a number
  PyObject* seq = PySequence_Fast(headers, "response headers must be a sequence of pairs");
  if (seq == nullptr) return false;
  bool ok = true;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  for (Py_ssize_t i = 0; ok && i < n; ++i) {
    PyObject* pair = PySequence_Fast_GET_ITEM(seq, i);
    std::string_view name, value;
    if ((!PyTuple_Check(pair) && !PyList_Check(pair)) || PySequence_Fast_GET_SIZE(pair) != 2) {
      PyErr_SetString(PyExc_TypeError, "a response header is not a (name, value) pair");
      ok = false;
      break;
    }
    ok = header_text(PySequence_Fast_GET_ITEM(pair, 0), name) &&
         header_text(PySequence_Fast_GET_ITEM(pair, 1), value);
    if (!ok) break;
    if (same_name(name, "content-type")) {
      out.content_type.assign(value);
    } else if (same_name(name, "content-length")) {
      declared = declared_length(value);
    } else if (same_name(name, "transfer-encoding") || same_name(name, "connection") ||
               same_name(name, "date") || same_name(name, "server")) {
      continue;
    } else if (auto err = ls::validate_header(name, value)) {
      PyErr_SetString(PyExc_ValueError, err->c_str());
      ok = false;
    } else {
      out.headers.append(name).append(": ").append(value).append("\r\n");
    }
  }
  Py_DECREF(seq);
  if (!ok) return false;
  if (!convert_body(h, body, out, false)) return false;
  // A HEAD answer's body is never sent (the core sends the head alone), but its length is the
  // Content-Length: the body's, or what the app declared when it sent less (the usual answer
  // to HEAD: a Content-Length and no body).
  if (r.method() == "HEAD" && declared && *declared > out.body.size()) {
    out.head_length = *declared - out.body.size();
  }
  if (auto err = ls::validate_response(out)) {
    PyErr_SetString(PyExc_ValueError, err->c_str());
    return false;
  }
  return true;
}

// Converts and answers one interface answer; a conversion error is logged and answered 500.
void answer_interface(py_request* pr, PyObject* status, PyObject* headers, PyObject* body) {
  if (pr->req == nullptr) return;
  ls::response resp;
  if (!convert_interface(*pr->owner, *pr->req, status, headers, body, resp)) {
    pr->owner->fail(pr, "response");
    return;
  }
  send_bare(pr, std::move(resp));
}

// _answer(status, headers, body): an interface's whole response, at once.
PyObject* req_answer(py_request* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 3) {
    PyErr_SetString(PyExc_TypeError, "_answer(status, headers, body)");
    return nullptr;
  }
  answer_interface(self, args[0], args[1], args[2]);
  Py_RETURN_NONE;
}

// Runs `each(request, item)` for every (request, ...) tuple of `size` items of `items` under
// one answer_batch (each io thread woken once for all of them); a TypeError naming `shape`
// when an item is not such a tuple.
template <class Each>
PyObject* for_each_answer(PyObject* items, const char* shape, Each&& each, Py_ssize_t size = 4) {
  PyObject* seq = PySequence_Fast(items, shape);
  if (seq == nullptr) return nullptr;
  {
    ls::answer_batch batch;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; ++i) {
      PyObject* item = PySequence_Fast_GET_ITEM(seq, i);
      if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != size ||
          !PyObject_TypeCheck(PyTuple_GET_ITEM(item, 0), request_type)) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_TypeError, shape);
        return nullptr;
      }
      each(reinterpret_cast<py_request*>(PyTuple_GET_ITEM(item, 0)), item);
    }
  }
  Py_DECREF(seq);
  Py_RETURN_NONE;
}

// answer_many([(request, status, headers, body), ...]): what _answer does for each, waking
// each io thread once for all of them (lapwise::server::answer_batch).
PyObject* answer_many(PyObject*, PyObject* items) {
  return for_each_answer(items, "answer_many: (request, status, headers, body) tuples",
                         [](py_request* pr, PyObject* item) {
                           answer_interface(pr, PyTuple_GET_ITEM(item, 1),
                                            PyTuple_GET_ITEM(item, 2), PyTuple_GET_ITEM(item, 3));
                         });
}

PyMethodDef answer_many_def = {"answer_many", answer_many, METH_O,
                               "answer_many([(request, status, headers, body), ...]): each "
                               "request's whole response, one io-thread wake-up for all"};

// parts_many([(request, head, body, end), ...]): streamed parts, each as _start(head) does
// when head is a Response (its body the first part) or as _part(body, end) does when it is
// None, waking each io thread once for all of them. An item that fails to convert is logged
// and answered (a head: as a handler's error; a part: the stream ends there); the rest go on.
PyObject* parts_many(PyObject*, PyObject* items) {
  return for_each_answer(
      items, "parts_many: (request, head, body, end) tuples", [](py_request* pr, PyObject* item) {
        PyObject* head = PyTuple_GET_ITEM(item, 1);
        PyObject* out = head != Py_None
                            ? req_start(pr, head)
                            : req_part(pr, &reinterpret_cast<PyTupleObject*>(item)->ob_item[2], 2);
        if (out == nullptr && head != Py_None) {
          pr->owner->fail(pr, "response");  // a head that does not convert: a 500, logged
        } else if (out == nullptr) {
          PyErr_WriteUnraisable(item);  // a part after the head: the stream ends here
          PyObject* end[2] = {PyBytes_FromStringAndSize(nullptr, 0), Py_True};
          out = end[0] != nullptr ? req_part(pr, end, 2) : nullptr;
          if (out == nullptr) PyErr_Clear();
          Py_XDECREF(end[0]);
        }
        Py_XDECREF(out);
      });
}

PyMethodDef parts_many_def = {"parts_many", parts_many, METH_O,
                              "parts_many([(request, head, body, end), ...]): streamed "
                              "parts (head: a Response starting the stream, or None), one "
                              "io-thread wake-up for all"};

// respond_many([(request, result), ...]): what request._respond(result) does for each
// (lapwise.App's coroutines that completed in one batch), waking each io thread once for all
// of them (on an external loop's thread: written when it returns). A request that only its
// pair holds is answered without building its attributes first (send()), which a call of
// _respond from Python, holding a reference of its own, never is.
PyObject* respond_many(PyObject*, PyObject* items) {
  return for_each_answer(
      items, "respond_many: (request, result) pairs",
      [](py_request* pr, PyObject* item) { pr->owner->answer(pr, PyTuple_GET_ITEM(item, 1)); }, 2);
}

PyMethodDef respond_many_def = {"respond_many", respond_many, METH_O,
                                "respond_many([(request, result), ...]): each as "
                                "request._respond(result), one io-thread wake-up for all"};

PyObject* req_repr(py_request* self) {
  if (self->req == nullptr) return PyUnicode_FromString("<ServerRequest (answered)>");
  const std::string s = "<ServerRequest " + std::string(self->req->method()) + " " +
                        std::string(self->req->path()) + ">";
  return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
}

PyGetSetDef req_getset[] = {
    {"method", reinterpret_cast<getter>(get_method), nullptr, "request method (str)", nullptr},
    {"path", reinterpret_cast<getter>(get_path), nullptr, "percent-decoded path (str)", nullptr},
    {"query_string", reinterpret_cast<getter>(get_query_string), nullptr, "raw query (str)",
     nullptr},
    {"query", reinterpret_cast<getter>(get_query), nullptr, "dict, the first value of a key wins",
     nullptr},
    {"params", reinterpret_cast<getter>(get_params), nullptr, "path parameters (dict)", nullptr},
    {"headers", reinterpret_cast<getter>(get_headers), nullptr, "dict with lower-case names",
     nullptr},
    {"body", reinterpret_cast<getter>(get_body), nullptr, "request body (bytes)", nullptr},
    {"raw_path", reinterpret_cast<getter>(get_raw_path), nullptr, "path as sent (bytes)", nullptr},
    {"http_version", reinterpret_cast<getter>(get_http_version), nullptr, "'1.0' or '1.1'",
     nullptr},
    {"raw_headers", reinterpret_cast<getter>(get_raw_headers), nullptr,
     "[(lower-case name, value)] as bytes, in order", nullptr},
    {"body_streamed", reinterpret_cast<getter>(get_body_streamed), nullptr,
     "the body comes in pieces (_read() and the piece hook), not in `body`", nullptr},
    {"client", reinterpret_cast<getter>(get_client), nullptr, "(host, port) of the peer, or None",
     nullptr},
    {"server", reinterpret_cast<getter>(get_server), nullptr,
     "(host, port) the connection reached, or None", nullptr},
    {"websocket", reinterpret_cast<getter>(get_websocket), nullptr,
     "a WebSocket handshake's lapwise._native.WebSocket, else None", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef req_methods[] = {
    {"json", reinterpret_cast<PyCFunction>(req_json), METH_NOARGS, "the body parsed as JSON"},
    {"_scope", reinterpret_cast<PyCFunction>(req_scope), METH_O,
     "a copy of the template dict with the ASGI http scope's request keys set"},
    {"_respond", reinterpret_cast<PyCFunction>(req_respond), METH_O, "answer (async path)"},
    {"_fail", reinterpret_cast<PyCFunction>(req_fail), METH_O, "answer 500 and log (async path)"},
    {"_read", reinterpret_cast<PyCFunction>(req_read), METH_NOARGS,
     "ask for the next piece of the body (it comes through the piece hook)"},
    {"_answer", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(req_answer)),
     METH_FASTCALL, "an interface's whole response: _answer(status, headers, body)"},
    {"_start", reinterpret_cast<PyCFunction>(req_start), METH_O,
     "send a streamed response's head (a Response; its body is the first part)"},
    {"_part", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(req_part)), METH_FASTCALL,
     "send one more part of a streamed response: _part(body, end)"},
    {"_file", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(req_file)), METH_FASTCALL,
     "send bytes of an open file with sendfile: _file(head, fd, offset, count, more)"},
    {"_accept_websocket",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(req_accept_websocket)),
     METH_FASTCALL, "accept a WebSocket handshake: _accept_websocket(subprotocol, headers)"},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot req_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(req_dealloc)},
    {Py_tp_getset, req_getset},
    {Py_tp_methods, req_methods},
    {Py_tp_repr, reinterpret_cast<void*>(req_repr)},
    {Py_tp_doc, const_cast<char*>("A request handed to a lapwise.App handler")},
    {0, nullptr}};

PyType_Spec req_spec = {"lapwise._native.ServerRequest", sizeof(py_request), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, req_slots};

// ------------------------------------------------------------------------------- the server

class py_server {
 public:
  explicit py_server(const py::dict& opts) {
    std::vector<std::string> known;  // every option read below, to refuse the others by name
    auto get = [&](const char* k) -> py::object {
      if (std::find(known.begin(), known.end(), k) == known.end()) known.emplace_back(k);
      return opts.contains(k) ? py::object(opts[k]) : py::object(py::none());
    };
    auto ms = [&](const char* k, std::chrono::milliseconds& out) {
      if (!get(k).is_none())
        out = std::chrono::milliseconds(static_cast<long long>(get(k).cast<double>() * 1000));
    };
    if (!get("host").is_none()) cfg_.host = get("host").cast<std::string>();
    if (!get("port").is_none()) cfg_.port = get("port").cast<std::uint16_t>();
    if (!get("threads").is_none()) cfg_.threads = get("threads").cast<unsigned>();
    if (!get("reuse_port").is_none()) cfg_.reuse_port = get("reuse_port").cast<bool>();
    if (!get("server_name").is_none()) cfg_.server_name = get("server_name").cast<std::string>();
    if (!get("access_log").is_none()) cfg_.access_log = get("access_log").cast<std::string>();
    ms("header_timeout", cfg_.header_timeout);
    ms("body_timeout", cfg_.body_timeout);
    ms("idle_timeout", cfg_.idle_timeout);
    ms("send_timeout", cfg_.send_timeout);
    ms("shutdown_timeout", cfg_.shutdown_timeout);
    if (!get("max_connections").is_none())
      cfg_.max_connections = get("max_connections").cast<std::size_t>();
    if (!get("max_pipelined").is_none())
      cfg_.max_pipelined = get("max_pipelined").cast<std::size_t>();
    if (!get("max_body").is_none()) cfg_.limits.max_body = get("max_body").cast<std::uint64_t>();
    if (!get("max_output").is_none()) cfg_.max_output = get("max_output").cast<std::size_t>();
    if (!get("max_memory").is_none()) cfg_.max_memory = get("max_memory").cast<std::size_t>();
    if (!get("max_header_bytes").is_none())
      cfg_.limits.max_header_bytes = get("max_header_bytes").cast<std::size_t>();
    if (!get("tell_gone").is_none()) cfg_.tell_gone = get("tell_gone").cast<bool>();
    if (!get("stream_body_over").is_none())
      cfg_.stream_body_over = get("stream_body_over").cast<std::size_t>();
    if (!get("body_window").is_none()) cfg_.body_window = get("body_window").cast<std::size_t>();
    if (!get("max_request_line").is_none())
      cfg_.limits.max_request_line = get("max_request_line").cast<std::size_t>();
    if (!get("external_loop").is_none()) cfg_.external_loop = get("external_loop").cast<bool>();
    if (!get("io").is_none()) {
      const auto name = get("io").cast<std::string>();
      const auto mode = ls::parse_io_mode(name);
      if (!mode) throw py::value_error("io must be 'asio', 'epoll' or 'auto', not '" + name + "'");
      cfg_.io = *mode;
    }
    for (char c : cfg_.server_name) {
      if (c == '\r' || c == '\n' || c == '\0')
        throw py::value_error("server_name holds CR, LF or NUL");
    }
    if (cfg_.threads == 0 || cfg_.max_pipelined == 0 || cfg_.max_connections == 0) {
      throw py::value_error("threads, max_pipelined and max_connections must be positive");
    }
    // A misspelt option silently ignored would run the server with the default instead.
    for (const auto& item : opts) {
      const auto key = py::str(item.first).cast<std::string>();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      throw py::type_error("unknown server option '" + key + "' (known: " + names + ")");
    }
  }
  ~py_server() {
    if (server_) {
      py::gil_scoped_release nogil;
      server_->stop();
      server_->poll_last();  // external_loop: nobody polls a server being destroyed
      server_->wait();
    }
  }

  void add_const(const std::string& method, const std::string& pattern, int status,
                 const std::string& content_type,
                 const std::vector<std::pair<std::string, std::string>>& headers,
                 const py::bytes& body) {
    check_not_started();
    ls::response r;
    r.status = status;
    if (status < 200 || status > 599) throw py::value_error("status must be in 200..599");
    r.content_type = content_type;
    for (const auto& [n, v] : headers) {
      if (auto err = ls::validate_header(n, v)) throw py::value_error(*err);  // the core's rule
      r.headers += n + ": " + v + "\r\n";
    }
    r.body = std::string(body);
    if (auto err = routes_.add_const(method, pattern, std::move(r))) throw py::value_error(*err);
  }

  std::uint32_t add_route(const std::string& method, const std::string& pattern, py::object fn,
                          std::uint32_t int_mask, py::object offload, py::object max_body) {
    check_not_started();
    const auto id = static_cast<std::uint32_t>(handler_.routes_.size());
    const std::uint64_t limit =
        max_body.is_none() ? ls::route_table::server_body_limit : max_body.cast<std::uint64_t>();
    if (auto err = routes_.add_dynamic(method, pattern, id, limit)) throw py::value_error(*err);
    PyObject* off = offload.is_none() ? nullptr : offload.release().ptr();
    handler_.routes_.push_back({fn.release().ptr(), off, int_mask});
    return id;
  }

  // Also while serving: the GIL (held by every caller from Python) orders it with the calls.
  void set_handler(std::uint32_t id, py::object fn) {
    if (id >= handler_.routes_.size()) throw py::index_error("no route " + std::to_string(id));
    PyObject*& slot = handler_.routes_[id].fn;
    PyObject* old = slot;
    slot = fn.release().ptr();
    Py_DECREF(old);
  }

  void set_dispatch(py::object pending, py::object on_slow, double slow_after, double batch_budget,
                    double spill_mean) {
    check_not_started();
    if (!(slow_after > 0) || !(batch_budget > 0) || !(spill_mean >= 0))
      throw py::value_error(
          "slow_after and batch_budget must be positive, spill_mean not negative");
    Py_XDECREF(handler_.pending_);
    handler_.pending_ = pending.release().ptr();
    Py_XDECREF(handler_.on_slow_);
    handler_.on_slow_ = on_slow.is_none() ? nullptr : on_slow.release().ptr();
    auto ticks = [](double s) {
      return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(s));
    };
    handler_.slow_after_ = ticks(slow_after);
    handler_.batch_budget_ = ticks(batch_budget);
    handler_.spill_mean_ = ticks(spill_mean);
  }

  // WebSocket handshakes go to the routes (request.websocket); events to on_batch (see
  // bind_websocket.h).
  // The keep-alive timers are seconds (config::websocket_*; 0: off).
  void set_websocket(py::object on_batch, std::size_t max_message, bool permessage_deflate,
                     double ping_interval, double ping_timeout, double idle_timeout) {
    check_not_started();
    if (!(ping_interval >= 0) || !(ping_timeout >= 0) || !(idle_timeout >= 0))
      throw py::value_error("ping_interval, ping_timeout and idle_timeout must not be negative");
    const auto ms = [](double seconds) {
      return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    };
    ws_ = make_websocket_app(on_batch.ptr(), max_message, permessage_deflate);
    cfg_.websocket = ws_.get();
    cfg_.websocket_ping_interval = ms(ping_interval);
    cfg_.websocket_ping_timeout = ms(ping_timeout);
    cfg_.websocket_idle_timeout = ms(idle_timeout);
  }

  // resume(request, gone): see py_handler::resume_.
  void set_resume(py::object resume) {
    check_not_started();
    Py_XDECREF(handler_.resume_);
    handler_.resume_ = resume.release().ptr();
  }

  // piece(request, bytes, end, error): see py_handler::piece_; whole: py_handler::whole_.
  void set_piece(py::object piece, py::object whole) {
    check_not_started();
    Py_XDECREF(handler_.piece_);
    handler_.piece_ = piece.release().ptr();
    Py_XDECREF(handler_.whole_);
    handler_.whole_ = whole.is_none() ? nullptr : whole.release().ptr();
  }

  // stream(request, result): see py_handler::stream_; stream_type a class.
  void set_stream(py::object stream, py::object stream_type) {
    check_not_started();
    if (!PyType_Check(stream_type.ptr())) throw py::type_error("stream_type must be a class");
    Py_XDECREF(handler_.stream_);
    handler_.stream_ = stream.release().ptr();
    Py_XDECREF(handler_.stream_type_);
    handler_.stream_type_ = stream_type.release().ptr();
  }

  // A handler route for what no route matches (route_table::set_unmatched); returns its id.
  std::uint32_t set_unmatched(py::object fn) {
    check_not_started();
    const auto id = static_cast<std::uint32_t>(handler_.routes_.size());
    routes_.set_unmatched(id);
    handler_.routes_.push_back({fn.release().ptr(), nullptr, 0});
    return id;
  }

  void set_hooks(py::object dumps, py::object loads, py::object response_type, py::object schedule,
                 py::object log_error) {
    check_not_started();
    auto put = [](PyObject*& slot, py::object& o) {
      Py_XDECREF(slot);
      slot = o.release().ptr();
    };
    put(handler_.dumps_, dumps);
    put(handler_.loads_, loads);
    put(handler_.response_type_, response_type);
    put(handler_.schedule_, schedule);
    put(handler_.log_error_, log_error);
  }

  std::uint16_t start() {
    check_not_started();
    if (handler_.dumps_ == nullptr)
      throw py::value_error("set_hooks() must be called before start()");
    try {
      server_ = std::make_unique<ls::server>(cfg_, std::move(routes_), &handler_);
    } catch (const std::system_error& e) {  // the access log cannot be opened
      PyErr_SetObject(PyExc_OSError, py::make_tuple(e.code().value(), e.what()).ptr());
      throw py::error_already_set();
    }
    if (auto err = server_->start()) {
      server_.reset();
      // A port in use is the OSError a Python socket's bind raises (errno EADDRINUSE).
      if (err->find("Address already in use") != std::string::npos) {
        PyErr_SetObject(PyExc_OSError,
                        py::make_tuple(EADDRINUSE, "address already in use: " + *err).ptr());
        throw py::error_already_set();
      }
      throw py::value_error(*err);  // RuntimeError would do too; ValueError says "your input"
    }
    return server_->port();
  }

  void stop() {
    if (!server_) return;
    py::gil_scoped_release nogil;
    server_->stop();
  }

  bool wait(double timeout) {
    if (!server_) return true;
    py::gil_scoped_release nogil;
    const auto ms = timeout < 0 ? std::chrono::milliseconds(-1)
                                : std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    return server_->wait(ms);
  }

  // external_loop (server.h: server::poll()): with the GIL held, on the loop's thread.
  [[nodiscard]] int poll_fd() const { return server_ ? server_->poll_fd() : -1; }
  int poll() { return server_ ? server_->poll() : -1; }
  void poll_last() {
    if (server_) server_->poll_last();
  }

  [[nodiscard]] std::uint16_t port() const { return server_ ? server_->port() : 0; }
  // The transport in use once started ("asio" or "epoll"), else the one asked for.
  [[nodiscard]] std::string io() const {
    return std::string(ls::io_mode_name(server_ ? server_->io() : cfg_.io));
  }

 private:
  void check_not_started() const {
    if (server_) throw py::value_error("the server was started already");
  }
  ls::config cfg_;
  ls::route_table routes_;
  py_handler handler_;
  std::unique_ptr<ls::ws::app> ws_;  // config::websocket: outlives server_
  std::unique_ptr<ls::server> server_;
};

}  // namespace

ls::request* server_request_of(PyObject* req) noexcept {
  if (!PyObject_TypeCheck(req, request_type)) {
    PyErr_SetString(PyExc_TypeError, "expected a lapwise._native.ServerRequest");
    return nullptr;
  }
  return reinterpret_cast<py_request*>(req)->req;
}

void answer_server_request(PyObject* req, PyObject* status, PyObject* headers,
                           PyObject* body) noexcept {
  answer_interface(reinterpret_cast<py_request*>(req), status, headers, body);
}

void bind_server(py::module_& m) {
  request_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&req_spec));
  if (request_type == nullptr) throw py::error_already_set();
  m.add_object("ServerRequest",
               py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(request_type)));
  PyObject* many = PyCFunction_NewEx(&answer_many_def, nullptr, m.ptr());
  if (many == nullptr) throw py::error_already_set();
  m.add_object("answer_many", py::reinterpret_steal<py::object>(many));
  PyObject* responds = PyCFunction_NewEx(&respond_many_def, nullptr, m.ptr());
  if (responds == nullptr) throw py::error_already_set();
  m.add_object("respond_many", py::reinterpret_steal<py::object>(responds));
  PyObject* parts = PyCFunction_NewEx(&parts_many_def, nullptr, m.ptr());
  if (parts == nullptr) throw py::error_already_set();
  m.add_object("parts_many", py::reinterpret_steal<py::object>(parts));
  py::class_<py_server>(m, "Server",
                        "lapwise::server::server with Python handlers (see lapwise.App)")
      .def(py::init<const py::dict&>(), py::arg("options"))
      .def("add_const", &py_server::add_const, py::arg("method"), py::arg("pattern"),
           py::arg("status"), py::arg("content_type"), py::arg("headers"), py::arg("body"))
      .def("add_route", &py_server::add_route, py::arg("method"), py::arg("pattern"),
           py::arg("handler"), py::arg("int_mask"), py::arg("offload") = py::none(),
           py::arg("max_body") = py::none())
      .def("set_hooks", &py_server::set_hooks, py::arg("dumps"), py::arg("loads"),
           py::arg("response_type"), py::arg("schedule"), py::arg("log_error"))
      .def("set_dispatch", &py_server::set_dispatch, py::arg("pending"), py::arg("on_slow"),
           py::arg("slow_after"), py::arg("batch_budget"), py::arg("spill_mean"))
      .def("set_handler", &py_server::set_handler, py::arg("route"), py::arg("handler"))
      .def("set_resume", &py_server::set_resume, py::arg("resume"))
      .def("set_websocket", &py_server::set_websocket, py::arg("on_batch"),
           py::arg("max_message") = std::size_t{16} << 20, py::arg("permessage_deflate") = true,
           py::arg("ping_interval") = 20.0, py::arg("ping_timeout") = 20.0,
           py::arg("idle_timeout") = 0.0)
      .def("set_piece", &py_server::set_piece, py::arg("piece"), py::arg("whole") = py::none())
      .def("set_stream", &py_server::set_stream, py::arg("stream"), py::arg("stream_type"))
      .def("set_unmatched", &py_server::set_unmatched, py::arg("handler"))
      .def("start", &py_server::start)
      .def("stop", &py_server::stop)
      .def("wait", &py_server::wait, py::arg("timeout") = -1.0)
      .def("poll", &py_server::poll)
      .def("poll_last", &py_server::poll_last)
      .def_property_readonly("poll_fd", &py_server::poll_fd)
      .def_property_readonly("port", &py_server::port)
      .def_property_readonly("io", &py_server::io);
}

}  // namespace lapwise::bindings

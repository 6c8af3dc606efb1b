// lapwise._native.WebSocket: a Python handle on one server WebSocket (lapwise::server::ws::
// channel), and the app that hands the server's WebSocket events to Python.
//
// Sends go straight to the channel from whatever thread holds the GIL (the channel is
// thread-safe and queues frames for its io thread); large payloads are framed with the GIL
// released. Events (messages, room to send again, the close) are collected on each io thread
// during a loop turn and given to Python at its end in one call, with the GIL taken once, as
// (owner, kind, value) tuples. A message is taken from the receiver without a copy (its buffer
// swapped for a spare one: ws::event::storage), so its payload is copied once, into the str or
// bytes; sending it back frames it (the one copy out).
// While its channel is open, a WebSocket object is kept alive by the channel (the context
// pointer holds a reference), released with its closed event.
#include "bind_websocket.h"

#include <Python.h>
#include <structmember.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings.h"

namespace lapwise::bindings {
namespace {

namespace ws = lapwise::server::ws;

struct py_ws {
  PyObject_HEAD std::shared_ptr<ws::channel> ch;  // placement-constructed
  PyObject* owner;                                // the Python side's object (settable)
};

PyTypeObject* ws_type = nullptr;

// Payloads at least this large are framed (and maybe compressed) without the GIL.
constexpr std::size_t release_gil_at = 64 << 10;

ws::send_result send_view(py_ws* self, bool text, std::string_view data) {
  if (data.size() < release_gil_at) return self->ch->send(text, data);
  ws::send_result r;
  Py_BEGIN_ALLOW_THREADS r = self->ch->send(text, data);
  Py_END_ALLOW_THREADS return r;
}

PyObject* ws_send(py_ws* self, PyObject* data) {
  ws::send_result r;
  if (PyUnicode_Check(data)) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(data, &n);
    if (p == nullptr) return nullptr;
    r = send_view(self, true, {p, static_cast<std::size_t>(n)});
  } else {
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_CONTIG_RO) != 0) {
      PyErr_Format(PyExc_TypeError, "WebSocket.send takes str or bytes, not %.100s",
                   Py_TYPE(data)->tp_name);
      return nullptr;
    }
    r = send_view(self, false,
                  {static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len)});
    PyBuffer_Release(&view);
  }
  return PyLong_FromLong(static_cast<long>(r));
}

PyObject* ws_ping(py_ws* self, PyObject* const* args, Py_ssize_t nargs) {
  Py_buffer view{};
  if (nargs > 1) {
    PyErr_SetString(PyExc_TypeError, "ping(data=b'')");
    return nullptr;
  }
  if (nargs == 1 && PyObject_GetBuffer(args[0], &view, PyBUF_CONTIG_RO) != 0) return nullptr;
  const ws::send_result r =
      self->ch->ping(nargs == 1 ? std::string_view(static_cast<const char*>(view.buf),
                                                   static_cast<std::size_t>(view.len))
                                : std::string_view());
  if (nargs == 1) PyBuffer_Release(&view);
  return PyLong_FromLong(static_cast<long>(r));
}

PyObject* ws_close(py_ws* self, PyObject* const* args, Py_ssize_t nargs) {
  long code = 1000;
  std::string_view reason;
  if (nargs > 2) {
    PyErr_SetString(PyExc_TypeError, "close(code=1000, reason='')");
    return nullptr;
  }
  if (nargs >= 1) {
    code = PyLong_AsLong(args[0]);
    if (code == -1 && PyErr_Occurred()) return nullptr;
    if (code < 1000 || code > 4999) {
      PyErr_Format(PyExc_ValueError, "close code %ld is outside 1000..4999", code);
      return nullptr;
    }
  }
  if (nargs == 2) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(args[1], &n);
    if (p == nullptr) return nullptr;
    reason = {p, static_cast<std::size_t>(n)};
  }
  return PyBool_FromLong(self->ch->close(static_cast<std::uint16_t>(code), reason));
}

PyObject* ws_subprotocol(py_ws* self, void*) {
  const std::string& s = self->ch->subprotocol();
  return PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
}

PyObject* ws_path(py_ws* self, void*) {
  const std::string_view p = self->ch->path();
  return PyUnicode_DecodeUTF8(p.data(), static_cast<Py_ssize_t>(p.size()), "replace");
}

PyObject* ws_ended(py_ws* self, void*) { return PyBool_FromLong(self->ch->ended()); }

int ws_traverse(py_ws* self, visitproc visit, void* arg) {
  Py_VISIT(self->owner);
  Py_VISIT(Py_TYPE(self));
  return 0;
}

int ws_clear(py_ws* self) {
  Py_CLEAR(self->owner);
  return 0;
}

void ws_dealloc(py_ws* self) {
  PyObject_GC_UnTrack(self);
  ws_clear(self);
  self->ch.~shared_ptr();
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyMethodDef ws_methods[] = {
    {"send", reinterpret_cast<PyCFunction>(ws_send), METH_O,
     "queue a message (str: text, bytes-like: binary); returns 0 ok, 1 wait (queued, bound "
     "reached), 2 full (not queued), 3 closed (not queued)"},
    {"ping", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(ws_ping)), METH_FASTCALL,
     "queue a ping; returns as send() does"},
    {"close", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(ws_close)), METH_FASTCALL,
     "start the close handshake: close(code=1000, reason=''); False once our Close is out"},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef ws_getset[] = {
    {"subprotocol", reinterpret_cast<getter>(ws_subprotocol), nullptr, "chosen at the accept",
     nullptr},
    {"path", reinterpret_cast<getter>(ws_path), nullptr, "the upgrade request's path", nullptr},
    {"ended", reinterpret_cast<getter>(ws_ended), nullptr, "the connection's end was reported",
     nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMemberDef ws_members[] = {
    {"owner", T_OBJECT, offsetof(py_ws, owner), 0, "the Python object events are for"},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot ws_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(ws_dealloc)},
                          {Py_tp_traverse, reinterpret_cast<void*>(ws_traverse)},
                          {Py_tp_clear, reinterpret_cast<void*>(ws_clear)},
                          {Py_tp_methods, ws_methods},
                          {Py_tp_getset, ws_getset},
                          {Py_tp_members, ws_members},
                          {Py_tp_doc, const_cast<char*>("A server WebSocket (lapwise internal)")},
                          {0, nullptr}};

PyType_Spec ws_spec = {"lapwise._native.WebSocket", sizeof(py_ws), 0,
                       Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                       ws_slots};

// ------------------------------------------------------------------------------- the app

enum item_kind : long {
  text_item = 0,
  binary_item = 1,
  room_item = 2,
  closed_item = 3,
  error_item = 4
};

struct item {
  std::shared_ptr<ws::channel> ch;
  item_kind kind;
  std::string payload;
  std::uint16_t code = 0;
};

// An io thread serves one server, so one list per thread is one per app.
thread_local std::vector<item> turn_items;

// Message buffers handed back to the receivers: a message is taken from its receiver by
// swapping its buffer for one of these (no copy), and its buffer comes back here once Python
// has its own copy. A few are kept, none large, so that a receiver's next message rarely
// allocates.
thread_local std::vector<std::string> spare_buffers;
constexpr std::size_t spare_count = 64;
constexpr std::size_t spare_capacity = 64 << 10;  // the receiver keeps no larger one either

std::string spare_buffer() {
  if (spare_buffers.empty()) return {};
  std::string s = std::move(spare_buffers.back());
  spare_buffers.pop_back();
  s.clear();
  return s;
}

void give_back(std::string& s) noexcept {
  if (s.capacity() == 0 || s.capacity() > spare_capacity || spare_buffers.size() >= spare_count) {
    return;
  }
  try {
    spare_buffers.push_back(std::move(s));
  } catch (const std::bad_alloc&) {
  }
}

// Copies `n` bytes to `dst` and says whether they were all ASCII, in one pass (word by word:
// the compiler vectorises the copy and the OR).
bool copy_ascii(char* dst, const char* src, std::size_t n) noexcept {
  std::uint64_t acc = 0;
  for (; n >= 8; src += 8, dst += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, src, 8);
    std::memcpy(dst, &w, 8);
    acc |= w;
  }
  for (; n > 0; ++src, ++dst, --n) {
    *dst = *src;
    acc |= static_cast<unsigned char>(*src);
  }
  return (acc & 0x8080808080808080ULL) == 0;
}

// The str of a text message the core found to be UTF-8, copied once: as ASCII (no decoding)
// when it is, else decoded.
PyObject* text_of(const std::string& payload) {
  const auto n = static_cast<Py_ssize_t>(payload.size());
  PyObject* s = PyUnicode_New(n, 127);
  if (s == nullptr) return nullptr;
  if (copy_ascii(static_cast<char*>(PyUnicode_DATA(s)), payload.data(), payload.size())) return s;
  Py_DECREF(s);
  return PyUnicode_DecodeUTF8(payload.data(), n, "surrogateescape");
}

class py_ws_app final : public ws::app {
 public:
  py_ws_app(PyObject* on_batch, bool deflate) : on_batch_(on_batch), deflate_(deflate) {
    Py_INCREF(on_batch_);
  }
  ~py_ws_app() override { Py_DECREF(on_batch_); }  // with the GIL: the Server's destructor

  std::optional<ws::handshake_options> upgrade(std::string_view) override {
    ws::handshake_options o;
    o.deferred = true;  // the route's handler accepts or refuses
    o.permessage_deflate = deflate_;
    return o;
  }
  void on_event(ws::channel& ch, const ws::event& ev) noexcept override {
    if (ev.kind == ws::event_kind::error) {
      add(ch, error_item, ev.payload, ev.code);
    } else if (ev.kind == ws::event_kind::text || ev.kind == ws::event_kind::binary) {
      add_message(ch, ev);
    }
  }
  void on_writable(ws::channel& ch) noexcept override { add(ch, room_item, {}, 0); }
  void on_closed(ws::channel& ch, std::uint16_t code) noexcept override {
    add(ch, closed_item, {}, code);
  }
  void turn_end() noexcept override {
    if (turn_items.empty()) return;
    std::vector<item> items;
    items.swap(turn_items);
    const PyGILState_STATE g = PyGILState_Ensure();
    deliver(items);
    PyGILState_Release(g);
  }

 private:
  // A message: its buffer is taken from the receiver (swapped for a spare one) when it
  // offers it, so that the only copy of the payload is the one into the Python object.
  static void add_message(ws::channel& ch, const ws::event& ev) {
    const bool text = ev.kind == ws::event_kind::text;
    if (ev.storage == nullptr || ev.payload.size() != ev.storage->size()) {
      add(ch, text ? text_item : binary_item, ev.payload, 0);
      return;
    }
    if (ch.context() == nullptr) return;
    try {
      item it{ch.shared_from_this(), text ? text_item : binary_item, spare_buffer(), 0};
      it.payload.swap(*ev.storage);
      turn_items.push_back(std::move(it));
    } catch (const std::bad_alloc&) {
    }
  }
  static void add(ws::channel& ch, item_kind k, std::string_view payload, std::uint16_t code) {
    if (ch.context() == nullptr) return;  // no Python object: nobody listens
    try {
      turn_items.push_back({ch.shared_from_this(), k, std::string(payload), code});
    } catch (const std::bad_alloc&) {
    }
  }
  void deliver(std::vector<item>& items) noexcept {
    PyObject* list = PyList_New(0);
    for (item& it : items) {
      auto* obj = static_cast<PyObject*>(it.ch->context());
      if (obj == nullptr || list == nullptr) continue;
      PyObject* owner = reinterpret_cast<py_ws*>(obj)->owner;
      PyObject* value = nullptr;
      switch (it.kind) {
        case text_item:
          value = text_of(it.payload);
          give_back(it.payload);
          break;
        case binary_item:
          value = PyBytes_FromStringAndSize(it.payload.data(),
                                            static_cast<Py_ssize_t>(it.payload.size()));
          give_back(it.payload);
          break;
        case room_item:
          value = Py_NewRef(Py_None);
          break;
        case closed_item:
          value = PyLong_FromLong(it.code);
          break;
        case error_item: {
          PyObject* code = PyLong_FromLong(it.code);
          PyObject* why = PyUnicode_DecodeUTF8(
              it.payload.data(), static_cast<Py_ssize_t>(it.payload.size()), "replace");
          value = code && why ? PyTuple_Pack(2, code, why) : nullptr;
          Py_XDECREF(code);
          Py_XDECREF(why);
          break;
        }
      }
      // Without an owner nobody listens: the event is dropped.
      if (owner != nullptr && owner != Py_None) {
        PyObject* kind = PyLong_FromLong(it.kind);
        PyObject* tuple = value && kind ? PyTuple_Pack(3, owner, kind, value) : nullptr;
        Py_XDECREF(kind);
        if (tuple == nullptr || PyList_Append(list, tuple) != 0) PyErr_WriteUnraisable(on_batch_);
        Py_XDECREF(tuple);
      }
      Py_XDECREF(value);
      if (it.kind == closed_item) {
        it.ch->take_context();
        Py_DECREF(obj);  // the channel's reference
      }
    }
    if (list != nullptr && PyList_GET_SIZE(list) > 0) {
      PyObject* out = PyObject_CallOneArg(on_batch_, list);
      if (out == nullptr) PyErr_WriteUnraisable(on_batch_);
      Py_XDECREF(out);
    }
    Py_XDECREF(list);
    items.clear();
  }

  PyObject* on_batch_;
  bool deflate_;
};

}  // namespace

std::unique_ptr<ws::app> make_websocket_app(PyObject* on_batch, std::size_t max_message,
                                            bool permessage_deflate) {
  auto a = std::make_unique<py_ws_app>(on_batch, permessage_deflate);
  a->lim.max_message = max_message;
  a->lim.max_frame = max_message;
  a->app_closes_on_error = true;  // Connection.receive closes once the earlier replies went
  return a;
}

PyObject* websocket_object(const std::shared_ptr<ws::channel>& ch) {
  if (auto* existing = static_cast<PyObject*>(ch->context())) return Py_NewRef(existing);
  auto* o = PyObject_GC_New(py_ws, ws_type);
  if (o == nullptr) return nullptr;
  new (&o->ch) std::shared_ptr<ws::channel>(ch);
  o->owner = nullptr;
  PyObject_GC_Track(o);
  if (ch->attach(o)) Py_INCREF(o);  // the channel's reference, dropped with its closed event
  return reinterpret_cast<PyObject*>(o);
}

void bind_websocket(py::module_& m) {
  ws_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&ws_spec));
  if (ws_type == nullptr) throw py::error_already_set();
  m.add_object("WebSocket",
               py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(ws_type)));
}

}  // namespace lapwise::bindings

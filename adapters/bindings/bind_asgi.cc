// lapwise._native.AsgiExchange: the common half of one ASGI `http` request's receive() and
// send(), in C (lapwise._asgi_exchange subclasses it for the rest).
//
// Why: an ASGI app awaits send() twice and often receive() once per request; as Python
// coroutines each call costs a coroutine object, a frame and a dozen attribute reads. Here:
// - send({"type": "http.response.start", ...}) keeps status and headers;
// - send({"type": "http.response.body", ...}) whose message is the response's last (and only)
//   body message appends (request, status, headers, body) to the bridge's outbox, calls `kick`
//   when the outbox was empty (the bridge answers the outbox in one batch) and marks the
//   exchange answered;
// - the first receive() of a body the core read whole gives the one `http.request` message;
// each returns an awaitable that is complete at once (awaiting it never suspends). Every other
// case (a streamed response, a file, a second start, a streamed body, waiting for the
// disconnect) calls the subclass's coroutine `_send_slow(message)` or `_receive_slow()` and
// returns it. Once answered, `finished()` (the subclass's) runs when a waiter needs telling
// (`_done` or `_piece` set).
//
// lapwise._native.asgi_run_batch runs the first steps of a batch of requests' app coroutines,
// one after the other, inside the one asyncio task that calls it (lapwise.asgi's runner), each
// in a context of its own. A request whose app completes without suspending (a whole answer,
// nothing awaited that waits) so costs no task of its own: an asyncio Task per request (its
// scheduling, its weak registration, a wrapper coroutine) costs more than Starlette's whole
// routing. The first request that suspends is handed back; the runner goes on with it, and the
// rest of the batch moves to a new task.
#include <Python.h>
#include <structmember.h>

#include "bindings.h"

namespace lapwise::bindings {
namespace {

// An awaitable that is complete at once with `value` (null: None). `await` asks for its
// iterator (itself), whose first step ends with StopIteration(value).
struct ready_object {
  PyObject_HEAD PyObject* value;
};

PyTypeObject* ready_type = nullptr;
PyObject* ready_none = nullptr;  // shared: with no value the awaitable holds no state

PyObject* ready_await(PyObject* self) {
  Py_INCREF(self);
  return self;
}

PyObject* ready_next(ready_object* self) {
  if (self->value == nullptr) return nullptr;  // StopIteration(None), no exception object
  PyObject* stop = PyObject_CallOneArg(PyExc_StopIteration, self->value);
  if (stop == nullptr) return nullptr;
  PyErr_SetObject(PyExc_StopIteration, stop);
  Py_DECREF(stop);
  return nullptr;
}

void ready_dealloc(ready_object* self) {
  Py_XDECREF(self->value);
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyObject* ready_with(PyObject* value) {  // steals `value`
  auto* r = PyObject_New(ready_object, ready_type);
  if (r == nullptr) {
    Py_DECREF(value);
    return nullptr;
  }
  r->value = value;
  return reinterpret_cast<PyObject*>(r);
}

PyType_Slot ready_slots[] = {{Py_am_await, reinterpret_cast<void*>(ready_await)},
                             {Py_tp_iter, reinterpret_cast<void*>(ready_await)},
                             {Py_tp_iternext, reinterpret_cast<void*>(ready_next)},
                             {Py_tp_dealloc, reinterpret_cast<void*>(ready_dealloc)},
                             {Py_tp_doc, const_cast<char*>("an awaitable complete at once")},
                             {0, nullptr}};

PyType_Spec ready_spec = {"lapwise._native.AsgiReady", sizeof(ready_object), 0,
                          Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, ready_slots};

// ---------------------------------------------------------------------------- the exchange

struct exchange_object {
  PyObject_HEAD PyObject* req;
  PyObject* loop;
  PyObject* outbox;  // list of whole answers (request, status, headers, body)
  PyObject* kick;    // called when the outbox stops being empty
  PyObject* raw_headers;
  PyObject* done;   // _done: a future a receive() waits on, or None
  PyObject* piece;  // _piece: a future a receive() of a streamed body waits on, or None
  PyObject* taken;  // _taken: a future a streamed send() waits on, or None
  int status;
  char answered, streaming, gone, body_sent, streamed;
};

PyObject* s_type;
PyObject* s_start;
PyObject* s_body_kind;
PyObject* s_status;
PyObject* s_headers;
PyObject* s_body;
PyObject* s_more_body;
PyObject* s_request;
PyObject* s_send_slow;
PyObject* s_receive_slow;
PyObject* s_finished;
PyObject* s_body_streamed;
PyObject* empty_bytes;
PyObject* empty_tuple;

bool same_str(PyObject* a, PyObject* interned) {
  return a == interned || (PyUnicode_Check(a) && PyUnicode_Compare(a, interned) == 0);
}

PyObject* exchange_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  PyObject *req, *loop, *outbox, *kick;
  if ((kwargs != nullptr && PyDict_GET_SIZE(kwargs) != 0) ||
      !PyArg_UnpackTuple(args, "AsgiExchange", 4, 4, &req, &loop, &outbox, &kick)) {
    if (!PyErr_Occurred())
      PyErr_SetString(PyExc_TypeError, "AsgiExchange(req, loop, outbox, kick)");
    return nullptr;
  }
  if (!PyList_Check(outbox)) {
    PyErr_SetString(PyExc_TypeError, "AsgiExchange: the outbox must be a list");
    return nullptr;
  }
  PyObject* streamed = PyObject_GetAttr(req, s_body_streamed);
  if (streamed == nullptr) return nullptr;
  const int is_streamed = PyObject_IsTrue(streamed);
  Py_DECREF(streamed);
  if (is_streamed < 0) return nullptr;
  auto* self = reinterpret_cast<exchange_object*>(type->tp_alloc(type, 0));
  if (self == nullptr) return nullptr;
  Py_INCREF(req);
  Py_INCREF(loop);
  Py_INCREF(outbox);
  Py_INCREF(kick);
  Py_INCREF(empty_tuple);
  Py_INCREF(Py_None);
  Py_INCREF(Py_None);
  self->req = req;
  self->loop = loop;
  self->outbox = outbox;
  self->kick = kick;
  self->raw_headers = empty_tuple;
  self->done = Py_None;
  self->piece = Py_None;
  Py_INCREF(Py_None);
  self->taken = Py_None;
  self->streamed = static_cast<char>(is_streamed);
  return reinterpret_cast<PyObject*>(self);
}

int exchange_traverse(exchange_object* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->req);
  Py_VISIT(self->loop);
  Py_VISIT(self->outbox);
  Py_VISIT(self->kick);
  Py_VISIT(self->raw_headers);
  Py_VISIT(self->done);
  Py_VISIT(self->piece);
  Py_VISIT(self->taken);
  return 0;
}

int exchange_clear(exchange_object* self) {
  Py_CLEAR(self->req);
  Py_CLEAR(self->loop);
  Py_CLEAR(self->outbox);
  Py_CLEAR(self->kick);
  Py_CLEAR(self->raw_headers);
  Py_CLEAR(self->done);
  Py_CLEAR(self->piece);
  Py_CLEAR(self->taken);
  return 0;
}

void exchange_dealloc(exchange_object* self) {
  PyTypeObject* tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  exchange_clear(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

// The whole response: the status and headers sent already, `body` the only body message.
bool post_whole(exchange_object* self, PyObject* body) {
  self->answered = 1;
  PyObject* status = PyLong_FromLong(self->status);
  if (status == nullptr) return false;
  PyObject* answer = PyTuple_Pack(4, self->req, status, self->raw_headers, body);
  Py_DECREF(status);
  if (answer == nullptr) return false;
  const bool first = PyList_GET_SIZE(self->outbox) == 0;
  const int appended = PyList_Append(self->outbox, answer);
  Py_DECREF(answer);
  if (appended != 0) return false;
  if (first) {
    PyObject* r = PyObject_CallNoArgs(self->kick);
    if (r == nullptr) return false;
    Py_DECREF(r);
  }
  if (self->done != Py_None || self->piece != Py_None) {  // a receive() waits: tell it
    PyObject* r = PyObject_CallMethodNoArgs(reinterpret_cast<PyObject*>(self), s_finished);
    if (r == nullptr) return false;
    Py_DECREF(r);
  }
  return true;
}

PyObject* exchange_whole(exchange_object* self, PyObject* body) {
  if (!self->answered && !post_whole(self, body)) return nullptr;
  Py_RETURN_NONE;
}

PyObject* exchange_send(exchange_object* self, PyObject* message) {
  if (PyDict_Check(message)) {
    PyObject* kind = PyDict_GetItemWithError(message, s_type);  // borrowed
    if (kind == nullptr && PyErr_Occurred()) return nullptr;
    if (kind != nullptr && self->status == 0 && same_str(kind, s_start)) {
      PyObject* given = PyDict_GetItemWithError(message, s_status);
      if (given != nullptr) {
        PyObject* code = PyNumber_Long(given);
        if (code == nullptr) return nullptr;
        const long status = PyLong_AsLong(code);
        Py_DECREF(code);
        if (status == -1 && PyErr_Occurred()) return nullptr;
        if (status <= 0 || status > 999) {  // the subclass says what is wrong with it
          return PyObject_CallMethodOneArg(reinterpret_cast<PyObject*>(self), s_send_slow, message);
        }
        PyObject* headers = PyDict_GetItemWithError(message, s_headers);
        if (headers == nullptr && PyErr_Occurred()) return nullptr;
        if (headers == nullptr) headers = empty_tuple;
        Py_INCREF(headers);
        Py_SETREF(self->raw_headers, headers);
        self->status = static_cast<int>(status);
        Py_INCREF(ready_none);
        return ready_none;
      }
      if (PyErr_Occurred()) return nullptr;
    } else if (kind != nullptr && self->status != 0 && !self->answered && !self->streaming &&
               same_str(kind, s_body_kind)) {
      PyObject* more = PyDict_GetItemWithError(message, s_more_body);
      if (more == nullptr && PyErr_Occurred()) return nullptr;
      const int has_more = more == nullptr ? 0 : PyObject_IsTrue(more);
      if (has_more < 0) return nullptr;
      if (!has_more) {
        PyObject* body = PyDict_GetItemWithError(message, s_body);
        if (body == nullptr && PyErr_Occurred()) return nullptr;
        if (!post_whole(self, body == nullptr ? empty_bytes : body)) return nullptr;
        Py_INCREF(ready_none);
        return ready_none;
      }
    }
  }
  return PyObject_CallMethodOneArg(reinterpret_cast<PyObject*>(self), s_send_slow, message);
}

PyObject* exchange_receive(exchange_object* self, PyObject*) {
  if (!self->body_sent && !self->streamed) {
    self->body_sent = 1;
    PyObject* body = PyObject_GetAttr(self->req, s_body);
    if (body == nullptr) return nullptr;
    PyObject* message = PyDict_New();
    if (message == nullptr || PyDict_SetItem(message, s_type, s_request) != 0 ||
        PyDict_SetItem(message, s_body, body) != 0 ||
        PyDict_SetItem(message, s_more_body, Py_False) != 0) {
      Py_DECREF(body);
      Py_XDECREF(message);
      return nullptr;
    }
    Py_DECREF(body);
    return ready_with(message);
  }
  return PyObject_CallMethodNoArgs(reinterpret_cast<PyObject*>(self), s_receive_slow);
}

PyMethodDef exchange_methods[] = {
    {"send", reinterpret_cast<PyCFunction>(exchange_send), METH_O,
     "ASGI send(message): an awaitable"},
    {"receive", reinterpret_cast<PyCFunction>(exchange_receive), METH_NOARGS,
     "ASGI receive(): an awaitable of the next message"},
    {"whole", reinterpret_cast<PyCFunction>(exchange_whole), METH_O,
     "the whole response in one body (the status and headers sent already), once"},
    {nullptr, nullptr, 0, nullptr}};

PyMemberDef exchange_members[] = {
    {"req", T_OBJECT_EX, offsetof(exchange_object, req), READONLY, "the native request"},
    {"loop", T_OBJECT_EX, offsetof(exchange_object, loop), READONLY, "the asyncio loop"},
    {"raw_headers", T_OBJECT_EX, offsetof(exchange_object, raw_headers), 0,
     "the response headers as the app sent them"},
    {"_done", T_OBJECT_EX, offsetof(exchange_object, done), 0,
     "a future a receive() waits on, or None"},
    {"_piece", T_OBJECT_EX, offsetof(exchange_object, piece), 0,
     "a future a receive() of a streamed body waits on, or None"},
    {"_taken", T_OBJECT_EX, offsetof(exchange_object, taken), 0,
     "a future a streamed send() waits on, or None"},
    {"status", T_INT, offsetof(exchange_object, status), 0, "0 until the response started"},
    {"answered", T_BOOL, offsetof(exchange_object, answered), 0, "the response is complete"},
    {"streaming", T_BOOL, offsetof(exchange_object, streaming), 0, "sent in parts"},
    {"gone", T_BOOL, offsetof(exchange_object, gone), 0, "the client went away"},
    {"_body_sent", T_BOOL, offsetof(exchange_object, body_sent), 0, "the body was received"},
    {"_streamed", T_BOOL, offsetof(exchange_object, streamed), 0, "the body comes in pieces"},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot exchange_slots[] = {
    {Py_tp_new, reinterpret_cast<void*>(exchange_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(exchange_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(exchange_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(exchange_clear)},
    {Py_tp_methods, exchange_methods},
    {Py_tp_members, exchange_members},
    {Py_tp_doc, const_cast<char*>("AsgiExchange(req, loop, outbox, kick): see bind_asgi.cc")},
    {0, nullptr}};

PyType_Spec exchange_spec = {"lapwise._native.AsgiExchange", sizeof(exchange_object), 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
                             exchange_slots};

// ------------------------------------------------------------------------ the batch runner

PyTypeObject* exchange_type = nullptr;
PyObject* s_receive;
PyObject* s_send;

// The exception being raised, normalized, with its traceback (3.11 has no
// PyErr_GetRaisedException).
PyObject* take_raised() {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb != nullptr && value != nullptr) PyException_SetTraceback(value, tb);
  Py_XDECREF(type);
  Py_XDECREF(tb);
  return value;
}

// Drops `req` from `held`, whether or not it is there.
bool unhold(PyObject* held, PyObject* req) {
  if (PyDict_DelItem(held, req) == 0) return true;
  if (!PyErr_ExceptionMatches(PyExc_KeyError)) return false;
  PyErr_Clear();
  return true;
}

// The first step of one request's app call, in `ctx`: the coroutine's first result (the
// coroutine in *coro), or null with the exception set.
PySendResult first_step(PyObject* ctx, PyObject* app, PyObject* scope, PyObject* ex, PyObject* wrap,
                        PyObject** coro, PyObject** result) {
  *coro = nullptr;
  *result = nullptr;
  if (PyContext_Enter(ctx) != 0) return PYGEN_ERROR;
  PySendResult sent = PYGEN_ERROR;
  PyObject* receive = PyObject_GetAttr(ex, s_receive);
  PyObject* send = receive == nullptr ? nullptr : PyObject_GetAttr(ex, s_send);
  if (send != nullptr) {
    PyObject* call[] = {scope, receive, send};
    PyObject* made = PyObject_Vectorcall(app, call, 3, nullptr);
    if (made != nullptr && !PyCoro_CheckExact(made)) {  // another awaitable: awaited by `wrap`
      Py_SETREF(made, PyObject_CallOneArg(wrap, made));
      if (made != nullptr && !PyCoro_CheckExact(made)) {
        PyErr_SetString(PyExc_TypeError, "asgi_run_batch: wrap must return a coroutine");
        Py_CLEAR(made);
      }
    }
    *coro = made;
    if (made != nullptr) sent = PyIter_Send(made, Py_None, result);
  }
  Py_XDECREF(receive);
  Py_XDECREF(send);
  if (PyContext_Exit(ctx) != 0 && sent != PYGEN_ERROR) {
    Py_CLEAR(*result);
    sent = PYGEN_ERROR;
  }
  return sent;
}

// asgi_run_batch(runs, start, app, base, held, ended, raised, wrap): each (scope, exchange) of
// `runs` from `start` on whose exchange is not answered yet gets a context copied from `base`, and
// its app coroutine's first step runs in it. A request that completes is dropped from `held` (then
// `ended(scope, ex)` runs when the app left it unanswered); one that raises is dropped too and
// `raised(scope, ex, exc)` runs. The first that suspends stops the loop: (index, coroutine,
// context, awaited) comes back; None when every request completed.
PyObject* run_batch(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 8 || !PyList_Check(args[0]) || !PyDict_Check(args[4])) {
    PyErr_SetString(
        PyExc_TypeError,
        "asgi_run_batch(runs: list, start, app, base, held: dict, ended, raised, wrap)");
    return nullptr;
  }
  PyObject* runs = args[0];
  const Py_ssize_t start = PyLong_AsSsize_t(args[1]);
  if (start == -1 && PyErr_Occurred()) return nullptr;
  PyObject *app = args[2], *base = args[3], *held = args[4], *ended = args[5], *raised = args[6],
           *wrap = args[7];
  for (Py_ssize_t i = start; i < PyList_GET_SIZE(runs); ++i) {
    PyObject* item = PyList_GET_ITEM(runs, i);
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 ||
        !PyObject_TypeCheck(PyTuple_GET_ITEM(item, 1), exchange_type)) {
      PyErr_SetString(PyExc_TypeError, "asgi_run_batch: runs holds (scope, AsgiExchange) pairs");
      return nullptr;
    }
    PyObject* scope = PyTuple_GET_ITEM(item, 0);
    PyObject* exo = PyTuple_GET_ITEM(item, 1);
    auto* ex = reinterpret_cast<exchange_object*>(exo);
    if (ex->answered) continue;  // cut while it waited for its turn
    PyObject* ctx = PyContext_Copy(base);
    if (ctx == nullptr) return nullptr;
    PyObject *coro, *result;
    const PySendResult sent = first_step(ctx, app, scope, exo, wrap, &coro, &result);
    if (sent == PYGEN_NEXT) {  // suspended: the caller goes on with it
      PyObject* index = PyLong_FromSsize_t(i);
      PyObject* out = index == nullptr ? nullptr : PyTuple_Pack(4, index, coro, ctx, result);
      Py_XDECREF(index);
      Py_DECREF(coro);
      Py_DECREF(ctx);
      Py_DECREF(result);
      return out;
    }
    Py_DECREF(ctx);
    Py_XDECREF(coro);
    PyObject* exc = nullptr;
    if (sent == PYGEN_RETURN) {
      Py_DECREF(result);
    } else {
      exc = take_raised();
      if (exc == nullptr) return nullptr;
    }
    Py_INCREF(exo);  // `ended` or `raised` may drop the list's reference to the pair
    PyObject* r = Py_None;
    Py_INCREF(r);
    if (!unhold(held, ex->req)) {
      Py_CLEAR(r);
    } else if (exc != nullptr) {
      PyObject* call[] = {scope, exo, exc};
      Py_SETREF(r, PyObject_Vectorcall(raised, call, 3, nullptr));
    } else if (!ex->answered) {
      PyObject* call[] = {scope, exo};
      Py_SETREF(r, PyObject_Vectorcall(ended, call, 2, nullptr));
    }
    Py_XDECREF(exc);
    Py_DECREF(exo);
    if (r == nullptr) return nullptr;
    Py_DECREF(r);
  }
  Py_RETURN_NONE;
}

PyMethodDef run_batch_def = {
    "asgi_run_batch", reinterpret_cast<PyCFunction>(reinterpret_cast<void*>(run_batch)),
    METH_FASTCALL,
    "asgi_run_batch(runs, start, app, base, held, ended, raised, wrap): first steps of a batch "
    "of ASGI requests until one suspends (bind_asgi.cc)"};

PyObject* intern(const char* s) {
  PyObject* o = PyUnicode_InternFromString(s);
  if (o == nullptr) throw py::error_already_set();
  return o;
}

}  // namespace

void bind_asgi(py::module_& m) {
  s_type = intern("type");
  s_start = intern("http.response.start");
  s_body_kind = intern("http.response.body");
  s_status = intern("status");
  s_headers = intern("headers");
  s_body = intern("body");
  s_more_body = intern("more_body");
  s_request = intern("http.request");
  s_send_slow = intern("_send_slow");
  s_receive_slow = intern("_receive_slow");
  s_finished = intern("finished");
  s_body_streamed = intern("body_streamed");
  empty_bytes = PyBytes_FromStringAndSize(nullptr, 0);
  empty_tuple = PyTuple_New(0);
  ready_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&ready_spec));
  if (empty_bytes == nullptr || empty_tuple == nullptr || ready_type == nullptr)
    throw py::error_already_set();
  ready_none = PyObject_New(PyObject, ready_type);
  if (ready_none == nullptr) throw py::error_already_set();
  reinterpret_cast<ready_object*>(ready_none)->value = nullptr;
  s_receive = intern("receive");
  s_send = intern("send");
  auto* exchange = PyType_FromSpec(&exchange_spec);
  if (exchange == nullptr) throw py::error_already_set();
  exchange_type = reinterpret_cast<PyTypeObject*>(exchange);
  m.add_object("AsgiExchange", py::reinterpret_steal<py::object>(exchange));
  PyObject* runner = PyCFunction_New(&run_batch_def, nullptr);
  if (runner == nullptr) throw py::error_already_set();
  m.add_object("asgi_run_batch", py::reinterpret_steal<py::object>(runner));
}

}  // namespace lapwise::bindings

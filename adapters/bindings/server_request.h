// What bind_server.cc lends the interface glue that works on its requests (bind_wsgi.cc): the
// core request behind a lapwise._native.ServerRequest, and that request's whole answer.
#pragma once

#include <Python.h>

#include "lapwise/server/server.h"

namespace lapwise::bindings {

// The core request of `req`, a ServerRequest: null once it is answered. Null with TypeError set
// when `req` is not a ServerRequest.
server::request* server_request_of(PyObject* req) noexcept;

// What req._answer(status, headers, body) does: an ASGI or WSGI app's whole response, or a 500
// (logged) when it does not convert.
void answer_server_request(PyObject* req, PyObject* status, PyObject* headers,
                           PyObject* body) noexcept;

}  // namespace lapwise::bindings

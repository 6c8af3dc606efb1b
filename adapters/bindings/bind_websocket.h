// What bind_server.cc takes from bind_websocket.cc: the server's WebSocket application (the
// handshakes go to the handler routes; events go to a Python callable in batches) and the
// Python object of a channel.
#pragma once

#include <Python.h>

#include <cstddef>
#include <memory>

#include "lapwise/server/websocket_app.h"

namespace lapwise::bindings {

// `on_batch(items)` is called on an io thread, with the GIL taken once per loop turn, with
// [(WebSocket, kind, value)]: kind 0 text (str), 1 binary (bytes), 2 room to send again
// (None), 3 closed (the close code: int; the last item of that WebSocket), 4 a protocol error
// ((code, reason): the server waits for the app's close(code, reason) before its Close). Borrows
// nothing: the app keeps its own reference to `on_batch`.
std::unique_ptr<lapwise::server::ws::app> make_websocket_app(PyObject* on_batch,
                                                             std::size_t max_message,
                                                             bool permessage_deflate);

// The channel's WebSocket object (one per channel; a new reference), or null with an error set.
PyObject* websocket_object(const std::shared_ptr<lapwise::server::ws::channel>& ch);

}  // namespace lapwise::bindings

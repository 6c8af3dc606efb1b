// lapwise._native client glue: converts Python requests/policy to the core's types, runs the
// batch on the core's background thread, and converts results back. No scheduling logic here.
#include <lapwise/client/background.h>
#include <lapwise/client/client.h>

#include <array>
#include <chrono>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "bindings.h"

namespace lapwise::bindings {
namespace {

namespace lc = lapwise::client;

lc::duration seconds_to(const py::handle& v) {
  if (v.is_none()) return lc::duration{0};
  double s = v.cast<double>();
  if (!(s >= 0) || s > 1e9) throw py::value_error("policy: durations must be 0..1e9 seconds");
  return std::chrono::duration_cast<lc::duration>(std::chrono::duration<double>(s));
}

// Reads the keys present in `d` over the core's defaults (the Python Policy passes them all).
lc::policy to_policy(const py::dict& d) {
  lc::policy p;
  auto has = [&](const char* k) { return d.contains(k) && !d[k].is_none(); };
  if (has("concurrency")) p.concurrency = d["concurrency"].cast<std::size_t>();
  if (has("per_host")) p.per_host = d["per_host"].cast<std::size_t>();
  if (has("rate")) p.global_rate.rate = d["rate"].cast<double>();
  if (has("burst")) p.global_rate.burst = d["burst"].cast<double>();
  if (has("host_rate")) p.host_rate.rate = d["host_rate"].cast<double>();
  if (has("host_burst")) p.host_rate.burst = d["host_burst"].cast<double>();
  if (has("retries")) p.retries = d["retries"].cast<std::uint32_t>();
  if (has("backoff_base")) p.backoff_base = seconds_to(d["backoff_base"]);
  if (has("backoff_cap")) p.backoff_cap = seconds_to(d["backoff_cap"]);
  if (has("retry_statuses")) p.retry_statuses = d["retry_statuses"].cast<std::vector<int>>();
  if (has("retry_on_errors")) p.retry_on_errors = d["retry_on_errors"].cast<bool>();
  if (has("retry_non_idempotent")) p.retry_non_idempotent = d["retry_non_idempotent"].cast<bool>();
  if (has("retry_after_max")) p.retry_after_max = seconds_to(d["retry_after_max"]);
  p.connect_timeout =
      d.contains("connect_timeout") ? seconds_to(d["connect_timeout"]) : p.connect_timeout;
  p.read_timeout = d.contains("read_timeout") ? seconds_to(d["read_timeout"]) : p.read_timeout;
  p.total_timeout = d.contains("total_timeout") ? seconds_to(d["total_timeout"]) : p.total_timeout;
  if (has("follow_redirects")) p.follow_redirects = d["follow_redirects"].cast<bool>();
  if (has("max_redirects")) p.max_redirects = d["max_redirects"].cast<std::uint32_t>();
  if (has("verify_tls")) p.verify_tls = d["verify_tls"].cast<bool>();
  if (has("ca_file")) p.ca_file = d["ca_file"].cast<std::string>();
  if (has("proxy")) p.proxy = d["proxy"].cast<std::string>();
  if (has("use_proxy")) p.use_proxy = d["use_proxy"].cast<bool>();
  if (has("max_body_bytes")) p.max_body_bytes = d["max_body_bytes"].cast<std::size_t>();
  if (has("max_header_bytes")) p.max_header_bytes = d["max_header_bytes"].cast<std::size_t>();
  if (has("max_headers")) p.max_headers = d["max_headers"].cast<std::size_t>();
  if (has("user_agent")) p.user_agent = d["user_agent"].cast<std::string>();
  if (has("seed")) p.seed = d["seed"].cast<std::uint64_t>();
  return p;
}

// A str's UTF-8 bytes (no copy for the common compact-ASCII str); throws TypeError otherwise.
std::string_view utf8(PyObject* o, const char* what) {
  if (!PyUnicode_Check(o)) throw py::type_error(std::string(what) + " must be a str");
  Py_ssize_t n = 0;
  const char* p = PyUnicode_AsUTF8AndSize(o, &n);
  if (!p) throw py::error_already_set();
  return {p, static_cast<std::size_t>(n)};
}

py::object attr(PyObject* o, PyObject* name) {
  PyObject* v = PyObject_GetAttr(o, name);
  if (!v) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(v);
}

// Request-like objects (method: str, url: str, headers: sequence of (str, str), body:
// bytes-like) read through the C API: pybind11's generic casts cost several times more than
// the request itself at fan-out sizes. A run of the same object (`[req] * n`) is read once.
std::vector<lc::request> to_requests(const py::sequence& items) {
  static PyObject* const k_method = PyUnicode_InternFromString("method");
  static PyObject* const k_url = PyUnicode_InternFromString("url");
  static PyObject* const k_headers = PyUnicode_InternFromString("headers");
  static PyObject* const k_body = PyUnicode_InternFromString("body");
  py::list list(items);  // one strong reference per item for the loop (a list passes through)
  const Py_ssize_t n = PyList_GET_SIZE(list.ptr());
  std::vector<lc::request> out;
  out.reserve(static_cast<std::size_t>(n));
  PyObject* previous = nullptr;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item = PyList_GET_ITEM(list.ptr(), i);
    if (item == previous) {
      out.push_back(out.back());
      continue;
    }
    lc::request r;
    r.method = utf8(attr(item, k_method).ptr(), "method");
    r.url = utf8(attr(item, k_url).ptr(), "url");
    py::object headers = attr(item, k_headers);
    if (PyObject_Length(headers.ptr()) != 0) {
      for (const auto& h : py::reinterpret_borrow<py::sequence>(headers)) {
        auto pair = py::reinterpret_borrow<py::sequence>(h);
        if (pair.size() != 2) throw py::value_error("header fields are (name, value) pairs");
        r.headers.emplace_back(utf8(py::object(pair[0]).ptr(), "header name"),
                               utf8(py::object(pair[1]).ptr(), "header value"));
      }
    }
    py::object body = attr(item, k_body);
    if (PyBytes_Check(body.ptr())) {
      r.body.assign(PyBytes_AS_STRING(body.ptr()),
                    static_cast<std::size_t>(PyBytes_GET_SIZE(body.ptr())));
    } else {
      Py_buffer view;  // bytearray, memoryview: the bytes as they are
      if (PyObject_GetBuffer(body.ptr(), &view, PyBUF_CONTIG_RO) != 0) {
        throw py::error_already_set();
      }
      r.body.assign(static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len));
      PyBuffer_Release(&view);
    }
    out.push_back(std::move(r));
    previous = item;
  }
  return out;
}

PyObject* new_ref(PyObject* o) {
  if (!o) throw py::error_already_set();
  return o;
}

// Response headers as a dict; repeated fields join with ", " (RFC 9110 5.3), as requests and
// urllib3 do. Values are Latin-1 (bytes as they came).
py::dict headers_dict(const std::vector<lc::header>& fields) {
  py::dict d;
  for (const auto& [name, value] : fields) {
    py::object key = py::reinterpret_steal<py::object>(new_ref(
        PyUnicode_DecodeLatin1(name.data(), static_cast<Py_ssize_t>(name.size()), nullptr)));
    py::object val = py::reinterpret_steal<py::object>(new_ref(
        PyUnicode_DecodeLatin1(value.data(), static_cast<Py_ssize_t>(value.size()), nullptr)));
    PyObject* seen = PyDict_GetItemWithError(d.ptr(), key.ptr());  // borrowed
    if (seen) {
      val = py::reinterpret_steal<py::object>(
          new_ref(PyUnicode_FromFormat("%U, %U", seen, val.ptr())));
    } else if (PyErr_Occurred()) {
      throw py::error_already_set();
    }
    if (PyDict_SetItem(d.ptr(), key.ptr(), val.ptr()) != 0) throw py::error_already_set();
  }
  return d;
}

// Builds Response objects. The Response class is a frozen slots dataclass whose __init__ only
// stores its eight fields; when the class has that shape (member descriptors for every field,
// no __post_init__), the fields are stored through the descriptors directly, which is what
// its __init__ does, minus the interpreted frame per result. Any other class is called.
class response_maker {
 public:
  explicit response_maker(const py::handle& cls) : cls_(cls) {
    static const char* const fields[kFields] = {"status",   "headers", "body",    "url",
                                                "attempts", "elapsed", "timings", "http_version"};
    if (!PyType_Check(cls.ptr()) || PyObject_HasAttrString(cls.ptr(), "__post_init__")) return;
    for (std::size_t k = 0; k < kFields; ++k) {
      PyObject* d = PyObject_GetAttrString(cls.ptr(), fields[k]);
      if (!d) {
        PyErr_Clear();
        return;
      }
      descr_[k] = py::reinterpret_steal<py::object>(d);
      if (Py_TYPE(d) != &PyMemberDescr_Type) return;
    }
    direct_ = true;
  }

  py::object operator()(py::object (&args)[8]) const {
    PyObject* argv[kFields];
    for (std::size_t k = 0; k < kFields; ++k) argv[k] = args[k].ptr();
    if (!direct_) {
      return py::reinterpret_steal<py::object>(
          new_ref(PyObject_Vectorcall(cls_.ptr(), argv, kFields, nullptr)));
    }
    auto* type = reinterpret_cast<PyTypeObject*>(cls_.ptr());
    py::tuple no_args(0);
    py::object obj =
        py::reinterpret_steal<py::object>(new_ref(type->tp_new(type, no_args.ptr(), nullptr)));
    for (std::size_t k = 0; k < kFields; ++k) {
      PyObject* d = descr_[k].ptr();
      if (Py_TYPE(d)->tp_descr_set(d, obj.ptr(), argv[k]) != 0) throw py::error_already_set();
    }
    return obj;
  }

 private:
  static constexpr std::size_t kFields = 8;
  py::handle cls_;
  py::object descr_[kFields];
  bool direct_ = false;
};

// The core's spelling of a version ("1.0", "1.1", "2", "3", "") as a str interned once per
// version, so a fan-out of n responses does not build n copies (called with the GIL held).
py::object version_str(lc::http_version v) {
  constexpr std::size_t kVersions = static_cast<std::size_t>(lc::http_version::v3) + 1;
  static const std::array<PyObject*, kVersions> names = [] {
    std::array<PyObject*, kVersions> out{};
    for (std::size_t k = 0; k < kVersions; ++k) {
      out[k] = PyUnicode_InternFromString(
          std::string(lc::to_string(static_cast<lc::http_version>(k))).c_str());
    }
    return out;
  }();
  auto k = static_cast<std::size_t>(v);
  return py::reinterpret_borrow<py::object>(new_ref(names[k < kVersions ? k : 0]));
}

py::object to_python(const lc::result& r, const response_maker& make_response,
                     const py::handle& error_cls) {
  if (const auto* resp = std::get_if<lc::response>(&r)) {
    const auto& t = resp->phases;
    py::object args[] = {
        py::int_(resp->status),
        headers_dict(resp->headers),
        py::reinterpret_steal<py::object>(new_ref(PyBytes_FromStringAndSize(
            resp->body.data(), static_cast<Py_ssize_t>(resp->body.size())))),
        py::reinterpret_steal<py::object>(new_ref(PyUnicode_DecodeUTF8(
            resp->url.data(), static_cast<Py_ssize_t>(resp->url.size()), "replace"))),
        py::int_(resp->attempts),
        py::float_(resp->elapsed),
        py::make_tuple(t.connect, t.tls, t.first_byte, t.total),
        version_str(resp->version),
    };
    return make_response(args);
  }
  const auto& e = std::get<lc::error>(r);
  return error_cls(std::string(lc::to_string(e.kind)), e.message, e.attempts, e.elapsed);
}

class py_run {
 public:
  py_run(const py::sequence& requests, const py::dict& policy) {
    auto reqs = to_requests(requests);
    auto pol = to_policy(policy);
    lc::invalid_input why;
    auto b = lc::batch::create(std::move(reqs), std::move(pol), &why);
    if (!b) {
      // (index or None, message): the Python layer turns it into InvalidRequest/PolicyError.
      py::object index = py::none();
      if (why.index != lc::invalid_input::npos) index = py::int_(why.index);
      PyErr_SetObject(PyExc_ValueError, py::make_tuple(index, why.message).ptr());
      throw py::error_already_set();
    }
    run_ = std::make_unique<lc::background_run>(std::move(b));
  }

  std::vector<std::size_t> wait(double timeout) {
    py::gil_scoped_release nogil;
    return run_->wait(
        std::chrono::duration_cast<lc::duration>(std::chrono::duration<double>(timeout)));
  }
  std::vector<std::size_t> poll() { return run_->poll(); }
  bool finished() { return run_->finished(); }
  bool wait_end(double timeout) {
    py::gil_scoped_release nogil;
    return run_->wait_end(
        std::chrono::duration_cast<lc::duration>(std::chrono::duration<double>(timeout)));
  }
  int fileno() const { return run_->notify_fd(); }
  void cancel() { run_->cancel(); }
  void join() {
    py::gil_scoped_release nogil;
    run_->join();
  }
  py::object result(std::size_t i, const py::handle& response_cls, const py::handle& error_cls) {
    auto& results = run_->get().results();
    if (i >= results.size()) throw py::index_error("no such request");
    return to_python(results[i], response_maker(response_cls), error_cls);
  }
  py::list results(const py::handle& response_cls, const py::handle& error_cls) {
    {
      py::gil_scoped_release nogil;
      run_->join();
    }
    auto& results = run_->get().results();
    py::list out(results.size());
    response_maker make_response(response_cls);
    for (std::size_t i = 0; i < results.size(); ++i) {
      out[i] = to_python(results[i], make_response, error_cls);
    }
    return out;
  }
  py::dict stats() {
    const auto& s = run_->get().stats();
    py::dict d;
    d["attempts"] = s.attempts;
    d["retries"] = s.retries;
    d["resends"] = s.resends;
    d["redirects"] = s.redirects;
    d["cancelled"] = s.cancelled;
    return d;
  }
  std::size_t size() const { return run_->get().size(); }

 private:
  std::unique_ptr<lc::background_run> run_;
};

}  // namespace

void bind_client(py::module_& m) {
  py::class_<py_run>(m, "ClientRun",
                     "One fan-out running on a native thread (private: use lapwise.Client)")
      .def(py::init<const py::sequence&, const py::dict&>(), py::arg("requests"), py::arg("policy"))
      .def("wait", &py_run::wait, py::arg("timeout"),
           "Indices finished since the last call; waits up to `timeout` s, GIL released")
      .def("poll", &py_run::poll)
      .def("finished", &py_run::finished)
      .def("wait_end", &py_run::wait_end, py::arg("timeout"),
           "Waits up to `timeout` s for the run to end (GIL released); True once it has")
      .def("fileno", &py_run::fileno)
      .def("cancel", &py_run::cancel)
      .def("join", &py_run::join)
      .def("result", &py_run::result)
      .def("results", &py_run::results)
      .def("stats", &py_run::stats)
      .def("__len__", &py_run::size);
}

}  // namespace lapwise::bindings

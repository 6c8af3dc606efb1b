// lapwise._native client glue: converts Python requests/policy to the core's types, runs the
// batch on the core's background thread, and converts results back. No scheduling logic here.
#include <lapwise/client/background.h>
#include <lapwise/client/client.h>

#include <chrono>
#include <memory>
#include <string>

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
  if (has("user_agent")) p.user_agent = d["user_agent"].cast<std::string>();
  if (has("seed")) p.seed = d["seed"].cast<std::uint64_t>();
  return p;
}

// Each item: (method: str, url: str, headers: sequence of (str, str), body: bytes).
std::vector<lc::request> to_requests(const py::sequence& items) {
  std::vector<lc::request> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    auto t = item.cast<py::tuple>();
    if (t.size() != 4) throw py::value_error("request tuples are (method, url, headers, body)");
    lc::request r;
    r.method = t[0].cast<std::string>();
    r.url = t[1].cast<std::string>();
    for (const auto& h : t[2].cast<py::sequence>()) {
      auto pair = h.cast<py::tuple>();
      r.headers.emplace_back(pair[0].cast<std::string>(), pair[1].cast<std::string>());
    }
    r.body = t[3].cast<std::string>();  // bytes -> std::string copies the bytes as they are
    out.push_back(std::move(r));
  }
  return out;
}

py::object to_python(const lc::result& r, const py::handle& response_cls,
                     const py::handle& error_cls) {
  if (const auto* resp = std::get_if<lc::response>(&r)) {
    py::dict headers;
    for (const auto& [name, value] : resp->headers) {
      py::str key(name);
      py::str val(
          PyUnicode_DecodeLatin1(value.data(), static_cast<Py_ssize_t>(value.size()), nullptr));
      if (headers.contains(key)) {
        // Repeated fields join with ", " (RFC 9110 §5.3), as requests and urllib3 do.
        headers[key] = py::str(headers[key]) + py::str(", ") + val;
      } else {
        headers[key] = val;
      }
    }
    const auto& t = resp->phases;
    return response_cls(resp->status, headers, py::bytes(resp->body), resp->url, resp->attempts,
                        resp->elapsed, py::make_tuple(t.connect, t.tls, t.first_byte, t.total));
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
  int fileno() const { return run_->notify_fd(); }
  void cancel() { run_->cancel(); }
  void join() {
    py::gil_scoped_release nogil;
    run_->join();
  }
  py::object result(std::size_t i, const py::handle& response_cls, const py::handle& error_cls) {
    auto& results = run_->get().results();
    if (i >= results.size()) throw py::index_error("no such request");
    return to_python(results[i], response_cls, error_cls);
  }
  py::list results(const py::handle& response_cls, const py::handle& error_cls) {
    {
      py::gil_scoped_release nogil;
      run_->join();
    }
    auto& results = run_->get().results();
    py::list out(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      out[i] = to_python(results[i], response_cls, error_cls);
    }
    return out;
  }
  py::dict stats() {
    const auto& s = run_->get().stats();
    py::dict d;
    d["attempts"] = s.attempts;
    d["retries"] = s.retries;
    d["resends"] = s.resends;
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
      .def("fileno", &py_run::fileno)
      .def("cancel", &py_run::cancel)
      .def("join", &py_run::join)
      .def("result", &py_run::result)
      .def("results", &py_run::results)
      .def("stats", &py_run::stats)
      .def("__len__", &py_run::size);
}

}  // namespace lapwise::bindings

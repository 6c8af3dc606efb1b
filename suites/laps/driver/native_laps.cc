// native_laps — the "native" lap family: each step of one request done by the C++ cores,
// called from C++, timed in isolation on the same inputs the Python families get, then the
// whole pipeline in one go. One process = one repetition; bench.py runs it N times.
//
//   native_laps --request F --routes F --body F --scenario api|users [--batches N]
//               [--min-batch-us U]
//
// --request: the raw request bytes; --routes: "METHOD canonical-pattern" per line (value =
// line index); --body: the expected compact JSON body (input of the response step when the
// serializer is missing). Prints one JSON object on stdout, the shape lap_child.py prints,
// plus "check": every step's output, which bench.py verifies against the expected answers
// before any timing is kept (a wrong answer fails the run there). Steps whose core is not in
// this build are {"na": "n/a: <reason>"}.
#include <time.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#if LAPWISE_LAPS_HAS_ROUTER
#include "lapwise/router/radix_router.h"
#endif
#if LAPWISE_LAPS_HAS_PARSER
#include "lapwise/parser/http.h"
#include "lapwise/parser/json_writer.h"
#include "lapwise/parser/percent.h"
#include "lapwise/parser/query.h"
#endif

namespace lapwise::laps {
namespace {

// --- output ------------------------------------------------------------------------------

// A JSON string literal of arbitrary bytes: bytes >= 0x80 become \u00XX, so the reader gets
// them back with .encode("latin-1").
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// --- timing ------------------------------------------------------------------------------

std::int64_t cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Keeps the compiler from dropping a result it can see is unused.
template <class T>
void keep(T const& value) noexcept {
  asm volatile("" : : "r,m"(value) : "memory");
}

struct timing {
  double ns = 0;  // median CPU ns per call
  std::size_t batch = 0;
  int batches = 0;
  double spread = 0;
};

template <class F>
std::int64_t run_batch(F& f, std::size_t n) {
  const std::int64_t t0 = cpu_ns();
  for (std::size_t i = 0; i < n; ++i) keep(f());
  return cpu_ns() - t0;
}

// Same protocol as lap_timer.py: power-of-two batch lasting >= min_batch_ns, one warm-up
// batch, median of `batches` batches.
template <class F>
timing measure(F f, int batches, std::int64_t min_batch_ns) {
  std::size_t n = 1;
  while (n < (std::size_t{1} << 30) && run_batch(f, n) < min_batch_ns) n *= 2;
  run_batch(f, n);
  std::vector<double> per;
  for (int b = 0; b < batches; ++b) per.push_back(double(run_batch(f, n)) / double(n));
  std::vector<double> sorted = per;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t m = sorted.size();
  const double med = m % 2 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
  return {med, n, batches, med > 0 ? (sorted.back() - sorted.front()) / med : 0};
}

// --- inputs ------------------------------------------------------------------------------

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct route_def {
  std::string method;
  std::string pattern;
  std::vector<std::pair<std::string, bool>> params;  // name, is {name:int}
};

std::vector<route_def> parse_routes(std::string_view text) {
  std::vector<route_def> out;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty()) continue;
    const std::size_t sp = line.find(' ');
    route_def r{std::string(line.substr(0, sp)), std::string(line.substr(sp + 1)), {}};
    std::string_view p = r.pattern;
    for (std::size_t i = p.find('{'); i != std::string_view::npos; i = p.find('{', i + 1)) {
      std::string_view spec = p.substr(i + 1, p.find('}', i) - i - 1);
      const std::size_t colon = spec.find(':');
      r.params.emplace_back(std::string(spec.substr(0, colon)),
                            colon != std::string_view::npos && spec.substr(colon + 1) == "int");
    }
    out.push_back(std::move(r));
  }
  return out;
}

// --- the values passed between steps -------------------------------------------------------

// The request object a C++ server would hand on: decoded path, lower-cased header names. It is
// reused across requests (as a connection would), so steady state does not allocate.
struct request_object {
  std::string_view method;
  std::string_view path;  // into path_storage when decoding was needed, else into the buffer
  std::string_view query;
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // names in names_
  std::string path_storage;
  std::string names;
};

struct kwarg {
  std::string_view name;
  bool is_int = false;
  std::int64_t int_value = 0;
  std::string_view text;
};

struct kwargs {
  std::array<kwarg, 16> items{};
  std::size_t count = 0;
  [[nodiscard]] const kwarg* find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < count; ++i) {
      if (items[i].name == name) return &items[i];
    }
    return nullptr;
  }
};

using pair_list = std::vector<std::pair<std::string_view, std::string_view>>;

struct api_value {  // lap_inputs.api_handler
  std::string_view owner, repo;
  const pair_list* query = nullptr;
  std::int64_t count = 0;
  double ratio = 0.1;
  bool ok = true;
};

struct users_value {  // lap_inputs.users_handler
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string_view> q;
};

using handler_value = std::variant<api_value, users_value>;

// The handler's value as JSON, written by the driver (not a core), only for verification.
std::string debug_json(const handler_value& v) {
  if (const auto* a = std::get_if<api_value>(&v)) {
    std::string out =
        "{\"owner\":" + quote(a->owner) + ",\"repo\":" + quote(a->repo) + ",\"query\":[";
    for (std::size_t i = 0; i < a->query->size(); ++i) {
      out +=
          (i ? ",[" : "[") + quote((*a->query)[i].first) + "," + quote((*a->query)[i].second) + "]";
    }
    return out + "],\"count\":" + std::to_string(a->count) +
           ",\"ratio\":0.1,\"ok\":" + (a->ok ? "true" : "false") + "}";
  }
  const auto& u = std::get<users_value>(v);
  return "{\"id\":" + std::to_string(u.id) + ",\"name\":" + quote(u.name) +
         ",\"q\":" + (u.q ? quote(*u.q) : std::string("null")) + "}";
}

// --- the steps ---------------------------------------------------------------------------

struct step_out {
  std::string name;
  std::string na;  // reason when the step cannot run in this build
  std::string impl;
  std::string check;  // JSON value of the step's output
  timing t;
};

void build_request_into(std::string_view method, std::string_view raw_path, std::string_view query,
                        const std::pair<std::string_view, std::string_view>* hs, std::size_t n,
                        request_object& r);

bool needs_decode(std::string_view path) noexcept {
  return path.find('%') != std::string_view::npos;
}

class driver {
 public:
  driver(std::string request, std::vector<route_def> routes, std::string body, std::string scenario)
      : request_(std::move(request)),
        routes_(std::move(routes)),
        expected_body_(std::move(body)),
        scenario_(std::move(scenario)) {}

  int run(int batches, std::int64_t min_batch_ns) {
    std::vector<step_out> steps;
    const bool users = scenario_ == "users";
#if LAPWISE_LAPS_HAS_PARSER
    // parse
    headers_.resize(64);
    body_storage_.resize(4096);
    auto parse = [&]() {
      return parser::parse_request(request_, parsed_, headers_, body_storage_).status;
    };
    if (parse() != parser::parse_status::complete) return fail("parse: request rejected");
    {
      std::string hs = "[";
      for (std::size_t i = 0; i < parsed_.headers.size(); ++i) {
        hs += (i ? ",[" : "[") + quote(parsed_.headers[i].name) + "," +
              quote(parsed_.headers[i].value) + "]";
      }
      steps.push_back({"parse", "", "lapwise::parser::parse_request",
                       "{\"method\":" + quote(parsed_.method) + ",\"path\":" + quote(parsed_.path) +
                           ",\"query\":" + quote(parsed_.query) + ",\"headers\":" + hs + "]}",
                       measure(parse, batches, min_batch_ns)});
    }
    // build request object
    pairs_.clear();
    for (const auto& h : parsed_.headers) pairs_.emplace_back(h.name, h.value);
    auto build = [&]() {
      build_request_into(parsed_.method, parsed_.path, parsed_.query, pairs_.data(), pairs_.size(),
                         req_);
      return req_.headers.size();
    };
    build();
    {
      std::string hs = "[";
      for (std::size_t i = 0; i < req_.headers.size(); ++i) {
        hs += (i ? ",[" : "[") + quote(req_.headers[i].first) + "," +
              quote(req_.headers[i].second) + "]";
      }
      steps.push_back({"build_request", "", "c++ (request object, lower-cased names)",
                       "{\"method\":" + quote(req_.method) + ",\"path\":" + quote(req_.path) +
                           ",\"query_string\":" + quote(req_.query) + ",\"headers\":" + hs + "]}",
                       measure(build, batches, min_batch_ns)});
    }
#else
    steps.push_back({"parse", "n/a: lapwise::parser is not in this build", "", "", {}});
    steps.push_back(
        {"build_request", "n/a: needs lapwise::parser (not in this build)", "", "", {}});
    req_.method = "GET";
#endif
#if LAPWISE_LAPS_HAS_ROUTER
    for (std::size_t i = 0; i < routes_.size(); ++i) {
      if (auto err = router_.add(routes_[i].method, routes_[i].pattern, std::uint32_t(i))) {
        return fail("route table: " + err->message);
      }
    }
#if !LAPWISE_LAPS_HAS_PARSER
    // Without the parser the route step still runs, on the request's own method and path.
    const std::string_view target = std::string_view(request_).substr(request_.find(' ') + 1);
    req_path_copy_ = std::string(target.substr(0, target.find_first_of("? ")));
    req_.method = std::string_view(request_).substr(0, request_.find(' '));
    req_.path = req_path_copy_;
#endif
    auto route = [&]() {
      match_ = router_.match(req_.method, req_.path);
      return match_.value;
    };
    route();
    if (!match_.found()) return fail("route: no match for " + std::string(req_.path));
    {
      std::string ps = "{";
      for (std::size_t i = 0; i < match_.param_count; ++i) {
        ps += (i ? "," : "") + quote(match_.params[i].name) + ":" + quote(match_.params[i].value);
      }
      steps.push_back({"route", "", "lapwise::router::radix_router",
                       "{\"value\":" + std::to_string(match_.value) + ",\"params\":" + ps + "}}",
                       measure(route, batches, min_batch_ns)});
    }
    auto params = [&]() {
      convert_params();
      return kw_.count;
    };
    if (!convert_params()) return fail("params: a parameter does not convert");
    {
      std::string ks = "{";
      for (std::size_t i = 0; i < kw_.count; ++i) {
        const kwarg& k = kw_.items[i];
        ks += (i ? "," : "") + quote(k.name) + ":" +
              (k.is_int ? std::to_string(k.int_value) : quote(k.text));
      }
      steps.push_back({"params", "", "c++ (route converters)", ks + "}",
                       measure(params, batches, min_batch_ns)});
    }
#else
    steps.push_back({"route", "n/a: lapwise::router is not in this build", "", "", {}});
    steps.push_back({"params", "n/a: needs lapwise::router (not in this build)", "", "", {}});
#endif
#if LAPWISE_LAPS_HAS_PARSER
    auto query = [&]() { return query_parser_.parse(req_.query); };
    if (query() != parser::query_status::ok) return fail("query: rejected");
    {
      std::string qs = "[";
      const auto pairs = query_parser_.pairs();
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        qs += (i ? ",[" : "[") + quote(pairs[i].key) + "," + quote(pairs[i].value) + "]";
      }
      steps.push_back({"query", "", "lapwise::parser::query_parser", qs + "]",
                       measure(query, batches, min_batch_ns)});
    }
#else
    steps.push_back({"query", "n/a: lapwise::parser is not in this build", "", "", {}});
#endif
#if LAPWISE_LAPS_HAS_PARSER && LAPWISE_LAPS_HAS_ROUTER
    auto handler = [&]() {
      call_handler(users);
      return value_.index();
    };
    call_handler(users);
    steps.push_back({"handler", "", "c++ (app handler)", debug_json(value_),
                     measure(handler, batches, min_batch_ns)});
    auto serialize = [&]() { return write_json(); };
    if (!write_json()) return fail("serialize: the JSON writer failed");
    steps.push_back({"serialize", "", "lapwise::parser::json::writer", quote(writer_.view()),
                     measure(serialize, batches, min_batch_ns)});
#else
    steps.push_back({"handler", "n/a: needs lapwise::parser and lapwise::router", "", "", {}});
    steps.push_back(
        {"serialize", "n/a: lapwise::parser (JSON writer) is not in this build", "", "", {}});
#endif
    // The response head is written the way a C++ server writes it: one reused buffer.
    std::string_view body = expected_body_;
#if LAPWISE_LAPS_HAS_PARSER && LAPWISE_LAPS_HAS_ROUTER
    body = writer_.view();
#endif
    auto response = [&, body]() {
      build_response(body);
      return response_.size();
    };
    build_response(body);
    steps.push_back({"response", "", "c++ (one reused buffer)", quote(response_),
                     measure(response, batches, min_batch_ns)});

    std::string pipeline_json;
#if LAPWISE_LAPS_HAS_PARSER && LAPWISE_LAPS_HAS_ROUTER
    auto pipeline = [&]() {
      if (parse() != parser::parse_status::complete) return std::size_t{0};
      build();
      route();
      convert_params();
      query_parser_.parse(req_.query);
      call_handler(users);
      write_json();
      build_response(writer_.view());
      return response_.size();
    };
    response_.clear();
    pipeline();
    const timing pt = measure(pipeline, batches, min_batch_ns);
    pipeline_json = timing_json(pt, "all steps chained") + ",\"check\":" + quote(response_);
#else
    pipeline_json = "\"na\":\"n/a: needs every step (lapwise::parser and lapwise::router)\"";
#endif
    std::string out = "{\"family\":\"native\",\"scenario\":" + quote(scenario_) + ",\"steps\":{";
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const step_out& s = steps[i];
      out += (i ? "," : "") + quote(s.name) + ":{";
      out += s.na.empty() ? timing_json(s.t, s.impl) + ",\"check\":" + s.check
                          : "\"na\":" + quote(s.na);
      out += "}";
    }
    out += "},\"pipeline\":{" + pipeline_json + "}}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }

 private:
  static std::string timing_json(const timing& t, const std::string& impl) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "\"ns\":%.3f,\"batch\":%zu,\"batches\":%d,\"spread\":%.4f,",
                  t.ns, t.batch, t.batches, t.spread);
    return buf + std::string("\"impl\":") + quote(impl);
  }

  static int fail(const std::string& why) {
    std::fprintf(stderr, "native_laps: wrong answer: %s\n", why.c_str());
    return 1;
  }

  bool convert_params() noexcept {
#if LAPWISE_LAPS_HAS_ROUTER
    const route_def& def = routes_[match_.value];
    kw_.count = 0;
    for (std::size_t i = 0; i < match_.param_count; ++i) {
      kwarg& k = kw_.items[kw_.count++];
      k.name = match_.params[i].name;
      k.text = match_.params[i].value;
      k.is_int = false;
      for (const auto& [name, is_int] : def.params) {
        if (name == k.name && is_int) {
          auto [p, ec] = std::from_chars(k.text.data(), k.text.data() + k.text.size(), k.int_value);
          if (ec != std::errc() || p != k.text.data() + k.text.size()) return false;
          k.is_int = true;
        }
      }
    }
#endif
    return true;
  }

  void call_handler(bool users) {
#if LAPWISE_LAPS_HAS_PARSER
    const auto pairs = query_parser_.pairs();
    if (users) {
      users_value u;
      const kwarg* id = kw_.find("id");
      u.id = id ? id->int_value : 0;
      u.name = "user" + std::to_string(u.id);
      for (const auto& p : pairs) {
        if (p.key == "q") {
          u.q = p.value;
          break;
        }
      }
      value_ = std::move(u);
      return;
    }
    query_copy_.clear();
    for (const auto& p : pairs) query_copy_.emplace_back(p.key, p.value);
    const kwarg* owner = kw_.find("owner");
    const kwarg* repo = kw_.find("repo");
    value_ = api_value{owner ? owner->text : "",
                       repo ? repo->text : "",
                       &query_copy_,
                       std::int64_t(query_copy_.size()),
                       0.1,
                       true};
#else
    (void)users;
#endif
  }

#if LAPWISE_LAPS_HAS_PARSER
  bool key(std::string_view k) {
    return writer_.string_utf8(k, false) == parser::json::write_status::ok && writer_.put(':');
  }
  bool str(std::string_view s) {
    return writer_.string_utf8(s, false) == parser::json::write_status::ok;
  }
#endif

  // The handler's value as compact JSON through the core's writer (reused buffer).
  bool write_json() {
#if LAPWISE_LAPS_HAS_PARSER
    using parser::json::write_status;
    writer_.clear();
    if (const auto* a = std::get_if<api_value>(&value_)) {
      bool ok = writer_.put('{') && key("owner") && str(a->owner) && writer_.put(',') &&
                key("repo") && str(a->repo) && writer_.put(',') && key("query") && writer_.put('[');
      for (std::size_t i = 0; ok && i < a->query->size(); ++i) {
        ok = (i == 0 || writer_.put(',')) && writer_.put('[') && str((*a->query)[i].first) &&
             writer_.put(',') && str((*a->query)[i].second) && writer_.put(']');
      }
      return ok && writer_.put(']') && writer_.put(',') && key("count") &&
             writer_.int_value(a->count) && writer_.put(',') && key("ratio") &&
             writer_.double_value(a->ratio, false) == write_status::ok && writer_.put(',') &&
             key("ok") && writer_.bool_value(a->ok) && writer_.put('}');
    }
    const auto& u = std::get<users_value>(value_);
    return writer_.put('{') && key("id") && writer_.int_value(u.id) && writer_.put(',') &&
           key("name") && str(u.name) && writer_.put(',') && key("q") &&
           (u.q ? str(*u.q) : writer_.null_value()) && writer_.put('}');
#else
    return false;
#endif
  }

  void build_response(std::string_view body) {
    static constexpr std::string_view head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ";
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body.size());
    response_.clear();
    response_.reserve(head.size() + 24 + 4 + body.size());
    response_.append(head);
    response_.append(digits, end);
    response_.append("\r\n\r\n");
    response_.append(body);
  }

  std::string request_;
  std::vector<route_def> routes_;
  std::string expected_body_;
  std::string scenario_;
  request_object req_;
  std::string req_path_copy_;
  kwargs kw_;
  pair_list pairs_;
  pair_list query_copy_;
  handler_value value_;
  std::string response_;
#if LAPWISE_LAPS_HAS_PARSER
  parser::request parsed_;
  std::vector<parser::header> headers_;
  std::vector<char> body_storage_;
  parser::query_parser query_parser_;
  parser::json::writer writer_;
#endif
#if LAPWISE_LAPS_HAS_ROUTER
  router::radix_router router_;
  router::match_result match_;
#endif
};

void build_request_into(std::string_view method, std::string_view raw_path, std::string_view query,
                        const std::pair<std::string_view, std::string_view>* hs, std::size_t n,
                        request_object& r) {
  r.method = method;
  r.query = query;
#if LAPWISE_LAPS_HAS_PARSER
  if (needs_decode(raw_path)) {
    r.path_storage.resize(raw_path.size());
    r.path_storage.resize(parser::percent_decode_path(raw_path, r.path_storage.data()));
    r.path = r.path_storage;
  } else {
    r.path = raw_path;
  }
#else
  r.path = raw_path;
#endif
  // Names are lower-cased into one arena sized up front, so the views stay valid.
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += hs[i].first.size();
  r.names.resize(total);
  r.headers.clear();
  char* out = r.names.data();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view name = hs[i].first;
    for (std::size_t j = 0; j < name.size(); ++j) {
      const char c = name[j];
      out[j] = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    }
    r.headers.emplace_back(std::string_view(out, name.size()), hs[i].second);
    out += name.size();
  }
}

int usage(const char* why) {
  std::fprintf(stderr,
               "native_laps: %s\nusage: native_laps --request F --routes F --body F "
               "--scenario api|users [--batches N] [--min-batch-us U]\n",
               why);
  return 2;
}

}  // namespace
}  // namespace lapwise::laps

int main(int argc, char** argv) {
  using namespace lapwise::laps;
  std::string request_path, routes_path, body_path, scenario = "api";
  int batches = 15;
  double min_batch_us = 2000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) return usage("missing value after an option");
    const char* v = argv[++i];
    if (a == "--request")
      request_path = v;
    else if (a == "--routes")
      routes_path = v;
    else if (a == "--body")
      body_path = v;
    else if (a == "--scenario")
      scenario = v;
    else if (a == "--batches")
      batches = std::atoi(v);
    else if (a == "--min-batch-us")
      min_batch_us = std::atof(v);
    else
      return usage("unknown option");
  }
  if (request_path.empty() || routes_path.empty() || body_path.empty()) {
    return usage("--request, --routes and --body are required");
  }
  if (batches < 1 || min_batch_us <= 0) return usage("--batches and --min-batch-us must be > 0");
  auto request = read_file(request_path);
  auto routes = read_file(routes_path);
  auto body = read_file(body_path);
  for (const auto& [content, path] :
       {std::pair{&request, &request_path}, {&routes, &routes_path}, {&body, &body_path}}) {
    if (!*content) {
      std::fprintf(stderr, "native_laps: %s: cannot read the file\n", path->c_str());
      return 2;
    }
  }
  driver d(std::move(*request), parse_routes(*routes), std::move(*body), scenario);
  return d.run(batches, static_cast<std::int64_t>(min_batch_us * 1000));
}

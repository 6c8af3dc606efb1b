// Differential fuzzer: the input is a small route table and a few requests, fed to both
// routers. Invariants: add() gives the same error (code and message) in both or succeeds in
// both; every lookup gives the same answer in both; parameter values are views into the
// request path; a found value belongs to a route that was inserted, for that method, and
// substituting the parameters back into its pattern gives the request path again.
//
// Input: lines separated by '\n'. A line "R <method> <pattern>" adds a route, any other line
// "<method> <path>" is a request (a line without a space is a GET of the whole line).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/router/linear_router.h"
#include "lapwise/router/radix_router.h"

namespace {

using namespace lapwise::router;

struct inserted {
  std::string method;
  std::string pattern;
};

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "router_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

bool same(const match_result& a, const match_result& b) {
  if (a.kind != b.kind || a.param_count != b.param_count) return false;
  if (a.kind == status::found && a.value != b.value) return false;
  if (a.kind == status::method_not_allowed && a.allowed != b.allowed) return false;
  for (std::size_t i = 0; i < a.param_count; ++i) {
    if (a.params[i].name != b.params[i].name || a.params[i].value != b.params[i].value) {
      return false;
    }
  }
  return true;
}

// The pattern with each {param} replaced by its value from `m`, in order.
std::string substitute(std::string_view pattern, const match_result& m) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    std::size_t close = pattern.find('}', i);
    if (next < m.param_count) out += m.params[next].value;
    ++next;
    i = close;
  }
  return out;
}

// A path the canonical `pattern` matches: {x} -> "v", {x:int} -> "7", {x:path} -> "p/q".
std::string example_path(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    std::size_t close = pattern.find('}', i);
    std::string_view inner = pattern.substr(i, close - i);
    out += inner.ends_with(":int") ? "7" : inner.ends_with(":path") ? "p/q" : "v";
    i = close;
  }
  return out;
}

void check_lookup(const radix_router& radix, const linear_router& linear,
                  const std::vector<inserted>& routes, std::string_view method,
                  std::string_view path) {
  match_result a = radix.match(method, path);
  match_result b = linear.match(method, path);
  match_result c;
  c.param_count = 99;  // garbage in a reused result must not leak out
  radix.match_into(method, path, c);
  if (!same(a, b)) fail("radix and linear disagree", path);
  if (!same(a, c)) fail("match and match_into disagree", path);
  if (a.kind != status::found && a.param_count != 0) fail("params without a match", path);
  for (std::size_t i = 0; i < a.param_count; ++i) {
    const char* v = a.params[i].value.data();
    if (a.params[i].value.size() > 0 &&
        (v < path.data() || v + a.params[i].value.size() > path.data() + path.size())) {
      fail("parameter value outside the path", path);
    }
  }
  if (a.kind == status::found) {
    if (a.value >= routes.size()) fail("value never inserted", path);
    const inserted& r = routes[a.value];
    if (r.method != method) fail("found a route of another method", r.pattern);
    if (substitute(r.pattern, a) != path) fail("parameters do not rebuild the path", r.pattern);
  }
  if (a.kind == status::method_not_allowed && a.allowed.empty()) fail("empty allowed", path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  radix_router radix;
  linear_router linear;
  std::vector<inserted> routes;  // index = value
  std::vector<std::string_view> requests;
  std::size_t lines = 0;
  while (!input.empty() && lines++ < 64) {
    std::size_t eol = input.find('\n');
    std::string_view line = input.substr(0, eol);
    input = eol == std::string_view::npos ? std::string_view{} : input.substr(eol + 1);
    if (line.size() > 2 && line[0] == 'R' && line[1] == ' ') {
      line.remove_prefix(2);
      std::size_t sp = line.find(' ');
      std::string_view method = sp == std::string_view::npos ? "GET" : line.substr(0, sp);
      std::string_view pattern = sp == std::string_view::npos ? line : line.substr(sp + 1);
      auto value = static_cast<std::uint32_t>(routes.size());
      auto ea = radix.add(method, pattern, value);
      auto eb = linear.add(method, pattern, value);
      if (ea.has_value() != eb.has_value()) fail("add: one router accepts", pattern);
      if (ea && (ea->code != eb->code || ea->message != eb->message)) {
        fail("add: different errors", ea->message + " | " + eb->message);
      }
      if (ea && ea->message.empty()) fail("add: empty message", pattern);
      if (!ea) routes.push_back({std::string(method), std::string(pattern)});
      if (radix.size() != routes.size() || linear.size() != routes.size()) fail("size", pattern);
      // A path built from the new route matches it, so that method must find a route.
      if (!ea && !radix.match(method, example_path(pattern)).found()) {
        fail("a route's own example path is not found", pattern);
      }
      continue;
    }
    requests.push_back(line);
  }
  for (std::string_view req : requests) {
    std::size_t sp = req.find(' ');
    std::string_view method = sp == std::string_view::npos ? "GET" : req.substr(0, sp);
    std::string_view path = sp == std::string_view::npos ? req : req.substr(sp + 1);
    check_lookup(radix, linear, routes, method, path);
    check_lookup(radix, linear, routes, "GET", path);
  }
  // Every route's pattern as a request, under each method seen.
  for (const inserted& r : routes) {
    for (const inserted& m : routes) check_lookup(radix, linear, routes, m.method, r.pattern);
  }
  // to_canonical must either fail or produce something add() accepts.
  for (std::string_view req : requests) {
    for (syntax from : {syntax::canonical, syntax::httprouter, syntax::werkzeug}) {
      std::string error;
      auto out = to_canonical(req, from, &error);
      if (!out && error.empty()) fail("to_canonical: no message", req);
      if (out) {
        radix_router fresh;
        if (auto e = fresh.add("GET", *out, 0)) fail("to_canonical output rejected", e->message);
        if (from == syntax::canonical && *out != req) fail("canonical input changed", req);
      }
    }
  }
  return 0;
}

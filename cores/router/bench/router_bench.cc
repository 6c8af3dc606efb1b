// Router lookups, Google Benchmark. Ids follow `router.<scenario>[<param>]/<impl>` with impl
// `native` (radix_router) and `native-linear` (linear_router).
//
// One iteration is ONE lookup: each iteration takes the next request of the scenario's list
// (wrapping around), so cpu_time is the time per lookup and items_per_second counts lookups.
// Lookups go through match_into() with one reused match_result, as a serving loop (or the
// bindings' match_many) does; match() by value adds the clearing of a fresh result.
// Every scenario first checks every answer (value and parameters) against an oracle computed
// from the route text alone, and fails with SkipWithError on the first wrong one.
//
// Scenarios: the go-http-routing-benchmark sets (`*_all`: every route requested literally, in
// file order; `*_static`, `*_param`, `*_2params`: the single paths of lookups.tsv), the node
// router-benchmark set (`node_*`), and `growth[N]`: N generated REST routes (route_gen.h), 64
// lookups spread over the table. growth measures how lookup cost scales with table size at a
// fixed request mix: flat-ish for the tree (its depth follows the path, not the table), linear
// in the number of patterned routes for native-linear.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lapwise/router/linear_router.h"
#include "lapwise/router/radix_router.h"
#include "lapwise_datasets/datasets.h"
#include "route_gen.h"

namespace lapwise::router::bench {
namespace {

// A scenario: routes to insert and the requests to time. `error` is set when it cannot be
// built (missing dataset, a route that does not import), and the benchmark then fails.
struct scenario {
  std::vector<generated_route> routes;
  std::vector<lookup> lookups;
  std::string error;
};

struct dataset {
  std::vector<datasets::route_line> lines;
  std::vector<std::string> canonical;
  std::string error;
};

const dataset& load(const std::string& name) {
  static std::map<std::string, dataset> cache;
  auto [it, fresh] = cache.try_emplace(name);
  dataset& d = it->second;
  if (!fresh) return d;
  try {
    d.lines = datasets::routes(name);
  } catch (const std::exception& e) {
    d.error = e.what();
    return d;
  }
  for (const auto& l : d.lines) {
    std::string error;
    auto c = to_canonical(l.pattern, syntax::httprouter, &error);
    if (!c) {
      d.error = name + ": " + error;
      return d;
    }
    d.canonical.push_back(*c);
  }
  return d;
}

scenario routes_of(const dataset& d) {
  scenario s;
  s.error = d.error;
  for (std::size_t i = 0; i < d.canonical.size(); ++i) {
    s.routes.push_back({d.lines[i].method, d.canonical[i], static_cast<std::uint32_t>(i)});
  }
  return s;
}

// Every route of a set, its own pattern text as the path (GithubAll style).
scenario all_of(const std::string& name) {
  const dataset& d = load(name);
  scenario s = routes_of(d);
  for (std::size_t i = 0; i < d.canonical.size(); ++i) {
    const auto& l = d.lines[i];
    s.lookups.push_back({l.method, l.pattern, static_cast<std::uint32_t>(i),
                         expected_params(l.pattern, l.pattern)});
  }
  return s;
}

// Requests of lookups.tsv, each with the httprouter pattern that must answer it.
struct single {
  const char* id;
  const char* set;
  std::vector<std::pair<const char*, const char*>> lookups;  // tsv benchmark name, pattern
};

const std::vector<single>& singles() {
  static const std::vector<single> s = {
      {"router.github_static", "github", {{"GithubStatic", "/user/repos"}}},
      {"router.github_param", "github", {{"GithubParam", "/repos/:owner/:repo/stargazers"}}},
      {"router.gplus_static", "gplus", {{"GPlusStatic", "/people"}}},
      {"router.gplus_param", "gplus", {{"GPlusParam", "/people/:userId"}}},
      {"router.gplus_2params",
       "gplus",
       {{"GPlus2Params", "/people/:userId/activities/:collection"}}},
      {"router.parse_static", "parse", {{"ParseStatic", "/1/users"}}},
      {"router.parse_param", "parse", {{"ParseParam", "/1/classes/:className"}}},
      {"router.parse_2params", "parse", {{"Parse2Params", "/1/classes/:className/:objectId"}}},
      {"router.node_all",
       "node_router_benchmark",
       {{"short static", "/user"},
        {"static with same radix", "/user/comments"},
        {"dynamic route", "/user/lookup/username/:username"},
        {"mixed static dynamic", "/event/:id/comments"},
        {"long static", "/very/deeply/nested/route/hello/there"},
        {"wildcard", "/static/*"}}},
  };
  return s;
}

scenario single_of(const single& spec) {
  const dataset& d = load(spec.set);
  scenario s = routes_of(d);
  if (!s.error.empty()) return s;
  std::string tsv;
  try {
    tsv = datasets::read("routes/lookups.tsv");
  } catch (const std::exception& e) {
    s.error = e.what();
    return s;
  }
  for (auto [bench_name, pattern] : spec.lookups) {
    // Line: dataset \t benchmark \t method \t path
    std::string key = std::string(spec.set) + "\t" + bench_name + "\t";
    std::size_t at = tsv.find(key);
    if (at == std::string::npos || (at > 0 && tsv[at - 1] != '\n')) {
      s.error = "lookups.tsv has no row " + key;
      return s;
    }
    std::size_t m = at + key.size(), tab = tsv.find('\t', m), eol = tsv.find('\n', tab);
    std::string method = tsv.substr(m, tab - m);
    std::string path = tsv.substr(tab + 1, eol == std::string::npos ? eol : eol - tab - 1);
    std::uint32_t value = UINT32_MAX;
    for (std::size_t i = 0; i < d.lines.size(); ++i) {
      if (d.lines[i].method == method && d.lines[i].pattern == pattern) value = i;
    }
    if (value == UINT32_MAX) {
      s.error = std::string("no route ") + method + " " + pattern + " in " + spec.set;
      return s;
    }
    s.lookups.push_back({method, path, value, expected_params(pattern, path)});
  }
  return s;
}

template <class Router>
void run(benchmark::State& state, const std::function<scenario()>& make) {
  scenario s = make();
  if (!s.error.empty()) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  Router router;
  for (const auto& r : s.routes) {
    if (auto err = router.add(r.method, r.pattern, r.value)) {
      state.SkipWithError(err->message.c_str());
      return;
    }
  }
  for (const auto& l : s.lookups) {
    match_result m = router.match(l.method, l.path);
    bool ok = m.found() && m.value == l.value && m.param_count == l.params.size();
    for (std::size_t i = 0; ok && i < l.params.size(); ++i) {
      ok = m.params[i].name == l.params[i].first && m.params[i].value == l.params[i].second;
    }
    if (!ok) {
      std::string msg = "wrong answer for " + l.method + " " + l.path;
      state.SkipWithError(msg.c_str());
      return;
    }
  }
  const std::size_t n = s.lookups.size();
  std::size_t i = 0;
  match_result m;
  for (auto _ : state) {
    const lookup& l = s.lookups[i];
    router.match_into(l.method, l.path, m);
    benchmark::DoNotOptimize(m);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["routes"] = static_cast<double>(router.size());
  state.counters["lookups"] = static_cast<double>(n);
}

void add(const std::string& id, const std::function<scenario()>& make) {
  benchmark::RegisterBenchmark((id + "/native").c_str(),
                               [make](benchmark::State& st) { run<radix_router>(st, make); });
  benchmark::RegisterBenchmark((id + "/native-linear").c_str(),
                               [make](benchmark::State& st) { run<linear_router>(st, make); });
}

void register_all() {
  for (const char* set : {"github", "static", "gplus", "parse"}) {
    std::string name = set;
    add("router." + name + "_all", [name] { return all_of(name); });
  }
  for (const single& spec : singles()) {
    add(spec.id, [&spec] { return single_of(spec); });
  }
  for (std::size_t n : {10, 100, 1000, 10000}) {
    add("router.growth[" + std::to_string(n) + "]", [n] {
      route_table t = make_growth_table(n);
      return scenario{std::move(t.routes), std::move(t.lookups), {}};
    });
  }
}

}  // namespace
}  // namespace lapwise::router::bench

int main(int argc, char** argv) {
  lapwise::router::bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Gate driver for lapwise::router: the go-http-routing-benchmark "*All" lookups (every route of
// a shared route set requested literally, in file order) on the radix router and on the linear
// variant. Ids match the micro benchmarks': router.<set>_all/<impl>.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dataset_file.h"
#include "gate_driver.h"
#include "lapwise/router/linear_router.h"
#include "lapwise/router/radix_router.h"

namespace {

namespace lr = lapwise::router;

struct request {
  std::string method;
  std::string path;         // the httprouter pattern, requested literally
  std::uint32_t value = 0;  // the route it must find: its own line
  std::size_t params = 0;   // ':' segments, each must come back as its literal text
};

// The table and requests of one route set, shared by the passes; built before anything counts.
template <class Router>
struct fixture {
  Router router;
  std::vector<request> requests;
};

std::size_t count_params(const std::string& pattern) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) n += pattern[i] == ':' && pattern[i - 1] == '/';
  return n;
}

struct route_line {
  std::string method, pattern;
};

// routes/<set>.txt of the shared datasets, one line per route: "<METHOD> <pattern>".
std::vector<route_line> read_routes(const char* set) {
  std::string path;
  std::string text =
      lapwise::gate::read_dataset(("routes/" + std::string(set) + ".txt").c_str(), &path);
  std::vector<route_line> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos) throw std::runtime_error("bad route line in " + path);
    lines.push_back({std::string(line.substr(0, space)), std::string(line.substr(space + 1))});
  }
  return lines;
}

template <class Router>
std::shared_ptr<fixture<Router>> load(const char* set) {
  std::vector<route_line> lines = read_routes(set);
  auto f = std::make_shared<fixture<Router>>();
  std::uint32_t value = 0;
  for (const auto& line : lines) {
    std::string error;
    auto canonical = lr::to_canonical(line.pattern, lr::syntax::httprouter, &error);
    if (!canonical) throw std::runtime_error(line.pattern + ": " + error);
    if (auto e = f->router.add(line.method, *canonical, value))
      throw std::runtime_error(e->message);
    f->requests.push_back({line.method, line.pattern, value, count_params(line.pattern)});
    ++value;
  }
  return f;
}

template <class Router>
lapwise::gate::workload all_lookups(const char* set) {
  auto f = load<Router>(set);
  lapwise::gate::workload w;
  w.ops_per_pass = f->requests.size();
  w.pass = [f] {
    std::uint64_t sum = 0;
    for (const auto& q : f->requests) {
      auto m = f->router.match(q.method, q.path);
      sum += m.value + m.param_count;
    }
    return sum;
  };
  w.verify = [f](std::string* why) {
    for (const auto& q : f->requests) {
      auto m = f->router.match(q.method, q.path);
      bool ok = m.found() && m.value == q.value && m.param_count == q.params;
      for (std::size_t i = 0; ok && i < m.param_count; ++i) {
        std::string_view v = m.params[i].value;
        std::size_t at = std::string_view(q.path).find(v);
        ok = v.size() > 1 && v[0] == ':' && at != std::string_view::npos && at > 0 &&
             q.path[at - 1] == '/';
      }
      if (!ok) {
        why->assign(q.method).append(" ").append(q.path);
        why->append(": want route ").append(std::to_string(q.value));
        why->append(" with ").append(std::to_string(q.params)).append(" literal params, got ");
        why->append(m.found() ? "route " + std::to_string(m.value) : std::string("no match"));
        why->append(" with ").append(std::to_string(m.param_count)).append(" params");
        return false;
      }
    }
    return true;
  };
  // A few million instructions under callgrind; about a millisecond per timed repetition.
  w.instr_passes = 20;
  w.time_passes = 50;
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  using lapwise::gate::workload;
  return lapwise::gate::run_main(
      argc, argv,
      {
          {"router.github_all/native", [] { return all_lookups<lr::radix_router>("github"); }},
          {"router.static_all/native", [] { return all_lookups<lr::radix_router>("static"); }},
          {"router.github_all/native-linear",
           [] { return all_lookups<lr::linear_router>("github"); }},
      });
}

// Route tables and expected answers for the router benchmarks (and the tests that check them):
// - make_growth_table(n): n realistic REST routes, a mix of static and parameter routes;
// - expected_params(): what a canonical router must return for an httprouter pattern and a path,
//   computed from the pattern text alone (so it is an independent oracle, not the router).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lapwise::router::bench {

using param_list = std::vector<std::pair<std::string, std::string>>;

struct generated_route {
  std::string method;
  std::string pattern;  // canonical syntax
  std::uint32_t value = 0;
};

struct lookup {
  std::string method;
  std::string path;
  std::uint32_t value = 0;  // the route it must find
  param_list params;        // in pattern order
};

struct route_table {
  std::vector<generated_route> routes;
  std::vector<lookup> lookups;
};

// `n` routes, six per resource under /api/v1..v3: list (GET, POST), a static /search, an item
// (GET, DELETE) and a nested {item:int}. Resource names are made of three syllables picked by
// the resource number (base 16, lowest digit first: "bababas", "kobabas", ...), so every
// table, small or large, has names and paths of the same length: what changes with n is only
// how many routes share each prefix, which is what growth is meant to measure. `samples`
// lookups hit routes spread evenly over the table (route j*n/samples), with realistic values.
inline route_table make_growth_table(std::size_t n, std::size_t samples = 64) {
  static constexpr std::array<std::string_view, 16> syllables = {"ba", "ko", "ri", "ne", "lu", "ta",
                                                                 "mo", "si", "de", "fa", "gu", "pe",
                                                                 "vo", "zi", "ha", "ju"};
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kinds = {{
      {"GET", ""},
      {"POST", ""},
      {"GET", "/search"},
      {"GET", "/{id}"},
      {"DELETE", "/{id}"},
      {"GET", "/{id}/items/{item:int}"},
  }};
  route_table t;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t r = k / 6;  // the resource; 16^3 = 4096 names, enough for 24,576 routes
    std::string base = "/api/v" + std::to_string(r % 3 + 1) + "/";
    for (std::size_t d = r; base.size() < 14; d /= 16) base += syllables[d % 16];
    base += "s";
    auto [method, tail] = kinds[k % 6];
    t.routes.push_back(
        {std::string(method), base + std::string(tail), static_cast<std::uint32_t>(k)});
  }
  for (std::size_t j = 0; j < samples && n > 0; ++j) {
    std::size_t k = j * n / samples;
    const generated_route& g = t.routes[k];
    lookup l{g.method, g.pattern.substr(0, g.pattern.find('{')), g.value, {}};
    std::string id = std::to_string(48213 + k), item = std::to_string(k % 97);
    if (k % 6 >= 3) {
      l.path += id;
      l.params.push_back({"id", id});
    }
    if (k % 6 == 5) {
      l.path += "/items/" + item;
      l.params.push_back({"item", item});
    }
    t.lookups.push_back(std::move(l));
  }
  return t;
}

// The parameters a canonical router returns for `path` matched by the httprouter `pattern`,
// walking both segment by segment: `:name` takes the segment, `*name` (bare `*`: "wildcard")
// takes the rest after the pattern's static prefix (the canonical import keeps the '/' static).
inline param_list expected_params(std::string_view pattern, std::string_view path) {
  param_list out;
  std::size_t p = 0, q = 0;
  while (p < pattern.size() && q <= path.size()) {
    char c = pattern[p];
    if (c == ':' || c == '*') {
      std::size_t pend = pattern.find('/', p);
      if (pend == std::string_view::npos) pend = pattern.size();
      std::string name(pattern.substr(p + 1, pend - p - 1));
      if (c == '*') {
        out.push_back({name.empty() ? "wildcard" : name, std::string(path.substr(q))});
        return out;
      }
      std::size_t qend = path.find('/', q);
      if (qend == std::string_view::npos) qend = path.size();
      out.push_back({name, std::string(path.substr(q, qend - q))});
      p = pend;
      q = qend;
      continue;
    }
    ++p;
    ++q;
  }
  return out;
}

// `pattern` (httprouter syntax) with every parameter replaced by a realistic value: ids become
// numbers, a few well-known names get typical values, a catch-all gets a nested file path.
inline std::string realistic_path(std::string_view pattern) {
  std::string out;
  for (std::size_t p = 0; p < pattern.size();) {
    char c = pattern[p];
    if (c != ':' && c != '*') {
      out += c;
      ++p;
      continue;
    }
    std::size_t end = pattern.find('/', p);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view name = pattern.substr(p + 1, end - p - 1);
    if (c == '*') {
      out += "css/site.min.css";
    } else if (name == "owner" || name == "user" || name == "org") {
      out += "octocat";
    } else if (name == "repo") {
      out += "hello-world";
    } else if (name.find("id") != std::string_view::npos ||
               name.find("Id") != std::string_view::npos || name == "number") {
      out += "118051310819094153327";
    } else {
      out += "v-";
      out += name;
    }
    p = end;
  }
  return out;
}

}  // namespace lapwise::router::bench

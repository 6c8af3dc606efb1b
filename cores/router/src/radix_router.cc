// radix_router: a compressed radix tree. Static edges are keyed by their first byte; each node
// has at most one parameter child ({name} or {name:int}) and one catch-all child, tried in that
// order after the static child, with backtracking (see walk()).
#include "lapwise/router/radix_router.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "lapwise/common/inject.h"
#include "method_table.h"
#include "pattern.h"

namespace lapwise::router {
namespace detail {

// A node of the tree. Deliberately plain: lookups chase pointers, and simple, predictable
// branches (a byte loop over `indices`) let the CPU speculate into the next node, which beat
// denser, branch-free layouts (64-byte nodes, SWAR/SSE child search, inline keys, a 256-entry
// byte -> child table) measured on the GitHub and growth sets; see bench/router_bench.cc.
// Static children are stored by value, side by side: the next node's address is then the
// array base plus the (speculated) position, one dependent load per level instead of two
// (base, then the child's pointer). Lookup latency is that load chain times the depth, so
// this is what makes deep trees (large tables) cost less.
//
// The fields a lookup reads at every level come first and the node is cache-line aligned, so a
// level touches two lines, not three or four: at 10,000 routes the nodes a lookup set visits no
// longer fit in L1 (cachegrind), and each extra line is an L2 trip on the critical path.
struct alignas(64) node {
  std::string prefix;   // static node: the bytes on the edge into it (empty only at the root)
  std::string indices;  // first byte of each static child, parallel to `children`
  std::vector<node> children;       // by value; moves on growth (no pointers across an insert)
  std::unique_ptr<node> param;      // {name} or {name:int}
  std::unique_ptr<node> catch_all;  // {name:path}; has no children (catch-alls are last)
  part_kind kind = part_kind::literal;
  std::string name;    // parameter node: its name
  method_table leaf;   // the routes that end here
  std::string origin;  // parameter node: label of the route that created it

  [[nodiscard]] const node* static_child(char c) const noexcept {
    const char* idx = indices.data();
    for (std::size_t i = 0, n = indices.size(); i < n; ++i) {
      if (idx[i] == c) return &children[i];
    }
    return nullptr;
  }
};

struct tree {
  node root;
  std::size_t size = 0;
};

}  // namespace detail

namespace {

using detail::method_table;
using detail::method_value;
using detail::node;
using detail::part;
using detail::part_kind;

std::size_t common_prefix(std::string_view a, std::string_view b) noexcept {
  std::size_t n = std::min(a.size(), b.size()), i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Walks the tree along `r` without changing it and reports the conflict or duplicate that
// inserting it would create. Leaving the existing tree (a missing child, or an edge that would
// be split) means the rest of the route is new, so nothing further can conflict.
std::optional<insert_error> check(const node& root, const detail::parsed_route& r,
                                  std::string_view method) {
  const node* n = &root;
  for (const part& p : r.parts) {
    if (p.kind == part_kind::literal) {
      std::string_view rest = p.text;
      while (!rest.empty()) {
        const node* c = n->static_child(rest[0]);
        if (!c) return std::nullopt;
        std::size_t len = common_prefix(c->prefix, rest);
        if (len < c->prefix.size()) return std::nullopt;
        rest.remove_prefix(len);
        n = c;
      }
      continue;
    }
    const node* c = p.kind == part_kind::catch_all ? n->catch_all.get() : n->param.get();
    if (!c) return std::nullopt;
    if (!detail::same_param(p.kind, p.text, c->kind, c->name)) {
      return detail::conflict_error(r.label, p, c->origin, c->kind, c->name);
    }
    n = c;
  }
  if (const method_value* e = n->leaf.find(method)) {
    return detail::duplicate_error(r.label, n->leaf.label(method), e->value);
  }
  return std::nullopt;
}

// Inserts `r` (already checked), splitting edges where it leaves them.
void insert(node& root, const detail::parsed_route& r, std::string_view method,
            std::string_view pattern, std::uint32_t value) {
  node* n = &root;
  for (const part& p : r.parts) {
    if (p.kind == part_kind::literal) {
      std::string_view rest = p.text;
      while (!rest.empty()) {
        std::size_t i = n->indices.find(rest[0]);
        if (i == std::string::npos) {
          n->indices += rest[0];
          n = &n->children.emplace_back();
          n->prefix = rest;
          break;
        }
        node* c = &n->children[i];
        std::size_t len = common_prefix(c->prefix, rest);
        if (len < c->prefix.size()) {
          // Split the edge: a new node takes the shared bytes, the old one keeps the tail.
          node mid;
          mid.prefix = c->prefix.substr(0, len);
          c->prefix.erase(0, len);
          mid.indices += c->prefix[0];
          mid.children.push_back(std::move(*c));
          *c = std::move(mid);
        }
        rest.remove_prefix(len);
        n = c;
      }
      continue;
    }
    std::unique_ptr<node>& slot = p.kind == part_kind::catch_all ? n->catch_all : n->param;
    if (!slot) {
      slot = std::make_unique<node>();
      slot->kind = p.kind;
      slot->name = p.text;
      slot->origin = r.label;
    }
    n = slot.get();
  }
  if (n->leaf.empty()) n->leaf.set_pattern(pattern);
  n->leaf.add(method, value);
}

struct search {
  std::string_view method;
  std::uint64_t method_key;  // detail::method_key(method), computed once per lookup
  std::string_view path;
  match_result* r;
  const method_table* first_path_match = nullptr;  // for the 405: highest priority first

  // True if `leaf` has the method (the answer); else remembers it for a 405.
  bool accept(const method_table& leaf) noexcept {
    if (const method_value* e = leaf.find(method, method_key)) {
      r->value = e->value;
      return true;
    }
    if (!first_path_match) first_path_match = &leaf;
    return false;
  }
};

// Matches the rest of the path from `pos` below `n` (whose own part is consumed), trying the
// static child, then the parameter child, then the catch-all, and returning at the first route
// that has the method. Recursion happens only where a node offers an alternative to fall back
// on, so its depth is bounded by the parameter positions along one route; straight static runs
// are a loop. On failure, r->param_count is left for the caller to restore.
bool walk(const node* n, std::size_t pos, search& s) noexcept {
  const std::string_view path = s.path;
  match_result& r = *s.r;
  for (;;) {
    if (pos == path.size()) {
      if (!n->leaf.empty() && s.accept(n->leaf)) return true;
    } else {
      const node* param = n->param.get();
      const bool has_alternative = param || n->catch_all;
      if (const node* c = n->static_child(path[pos])) {
        const std::size_t len = c->prefix.size();
        if (len <= path.size() - pos &&
            detail::equal_bytes(c->prefix.data(), path.data() + pos, len)) {
          if (!has_alternative) {
            n = c;
            pos += len;
            continue;
          }
          const std::size_t saved = r.param_count;
          if (walk(c, pos + len, s)) return true;
          r.param_count = saved;
        }
      }
      if (param) {
        const std::size_t end = detail::segment_end(path, pos);
        const std::string_view seg = path.substr(pos, end - pos);
        if (end > pos && detail::param_accepts(param->kind, seg)) {
          const std::size_t saved = r.param_count;
          r.params[r.param_count++] = {param->name, seg};
          if (!n->catch_all) {
            n = param;
            pos = end;
            continue;
          }
          if (walk(param, end, s)) return true;
          r.param_count = saved;
        }
      }
    }
    if (const node* c = n->catch_all.get()) {
      r.params[r.param_count++] = {c->name, path.substr(pos)};
      if (s.accept(c->leaf)) return true;
      --r.param_count;
    }
    return false;
  }
}

}  // namespace

radix_router::radix_router() : tree_(std::make_unique<detail::tree>()) {}
radix_router::~radix_router() = default;
radix_router::radix_router(radix_router&&) noexcept = default;
radix_router& radix_router::operator=(radix_router&&) noexcept = default;

std::optional<insert_error> radix_router::add(std::string_view method, std::string_view pattern,
                                              std::uint32_t value) {
  detail::parsed_route r;
  if (auto e = detail::parse_route(method, pattern, r)) return e;
  if (!tree_) tree_ = std::make_unique<detail::tree>();  // a moved-from router is reusable
  if (auto e = check(tree_->root, r, method)) return e;
  insert(tree_->root, r, method, pattern, value);
  ++tree_->size;
  return std::nullopt;
}

match_result radix_router::match(std::string_view method, std::string_view path) const noexcept {
  match_result r;
  match_into(method, path, r);
  return r;
}

void radix_router::match_into(std::string_view method, std::string_view path,
                              match_result& out) const noexcept {
  // Calibrated with callgrind on the GitHub and static sets: N% injected ~ N% instructions.
  LAPWISE_INJECT_WORK(path.size() * 4 + 24);
  out.kind = status::not_found;
  out.value = 0;
  out.allowed = {};
  out.param_count = 0;
  if (!tree_) return;
  search s{method, detail::method_key(method), path, &out};
  if (walk(&tree_->root, 0, s)) {
    out.kind = status::found;
    return;
  }
  out.param_count = 0;
  if (s.first_path_match) {
    out.kind = status::method_not_allowed;
    out.allowed = s.first_path_match->allowed();
  }
}

std::size_t radix_router::size() const noexcept { return tree_ ? tree_->size : 0; }

}  // namespace lapwise::router

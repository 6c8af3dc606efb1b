// linear_router: a hash map for the fully static patterns and a vector of compiled patterns
// kept sorted by priority, scanned front to back. It shares the grammar, the errors and the
// priority order with radix_router, so the two must answer every request identically.
#include "lapwise/router/linear_router.h"

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lapwise/common/inject.h"
#include "method_table.h"
#include "pattern.h"

namespace lapwise::router {
namespace detail {

// A pattern with at least one parameter. Heap-allocated so that `parts`, which view into
// `pattern`, stay valid while the vector of them grows.
struct compiled {
  std::string pattern;
  std::vector<part> parts;
  method_table leaf;
  std::uint64_t first_seq = 0;  // insertion order of its first route (the origin in messages)
};

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct linear_table {
  std::unordered_map<std::string, method_table, string_hash, std::equal_to<>> statics;
  std::vector<std::unique_ptr<compiled>> patterns;  // in priority order
  std::size_t size = 0;
  std::uint64_t next_seq = 0;
};

}  // namespace detail

namespace {

using detail::compiled;
using detail::method_table;
using detail::method_value;
using detail::part;
using detail::part_kind;

// Reads a pattern as a stream of tokens, the order radix_router's walk() tries them in:
// end < any literal byte < parameter < catch-all. Parameters compare equal to each other here;
// telling their names apart is the conflict check's job.
class token_cursor {
 public:
  explicit token_cursor(const std::vector<part>& parts) : parts_(parts) {}

  static constexpr int end = -1, param = 256, catch_all = 257;

  [[nodiscard]] int token() const noexcept {
    if (index_ == parts_.size()) return end;
    const part& p = parts_[index_];
    if (p.kind == part_kind::literal) return static_cast<unsigned char>(p.text[offset_]);
    return p.kind == part_kind::catch_all ? catch_all : param;
  }
  [[nodiscard]] const part& current() const noexcept { return parts_[index_]; }
  void next() noexcept {
    const part& p = parts_[index_];
    if (p.kind == part_kind::literal && ++offset_ < p.text.size()) return;
    ++index_;
    offset_ = 0;
  }

 private:
  const std::vector<part>& parts_;
  std::size_t index_ = 0, offset_ = 0;
};

// Where `a` and `b` first differ: the two tokens (equal ends mean identical patterns).
struct divergence {
  int a_token, b_token;
  const part* a_part;  // the parts under the cursors when both tokens are parameters
  const part* b_part;
};

divergence diverge(const std::vector<part>& a, const std::vector<part>& b) noexcept {
  token_cursor ca(a), cb(b);
  for (;;) {
    int ta = ca.token(), tb = cb.token();
    const bool both_params = ta >= token_cursor::param && tb >= token_cursor::param;
    if (ta != tb || (both_params && !detail::same_param(ca.current().kind, ca.current().text,
                                                        cb.current().kind, cb.current().text))) {
      return {ta, tb, both_params ? &ca.current() : nullptr, both_params ? &cb.current() : nullptr};
    }
    if (ta == token_cursor::end) return {ta, tb, nullptr, nullptr};
    ca.next();
    cb.next();
  }
}

// Matches `parts` against the whole of `path`, appending parameters to `r`.
bool match_parts(const std::vector<part>& parts, std::string_view path, match_result& r) noexcept {
  std::size_t pos = 0;
  for (const part& p : parts) {
    switch (p.kind) {
      case part_kind::literal:
        if (p.text.size() > path.size() - pos ||
            !detail::equal_bytes(p.text.data(), path.data() + pos, p.text.size())) {
          return false;
        }
        pos += p.text.size();
        break;
      case part_kind::param:
      case part_kind::int_param: {
        std::size_t end = detail::segment_end(path, pos);
        std::string_view seg = path.substr(pos, end - pos);
        if (seg.empty() || !detail::param_accepts(p.kind, seg)) return false;
        r.params[r.param_count++] = {p.text, seg};
        pos = end;
        break;
      }
      case part_kind::catch_all:
        r.params[r.param_count++] = {p.text, path.substr(pos)};
        pos = path.size();
        break;
    }
  }
  return pos == path.size();
}

}  // namespace

linear_router::linear_router() : table_(std::make_unique<detail::linear_table>()) {}
linear_router::~linear_router() = default;
linear_router::linear_router(linear_router&&) noexcept = default;
linear_router& linear_router::operator=(linear_router&&) noexcept = default;

std::optional<insert_error> linear_router::add(std::string_view method, std::string_view pattern,
                                               std::uint32_t value) {
  detail::parsed_route r;
  if (auto e = detail::parse_route(method, pattern, r)) return e;
  if (!table_) table_ = std::make_unique<detail::linear_table>();
  detail::linear_table& t = *table_;

  if (r.param_count == 0) {
    auto it = t.statics.find(pattern);
    if (it != t.statics.end()) {
      if (const method_value* e = it->second.find(method)) {
        return detail::duplicate_error(r.label, it->second.label(method), e->value);
      }
    } else {
      it = t.statics.emplace(std::string(pattern), method_table{}).first;
      it->second.set_pattern(pattern);
    }
    it->second.add(method, value);
    ++t.size;
    ++t.next_seq;
    return std::nullopt;
  }

  // The conflict radix_router would hit first: the leftmost position, and there the route that
  // created the tree node, i.e. the earliest inserted of the patterns sharing it.
  const compiled* conflict = nullptr;
  divergence conflict_at{};
  compiled* same = nullptr;
  std::size_t insert_at = t.patterns.size();
  for (std::size_t i = 0; i < t.patterns.size(); ++i) {
    compiled& c = *t.patterns[i];
    divergence d = diverge(r.parts, c.parts);
    if (d.a_token == token_cursor::end && d.b_token == token_cursor::end) {
      same = &c;
      continue;
    }
    if (d.a_part && (d.a_token == d.b_token)) {
      bool earlier =
          !conflict || d.a_part->offset < conflict_at.a_part->offset ||
          (d.a_part->offset == conflict_at.a_part->offset && c.first_seq < conflict->first_seq);
      if (earlier) {
        conflict = &c;
        conflict_at = d;
      }
    }
    if (d.a_token < d.b_token && insert_at == t.patterns.size()) insert_at = i;
  }
  if (conflict) {
    return detail::conflict_error(r.label, *conflict_at.a_part, conflict->leaf.first_label(),
                                  conflict_at.b_part->kind, conflict_at.b_part->text);
  }
  if (same) {
    if (const method_value* e = same->leaf.find(method)) {
      return detail::duplicate_error(r.label, same->leaf.label(method), e->value);
    }
    same->leaf.add(method, value);
  } else {
    auto c = std::make_unique<compiled>();
    c->pattern = pattern;
    detail::parsed_route own;
    (void)detail::parse_route(method, c->pattern, own);  // re-parse: views into c->pattern
    c->parts = std::move(own.parts);
    c->leaf.set_pattern(pattern);
    c->leaf.add(method, value);
    c->first_seq = t.next_seq;
    t.patterns.insert(t.patterns.begin() + static_cast<std::ptrdiff_t>(insert_at), std::move(c));
  }
  ++t.size;
  ++t.next_seq;
  return std::nullopt;
}

match_result linear_router::match(std::string_view method, std::string_view path) const noexcept {
  match_result r;
  match_into(method, path, r);
  return r;
}

void linear_router::match_into(std::string_view method, std::string_view path,
                               match_result& out) const noexcept {
  LAPWISE_INJECT_WORK(path.size());
  out.kind = status::not_found;
  out.value = 0;
  out.allowed = {};
  out.param_count = 0;
  if (!table_) return;
  const method_table* first_path_match = nullptr;
  auto it = table_->statics.find(path);
  if (it != table_->statics.end()) {
    if (const method_value* e = it->second.find(method)) {
      out.kind = status::found;
      out.value = e->value;
      return;
    }
    first_path_match = &it->second;
  }
  for (const auto& c : table_->patterns) {
    out.param_count = 0;
    if (!match_parts(c->parts, path, out)) continue;
    if (const method_value* e = c->leaf.find(method)) {
      out.kind = status::found;
      out.value = e->value;
      return;
    }
    if (!first_path_match) first_path_match = &c->leaf;
  }
  out.param_count = 0;
  if (first_path_match) {
    out.kind = status::method_not_allowed;
    out.allowed = first_path_match->allowed();
  }
}

std::size_t linear_router::size() const noexcept { return table_ ? table_->size : 0; }

}  // namespace lapwise::router

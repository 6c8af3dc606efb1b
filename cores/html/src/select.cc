// CSS selector compiler (recursive descent over the text, depth-bounded) and matcher (right to
// left from each candidate, backtracking over descendant and sibling combinators).
#include "lapwise/html/select.h"

#include <cstdint>
#include <optional>
#include <unordered_map>

namespace lapwise::html {

namespace detail {

enum class attr_op : std::uint8_t { exists, equals, includes, dash, prefix, suffix, substring };
enum class pseudo : std::uint8_t {
  nth_child,
  nth_last_child,
  nth_of_type,
  nth_last_of_type,
  only_child,
  empty,
  root
};
enum class combinator : std::uint8_t { descendant, child, next_sibling, subsequent_sibling };

struct attr_test {
  std::string name;  // lower-case
  std::string value;
  attr_op op = attr_op::exists;
  bool icase = false;
};

struct pseudo_test {
  pseudo kind;
  long a = 0, b = 1;  // an+b for the nth forms
};

struct compound {
  bool has_type = false;
  tag type_tag = tag::none;  // known name: one integer compare
  std::string type;          // lower-case name when not a known tag
  std::vector<std::string> ids, classes;
  std::vector<attr_test> attrs;
  std::vector<pseudo_test> pseudos;
  std::vector<selector_list> nots;
};

struct complex_sel {
  std::vector<compound> parts;          // left to right
  std::vector<combinator> combinators;  // combinators[i] sits between parts[i] and parts[i+1]
};

struct selector_list {
  std::vector<complex_sel> alternatives;
  // When every alternative's rightmost compound names a known tag, the tags it can match: a
  // candidate is rejected with one bit test before any matching runs.
  bool by_tag = false;
  std::vector<bool> tags;
};

// What matching knows so far about (compound, element) pairs of one document: one select() or
// select_one() run, one matches() call, or every matches() call given the same match_memo.
struct match_state {
  using table = std::unordered_map<const compound*, std::vector<std::uint8_t>>;  // 0 ?, 1 no, 2 yes
  const document& d;
  table memo;       // parts[0..=k] match at the element
  table before[2];  // ... at some ancestor [0] / some previous sibling [1] of the element

  std::vector<std::uint8_t>& row(table& t, const compound* c) {  // node-based map: stays valid
    std::vector<std::uint8_t>& v = t[c];
    if (v.empty()) v.assign(d.node_count(), 0);
    return v;
  }
};

}  // namespace detail

namespace {

using namespace detail;

constexpr int kMaxNesting = 32;
constexpr std::size_t kMaxCompounds = 256;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
bool is_name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_name_char(unsigned char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct failure {
  std::size_t pos;
  std::string message;
};

class compiler {
 public:
  explicit compiler(std::string_view s) : s_(s) {}

  std::optional<failure> err;

  bool parse_all(selector_list& out) {
    skip_ws();
    if (!parse_list(out, 0)) return false;
    skip_ws();
    if (i_ != s_.size()) return fail("unexpected character");
    return true;
  }

 private:
  bool fail(std::string message) {
    if (!err) err = failure{i_, std::move(message)};
    return false;
  }
  bool at_end() const { return i_ >= s_.size(); }
  char peek(std::size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  void skip_ws() {
    while (!at_end() && is_ws(s_[i_])) ++i_;
  }

  // A CSS escape after the backslash at i_: hex digits (up to 6, one trailing whitespace
  // eaten) give a code point, anything else stands for itself.
  bool escape(std::string& out) {
    ++i_;
    if (at_end()) return fail("unterminated escape");
    if (is_hex(s_[i_])) {
      std::uint32_t cp = 0;
      for (int k = 0; k < 6 && !at_end() && is_hex(s_[i_]); ++k, ++i_) {
        char c = s_[i_];
        cp = cp * 16 + static_cast<std::uint32_t>(c <= '9' ? c - '0' : lower(c) - 'a' + 10);
      }
      if (!at_end() && is_ws(s_[i_])) ++i_;
      append_utf8(out, cp);
      return true;
    }
    if (s_[i_] == '\n') return fail("newline in escape");
    out += s_[i_++];
    return true;
  }

  bool ident(std::string& out, const char* what) {
    std::size_t start = i_;
    if (peek() == '-') {
      out += '-';
      ++i_;
    }
    if (peek() == '\\') {
      if (!escape(out)) return false;
    } else if (is_name_start(static_cast<unsigned char>(peek())) || peek() == '-') {
      out += s_[i_++];
    } else {
      i_ = start;
      return fail(std::string("expected ") + what);
    }
    while (!at_end()) {
      if (s_[i_] == '\\') {
        if (!escape(out)) return false;
      } else if (is_name_char(static_cast<unsigned char>(s_[i_]))) {
        out += s_[i_++];
      } else {
        break;
      }
    }
    return true;
  }

  bool string(std::string& out) {
    char quote = s_[i_++];
    while (!at_end()) {
      char c = s_[i_];
      if (c == quote) {
        ++i_;
        return true;
      }
      if (c == '\n') return fail("newline in string");
      if (c == '\\') {
        if (peek(1) == '\n') {  // an escaped newline continues the string
          i_ += 2;
          continue;
        }
        if (!escape(out)) return false;
        continue;
      }
      out += c;
      ++i_;
    }
    return fail("unterminated string");
  }

  bool parse_list(selector_list& out, int depth) {
    for (;;) {
      complex_sel c;
      if (!parse_complex(c, depth)) return false;
      out.alternatives.push_back(std::move(c));
      skip_ws();
      if (peek() != ',') return true;
      ++i_;
      skip_ws();
    }
  }

  bool parse_complex(complex_sel& out, int depth) {
    compound first;
    if (!parse_compound(first, depth)) return false;
    out.parts.push_back(std::move(first));
    for (;;) {
      std::size_t before = i_;
      skip_ws();
      bool had_ws = i_ > before;
      char c = peek();
      combinator comb;
      if (c == '>') {
        comb = combinator::child;
      } else if (c == '+') {
        comb = combinator::next_sibling;
      } else if (c == '~') {
        comb = combinator::subsequent_sibling;
      } else if (had_ws && !at_end() && c != ',' && c != ')') {
        comb = combinator::descendant;
      } else {
        i_ = before;
        return true;
      }
      if (comb != combinator::descendant) {
        ++i_;
        skip_ws();
      }
      if (out.parts.size() >= kMaxCompounds) return fail("too many compound selectors");
      compound next;
      if (!parse_compound(next, depth)) return false;
      out.combinators.push_back(comb);
      out.parts.push_back(std::move(next));
    }
  }

  bool parse_compound(compound& out, int depth) {
    bool any = false;
    if (peek() == '*') {
      ++i_;
      any = true;
      if (peek() == '|') return fail("namespaces are not supported");
    } else if (peek() == '\\' || peek() == '-' ||
               is_name_start(static_cast<unsigned char>(peek()))) {
      std::string name;
      if (!ident(name, "a type selector")) return false;
      if (peek() == '|') return fail("namespaces are not supported");
      for (char& ch : name) ch = lower(ch);
      out.has_type = true;
      out.type_tag = lookup_tag(name);
      if (out.type_tag == tag::none) out.type = std::move(name);
      any = true;
    } else if (peek() == '|') {
      return fail("namespaces are not supported");
    }
    for (;;) {
      char c = peek();
      if (c == '#') {
        ++i_;
        std::string id;
        if (!ident_or_digits(id, "an identifier after '#'")) return false;
        out.ids.push_back(std::move(id));
      } else if (c == '.') {
        ++i_;
        std::string cls;
        if (!ident(cls, "a class name after '.'")) return false;
        out.classes.push_back(std::move(cls));
      } else if (c == '[') {
        if (!parse_attr(out)) return false;
      } else if (c == ':') {
        if (!parse_pseudo(out, depth)) return false;
      } else {
        break;
      }
      any = true;
    }
    if (!any) return fail(at_end() ? "expected a selector, found the end" : "expected a selector");
    return true;
  }

  // #id accepts a name that starts with a digit (a CSS "hash" token).
  bool ident_or_digits(std::string& out, const char* what) {
    std::size_t start = i_;
    while (!at_end()) {
      if (s_[i_] == '\\') {
        if (!escape(out)) return false;
      } else if (is_name_char(static_cast<unsigned char>(s_[i_]))) {
        out += s_[i_++];
      } else {
        break;
      }
    }
    if (i_ == start) return fail(std::string("expected ") + what);
    return true;
  }

  bool parse_attr(compound& out) {
    ++i_;  // '['
    skip_ws();
    attr_test t;
    if (peek() == '|' || (peek() == '*' && peek(1) == '|'))
      return fail("namespaces are not supported");
    if (!ident(t.name, "an attribute name")) return false;
    if (peek() == '|' && peek(1) != '=') return fail("namespaces are not supported");
    for (char& ch : t.name) ch = lower(ch);
    skip_ws();
    char c = peek();
    if (c == ']') {
      ++i_;
      out.attrs.push_back(std::move(t));
      return true;
    }
    if (c == '=') {
      t.op = attr_op::equals;
      ++i_;
    } else if (peek(1) == '=' && (c == '~' || c == '|' || c == '^' || c == '$' || c == '*')) {
      t.op = c == '~'   ? attr_op::includes
             : c == '|' ? attr_op::dash
             : c == '^' ? attr_op::prefix
             : c == '$' ? attr_op::suffix
                        : attr_op::substring;
      i_ += 2;
    } else {
      return fail("expected ']' or an attribute operator");
    }
    skip_ws();
    if (peek() == '"' || peek() == '\'') {
      if (!string(t.value)) return false;
    } else if (!ident(t.value, "an attribute value")) {
      return false;
    }
    skip_ws();
    if (peek() == 'i' || peek() == 'I' || peek() == 's' || peek() == 'S') {
      t.icase = lower(peek()) == 'i';
      ++i_;
      skip_ws();
    }
    if (peek() != ']') return fail("expected ']'");
    ++i_;
    out.attrs.push_back(std::move(t));
    return true;
  }

  // an+b with optional spaces around the sign, or odd/even.
  bool parse_nth(pseudo_test& p) {
    skip_ws();
    std::string word;
    std::size_t start = i_;
    while (!at_end() && (is_name_char(static_cast<unsigned char>(s_[i_])) || s_[i_] == '+'))
      word += lower(s_[i_++]);
    // Re-scan by hand: the grammar is small enough to spell out.
    i_ = start;
    if (word == "odd" || word == "even") {
      i_ += word.size();
      p.a = 2;
      p.b = word == "odd" ? 1 : 0;
      skip_ws();
      return true;
    }
    long sign = 1;
    if (peek() == '+' || peek() == '-') {
      sign = peek() == '-' ? -1 : 1;
      ++i_;
    }
    bool digits = false;
    long num = 0;
    while (!at_end() && s_[i_] >= '0' && s_[i_] <= '9') {
      digits = true;
      if (num < 100000000) num = num * 10 + (s_[i_] - '0');
      ++i_;
    }
    if (peek() == 'n' || peek() == 'N') {
      ++i_;
      p.a = sign * (digits ? num : 1);
      p.b = 0;
      skip_ws();
      if (peek() == '+' || peek() == '-') {
        long bsign = peek() == '-' ? -1 : 1;
        ++i_;
        skip_ws();
        long bnum = 0;
        bool bdigits = false;
        while (!at_end() && s_[i_] >= '0' && s_[i_] <= '9') {
          bdigits = true;
          if (bnum < 100000000) bnum = bnum * 10 + (s_[i_] - '0');
          ++i_;
        }
        if (!bdigits) return fail("expected digits after the sign in an+b");
        p.b = bsign * bnum;
      }
      skip_ws();
      return true;
    }
    if (!digits) return fail("expected an+b, odd or even");
    p.a = 0;
    p.b = sign * num;
    skip_ws();
    return true;
  }

  bool parse_pseudo(compound& out, int depth) {
    ++i_;  // ':'
    if (peek() == ':') return fail("pseudo-elements are not supported");
    std::size_t name_pos = i_;
    std::string name;
    if (!ident(name, "a pseudo-class name")) return false;
    for (char& ch : name) ch = lower(ch);
    if (peek() == '(') {
      ++i_;
      if (name == "not") {
        if (depth + 1 >= kMaxNesting) return fail("too deeply nested :not()");
        skip_ws();
        selector_list inner;
        if (!parse_list(inner, depth + 1)) return false;
        skip_ws();
        if (peek() != ')') return fail("expected ')'");
        ++i_;
        out.nots.push_back(std::move(inner));
        return true;
      }
      pseudo_test p{};
      if (name == "nth-child")
        p.kind = pseudo::nth_child;
      else if (name == "nth-last-child")
        p.kind = pseudo::nth_last_child;
      else if (name == "nth-of-type")
        p.kind = pseudo::nth_of_type;
      else if (name == "nth-last-of-type")
        p.kind = pseudo::nth_last_of_type;
      else {
        i_ = name_pos;
        return fail("unsupported pseudo-class :" + name + "()");
      }
      if (!parse_nth(p)) return false;
      if (peek() != ')') return fail("expected ')'");
      ++i_;
      out.pseudos.push_back(p);
      return true;
    }
    pseudo_test p{};
    if (name == "first-child") {
      p = {pseudo::nth_child, 0, 1};
    } else if (name == "last-child") {
      p = {pseudo::nth_last_child, 0, 1};
    } else if (name == "only-child") {
      p = {pseudo::only_child, 0, 0};
    } else if (name == "first-of-type") {
      p = {pseudo::nth_of_type, 0, 1};
    } else if (name == "last-of-type") {
      p = {pseudo::nth_last_of_type, 0, 1};
    } else if (name == "empty") {
      p = {pseudo::empty, 0, 0};
    } else if (name == "root") {
      p = {pseudo::root, 0, 0};
    } else {
      i_ = name_pos;
      return fail("unsupported pseudo-class :" + name);
    }
    out.pseudos.push_back(p);
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// ---- matching -----------------------------------------------------------------------------

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool value_equals(std::string_view a, std::string_view b, bool icase) {
  return icase ? iequals(a, b) : a == b;
}

bool contains_token(std::string_view list, std::string_view token, bool icase) {
  if (token.empty()) return false;
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_ws(list[i])) ++i;
    std::size_t start = i;
    while (i < list.size() && !is_ws(list[i])) ++i;
    if (i > start && value_equals(list.substr(start, i - start), token, icase)) return true;
  }
  return false;
}

bool attr_matches(const attr_test& t, std::string_view v) {
  switch (t.op) {
    case attr_op::exists:
      return true;
    case attr_op::equals:
      return value_equals(v, t.value, t.icase);
    case attr_op::includes:
      for (char c : t.value)
        if (is_ws(c)) return false;
      return contains_token(v, t.value, t.icase);
    case attr_op::dash:
      return value_equals(v, t.value, t.icase) ||
             (v.size() > t.value.size() && v[t.value.size()] == '-' &&
              value_equals(v.substr(0, t.value.size()), t.value, t.icase));
    case attr_op::prefix:
      return !t.value.empty() && v.size() >= t.value.size() &&
             value_equals(v.substr(0, t.value.size()), t.value, t.icase);
    case attr_op::suffix:
      return !t.value.empty() && v.size() >= t.value.size() &&
             value_equals(v.substr(v.size() - t.value.size()), t.value, t.icase);
    case attr_op::substring:
      if (t.value.empty() || v.size() < t.value.size()) return false;
      for (std::size_t i = 0; i + t.value.size() <= v.size(); ++i)
        if (value_equals(v.substr(i, t.value.size()), t.value, t.icase)) return true;
      return false;
  }
  return false;
}

node_id prev_element(const document& d, node_id n) {
  for (n = d.prev_sibling(n); n != no_node; n = d.prev_sibling(n))
    if (d.is_element(n)) return n;
  return no_node;
}
node_id next_element(const document& d, node_id n) {
  for (n = d.next_sibling(n); n != no_node; n = d.next_sibling(n))
    if (d.is_element(n)) return n;
  return no_node;
}
node_id parent_element(const document& d, node_id n) {
  node_id p = d.parent(n);
  return p != no_node && d.is_element(p) ? p : no_node;
}

bool nth(long a, long b, long index) {
  if (a == 0) return index == b;
  long diff = index - b;
  return diff % a == 0 && diff / a >= 0;
}

bool same_type(const document& d, node_id x, node_id y) {
  return d.at(x).name == d.at(y).name && d.ns(x) == d.ns(y);
}

bool pseudo_matches(const document& d, node_id n, const pseudo_test& p) {
  switch (p.kind) {
    case pseudo::nth_child:
    case pseudo::nth_of_type:
    case pseudo::nth_last_child:
    case pseudo::nth_last_of_type: {
      // The position among element siblings, counted from the first or the last; the root
      // element counts as a child of the document.
      bool from_end = p.kind == pseudo::nth_last_child || p.kind == pseudo::nth_last_of_type;
      bool of_type = p.kind == pseudo::nth_of_type || p.kind == pseudo::nth_last_of_type;
      auto step = from_end ? next_element : prev_element;
      long index = 1;
      for (node_id s = step(d, n); s != no_node; s = step(d, s))
        if (!of_type || same_type(d, s, n)) ++index;
      return nth(p.a, p.b, index);
    }
    case pseudo::only_child:
      return prev_element(d, n) == no_node && next_element(d, n) == no_node;
    case pseudo::empty:
      for (node_id c = d.first_child(n); c != no_node; c = d.next_sibling(c))
        if (d.is_element(c) || (d.kind(c) == node_kind::text && !d.data(c).empty())) return false;
      return true;
    case pseudo::root:
      return d.parent(n) == document::root();
  }
  return false;
}

using match_context = detail::match_state;

bool list_matches(match_context& m, node_id n, const selector_list& list);

bool compound_matches(match_context& m, node_id n, const compound& c) {
  const document& d = m.d;
  if (c.has_type) {
    if (c.type_tag != tag::none) {
      if (d.at(n).name != static_cast<atom>(c.type_tag)) return false;
    } else if (!iequals(d.name(n), c.type)) {
      return false;
    }
  }
  for (const std::string& id : c.ids) {
    auto v = d.attr(n, "id");
    if (!v || *v != id) return false;
  }
  if (!c.classes.empty()) {
    auto v = d.attr(n, "class");
    if (!v) return false;
    for (const std::string& cls : c.classes)
      if (!contains_token(*v, cls, false)) return false;
  }
  for (const attr_test& t : c.attrs) {
    // Attribute names are lower-case in HTML elements; compare case-insensitively so that
    // adjusted SVG names (viewBox) match [viewbox] too.
    bool found = false;
    for (std::size_t i = 0, k = d.attr_count(n); i < k; ++i) {
      if (iequals(d.attr_name(n, i), t.name)) {
        found = attr_matches(t, d.attr_value(n, i));
        break;
      }
    }
    if (!found) return false;
  }
  for (const pseudo_test& p : c.pseudos)
    if (!pseudo_matches(d, n, p)) return false;
  for (const selector_list& inner : c.nots)
    if (list_matches(m, n, inner)) return false;
  return true;
}

bool complex_matches_at(match_context& m, node_id n, const complex_sel& cx, std::size_t k);

// complex_matches_at for a left-hand part, remembered per (compound, element).
bool remembered(match_context& m, node_id n, const complex_sel& cx, std::size_t k) {
  std::vector<std::uint8_t>& seen = m.row(m.memo, &cx.parts[k]);
  if (seen[n] != 0) return seen[n] == 2;
  bool r = complex_matches_at(m, n, cx, k);
  seen[n] = r ? 2 : 1;
  return r;
}

// Do parts[0..=k] match at some ancestor (or some previous sibling) of n? Remembered per
// element as "n's parent (previous sibling) matches, or its answer is yes", filled without
// recursion up the chain: a descendant or subsequent-sibling combinator then costs O(1)
// amortised per element, so a run is O(elements x compounds) even for a hostile selector
// ("x a a a a") over a hostile depth.
bool some_before(match_context& m, node_id n, const complex_sel& cx, std::size_t k, bool siblings) {
  const document& d = m.d;
  auto step = siblings ? prev_element : parent_element;
  std::vector<std::uint8_t>& known = m.row(m.before[siblings ? 1 : 0], &cx.parts[k]);
  if (known[n] != 0) return known[n] == 2;
  // Walk up to the first element whose answer is known (or the end), then fill back down.
  std::vector<node_id> chain;
  node_id x = n;
  while (x != no_node && known[x] == 0) {
    chain.push_back(x);
    x = step(d, x);
  }
  for (std::size_t i = chain.size(); i-- > 0;) {
    node_id c = chain[i];
    node_id s = step(d, c);
    bool r = s != no_node && (known[s] == 2 || remembered(m, s, cx, k));
    known[c] = r ? 2 : 1;
  }
  return known[n] == 2;
}

// Does parts[0..=k] match with parts[k] at element n?
bool complex_matches_at(match_context& m, node_id n, const complex_sel& cx, std::size_t k) {
  const document& d = m.d;
  if (!compound_matches(m, n, cx.parts[k])) return false;
  if (k == 0) return true;
  switch (cx.combinators[k - 1]) {
    case combinator::child: {
      node_id p = parent_element(d, n);
      return p != no_node && remembered(m, p, cx, k - 1);
    }
    case combinator::descendant:
      return some_before(m, n, cx, k - 1, false);
    case combinator::next_sibling: {
      node_id s = prev_element(d, n);
      return s != no_node && remembered(m, s, cx, k - 1);
    }
    case combinator::subsequent_sibling:
      return some_before(m, n, cx, k - 1, true);
  }
  return false;
}

bool list_matches(match_context& m, node_id n, const selector_list& list) {
  for (const complex_sel& cx : list.alternatives)
    if (complex_matches_at(m, n, cx, cx.parts.size() - 1)) return true;
  return false;
}

}  // namespace

selector::selector(std::string_view text) {
  compiler c(text);
  auto list = std::make_unique<detail::selector_list>();
  if (c.parse_all(*list)) {
    list->by_tag = true;
    list->tags.assign(tag_count, false);
    for (const complex_sel& cx : list->alternatives) {
      const compound& last = cx.parts.back();
      if (last.type_tag == tag::none)
        list->by_tag = false;
      else
        list->tags[static_cast<std::size_t>(last.type_tag)] = true;
    }
    list_ = std::move(list);
  } else {
    error_.position = c.err ? c.err->pos : 0;
    error_.message = c.err ? c.err->message : "invalid selector";
  }
}

selector::~selector() = default;
selector::selector(selector&&) noexcept = default;
selector& selector::operator=(selector&&) noexcept = default;

bool selector::matches(const document& doc, node_id element) const {
  if (!list_ || element >= doc.node_count() || !doc.is_element(element)) return false;
  match_context m{doc, {}, {}};
  return list_matches(m, element, *list_);
}

match_memo::match_memo(const document& doc)
    : state_(std::make_unique<detail::match_state>(detail::match_state{doc, {}, {}})) {}
match_memo::~match_memo() = default;
match_memo::match_memo(match_memo&&) noexcept = default;
match_memo& match_memo::operator=(match_memo&&) noexcept = default;

namespace {

// Calls f(element) for each element below scope in document order until f returns false. Only
// elements have children worth entering, so text and comments are stepped over.
template <typename F>
void for_each_element(const document& doc, node_id scope, F f) {
  node_id n = doc.first_child(scope);
  while (n != no_node) {
    if (doc.is_element(n)) {
      if (!f(n)) return;
      if (doc.first_child(n) != no_node) {
        n = doc.first_child(n);
        continue;
      }
    }
    while (n != scope && doc.next_sibling(n) == no_node) n = doc.parent(n);
    if (n == scope) return;
    n = doc.next_sibling(n);
  }
}

bool candidate(match_context& m, node_id n, const selector_list& list) {
  if (list.by_tag) {
    atom a = m.d.at(n).name;
    if (a >= tag_count || !list.tags[a]) return false;
  }
  return list_matches(m, n, list);
}

}  // namespace

std::vector<node_id> selector::select(const document& doc, node_id scope) const {
  std::vector<node_id> out;
  if (!list_ || scope >= doc.node_count()) return out;
  match_context m{doc, {}, {}};
  for_each_element(doc, scope, [&](node_id n) {
    if (candidate(m, n, *list_)) out.push_back(n);
    return true;
  });
  return out;
}

bool selector::may_match(tag t) const noexcept {
  if (!list_ || !list_->by_tag) return true;
  const auto i = static_cast<std::size_t>(t);
  return i < list_->tags.size() && list_->tags[i];
}

bool selector::matches(const document& doc, node_id element, match_memo& memo) const {
  if (!memo.state_ || &memo.state_->d != &doc) return matches(doc, element);
  if (!list_ || element >= doc.node_count() || !doc.is_element(element)) return false;
  return candidate(*memo.state_, element, *list_);
}

node_id selector::select_one(const document& doc, node_id scope) const {
  node_id found = no_node;
  if (!list_ || scope >= doc.node_count()) return found;
  match_context m{doc, {}, {}};
  for_each_element(doc, scope, [&](node_id n) {
    if (!candidate(m, n, *list_)) return true;
    found = n;
    return false;
  });
  return found;
}

}  // namespace lapwise::html

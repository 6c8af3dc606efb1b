// The arena DOM: storage, traversal, text extraction and the WHATWG serialiser.
#include "lapwise/html/dom.h"

#include <array>
#include <bit>
#include <cstring>
#include <type_traits>

namespace lapwise::html {

namespace {

constexpr std::array<std::string_view, tag_count> kTagNames = {
    "",
#define LAPWISE_HTML_TAG_NAME(e, s) s,
    LAPWISE_HTML_TAGS(LAPWISE_HTML_TAG_NAME)
#undef LAPWISE_HTML_TAG_NAME
};

// Open addressing over the known names, built at compile time. Every known name fits in 16
// bytes, so a name is keyed by its length and at most two words that together cover every
// byte (overlapping fixed-size loads, no loop over the name): a lookup is those loads, one
// multiply-shift hash and a two-word compare, usually at the first slot. Every start and end
// tag goes through it.
struct packed_name {
  std::uint64_t lo = 0, hi = 0;
  std::size_t len = 0;
  constexpr bool operator==(const packed_name&) const = default;
};

constexpr std::size_t kMaxPackedName = 16;

// n bytes at p as a little-endian number (the same value at compile time and at run time).
template <std::size_t N>
constexpr std::uint64_t load_le(const char* p) noexcept {
  if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, N);
    return w;
  }
  std::uint64_t w = 0;
  for (std::size_t i = 0; i < N; ++i)
    w |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return w;
}

// Injective for names of one length: the words read cover every byte.
constexpr packed_name pack_name(std::string_view s) noexcept {  // s.size() <= kMaxPackedName
  packed_name k;
  std::size_t n = k.len = s.size();
  const char* p = s.data();
  if (n >= 9) {
    k.lo = load_le<8>(p);
    k.hi = load_le<8>(p + n - 8);
  } else if (n >= 4) {
    k.lo = load_le<4>(p) | (load_le<4>(p + n - 4) << 32);
  } else if (n > 0) {
    k.lo = load_le<1>(p) | (load_le<1>(p + n / 2) << 8) | (load_le<1>(p + n - 1) << 16);
  }
  return k;
}

struct tag_table {
  static constexpr std::size_t kBits = 9;
  static constexpr std::size_t kSize = std::size_t{1} << kBits;  // > 3x the names
  struct entry {
    packed_name name;
    std::uint16_t t = 0;  // 0: empty
  };
  std::array<entry, kSize> slot{};

  static constexpr std::size_t hash(const packed_name& p) noexcept {
    std::uint64_t h = (p.lo ^ (p.hi * 0x9E3779B97F4A7C15ULL) ^ p.len) * 0xC2B2AE3D27D4EB4FULL;
    return static_cast<std::size_t>(h >> (64 - kBits));
  }
  constexpr tag_table() {
    for (std::size_t i = 1; i < tag_count; ++i) {
      packed_name p = pack_name(kTagNames[i]);
      std::size_t h = hash(p);
      while (slot[h].t != 0) h = (h + 1) & (kSize - 1);
      slot[h] = {p, static_cast<std::uint16_t>(i)};
    }
  }
  tag find(std::string_view s) const noexcept {
    if (s.size() > kMaxPackedName) return tag::none;
    packed_name p = pack_name(s);
    for (std::size_t h = hash(p); slot[h].t != 0; h = (h + 1) & (kSize - 1))
      if (slot[h].name == p) return static_cast<tag>(slot[h].t);
    return tag::none;
  }
};

constexpr bool names_fit() {
  for (std::string_view n : kTagNames)
    if (n.size() > kMaxPackedName) return false;
  return true;
}
static_assert(names_fit(), "a known tag name is longer than a packed name");

constexpr tag_table kTagTable{};

bool is_ascii_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// Python's str.isspace() set, which BeautifulSoup's strip=True trims: ASCII TAB LF VT FF CR,
// the separators 0x1C-0x1F, SPACE, and U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
// U+202F, U+205F, U+3000. Returns the byte length of such a character starting at i, else 0.
std::size_t python_space_at(std::string_view s, std::size_t i) {
  auto u = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = u(0);
  if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) ? 1 : 0;
  std::size_t left = s.size() - i;
  if (c == 0xC2 && left >= 2) return u(1) == 0x85 || u(1) == 0xA0 ? 2 : 0;
  if (left < 3) return 0;
  if (c == 0xE1) return u(1) == 0x9A && u(2) == 0x80 ? 3 : 0;  // U+1680
  if (c == 0xE2 && u(1) == 0x80)
    return u(2) <= 0x8A || u(2) == 0xA8 || u(2) == 0xA9 || u(2) == 0xAF ? 3 : 0;
  if (c == 0xE2 && u(1) == 0x81) return u(2) == 0x9F ? 3 : 0;  // U+205F
  if (c == 0xE3) return u(1) == 0x80 && u(2) == 0x80 ? 3 : 0;  // U+3000
  return 0;
}

// The same for the character that ends just before byte e.
std::size_t python_space_before(std::string_view s, std::size_t e) {
  for (std::size_t len = 1; len <= 3 && len <= e; ++len)
    if (python_space_at(s, e - len) == len) return len;
  return 0;
}

bool is_void(tag t) {
  switch (t) {
    case tag::area:
    case tag::base:
    case tag::basefont:
    case tag::bgsound:
    case tag::br:
    case tag::col:
    case tag::embed:
    case tag::frame:
    case tag::hr:
    case tag::img:
    case tag::input:
    case tag::keygen:
    case tag::link:
    case tag::meta:
    case tag::param:
    case tag::source:
    case tag::track:
    case tag::wbr:
      return true;
    default:
      return false;
  }
}

// Parents whose text children serialise unescaped (the tree builder made them raw text).
// noscript is absent because documents are parsed with scripting disabled.
bool is_raw_text_parent(tag t) {
  switch (t) {
    case tag::style:
    case tag::script:
    case tag::xmp:
    case tag::iframe:
    case tag::noembed:
    case tag::noframes:
    case tag::plaintext:
      return true;
    default:
      return false;
  }
}

void escape(std::string& out, std::string_view s, bool attribute_mode) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        if (attribute_mode)
          out += "&quot;";
        else
          out += c;
        break;
      case '<':
        if (!attribute_mode)
          out += "&lt;";
        else
          out += c;
        break;
      case '>':
        if (!attribute_mode)
          out += "&gt;";
        else
          out += c;
        break;
      case '\xC2':
        if (i + 1 < s.size() && s[i + 1] == '\xA0') {
          out += "&nbsp;";
          ++i;
        } else {
          out += c;
        }
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

tag lookup_tag(std::string_view name) noexcept { return kTagTable.find(name); }

std::string_view tag_name(tag t) noexcept {
  auto i = static_cast<std::size_t>(t);
  return i < tag_count ? kTagNames[i] : std::string_view{};
}

document::document() { nodes_.emplace_back(); }

void document::reserve(std::size_t nodes, std::size_t bytes) {
  nodes_.reserve(nodes);
  chars_.reserve(bytes);
}

std::string_view document::atom_name(atom a) const {
  if (a < tag_count) return kTagNames[a];
  std::size_t i = a - tag_count;
  return i < interned_.size() ? std::string_view(interned_[i]) : std::string_view{};
}

std::string_view document::name(node_id n) const {
  return nodes_[n].kind == node_kind::element ? atom_name(nodes_[n].name) : std::string_view{};
}

std::optional<atom> document::find_atom(std::string_view name) const {
  tag t = lookup_tag(name);
  if (t != tag::none) return static_cast<atom>(t);
  auto it = intern_map_.find(std::string(name));
  if (it == intern_map_.end()) return std::nullopt;
  return it->second;
}

atom document::intern(std::string_view name) {
  tag t = lookup_tag(name);
  if (t != tag::none) return static_cast<atom>(t);
  auto [it, inserted] = intern_map_.try_emplace(std::string(name), 0);
  if (inserted) {
    it->second = static_cast<atom>(tag_count + interned_.size());
    interned_.emplace_back(name);
  }
  return it->second;
}

node_id document::next_in_order(node_id n, node_id scope) const {
  if (nodes_[n].first_child != no_node) return nodes_[n].first_child;
  while (n != scope) {
    if (nodes_[n].next != no_node) return nodes_[n].next;
    n = nodes_[n].parent;
    if (n == no_node) break;
  }
  return no_node;
}

node_id document::document_element() const {
  for (node_id c = nodes_[0].first_child; c != no_node; c = nodes_[c].next)
    if (nodes_[c].kind == node_kind::element) return c;
  return no_node;
}

node_id document::head() const {
  node_id html = document_element();
  if (html == no_node) return no_node;
  for (node_id c = nodes_[html].first_child; c != no_node; c = nodes_[c].next)
    if (is_html(c, tag::head)) return c;
  return no_node;
}

node_id document::body() const {
  node_id html = document_element();
  if (html == no_node) return no_node;
  for (node_id c = nodes_[html].first_child; c != no_node; c = nodes_[c].next)
    if (is_html(c, tag::body) || is_html(c, tag::frameset)) return c;
  return no_node;
}

std::string_view document::attr_name(node_id n, std::size_t i) const {
  const attribute_record& a = attrs_[nodes_[n].a + i];
  return {chars_.data() + a.name_off, a.name_len};
}

std::string_view document::attr_value(node_id n, std::size_t i) const {
  const attribute_record& a = attrs_[nodes_[n].a + i];
  return {chars_.data() + a.value_off, a.value_len};
}

std::optional<std::string_view> document::attr(node_id n, std::string_view name) const {
  std::size_t count = attr_count(n);
  for (std::size_t i = 0; i < count; ++i)
    if (attr_name(n, i) == name) return attr_value(n, i);
  return std::nullopt;
}

std::uint32_t document::store(std::string_view s) {
  auto off = static_cast<std::uint32_t>(chars_.size());
  chars_.append(s);
  return off;
}

node_id document::create_element(atom name, name_space ns, std::span<const attribute> attrs) {
  std::size_t count = attrs.size();
  node_record r;
  r.kind = node_kind::element;
  r.ns = ns;
  r.name = name;
  r.a = static_cast<std::uint32_t>(attrs_.size());
  r.b = static_cast<std::uint32_t>(count);
  for (std::size_t i = 0; i < count; ++i) {
    attribute_record a{};
    a.name_off = store(attrs[i].name);
    a.name_len = static_cast<std::uint32_t>(attrs[i].name.size());
    a.value_off = store(attrs[i].value);
    a.value_len = static_cast<std::uint32_t>(attrs[i].value.size());
    attrs_.push_back(a);
  }
  nodes_.push_back(r);
  return static_cast<node_id>(nodes_.size() - 1);
}

node_id document::clone_element(node_id n) {
  // Attribute slices are immutable once written (merge_attributes writes a new slice), so a
  // clone shares its source's: the adoption agency's clones cost one node each, never a copy
  // of the attributes.
  node_record r;
  r.kind = node_kind::element;
  r.ns = nodes_[n].ns;
  r.name = nodes_[n].name;
  r.a = nodes_[n].a;
  r.b = nodes_[n].b;
  nodes_.push_back(r);
  return static_cast<node_id>(nodes_.size() - 1);
}

node_id document::create_text(std::string_view data) {
  node_record r;
  r.kind = node_kind::text;
  r.a = store(data);
  r.b = static_cast<std::uint32_t>(data.size());
  nodes_.push_back(r);
  return static_cast<node_id>(nodes_.size() - 1);
}

node_id document::create_comment(std::string_view data) {
  node_id n = create_text(data);
  nodes_[n].kind = node_kind::comment;
  return n;
}

node_id document::create_doctype(std::string_view name, std::optional<std::string_view> public_id,
                                 std::optional<std::string_view> system_id) {
  node_id n = create_text(name);
  nodes_[n].kind = node_kind::doctype;
  has_pub_ = public_id.has_value();
  has_sys_ = system_id.has_value();
  if (public_id) {
    pub_off_ = store(*public_id);
    pub_len_ = static_cast<std::uint32_t>(public_id->size());
  }
  if (system_id) {
    sys_off_ = store(*system_id);
    sys_len_ = static_cast<std::uint32_t>(system_id->size());
  }
  return n;
}

void document::append_child(node_id parent, node_id child) {
  insert_before(parent, child, no_node);
}

void document::insert_before(node_id parent, node_id child, node_id before) {
  node_record& c = nodes_[child];
  c.parent = parent;
  if (before == no_node) {
    c.prev = nodes_[parent].last_child;
    c.next = no_node;
    if (c.prev != no_node)
      nodes_[c.prev].next = child;
    else
      nodes_[parent].first_child = child;
    nodes_[parent].last_child = child;
  } else {
    c.next = before;
    c.prev = nodes_[before].prev;
    nodes_[before].prev = child;
    if (c.prev != no_node)
      nodes_[c.prev].next = child;
    else
      nodes_[parent].first_child = child;
  }
}

void document::detach(node_id n) {
  node_record& r = nodes_[n];
  if (r.parent == no_node) return;
  if (r.prev != no_node)
    nodes_[r.prev].next = r.next;
  else
    nodes_[r.parent].first_child = r.next;
  if (r.next != no_node)
    nodes_[r.next].prev = r.prev;
  else
    nodes_[r.parent].last_child = r.prev;
  r.parent = r.prev = r.next = no_node;
}

// A text node that is not the newest thing in the buffer (foster-parented text between table
// cells, say) cannot grow in place. Moving it to the end on every append would copy it once
// per append: quadratic bytes for "<table>a<td>b</td>a<td>b</td>...". So a moved node takes as
// much room again as it holds (text_room_ records where its room ends) and later appends fill
// the room: each byte is copied O(1) times amortised, and the room is at most the text's size.
void document::append_text(node_id text, std::string_view data) {
  node_record& r = nodes_[text];
  std::size_t end = std::size_t{r.a} + r.b;
  if (end == chars_.size()) {
    chars_.append(data);
  } else if (auto it = text_room_.find(text);
             it != text_room_.end() && end + data.size() <= it->second) {
    chars_.write_at(end, data);
  } else {
    std::size_t size = std::size_t{r.b} + data.size();
    auto off = static_cast<std::uint32_t>(chars_.size());
    chars_.append_own(r.a, r.b);
    chars_.append(data);
    chars_.append_zeros(size);
    text_room_[text] = static_cast<std::uint32_t>(off + 2 * size);
    r.a = off;
  }
  r.b += static_cast<std::uint32_t>(data.size());
}

// Attributes a second <html> or <body> start tag adds. The element's slice grows like a moved
// text node (attr_room_): "<html a1=1><p><html a2=1><p>..." copies each record O(1) times
// amortised instead of once per tag. Past max_merged_attributes the rest are dropped, so the
// per-tag duplicate check stays bounded.
void document::merge_attributes(node_id n, std::span<const attribute> attrs) {
  constexpr std::size_t max_merged_attributes = 1024;
  for (const attribute& a : attrs) {
    node_record& r = nodes_[n];
    if (r.b >= max_merged_attributes) {
      ++errors_;
      return;
    }
    if (attr(n, a.name)) continue;
    attribute_record rec{};
    rec.name_off = store(a.name);
    rec.name_len = static_cast<std::uint32_t>(a.name.size());
    rec.value_off = store(a.value);
    rec.value_len = static_cast<std::uint32_t>(a.value.size());
    std::size_t end = std::size_t{r.a} + r.b;
    if (end == attrs_.size()) {
      attrs_.push_back(rec);
    } else if (auto it = attr_room_.find(n); it != attr_room_.end() && end < it->second) {
      attrs_[end] = rec;
    } else {
      // Clones share slices, so the old records stay where they are for them.
      auto off = static_cast<std::uint32_t>(attrs_.size());
      std::size_t size = std::size_t{r.b} + 1;
      std::vector<attribute_record> old(attrs_.begin() + r.a, attrs_.begin() + r.a + r.b);
      attrs_.insert(attrs_.end(), old.begin(), old.end());
      attrs_.push_back(rec);
      attrs_.resize(attrs_.size() + size);
      attr_room_[n] = static_cast<std::uint32_t>(off + 2 * size);
      r.a = off;
    }
    ++r.b;
  }
}

std::string document::text(node_id n, text_mode mode) const {
  std::string out;
  bool pending_space = false;
  for (node_id c = n; c != no_node;) {
    const node_record& r = nodes_[c];
    if (mode == text_mode::strings && r.kind == node_kind::element && r.ns == name_space::html &&
        (r.name == static_cast<atom>(tag::script) || r.name == static_cast<atom>(tag::style) ||
         r.name == static_cast<atom>(tag::template_)) &&
        c != n) {
      // Skip the whole subtree: continue after it.
      node_id s = c;
      c = no_node;
      while (s != n && s != no_node) {
        if (nodes_[s].next != no_node) {
          c = nodes_[s].next;
          break;
        }
        s = nodes_[s].parent;
      }
      continue;
    }
    if (r.kind == node_kind::text) {
      std::string_view d(chars_.data() + r.a, r.b);
      switch (mode) {
        case text_mode::raw:
          out.append(d);
          break;
        case text_mode::normalized:
          // Whole runs of non-whitespace are appended at once: cells and headings of layout
          // tables repeat most of a page's text, so this loop is most of extraction's cost.
          for (std::size_t i = 0; i < d.size();) {
            if (is_ascii_ws(d[i])) {
              pending_space = !out.empty();
              ++i;
              continue;
            }
            std::size_t j = i + 1;
            while (j < d.size() && !is_ascii_ws(d[j])) ++j;
            if (pending_space) out += ' ';
            pending_space = false;
            out.append(d, i, j - i);
            i = j;
          }
          break;
        case text_mode::strings: {
          std::size_t b = 0, e = d.size();
          while (b < e) {
            std::size_t k = python_space_at(d, b);
            if (k == 0) break;
            b += k;
          }
          while (e > b) {
            std::size_t k = python_space_before(d, e);
            if (k == 0) break;
            e -= k;
          }
          if (b < e) {
            if (!out.empty()) out += ' ';
            out.append(d.substr(b, e - b));
          }
          break;
        }
      }
    }
    c = next_in_order(c, n);
  }
  return out;
}

std::string document::outer_html(node_id n) const {
  std::string out;
  // Iterative walk: emit the start on entry, the end tag on the way back up.
  node_id c = n;
  while (c != no_node) {
    const node_record& r = nodes_[c];
    bool descend = false;
    switch (r.kind) {
      case node_kind::document:
        descend = true;
        break;
      case node_kind::doctype:
        out += "<!DOCTYPE ";
        out += data(c);
        out += '>';
        break;
      case node_kind::comment:
        out += "<!--";
        out += data(c);
        out += "-->";
        break;
      case node_kind::text: {
        node_id p = r.parent;
        if (p != no_node && nodes_[p].kind == node_kind::element &&
            nodes_[p].ns == name_space::html && is_raw_text_parent(tag_of(p)))
          out += data(c);
        else
          escape(out, data(c), false);
        break;
      }
      case node_kind::element: {
        std::string_view nm = name(c);
        out += '<';
        out += nm;
        for (std::size_t i = 0; i < r.b; ++i) {
          out += ' ';
          out += attr_name(c, i);
          out += "=\"";
          escape(out, attr_value(c, i), true);
          out += '"';
        }
        out += '>';
        if (!(r.ns == name_space::html && is_void(tag_of(c)))) descend = true;
        break;
      }
    }
    if (descend && r.first_child != no_node) {
      c = r.first_child;
      continue;
    }
    // Close c (if it was an element that is not void) and climb until a next sibling.
    for (;;) {
      const node_record& x = nodes_[c];
      if (x.kind == node_kind::element && !(x.ns == name_space::html && is_void(tag_of(c)))) {
        out += "</";
        out += name(c);
        out += '>';
      }
      if (c == n) {
        c = no_node;
        break;
      }
      if (x.next != no_node) {
        c = x.next;
        break;
      }
      c = x.parent;
    }
  }
  return out;
}

std::string document::inner_html(node_id n) const {
  std::string out;
  for (node_id c = nodes_[n].first_child; c != no_node; c = nodes_[c].next) out += outer_html(c);
  return out;
}

}  // namespace lapwise::html

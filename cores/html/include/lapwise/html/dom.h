// lapwise::html::document — a compact arena DOM.
//
// Contract:
// - A document owns everything: nodes in one vector, linked by `node_id` (parent, first/last
//   child, previous/next sibling); element names are atoms (tags.h: known HTML names are a fixed
//   enum, others interned once per document); all attributes in one shared array; all character
//   data (text, comments, attribute names and values) in one owned byte buffer. Nothing is freed:
//   a node the tree builder detaches just stops being reachable.
// - `node_id` 0 is the document node; ids are dense, valid for the document's lifetime and
//   stable across moves. `no_node` means none. Ids follow creation, not document order.
// - HTML element and attribute names are lower-case; SVG keeps its camelCase ("foreignObject").
// - Every traversal (text, serialisation, descendants) is iterative: depth costs no stack.
// - string_views returned point into the document, valid until it is modified or destroyed.
//   const members may run concurrently.
// - The building half (create_*, append_child, insert_before, detach, ...) serves the tree
//   builder; it checks nothing, so whoever builds a tree by hand keeps it a tree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lapwise/html/char_buffer.h"
#include "lapwise/html/tags.h"
#include "lapwise/html/tokenizer.h"  // attribute

namespace lapwise::html {

using node_id = std::uint32_t;
inline constexpr node_id no_node = 0xFFFFFFFFu;
enum class node_kind : std::uint8_t { document, doctype, element, text, comment };
enum class name_space : std::uint8_t { html, svg, mathml };
enum class quirks_mode : std::uint8_t { no_quirks, limited_quirks, quirks };
// How text(node, mode) turns a subtree into one string.
enum class text_mode : std::uint8_t {
  raw,  // DOM textContent: every descendant text node's data in document order, as is
  // raw, then each run of ASCII whitespace (TAB LF FF CR SPACE) becomes one SPACE, and the ends
  // are trimmed: "a <b>b</b>c" -> "a bc". Non-ASCII spaces (U+00A0) stay.
  normalized,
  // BeautifulSoup's get_text(" ", strip=True): each text node trimmed of what Python's strip()
  // trims (ASCII whitespace, 0x1C-0x1F, U+00A0, U+2000-U+200A, ...), empty ones dropped, the rest
  // joined by one SPACE, inner whitespace kept; <script>, <style>, <template> text skipped (as
  // bs4 >= 4.10 with html.parser or lxml): "a<b>b</b>c" -> "a b c".
  strings,
};

// One attribute in the document's shared array (offsets into its byte buffer).
struct attribute_record {
  std::uint32_t name_off, name_len, value_off, value_len;
};

struct node_record {
  node_id parent = no_node, first_child = no_node, last_child = no_node, prev = no_node,
          next = no_node;
  atom name = 0;               // elements only
  std::uint32_t a = 0, b = 0;  // element: attribute begin, count; text/comment: offset, length
  node_kind kind = node_kind::document;
  name_space ns = name_space::html;
};

class document {
 public:
  document();

  static constexpr node_id root() noexcept { return 0; }
  std::size_t node_count() const noexcept { return nodes_.size(); }
  const node_record& at(node_id n) const { return nodes_[n]; }
  node_kind kind(node_id n) const { return nodes_[n].kind; }
  bool is_element(node_id n) const { return nodes_[n].kind == node_kind::element; }
  name_space ns(node_id n) const { return nodes_[n].ns; }
  // The known tag of an element (tag::none for interned names and for non-elements).
  tag tag_of(node_id n) const { return nodes_[n].name < tag_count ? tag(nodes_[n].name) : tag{}; }
  bool is_html(node_id n, tag t) const {  // an HTML-namespace element with tag t
    return is_element(n) && nodes_[n].ns == name_space::html && nodes_[n].name == atom(t);
  }
  std::string_view name(node_id n) const;  // element name; "" for other kinds
  std::string_view atom_name(atom a) const;
  std::optional<atom> find_atom(std::string_view name) const;  // known or interned, no insert
  node_id parent(node_id n) const { return nodes_[n].parent; }
  node_id first_child(node_id n) const { return nodes_[n].first_child; }
  node_id last_child(node_id n) const { return nodes_[n].last_child; }
  node_id next_sibling(node_id n) const { return nodes_[n].next; }
  node_id prev_sibling(node_id n) const { return nodes_[n].prev; }
  // Pre-order successor of n within scope's subtree, no_node at the end:
  // `for (n = scope; n != no_node; n = doc.next_in_order(n, scope))`.
  node_id next_in_order(node_id n, node_id scope) const;
  // The <html>, <head>, <body> elements (no_node when absent).
  node_id document_element() const;
  node_id head() const;
  node_id body() const;

  // Text and comment data; doctype name for the doctype node.
  std::string_view data(node_id n) const { return {chars_.data() + nodes_[n].a, nodes_[n].b}; }
  std::size_t attr_count(node_id n) const { return is_element(n) ? nodes_[n].b : 0; }
  std::string_view attr_name(node_id n, std::size_t i) const;
  std::string_view attr_value(node_id n, std::size_t i) const;
  std::optional<std::string_view> attr(node_id n, std::string_view name) const;

  std::string text(node_id n, text_mode mode = text_mode::raw) const;
  // The WHATWG "serialising HTML fragments" algorithm: outer_html includes n itself.
  std::string outer_html(node_id n) const;
  std::string inner_html(node_id n) const;

  quirks_mode quirks() const noexcept { return quirks_; }
  std::size_t error_count() const noexcept { return errors_; }
  bool truncated() const noexcept { return truncated_; }  // a node cap was hit: tail dropped
  std::string_view doctype_public_id() const { return {chars_.data() + pub_off_, pub_len_}; }
  std::string_view doctype_system_id() const { return {chars_.data() + sys_off_, sys_len_}; }
  bool has_public_id() const noexcept { return has_pub_; }
  bool has_system_id() const noexcept { return has_sys_; }

  // Building.
  atom intern(std::string_view name);
  // attrs are copied; elements made by clone_element share their source's slice.
  node_id create_element(atom name, name_space ns, std::span<const attribute> attrs);
  node_id clone_element(node_id n);
  node_id create_text(std::string_view data);
  node_id create_comment(std::string_view data);
  node_id create_doctype(std::string_view name, std::optional<std::string_view> public_id,
                         std::optional<std::string_view> system_id);
  void append_child(node_id parent, node_id child);
  void insert_before(node_id parent, node_id child, node_id before);  // before == no_node: append
  void detach(node_id n);
  void append_text(node_id text, std::string_view data);  // moves the old bytes if needed
  void merge_attributes(node_id n, std::span<const attribute> attrs);  // adds new names, <= 1024
  void set_quirks(quirks_mode q) noexcept { quirks_ = q; }
  void add_error() noexcept { ++errors_; }
  void set_truncated() noexcept { truncated_ = true; }
  void reserve(std::size_t nodes, std::size_t bytes);

 private:
  std::uint32_t store(std::string_view s);
  std::vector<node_record> nodes_;
  std::vector<attribute_record> attrs_;
  detail::char_buffer chars_;
  std::vector<std::string> interned_;  // atom tag_count + i
  std::unordered_map<std::string, atom> intern_map_;
  std::unordered_map<node_id, std::uint32_t> text_room_, attr_room_;  // see append_text
  quirks_mode quirks_ = quirks_mode::no_quirks;
  std::size_t errors_ = 0;
  bool truncated_ = false;
  bool has_pub_ = false, has_sys_ = false;
  std::uint32_t pub_off_ = 0, pub_len_ = 0, sys_off_ = 0, sys_len_ = 0;  // DOCTYPE ids
};

}  // namespace lapwise::html

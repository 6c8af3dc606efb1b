// Fuzzes the tree builder: any bytes must give a well-formed tree (every link consistent, no
// cycle, depth and node caps respected), and every reader (text modes, serialisation, the
// tree dump, selectors) must walk it without fault. Small caps so the fuzzer reaches them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lapwise/html/document.h"
#include "lapwise/html/select.h"

using namespace lapwise::html;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_tree(const document& doc, const parse_options& opt) {
  std::size_t reachable = 0;
  for (node_id n = 0; n != no_node; n = doc.next_in_order(n, 0)) {
    ++reachable;
    check(reachable <= doc.node_count());  // a cycle would loop past the node count
    std::size_t depth = 0;
    for (node_id p = doc.parent(n); p != no_node; p = doc.parent(p)) ++depth;
    // The cap bounds the stack of open elements; the tree can be a few levels deeper (an
    // element made past the cap, the adoption agency wrapping a furthest block's children).
    // Twice the cap would mean the bound no longer holds at all.
    check(depth <= 2 * opt.max_depth);
    node_id prev = no_node;
    for (node_id c = doc.first_child(n); c != no_node; c = doc.next_sibling(c)) {
      check(doc.parent(c) == n);
      check(doc.prev_sibling(c) == prev);
      prev = c;
    }
    check(doc.last_child(n) == prev);
    if (doc.kind(n) == node_kind::text) check(doc.first_child(n) == no_node);
  }
  check(doc.node_count() <= opt.max_nodes + 64);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  parse_options opt;
  opt.max_depth = 48;
  opt.max_formatting = 16;
  opt.max_nodes = 4096;
  document doc = parse(input, opt);
  check_tree(doc, opt);
  (void)doc.text(0, text_mode::raw);
  (void)doc.text(0, text_mode::normalized);
  (void)doc.text(0, text_mode::strings);
  std::string html = doc.outer_html(0);
  (void)tree_dump(doc);
  // Serialising and parsing again must not fail either (the round trip is not an identity for
  // misnested input, so only safety is checked).
  document again = parse(html, opt);
  check_tree(again, opt);
  static const selector all("*");
  static const selector mixed("div > p:nth-child(2n+1), a[href^=h] ~ b:not(.x), td + td");
  check(all.select(doc).size() <= doc.node_count());
  (void)mixed.select(doc);
  return 0;
}

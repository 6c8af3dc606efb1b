// Fuzzes the selector compiler and matcher: the first line of the input is a selector, the
// rest an HTML document. Compiling must either succeed or report a position inside the text;
// a compiled selector must match without fault, select() must be in document order without
// duplicates, select_one() must be select()'s first element, and matching element by element
// with one match_memo must give select()'s elements.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "lapwise/html/document.h"
#include "lapwise/html/select.h"

using namespace lapwise::html;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

const document& fixed_page() {
  static const document doc = parse(
      "<!DOCTYPE html><html lang=en><head><title>t</title><meta name=a content=b></head><body>"
      "<div id=x class='a b'><p>1</p><p class=b>2<a href=http://q>q</a></p><ul><li>1<li>2"
      "<li>3</ul></div><table><tr><td>1<td>2</table><svg viewBox='0 0 1 1'><g/></svg></body>");
  return doc;
}

void run(const selector& s, const document& doc) {
  std::vector<node_id> all = s.select(doc);
  // Node ids are creation order, not document order (foster parenting, the adoption agency):
  // compare pre-order positions, strictly increasing means ordered and without duplicates.
  std::vector<std::size_t> position(doc.node_count(), 0);
  std::size_t k = 0;
  for (node_id n = 0; n != no_node; n = doc.next_in_order(n, 0)) position[n] = ++k;
  for (std::size_t i = 0; i < all.size(); ++i) {
    check(position[all[i]] != 0);
    if (i > 0) check(position[all[i - 1]] < position[all[i]]);
  }
  node_id one = s.select_one(doc);
  check(all.empty() ? one == no_node : one == all.front());
  for (node_id n : all) check(s.matches(doc, n));
  // Element by element with one memo (as extraction walks): exactly select()'s elements, and
  // none of them ruled out by its tag.
  match_memo memo(doc);
  std::size_t at = 0;
  for (node_id n = doc.first_child(0); n != no_node; n = doc.next_in_order(n, 0)) {
    if (!s.matches(doc, n, memo)) continue;
    check(at < all.size() && all[at] == n);
    check(s.may_match(doc.tag_of(n)) || doc.at(n).name >= tag_count);
    ++at;
  }
  check(at == all.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t nl = input.find('\n');
  std::string_view css = input.substr(0, nl);
  selector s(css);
  if (!s.ok()) {
    check(s.error().position <= css.size());
    check(!s.error().message.empty());
    return 0;
  }
  run(s, fixed_page());
  if (nl != std::string_view::npos) {
    parse_options opt;
    opt.max_nodes = 2048;
    opt.max_depth = 32;
    document doc = parse(input.substr(nl + 1), opt);
    run(s, doc);
  }
  return 0;
}

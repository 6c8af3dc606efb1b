// lapwise::html::parse — HTML text to a document (dom.h), by the WHATWG tree construction
// algorithm ("Tree construction", HTML Living Standard) over lapwise's tokenizer.
//
// Contract:
// - Any input gives a document; nothing throws for any input and nothing is fatal. Parse errors
//   (the tokenizer's and the tree builder's) are counted in document::error_count().
// - Insertion modes implemented: initial (quirks from the DOCTYPE), before html, before head,
//   in head, in head noscript, after head, in body (the full start/end tag rules, implied end
//   tags, the list of active formatting elements with reconstruction and the Noah's Ark clause,
//   the adoption agency algorithm), text, in table, in table text, in caption, in column group,
//   in table body, in row, in cell (with foster parenting), in select, in select in table, in
//   template, after body, in frameset, after frameset, after after body/frameset, and foreign
//   content (SVG and MathML elements, SVG tag and attribute case fixes, integration points).
// - As html5lib does by default, the scripting flag is off: <noscript> content is parsed as
//   markup. <template> contents are the template element's children (no separate fragment).
//   Attributes keep their given names ("xlink:href"): no attribute namespaces. No fragment
//   parsing (innerHTML context), no encoding sniffing: the input is taken as UTF-8.
// - <select> follows the classic rules html5lib implements (other tags inside are dropped).
// - Limits (parse_options): at most `max_depth` open elements — a start tag past it still
//   makes its element, as a child of the current node, but it is not opened (its content
//   becomes its following siblings); at most `max_formatting` entries in the list of active
//   formatting elements (more are not tracked, so they are not reconstructed); at most
//   `max_nodes` nodes — past it parsing stops, the tree built so far is kept and
//   document::truncated() is true. With those, memory is O(input + max_nodes) and time is
//   O(input x max_depth) for any input. The tree itself may be a few levels deeper than
//   max_depth (elements made past the cap, the adoption agency wrapping a block's children);
//   every reader in this library is iterative, so depth never costs stack.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lapwise/html/dom.h"

namespace lapwise::html {

struct parse_options {
  std::size_t max_depth = 512;  // what Blink uses before it flattens
  std::size_t max_formatting = 256;
  std::size_t max_nodes = std::size_t{1} << 24;
};

document parse(std::string_view html, const parse_options& options = {});

// The tree in the format of html5lib's tree-construction tests ("| <html>", two spaces per
// level, attributes sorted by name, "svg "/"math " prefixes for foreign elements, template
// children under "content"), one line per node, each ending in '\n'. For tests and for
// comparing with other parsers node by node.
std::string tree_dump(const document& doc);

}  // namespace lapwise::html

// html5lib's tree-construction test format, so hand-written cases read like the shared suite
// and a page's tree can be diffed line by line against html5lib's.
#include <algorithm>
#include <vector>

#include "lapwise/html/document.h"

namespace lapwise::html {

namespace {

// html5lib prints namespaced attributes of foreign elements as "prefix local".
std::string dump_attr_name(const document& doc, node_id n, std::string_view name) {
  if (doc.ns(n) != name_space::html) {
    if (name == "xmlns") return "xmlns xmlns";
    for (std::string_view prefix : {"xlink:", "xml:", "xmlns:"}) {
      if (name.substr(0, prefix.size()) == prefix) {
        std::string out(prefix.substr(0, prefix.size() - 1));
        out += ' ';
        out += name.substr(prefix.size());
        return out;
      }
    }
  }
  return std::string(name);
}

void line(std::string& out, std::size_t depth) {
  out += "| ";
  out.append(depth * 2, ' ');
}

}  // namespace

std::string tree_dump(const document& doc) {
  std::string out;
  // (node, depth) on an explicit stack: pre-order without recursion.
  std::vector<std::pair<node_id, std::size_t>> stack;
  for (node_id c = doc.last_child(document::root()); c != no_node; c = doc.prev_sibling(c))
    stack.emplace_back(c, 0);
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    std::size_t child_depth = depth + 1;
    switch (doc.kind(n)) {
      case node_kind::document:
        break;
      case node_kind::doctype:
        line(out, depth);
        out += "<!DOCTYPE ";
        out += doc.data(n);
        if (doc.has_public_id() || doc.has_system_id()) {
          out += " \"";
          out += doc.doctype_public_id();
          out += "\" \"";
          out += doc.doctype_system_id();
          out += '"';
        }
        out += ">\n";
        break;
      case node_kind::comment:
        line(out, depth);
        out += "<!-- ";
        out += doc.data(n);
        out += " -->\n";
        break;
      case node_kind::text:
        line(out, depth);
        out += '"';
        out += doc.data(n);
        out += "\"\n";
        break;
      case node_kind::element: {
        line(out, depth);
        out += '<';
        if (doc.ns(n) == name_space::svg) out += "svg ";
        if (doc.ns(n) == name_space::mathml) out += "math ";
        out += doc.name(n);
        out += ">\n";
        std::vector<std::pair<std::string, std::string_view>> attrs;
        for (std::size_t i = 0; i < doc.attr_count(n); ++i)
          attrs.emplace_back(dump_attr_name(doc, n, doc.attr_name(n, i)), doc.attr_value(n, i));
        std::sort(attrs.begin(), attrs.end());
        for (const auto& [k, v] : attrs) {
          line(out, depth + 1);
          out += k;
          out += "=\"";
          out += v;
          out += "\"\n";
        }
        if (doc.is_html(n, tag::template_)) {
          line(out, depth + 1);
          out += "content\n";
          child_depth = depth + 2;
        }
        break;
      }
    }
    for (node_id c = doc.last_child(n); c != no_node; c = doc.prev_sibling(c))
      stack.emplace_back(c, child_depth);
  }
  return out;
}

}  // namespace lapwise::html

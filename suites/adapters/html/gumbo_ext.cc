// _lapwise_gumbo: Google's gumbo (Debian's libgumbo) as a second native HTML parser for the
// harness. A competitor, not product: it is built here, beside its adapter (gumbo.py), into the
// build's python folder.
//
// gumbo has no selectors, so its tree is copied into the core's arena document and queried
// with the core's selector engine and text rules; the copy is part of what html/gumbo's parse
// costs, and gumbo_parse_only() times gumbo alone.
#include <gumbo.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "lapwise/html/document.h"
#include "lapwise/html/extract.h"

namespace py = pybind11;
namespace lh = lapwise::html;

namespace {

struct gumbo_output {
  GumboOutput* out;
  explicit gumbo_output(std::string_view text)
      : out(gumbo_parse_with_options(&kGumboDefaultOptions, text.data(), text.size())) {}
  ~gumbo_output() { gumbo_destroy_output(&kGumboDefaultOptions, out); }
  gumbo_output(const gumbo_output&) = delete;
  gumbo_output& operator=(const gumbo_output&) = delete;
};

std::string element_name(const GumboElement& e) {
  if (e.tag != GUMBO_TAG_UNKNOWN) {
    if (e.tag_namespace == GUMBO_NAMESPACE_SVG) {
      if (const char* svg = gumbo_normalize_svg_tagname(&e.original_tag)) return svg;
    }
    return gumbo_normalized_tagname(e.tag);
  }
  GumboStringPiece piece = e.original_tag;
  gumbo_tag_from_original_text(&piece);
  std::string name(piece.data, piece.length);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

lh::name_space ns_of(GumboNamespaceEnum ns) {
  if (ns == GUMBO_NAMESPACE_SVG) return lh::name_space::svg;
  if (ns == GUMBO_NAMESPACE_MATHML) return lh::name_space::mathml;
  return lh::name_space::html;
}

// gumbo's tree as a core document: elements, text (text, CDATA, whitespace) and comments, in
// order; an explicit stack, since real and hostile pages nest deeper than a C++ stack allows.
lh::document copy_tree(const GumboOutput& out) {
  lh::document doc;
  const GumboDocument& d = out.document->v.document;
  if (d.has_doctype) {
    doc.append_child(lh::document::root(),
                     doc.create_doctype(d.name, std::string_view(d.public_identifier),
                                        std::string_view(d.system_identifier)));
  }
  std::vector<lh::attribute> attrs;
  struct frame {
    const GumboVector* children;
    unsigned next;
    lh::node_id parent;
  };
  std::vector<frame> frames{{&d.children, 0, lh::document::root()}};
  while (!frames.empty()) {
    frame& f = frames.back();
    if (f.next == f.children->length) {
      frames.pop_back();
      continue;
    }
    const auto* node = static_cast<const GumboNode*>(f.children->data[f.next++]);
    const lh::node_id parent = f.parent;
    switch (node->type) {
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        const GumboElement& e = node->v.element;
        attrs.clear();
        for (unsigned i = 0; i < e.attributes.length; ++i) {
          const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
          attrs.push_back({a->name, a->value});
        }
        const lh::node_id n =
            doc.create_element(doc.intern(element_name(e)), ns_of(e.tag_namespace), attrs);
        doc.append_child(parent, n);
        frames.push_back({&e.children, 0, n});  // invalidates f
        break;
      }
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        doc.append_child(parent, doc.create_text(node->v.text.text));
        break;
      case GUMBO_NODE_COMMENT:
        doc.append_child(parent, doc.create_comment(node->v.text.text));
        break;
      default:
        break;
    }
  }
  return doc;
}

std::string_view bytes_of(const py::bytes& b) {
  char* data = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_AsStringAndSize(b.ptr(), &data, &size) != 0) throw py::error_already_set();
  return {data, static_cast<std::size_t>(size)};
}

py::str text_of(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

struct gumbo_doc {
  std::shared_ptr<const lh::document> doc;
};

// Fields as the adapter gives them: (selector, take, text mode, attribute); every match is
// returned and the adapter applies "first".
using field_row = std::tuple<std::string, std::string, std::string, std::string>;

struct gumbo_extractor {
  std::unique_ptr<lh::extractor> ex;
  std::vector<lh::take> takes;
};

gumbo_extractor make_gumbo_extractor(const std::vector<field_row>& rows) {
  std::vector<lh::field_spec> specs;
  gumbo_extractor g;
  for (const auto& [css, take, mode, attr] : rows) {
    lh::field_spec s;
    s.selector = css;
    s.attr = attr;
    s.mode = mode == "raw"       ? lh::text_mode::raw
             : mode == "strings" ? lh::text_mode::strings
                                 : lh::text_mode::normalized;
    s.what = take == "html"         ? lh::take::html
             : take == "inner_html" ? lh::take::inner_html
             : take == "attr"       ? lh::take::attr
             : take == "attrs"      ? lh::take::attrs
                                    : lh::take::text;
    g.takes.push_back(s.what);
    specs.push_back(std::move(s));
  }
  g.ex = std::make_unique<lh::extractor>(std::move(specs));
  if (!g.ex->ok()) {
    throw py::value_error("field " + std::to_string(g.ex->error().field) + ": " +
                          g.ex->error().where.message);
  }
  return g;
}

// Per field: a list of str, or for attrs a list of [(name, value), ...] per match.
py::list rows_of(const gumbo_extractor& g, const lh::extracted_page& page) {
  py::list out;
  for (std::size_t i = 0; i < page.size(); ++i) {
    py::list values;
    if (g.takes[i] != lh::take::attrs) {
      for (const std::string& v : page[i].values) values.append(text_of(v));
    } else {
      std::size_t at = 0;
      for (std::uint32_t count : page[i].counts) {
        py::list pairs;
        for (std::uint32_t k = 0; k < count; ++k, at += 2)
          pairs.append(
              py::make_tuple(text_of(page[i].values[at]), text_of(page[i].values[at + 1])));
        values.append(std::move(pairs));
      }
    }
    out.append(std::move(values));
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_lapwise_gumbo, m) {
  m.doc() = "gumbo (libgumbo) for lapwise's harness: parse, copy into the core's arena, extract";
  py::class_<gumbo_doc>(m, "GumboDocument")
      .def_property_readonly("node_count", [](const gumbo_doc& d) { return d.doc->node_count(); })
      .def("tree_dump", [](const gumbo_doc& d) { return text_of(lh::tree_dump(*d.doc)); });
  py::class_<gumbo_extractor>(m, "GumboExtractor")
      .def(py::init(&make_gumbo_extractor), py::arg("fields"))
      .def("extract", [](const gumbo_extractor& g, const gumbo_doc& d) {
        lh::extracted_page page;
        {
          py::gil_scoped_release nogil;
          page = g.ex->extract(*d.doc);
        }
        return rows_of(g, page);
      });
  m.def("gumbo_parse", [](const py::bytes& page) {
    const std::string_view text = bytes_of(page);
    std::shared_ptr<lh::document> doc;
    {
      py::gil_scoped_release nogil;
      gumbo_output g(text);
      doc = std::make_shared<lh::document>(copy_tree(*g.out));
    }
    return gumbo_doc{std::move(doc)};
  });
  m.def("gumbo_parse_only", [](const py::bytes& page) {
    const std::string_view text = bytes_of(page);
    py::gil_scoped_release nogil;
    gumbo_output g(text);
    return g.out->root->v.element.children.length;
  });
  m.attr("GUMBO_VERSION") = LAPWISE_GUMBO_VERSION;
}

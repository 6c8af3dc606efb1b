// lapwise._native, html section: documents, elements, selectors and extractors over
// lapwise::html. Glue only: parsing, matching and extraction (with its threads) live in the core;
// this file converts arguments and results and releases the GIL around the core's work.
#include <Python.h>

#include "bindings.h"

#if defined(LAPWISE_HAS_HTML)
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lapwise/html/document.h"
#include "lapwise/html/extract.h"
#include "lapwise/html/select.h"

namespace lapwise::bindings {
namespace {

namespace lh = lapwise::html;

// Text from the document as str. Bytes input is taken as UTF-8 without validation, so its
// text may hold invalid sequences: those become U+FFFD instead of raising.
py::str to_str(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// bytes, bytearray or str as UTF-8. The returned view lives as long as `keep` (and the object).
std::string_view utf8_of(const py::handle& obj, py::object& keep) {
  char* data = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_Check(obj.ptr())) {
    data = PyBytes_AS_STRING(obj.ptr());
    size = PyBytes_GET_SIZE(obj.ptr());
  } else if (PyByteArray_Check(obj.ptr())) {
    // A bytearray may be resized by another thread while the GIL is released: copy it.
    keep = py::reinterpret_steal<py::object>(PyBytes_FromObject(obj.ptr()));
    if (!keep) throw py::error_already_set();
    data = PyBytes_AS_STRING(keep.ptr());
    size = PyBytes_GET_SIZE(keep.ptr());
  } else if (PyUnicode_Check(obj.ptr())) {
    const char* d = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
    if (d == nullptr) {  // lone surrogates: no UTF-8 form; keep them as the bytes they spell
      PyErr_Clear();
      keep = py::reinterpret_steal<py::object>(
          PyUnicode_AsEncodedString(obj.ptr(), "utf-8", "surrogatepass"));
      if (!keep) throw py::error_already_set();
      d = PyBytes_AS_STRING(keep.ptr());
      size = PyBytes_GET_SIZE(keep.ptr());
    }
    return {d, static_cast<std::size_t>(size)};
  } else {
    throw py::type_error(std::string("HTML must be bytes or str, not ") +
                         Py_TYPE(obj.ptr())->tp_name);
  }
  return {data, static_cast<std::size_t>(size)};
}

std::string selector_message(std::string_view text, const lh::selector_error& e) {
  return "invalid selector " + std::string(py::repr(to_str(text))) + " at position " +
         std::to_string(e.position) + ": " + e.message;
}

std::shared_ptr<const lh::selector> compile(std::string_view text) {
  auto s = std::make_shared<const lh::selector>(text);
  if (!s->ok()) throw py::value_error(selector_message(text, s->error()));
  return s;
}

// Selectors given as text are compiled once per distinct text (the GIL guards the cache; it is
// dropped whole when full, so a program that builds selectors from data cannot grow it).
std::shared_ptr<const lh::selector> selector_for(const std::string& text) {
  static std::unordered_map<std::string, std::shared_ptr<const lh::selector>> cache;
  if (auto it = cache.find(text); it != cache.end()) return it->second;
  auto s = compile(text);
  if (cache.size() >= 256) cache.clear();
  cache.emplace(text, s);
  return s;
}

struct html_selector {
  std::string text;
  std::shared_ptr<const lh::selector> sel;
};

struct html_node {
  std::shared_ptr<const lh::document> doc;
  lh::node_id id = 0;
};
struct html_document : html_node {};

lh::text_mode mode_of(const std::string& mode) {
  if (mode == "normalized") return lh::text_mode::normalized;
  if (mode == "raw") return lh::text_mode::raw;
  if (mode == "strings") return lh::text_mode::strings;
  throw py::value_error("text mode must be 'normalized', 'raw' or 'strings', not '" + mode + "'");
}

std::shared_ptr<const lh::selector> selector_arg(const py::handle& css) {
  if (py::isinstance<html_selector>(css)) return css.cast<const html_selector&>().sel;
  if (!PyUnicode_Check(css.ptr())) throw py::type_error("selector must be str or HtmlSelector");
  return selector_for(css.cast<std::string>());
}

py::object element_or_none(const html_node& from, lh::node_id n) {
  if (n == lh::no_node) return py::none();
  return py::cast(html_node{from.doc, n});
}

py::list select(const html_node& self, const py::handle& css) {
  auto sel = selector_arg(css);
  std::vector<lh::node_id> found;
  {
    py::gil_scoped_release nogil;
    found = sel->select(*self.doc, self.id);
  }
  py::list out(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) out[i] = py::cast(html_node{self.doc, found[i]});
  return out;
}

py::dict attrs_of(const lh::document& doc, lh::node_id n) {
  py::dict d;
  for (std::size_t i = 0, c = doc.attr_count(n); i < c; ++i)
    d[to_str(doc.attr_name(n, i))] = to_str(doc.attr_value(n, i));
  return d;
}

html_document parse_html(const py::handle& data) {
  py::object keep;
  const std::string_view text = utf8_of(data, keep);
  std::shared_ptr<lh::document> doc;
  {
    py::gil_scoped_release nogil;
    doc = std::make_shared<lh::document>(lh::parse(text));
  }
  return html_document{{std::move(doc), lh::document::root()}};
}

// A field as the Python side expresses it: (selector, take, text mode, attribute, first only).
using field_tuple = std::tuple<std::string, std::string, std::string, std::string, bool>;

lh::field_spec field_of(const field_tuple& t) {
  lh::field_spec f;
  f.selector = std::get<0>(t);
  const std::string& what = std::get<1>(t);
  if (what == "text")
    f.what = lh::take::text;
  else if (what == "html")
    f.what = lh::take::html;
  else if (what == "inner_html")
    f.what = lh::take::inner_html;
  else if (what == "attr")
    f.what = lh::take::attr;
  else if (what == "attrs")
    f.what = lh::take::attrs;
  else
    throw py::value_error("unknown take '" + what + "'");
  f.mode = mode_of(std::get<2>(t));
  f.attr = std::get<3>(t);
  f.first_only = std::get<4>(t);
  return f;
}

struct html_extractor {
  std::shared_ptr<const lh::extractor> ex;
  std::vector<lh::field_spec> fields;  // the shapes results take in Python
};

html_extractor make_extractor(const std::vector<field_tuple>& tuples) {
  html_extractor out;
  for (const field_tuple& t : tuples) out.fields.push_back(field_of(t));
  auto ex = std::make_shared<const lh::extractor>(out.fields);
  if (!ex->ok()) {
    const lh::extractor_error& e = ex->error();
    throw py::value_error("field " + std::to_string(e.field) + ": " +
                          selector_message(out.fields[e.field].selector, e.where));
  }
  out.ex = std::move(ex);
  return out;
}

py::object field_value(const lh::field_spec& f, const lh::extracted_field& x) {
  if (f.what == lh::take::attrs) {
    py::list matches(x.counts.size());
    std::size_t v = 0;
    for (std::size_t m = 0; m < x.counts.size(); ++m) {
      py::dict d;
      for (std::uint32_t k = 0; k < x.counts[m]; ++k, v += 2)
        d[to_str(x.values[v])] = to_str(x.values[v + 1]);
      matches[m] = std::move(d);
    }
    if (f.first_only) return x.counts.empty() ? py::none() : py::object(matches[0]);
    return std::move(matches);
  }
  if (f.first_only) return x.values.empty() ? py::none() : py::object(to_str(x.values[0]));
  py::list out(x.values.size());
  for (std::size_t i = 0; i < x.values.size(); ++i) out[i] = to_str(x.values[i]);
  return std::move(out);
}

py::list page_values(const html_extractor& self, const lh::extracted_page& page) {
  py::list out(page.size());
  for (std::size_t i = 0; i < page.size(); ++i) out[i] = field_value(self.fields[i], page[i]);
  return out;
}

// What the workers of one extract_many call hand to the thread that converts their pages.
struct page_handoff {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<lh::extracted_page> pages;
  std::vector<char> done;
  bool finished = false;  // every worker has stopped
  std::exception_ptr failure;
};

// extract_many for Python. Turning results into Python objects needs the GIL, so it runs on
// one thread. With one worker, extraction and then conversion on the calling thread. With
// more, the workers run on their own threads (GIL released) while the calling thread converts
// each page, in input order, as soon as it is done: the conversion overlaps the extraction
// instead of following it, and each page's native result is freed without the GIL.
py::list extract_many_py(const html_extractor& e, const py::sequence& pages, unsigned threads) {
  std::vector<py::object> keep(pages.size());
  std::vector<py::object> items(pages.size());
  std::vector<std::string_view> views(pages.size());
  for (std::size_t i = 0; i < views.size(); ++i) {
    items[i] = pages[i];  // a sequence may make its items on access: hold them
    views[i] = utf8_of(items[i], keep[i]);
  }
  const std::size_t n = views.size();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  py::list out(n);
  auto serial = [&] {
    std::vector<lh::extracted_page> results;
    {
      py::gil_scoped_release nogil;
      results = e.ex->extract_many(views, 1);
    }
    for (std::size_t i = 0; i < n; ++i) out[i] = page_values(e, results[i]);
    py::gil_scoped_release nogil;
    results.clear();
  };
  if (threads <= 1 || n <= 1) {
    serial();
    return out;
  }
  auto st = std::make_shared<page_handoff>();
  st->pages.resize(n);
  st->done.assign(n, 0);
  std::thread runner;
  try {
    runner = std::thread([st, &e, &views, threads] {
      try {
        e.ex->extract_each(views, threads, [&st](std::size_t i, lh::extracted_page&& page) {
          {
            std::lock_guard<std::mutex> lock(st->mu);
            st->pages[i] = std::move(page);
            st->done[i] = 1;
          }
          st->cv.notify_one();
        });
      } catch (...) {
        std::lock_guard<std::mutex> lock(st->mu);
        st->failure = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(st->mu);
        st->finished = true;
      }
      st->cv.notify_one();
    });
  } catch (const std::system_error&) {  // no thread to start: do it all here
    serial();
    return out;
  }
  // Whatever happens below, the runner (which reads `views` and `e`) ends before this returns.
  struct join_on_exit {
    std::thread& t;
    ~join_on_exit() {
      if (!t.joinable()) return;
      py::gil_scoped_release nogil;
      t.join();
    }
  } joined{runner};
  lh::extracted_page converted;
  for (std::size_t i = 0; i < n; ++i) {
    lh::extracted_page page;
    {
      py::gil_scoped_release nogil;
      converted = {};  // the previous page's native strings, freed without the GIL
      std::unique_lock<std::mutex> lock(st->mu);
      st->cv.wait(lock, [&] { return st->done[i] != 0 || st->finished; });
      if (st->done[i] == 0) break;  // a worker failed: rethrown below
      page = std::move(st->pages[i]);
    }
    out[i] = page_values(e, page);
    converted = std::move(page);
  }
  {
    py::gil_scoped_release nogil;
    converted = {};
    runner.join();
  }
  if (st->failure) std::rethrow_exception(st->failure);
  return out;
}

}  // namespace

void bind_html(py::module_& m) {
  py::class_<html_selector>(m, "HtmlSelector", "A compiled CSS selector (lapwise::html::selector).")
      .def(py::init([](const std::string& text) {
             return html_selector{text, compile(text)};
           }),
           py::arg("css"))
      .def_property_readonly("text", [](const html_selector& s) { return to_str(s.text); })
      .def("__repr__", [](const html_selector& s) {
        return "HtmlSelector(" + std::string(py::repr(to_str(s.text))) + ")";
      });

  py::class_<html_node>(m, "HtmlElement", "A node of a parsed document (shares the document).")
      .def_property_readonly("tag", [](const html_node& n) { return to_str(n.doc->name(n.id)); })
      .def_property_readonly("attrs", [](const html_node& n) { return attrs_of(*n.doc, n.id); })
      .def(
          "get",
          [](const html_node& n, const std::string& name, py::object dflt) -> py::object {
            if (auto v = n.doc->attr(n.id, name)) return to_str(*v);
            return dflt;
          },
          py::arg("name"), py::arg("default") = py::none())
      .def_property_readonly(
          "text",
          [](const html_node& n) { return to_str(n.doc->text(n.id, lh::text_mode::normalized)); })
      .def(
          "get_text",
          [](const html_node& n, const std::string& mode) {
            return to_str(n.doc->text(n.id, mode_of(mode)));
          },
          py::arg("mode") = "normalized")
      .def_property_readonly("outer_html",
                             [](const html_node& n) { return to_str(n.doc->outer_html(n.id)); })
      .def_property_readonly("inner_html",
                             [](const html_node& n) { return to_str(n.doc->inner_html(n.id)); })
      .def_property_readonly("parent",
                             [](const html_node& n) {
                               const lh::node_id p = n.doc->parent(n.id);
                               return element_or_none(
                                   n, p != lh::no_node && n.doc->is_element(p) ? p : lh::no_node);
                             })
      .def_property_readonly("children",
                             [](const html_node& n) {
                               py::list out;
                               for (lh::node_id c = n.doc->first_child(n.id); c != lh::no_node;
                                    c = n.doc->next_sibling(c))
                                 if (n.doc->is_element(c))
                                   out.append(py::cast(html_node{n.doc, c}));
                               return out;
                             })
      .def("select", &select, py::arg("css"))
      .def(
          "select_one",
          [](const html_node& n, const py::handle& css) {
            return element_or_none(n, selector_arg(css)->select_one(*n.doc, n.id));
          },
          py::arg("css"))
      .def("__eq__",
           [](const html_node& a, const py::handle& b) {
             return py::isinstance<html_node>(b) && a.doc == b.cast<const html_node&>().doc &&
                    a.id == b.cast<const html_node&>().id;
           })
      .def("__hash__",
           [](const html_node& n) {
             return py::hash(py::make_tuple(reinterpret_cast<std::uintptr_t>(n.doc.get()), n.id));
           })
      .def("__repr__", [](const html_node& n) {
        return "<HtmlElement " + std::string(py::repr(to_str(n.doc->name(n.id)))) + ">";
      });

  py::class_<html_document, html_node>(m, "HtmlDocument",
                                       "A parsed HTML document (lapwise::html::document).")
      .def_property_readonly(
          "root",
          [](const html_document& d) { return element_or_none(d, d.doc->document_element()); })
      .def_property_readonly(
          "head", [](const html_document& d) { return element_or_none(d, d.doc->head()); })
      .def_property_readonly(
          "body", [](const html_document& d) { return element_or_none(d, d.doc->body()); })
      .def_property_readonly("error_count",
                             [](const html_document& d) { return d.doc->error_count(); })
      .def_property_readonly("truncated", [](const html_document& d) { return d.doc->truncated(); })
      .def_property_readonly("quirks",
                             [](const html_document& d) {
                               switch (d.doc->quirks()) {
                                 case lh::quirks_mode::quirks:
                                   return "quirks";
                                 case lh::quirks_mode::limited_quirks:
                                   return "limited-quirks";
                                 default:
                                   return "no-quirks";
                               }
                             })
      .def("__repr__", [](const html_document& d) {
        return "<HtmlDocument " + std::to_string(d.doc->node_count()) + " nodes>";
      });

  py::class_<html_extractor>(m, "HtmlExtractor",
                             "Named fields compiled once (lapwise::html::extractor).")
      .def(py::init(&make_extractor), py::arg("fields"))
      .def("__len__", [](const html_extractor& e) { return e.fields.size(); })
      .def(
          "extract",
          [](const html_extractor& e, const html_document& d) {
            lh::extracted_page page;
            {
              py::gil_scoped_release nogil;
              page = e.ex->extract(*d.doc);
            }
            return page_values(e, page);
          },
          py::arg("doc"))
      .def("extract_many", &extract_many_py, py::arg("pages"), py::arg("threads") = 0);

  m.def("html_parse", &parse_html, py::arg("data"),
        "html_parse(data: bytes | str) -> HtmlDocument: the WHATWG tree; never raises for any "
        "bytes.");
}

}  // namespace lapwise::bindings

#else
namespace lapwise::bindings {
void bind_html(py::module_&) {}
}  // namespace lapwise::bindings
#endif

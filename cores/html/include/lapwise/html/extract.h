// lapwise::html::extractor — named fields pulled out of many pages, on worker threads.
//
// Contract:
// - An extractor is a list of fields, each a selector plus what to take from its matches:
//   the text (in one of the document's text modes), outer or inner HTML, one attribute's
//   value, or every attribute; from every match (document order) or from the first only.
//   Compiled once; immutable afterwards, so one extractor may serve any number of threads.
// - A field whose selector does not compile makes the extractor not ok(): error() names the
//   field index, and the selector's byte position and message. A not-ok extractor extracts
//   nothing (every page gives empty fields).
// - extract(doc) gives one extracted_field per field, in field order. `attr` skips matches
//   without that attribute; `attrs` appends each match's attributes as (name, value) pairs to
//   `values` and records how many pairs each match had in `counts`.
// - extract_many(pages, threads) parses and extracts every page (UTF-8 text, see document.h)
//   on `threads` threads (0: std::thread::hardware_concurrency(), capped at the page count;
//   1: the calling thread only). Pages are taken one at a time from a shared counter, so a
//   large page does not hold back a whole chunk. Results are in input order. Memory is one
//   document per thread at a time plus the results. An exception in a worker (bad_alloc) is
//   rethrown on the calling thread once every worker has stopped.
// - extract_each(pages, threads, sink) does the same work but hands each page's result to
//   `sink(index, page)` on the worker that made it, as soon as it is made (pages in no fixed
//   order; each index once), so a caller can use early pages while later ones are still being
//   parsed. sink may run on several workers at once; what it shares it must guard. An exception
//   from sink is treated as one from a worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/html/document.h"
#include "lapwise/html/dom.h"
#include "lapwise/html/select.h"

namespace lapwise::html {

enum class take : std::uint8_t { text, html, inner_html, attr, attrs };

struct field_spec {
  std::string selector;
  take what = take::text;
  text_mode mode = text_mode::normalized;  // for take::text
  std::string attr;                        // for take::attr
  bool first_only = false;
};

struct extracted_field {
  std::vector<std::string> values;
  std::vector<std::uint32_t> counts;  // take::attrs only: pairs per match
  bool operator==(const extracted_field&) const = default;
};
using extracted_page = std::vector<extracted_field>;

struct extractor_error {
  std::size_t field = 0;
  selector_error where;
};

class extractor {
 public:
  explicit extractor(std::vector<field_spec> fields);

  bool ok() const noexcept { return ok_; }
  const extractor_error& error() const noexcept { return error_; }
  std::size_t size() const noexcept { return fields_.size(); }

  extracted_page extract(const document& doc) const;
  std::vector<extracted_page> extract_many(std::span<const std::string_view> pages,
                                           unsigned threads = 0,
                                           const parse_options& options = {}) const;
  using page_sink = std::function<void(std::size_t, extracted_page&&)>;
  void extract_each(std::span<const std::string_view> pages, unsigned threads,
                    const page_sink& sink, const parse_options& options = {}) const;

 private:
  std::vector<field_spec> fields_;
  std::vector<selector> selectors_;
  // Per known tag, the fields whose selector may match an element of that tag; then the fields
  // that may match any element (for names outside the known tags, only those).
  std::vector<std::vector<std::uint16_t>> fields_by_tag_;
  std::vector<std::uint16_t> any_tag_fields_;
  extractor_error error_;
  bool ok_ = true;
};

}  // namespace lapwise::html

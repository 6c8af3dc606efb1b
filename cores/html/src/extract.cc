// Field extraction over a document, and the worker threads of extract_many.
#include "lapwise/html/extract.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

namespace lapwise::html {

extractor::extractor(std::vector<field_spec> fields) : fields_(std::move(fields)) {
  selectors_.reserve(fields_.size());
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    selectors_.emplace_back(fields_[i].selector);
    if (ok_ && !selectors_.back().ok()) {
      ok_ = false;
      error_ = {i, selectors_.back().error()};
    }
  }
  if (fields_.size() > UINT16_MAX) ok_ = false;  // past any real spec; extracts nothing
  fields_by_tag_.resize(tag_count);
  for (std::size_t i = 0; ok_ && i < fields_.size(); ++i) {
    bool everywhere = true;
    for (atom a = 0; a < tag_count; ++a) {
      if (selectors_[i].may_match(static_cast<tag>(a)))
        fields_by_tag_[a].push_back(static_cast<std::uint16_t>(i));
      else
        everywhere = false;
    }
    if (everywhere) any_tag_fields_.push_back(static_cast<std::uint16_t>(i));
  }
}

namespace {

void take_from(const document& doc, node_id n, const field_spec& f, extracted_field& out) {
  switch (f.what) {
    case take::text:
      out.values.push_back(doc.text(n, f.mode));
      break;
    case take::html:
      out.values.push_back(doc.outer_html(n));
      break;
    case take::inner_html:
      out.values.push_back(doc.inner_html(n));
      break;
    case take::attr:
      if (auto v = doc.attr(n, f.attr)) out.values.emplace_back(*v);
      break;
    case take::attrs: {
      const std::size_t count = doc.attr_count(n);
      for (std::size_t i = 0; i < count; ++i) {
        out.values.emplace_back(doc.attr_name(n, i));
        out.values.emplace_back(doc.attr_value(n, i));
      }
      out.counts.push_back(static_cast<std::uint32_t>(count));
      break;
    }
  }
}

}  // namespace

// One walk over the document answers every field: each element is tested against each field's
// selector in document order, so n fields cost one traversal instead of n. A first-only field
// stops being tested once it has a value (for attr: once a match had the attribute).
extracted_page extractor::extract(const document& doc) const {
  extracted_page page(fields_.size());
  if (!ok_ || fields_.empty()) return page;
  std::vector<char> done(fields_.size(), 0);
  std::size_t open = fields_.size();
  match_memo memo(doc);  // one for the whole walk: what an element's ancestors gave is reused
  for (node_id n = document::root(); n != no_node && open != 0;
       n = doc.next_in_order(n, document::root())) {
    if (!doc.is_element(n)) continue;
    const atom name = doc.at(n).name;
    for (std::uint16_t i : name < tag_count ? fields_by_tag_[name] : any_tag_fields_) {
      if (done[i] || !selectors_[i].matches(doc, n, memo)) continue;
      take_from(doc, n, fields_[i], page[i]);
      if (fields_[i].first_only && (!page[i].values.empty() || !page[i].counts.empty())) {
        done[i] = 1;
        --open;
      }
    }
  }
  return page;
}

std::vector<extracted_page> extractor::extract_many(std::span<const std::string_view> pages,
                                                    unsigned threads,
                                                    const parse_options& options) const {
  std::vector<extracted_page> out(pages.size());
  // Each index is written by exactly one worker: no guard needed.
  extract_each(
      pages, threads, [&out](std::size_t i, extracted_page&& page) { out[i] = std::move(page); },
      options);
  return out;
}

void extractor::extract_each(std::span<const std::string_view> pages, unsigned threads,
                             const page_sink& sink, const parse_options& options) const {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, pages.size()));
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto work = [&] {
    try {
      for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < pages.size();) {
        sink(i, extract(parse(pages[i], options)));
      }
    } catch (...) {
      next.store(pages.size(), std::memory_order_relaxed);  // the others stop early too
      std::lock_guard<std::mutex> lock(failure_mu);
      if (!failure) failure = std::current_exception();
    }
  };
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    try {
      for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    } catch (...) {  // no thread to start: the calling thread still does all the work
    }
    work();
    for (std::thread& t : pool) t.join();
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace lapwise::html

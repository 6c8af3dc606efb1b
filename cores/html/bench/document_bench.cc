// Parse and extract over the 23 shared pages (../shared/datasets/html/pages), verified first.
//   html.parse[all]/native     tokenize + build the tree of every page
//   html.select[all]/native    the extraction selectors over already-built trees
//   html.extract[all]/native   parse + extraction, what a scraper pays per page
//   html.extract[<page>]/native  the same for one page
// Extraction is the task list: the title's text, every a[href]'s href, the headings'
// text, every table cell's text, every meta tag's attributes. Verification, before any timing:
// each selector's answer must equal a hand-written walk of the same tree (no selector engine)
// and the tree must be stable across two parses; a mismatch fails the run (SkipWithError).
// Bytes processed are the page bytes, so the MB/s column is input throughput.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/html/document.h"
#include "lapwise/html/select.h"
#include "lapwise_datasets/datasets.h"

namespace lh = lapwise::html;

namespace {

struct page {
  std::string name;
  std::string html;
};

std::vector<page> load_pages() {
  std::vector<page> out;
  std::filesystem::path dir = lapwise::datasets::root() / "html" / "pages";
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".html")
      out.push_back(
          {e.path().stem().string(),
           lapwise::datasets::read(std::filesystem::path("html/pages") / e.path().filename())});
  std::sort(out.begin(), out.end(), [](const page& a, const page& b) { return a.name < b.name; });
  return out;
}

struct extractors {
  lh::selector title{"title"};
  lh::selector links{"a[href]"};
  lh::selector headings{"h1, h2, h3, h4, h5, h6"};
  lh::selector cells{"td, th"};
  lh::selector metas{"meta"};
};

const extractors& sel() {
  static const extractors e;
  return e;
}

// What a scraper keeps from a page; the sizes make the work observable to the optimiser.
struct extraction {
  std::string title;
  std::vector<std::string_view> hrefs;
  std::vector<std::string> headings;
  std::vector<std::string> cells;
  std::size_t meta_attrs = 0;
};

extraction extract(const lh::document& doc) {
  const extractors& s = sel();
  extraction x;
  if (lh::node_id t = s.title.select_one(doc); t != lh::no_node) x.title = doc.text(t);
  for (lh::node_id a : s.links.select(doc)) x.hrefs.push_back(*doc.attr(a, "href"));
  for (lh::node_id h : s.headings.select(doc))
    x.headings.push_back(doc.text(h, lh::text_mode::normalized));
  for (lh::node_id c : s.cells.select(doc))
    x.cells.push_back(doc.text(c, lh::text_mode::normalized));
  for (lh::node_id m : s.metas.select(doc)) x.meta_attrs += doc.attr_count(m);
  return x;
}

// The same answers by walking the tree directly.
extraction extract_by_walk(const lh::document& doc) {
  extraction x;
  bool have_title = false;
  for (lh::node_id n = 0; n != lh::no_node; n = doc.next_in_order(n, 0)) {
    if (!doc.is_element(n)) continue;
    std::string_view name = doc.name(n);
    if (name == "title" && !have_title) {
      x.title = doc.text(n);
      have_title = true;
    }
    if (name == "a" && doc.attr(n, "href")) x.hrefs.push_back(*doc.attr(n, "href"));
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6')
      x.headings.push_back(doc.text(n, lh::text_mode::normalized));
    if (name == "td" || name == "th") x.cells.push_back(doc.text(n, lh::text_mode::normalized));
    if (name == "meta") x.meta_attrs += doc.attr_count(n);
  }
  return x;
}

bool same(const extraction& a, const extraction& b) {
  return a.title == b.title && a.hrefs == b.hrefs && a.headings == b.headings &&
         a.cells == b.cells && a.meta_attrs == b.meta_attrs;
}

std::string verify(const std::vector<page>& pages) {
  if (pages.size() != 23) return "expected 23 pages, found " + std::to_string(pages.size());
  for (const page& p : pages) {
    lh::document doc = lh::parse(p.html);
    if (doc.truncated()) return p.name + ": truncated";
    if (lh::tree_dump(lh::parse(p.html)) != lh::tree_dump(doc)) return p.name + ": unstable";
    extraction x = extract(doc);
    if (!same(x, extract_by_walk(doc))) return p.name + ": selectors disagree with the walk";
    if (x.title.empty() || x.hrefs.empty()) return p.name + ": no title or no links";
  }
  return {};
}

std::int64_t total_bytes(const std::vector<page>& pages) {
  std::int64_t n = 0;
  for (const page& p : pages) n += static_cast<std::int64_t>(p.html.size());
  return n;
}

void bm_parse_all(benchmark::State& state, const std::vector<page>* pages, const std::string* err) {
  if (!err->empty()) return state.SkipWithError(err->c_str());
  for (auto _ : state)
    for (const page& p : *pages) {
      lh::document doc = lh::parse(p.html);
      benchmark::DoNotOptimize(doc.node_count());
    }
  state.SetBytesProcessed(state.iterations() * total_bytes(*pages));
}

void bm_select_all(benchmark::State& state, const std::vector<page>* pages,
                   const std::string* err) {
  if (!err->empty()) return state.SkipWithError(err->c_str());
  std::vector<lh::document> docs;
  for (const page& p : *pages) docs.push_back(lh::parse(p.html));
  for (auto _ : state)
    for (const lh::document& d : docs) {
      extraction x = extract(d);
      benchmark::DoNotOptimize(x.hrefs.size());
    }
  state.SetBytesProcessed(state.iterations() * total_bytes(*pages));
}

void bm_extract(benchmark::State& state, const std::vector<page>* pages, const std::string* err,
                std::size_t only) {
  if (!err->empty()) return state.SkipWithError(err->c_str());
  std::int64_t bytes = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < pages->size(); ++i) {
      if (only != SIZE_MAX && i != only) continue;
      lh::document doc = lh::parse((*pages)[i].html);
      extraction x = extract(doc);
      benchmark::DoNotOptimize(x.hrefs.size());
    }
  }
  for (std::size_t i = 0; i < pages->size(); ++i)
    if (only == SIZE_MAX || i == only) bytes += static_cast<std::int64_t>((*pages)[i].html.size());
  state.SetBytesProcessed(state.iterations() * bytes);
}

}  // namespace

int main(int argc, char** argv) {
  static std::vector<page> pages;
  static std::string err;
  try {
    pages = load_pages();
    err = verify(pages);
  } catch (const std::exception& e) {
    err = e.what();
  }
  benchmark::RegisterBenchmark("html.parse[all]/native", bm_parse_all, &pages, &err);
  benchmark::RegisterBenchmark("html.select[all]/native", bm_select_all, &pages, &err);
  benchmark::RegisterBenchmark("html.extract[all]/native", bm_extract, &pages, &err, SIZE_MAX);
  for (std::size_t i = 0; i < pages.size(); ++i)
    benchmark::RegisterBenchmark(("html.extract[" + pages[i].name + "]/native").c_str(), bm_extract,
                                 &pages, &err, i);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

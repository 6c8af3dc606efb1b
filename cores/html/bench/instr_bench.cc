// One pass over the 23 shared pages per benchmark, for instruction counting under callgrind
// (instruction counts hold on a loaded machine; CPU time does not):
//   html.instr_tokenize    the tokenizer alone, with the tree builder's state switches
//   html.instr_parse       tokenize + build the tree of every page
//   html.instr_extract     parse + the pipeline's extraction (the fields of
//                          suites/e2e/pipeline/pipeline_spec.py) on the calling thread
// Each runs exactly once, so a count is per 23 pages:
//   valgrind --tool=callgrind --toggle-collect='*bm_instr<*instr_parse>*'
//            build/cores/html/instr_bench --benchmark_filter=html.instr_parse
// (the pattern names the benchmark body only: a second match inside it would toggle counting
// off again).
// Answers are checked first (the pages_test pins them against html5lib); a page set that is
// absent or that yields no links skips with an error.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/html/document.h"
#include "lapwise/html/extract.h"
#include "lapwise/html/tokenizer.h"
#include "lapwise_datasets/datasets.h"

namespace lh = lapwise::html;

namespace {

std::vector<std::string> load_instr_pages() {
  std::vector<std::string> names, out;
  std::filesystem::path dir = lapwise::datasets::root() / "html" / "pages";
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".html") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const std::string& n : names)
    out.push_back(lapwise::datasets::read(std::filesystem::path("html/pages") / n));
  return out;
}

const lh::extractor& pipeline_fields() {
  using lh::take;
  using lh::text_mode;
  static const lh::extractor ex(
      {{"title", take::text, text_mode::normalized, "", true},
       {"a[href]", take::attr, text_mode::normalized, "href", false},
       {"h1, h2, h3, h4, h5, h6", take::text, text_mode::normalized, "", false},
       {"td, th", take::text, text_mode::normalized, "", false},
       {"meta", take::attrs, text_mode::normalized, "", false}});
  return ex;
}

// The tree builder's tokenizer controls that change tokens: text states after their elements.
std::size_t instr_tokenize(const std::vector<std::string>& pages) {
  std::size_t tokens = 0;
  lh::token t;
  for (const std::string& p : pages) {
    lh::tokenizer tz(p);
    while (tz.next(t)) {
      ++tokens;
      if (t.kind != lh::token_kind::start_tag) continue;
      if (t.name == "script") tz.set_state(lh::tokenizer_state::script_data);
      if (t.name == "style") tz.set_state(lh::tokenizer_state::rawtext);
      if (t.name == "title" || t.name == "textarea") tz.set_state(lh::tokenizer_state::rcdata);
    }
  }
  return tokens;
}

std::size_t instr_parse(const std::vector<std::string>& pages) {
  std::size_t nodes = 0;
  for (const std::string& p : pages) nodes += lh::parse(p).node_count();
  return nodes;
}

std::size_t instr_extract(const std::vector<std::string>& pages) {
  std::size_t values = 0;
  for (const std::string& p : pages) {
    lh::extracted_page x = pipeline_fields().extract(lh::parse(p));
    for (const lh::extracted_field& f : x) values += f.values.size();
  }
  return values;
}

std::string check(const std::vector<std::string>& pages) {
  if (pages.size() != 23) return "expected 23 pages, found " + std::to_string(pages.size());
  if (!pipeline_fields().ok()) return "pipeline fields do not compile";
  for (const std::string& p : pages) {
    lh::extracted_page x = pipeline_fields().extract(lh::parse(p));
    if (x.size() != 5 || x[0].values.size() != 1 || x[1].values.empty())
      return "a page without a title or links";
  }
  return {};
}

template <std::size_t (*Pass)(const std::vector<std::string>&)>
void bm_instr(benchmark::State& state, const std::vector<std::string>* pages,
              const std::string* err) {
  if (!err->empty()) return state.SkipWithError(err->c_str());
  for (auto _ : state) benchmark::DoNotOptimize(Pass(*pages));
}

}  // namespace

int main(int argc, char** argv) {
  static std::vector<std::string> pages;
  static std::string err;
  try {
    pages = load_instr_pages();
    err = check(pages);
  } catch (const std::exception& e) {
    err = e.what();
  }
  benchmark::RegisterBenchmark("html.instr_tokenize[pages]/native", bm_instr<instr_tokenize>,
                               &pages, &err)
      ->Iterations(1);
  benchmark::RegisterBenchmark("html.instr_parse[pages]/native", bm_instr<instr_parse>, &pages,
                               &err)
      ->Iterations(1);
  benchmark::RegisterBenchmark("html.instr_extract[pages]/native", bm_instr<instr_extract>, &pages,
                               &err)
      ->Iterations(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

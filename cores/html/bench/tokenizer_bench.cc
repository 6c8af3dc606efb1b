// HTML tokenizer throughput over the 23 real pages in $LAPWISE_DATASETS_DIR/html/pages/ (read
// by path, never copied into the project). Ids follow `<kind>.<scenario>[<param>]/<impl>`:
//   html.tokenize[<page>]/native-<level>   one page, scan level forced (scalar, sse42, avx2)
//   html.tokenize[all]/native-<level>      every page per iteration (the overall MB/s)
// Before timing, every page's token count and checksum must equal the pinned values below (the
// tokens of the scalar level when they were recorded, which the html5lib suite vouches for); a
// difference is SkipWithError, which fails the smoke run. MB/s is bytes of HTML per second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lapwise/html/text_scan.h"
#include "lapwise/html/tokenizer.h"
#include "lapwise_datasets/datasets.h"

namespace {

using namespace lapwise::html;
using detail::text_scan_level;

struct pinned {
  std::size_t tokens;
  std::uint64_t checksum;
};

// Token counts (EOF included) and FNV-1a checksums of every token, per page.
const std::map<std::string, pinned>& expected() {
  static const std::map<std::string, pinned> table = {
#include "tokenizer_bench_expected.inc"
  };
  return table;
}

struct page {
  std::string name;
  std::string html;
};

void mix(std::uint64_t& h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  h = (h ^ 0x100) * 0x100000001b3ULL;
}

// The content-model switch a tree builder makes after these start tags (scripting enabled).
void switch_like_tree_builder(tokenizer& tz, const token& t) {
  if (t.kind != token_kind::start_tag) return;
  std::string_view n = t.name;
  if (n == "script") {
    tz.set_state(tokenizer_state::script_data);
  } else if (n == "style" || n == "noscript" || n == "iframe" || n == "xmp" || n == "noembed" ||
             n == "noframes") {
    tz.set_state(tokenizer_state::rawtext);
  } else if (n == "title" || n == "textarea") {
    tz.set_state(tokenizer_state::rcdata);
  } else if (n == "plaintext") {
    tz.set_state(tokenizer_state::plaintext);
  }
}

pinned summarize(tokenizer& tz, std::string_view html) {
  tz.reset(html);
  token t;
  std::size_t n = 0;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  while (tz.next(t)) {
    switch_like_tree_builder(tz, t);
    ++n;
    h = (h ^ static_cast<std::uint8_t>(t.kind)) * 0x100000001b3ULL;
    mix(h, t.name);
    mix(h, t.data);
    for (const attribute& a : t.attributes) {
      mix(h, a.name);
      mix(h, a.value);
    }
    mix(h, t.public_id);
    mix(h, t.system_id);
  }
  return {n, h};
}

// The timed loop: what a tree builder pays the tokenizer (and the state switches it makes).
std::size_t count_tokens(tokenizer& tz, std::string_view html) {
  tz.reset(html);
  token t;
  std::size_t n = 0;
  while (tz.next(t)) {
    switch_like_tree_builder(tz, t);
    benchmark::DoNotOptimize(t.data.data());
    ++n;
  }
  return n;
}

const char* level_id(text_scan_level l) {
  switch (l) {
    case text_scan_level::scalar:
      return "scalar";
    case text_scan_level::sse42:
      return "sse42";
    case text_scan_level::avx2:
      return "avx2";
  }
  return "?";
}

bool verified(benchmark::State& state, const std::vector<const page*>& pages,
              text_scan_level level) {
  if (!detail::force_text_scan(level)) {
    state.SkipWithError("scan level not supported on this CPU");
    return false;
  }
  state.SetLabel(detail::text_scan_name(level));
  tokenizer tz("");
  for (const page* p : pages) {
    auto it = expected().find(p->name);
    pinned got = summarize(tz, p->html);
    if (it == expected().end() || it->second.tokens != got.tokens ||
        it->second.checksum != got.checksum) {
      state.SkipWithError(("wrong tokens before timing: " + p->name).c_str());
      return false;
    }
  }
  return true;
}

void bench_pages(benchmark::State& state, std::vector<const page*> pages, text_scan_level level) {
  if (!verified(state, pages, level)) return;
  tokenizer tz("");
  std::size_t bytes = 0, tokens = 0;
  for (const page* p : pages) bytes += p->html.size();
  for (auto _ : state) {
    tokens = 0;
    for (const page* p : pages) tokens += count_tokens(tz, p->html);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["tokens"] = static_cast<double>(tokens);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

std::vector<page> load_pages(std::string& why) {
  std::vector<page> pages;
  std::filesystem::path dir;
  try {
    dir = lapwise::datasets::root() / "html" / "pages";
  } catch (const std::exception& e) {
    why = e.what();
    return pages;
  }
  if (!std::filesystem::is_directory(dir)) {
    why = "no pages at " + dir.string();
    return pages;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".html") continue;
    pages.push_back(
        {entry.path().stem().string(),
         lapwise::datasets::read(std::filesystem::path("html/pages") / entry.path().filename())});
  }
  std::sort(pages.begin(), pages.end(),
            [](const page& a, const page& b) { return a.name < b.name; });
  return pages;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string why;
  static std::vector<page> pages = load_pages(why);
  if (pages.empty()) {
    // Registered anyway so that the run reports why it measured nothing.
    benchmark::RegisterBenchmark("html.tokenize[all]/native", [why](benchmark::State& s) {
      s.SkipWithError(("html pages not found: " + why).c_str());
    });
  }
  if (std::getenv("LAPWISE_HTML_BENCH_PIN")) {
    // Prints the pinned table from the scalar level (after a deliberate tokenizer change).
    detail::force_text_scan(text_scan_level::scalar);
    tokenizer tz("");
    for (const page& p : pages) {
      pinned s = summarize(tz, p.html);
      std::printf("{\"%s\", {%zu, 0x%016llxULL}},\n", p.name.c_str(), s.tokens,
                  static_cast<unsigned long long>(s.checksum));
    }
    return 0;
  }
  std::vector<const page*> all;
  for (const page& p : pages) all.push_back(&p);
  for (auto level : {text_scan_level::scalar, text_scan_level::sse42, text_scan_level::avx2}) {
    if (!detail::text_scan_supported(level)) continue;
    std::string impl = std::string("/native-") + level_id(level);
    if (!all.empty()) {
      benchmark::RegisterBenchmark(("html.tokenize[all]" + impl).c_str(), bench_pages, all, level)
          ->Unit(benchmark::kMillisecond);
    }
    for (const page* p : all) {
      benchmark::RegisterBenchmark(("html.tokenize[" + p->name + "]" + impl).c_str(), bench_pages,
                                   std::vector<const page*>{p}, level)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

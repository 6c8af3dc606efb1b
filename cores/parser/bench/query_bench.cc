// Query-string parsing and percent-decoding on the shared samples, verified before timing.
//   query.parse_shared/native         query/querystrings.txt (the fast-querystring input)
//   query.percent_decode[uri]/native  query/uri_decoding.tsv, all 7 inputs per iteration
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "lapwise/parser/percent.h"
#include "lapwise/parser/query.h"
#include "lapwise_datasets/datasets.h"

namespace lp = lapwise::parser;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

void parse_shared(benchmark::State& state) {
  const std::string qs = trim(lapwise::datasets::read("query/querystrings.txt"));
  lp::query_parser parser;
  // Verify: the input needs no decoding, so re-joining the pairs must give it back, and the
  // repeated key must be kept.
  if (parser.parse(qs) != lp::query_status::ok) return state.SkipWithError("parse failed");
  std::string joined;
  for (const auto& kv : parser.pairs()) {
    if (!joined.empty()) joined += '&';
    joined.append(kv.key).append("=").append(kv.value);
  }
  if (joined != qs || parser.pairs().size() != 5 || parser.pairs()[3].key != "foo" ||
      parser.pairs()[4].key != "foo") {
    return state.SkipWithError("wrong pairs for the shared query string");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(parser.parse(qs));
    benchmark::DoNotOptimize(parser.pairs().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * qs.size()));
}

void percent_decode_uri(benchmark::State& state) {
  const std::string tsv = lapwise::datasets::read("query/uri_decoding.tsv");
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t pos = tsv.find('\n') + 1;  // skip the header
  while (pos < tsv.size()) {
    std::size_t end = tsv.find('\n', pos);
    if (end == std::string::npos) end = tsv.size();
    const std::string line = tsv.substr(pos, end - pos);
    pos = end + 1;
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos) rows.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  if (rows.size() != 7) return state.SkipWithError("expected 7 rows in uri_decoding.tsv");
  std::string out(4096, '\0');
  for (const auto& [enc, dec] : rows) {
    const std::size_t n = lp::percent_decode_path(enc, out.data());
    if (std::string_view(out.data(), n) != dec || !lp::utf8_valid({out.data(), n})) {
      return state.SkipWithError(("wrong decoding of " + enc).c_str());
    }
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& row : rows) {
      const std::size_t n = lp::percent_decode_path(row.first, out.data());
      benchmark::DoNotOptimize(lp::utf8_valid({out.data(), n}));
      bytes += row.first.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("query.parse_shared/native", parse_shared);
  benchmark::RegisterBenchmark("query.percent_decode[uri]/native", percent_decode_uri);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

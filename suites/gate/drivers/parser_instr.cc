// Gate driver for lapwise::parser: the shared benchmark requests and query string, the same
// inputs and ids as the micro benchmarks (cores/parser/bench):
//   parser.pico_bench/native          703-byte request head, the CPU's best scanner
//   parser.pico_bench/native-scalar   the same, scalar scanner forced (every x86-64 runs it)
//   parser.llhttp_chunked/native      520-byte chunked request, head + body decoded
//   query.parse_shared/native         query/querystrings.txt
// The vector variant's count depends on the scanner the CPU offers (AVX2 on the machine the
// baselines were recorded on); the scalar one is the same on every x86-64.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataset_file.h"
#include "gate_driver.h"
#include "lapwise/parser/http.h"
#include "lapwise/parser/http_scan.h"
#include "lapwise/parser/query.h"

namespace {

namespace lp = lapwise::parser;

constexpr std::size_t kMessagesPerPass = 100;

// Selects the scanner for a benchmark: the best the CPU has, or scalar. The choice is global,
// so every pass re-applies it (cheap, outside the per-message loop).
lp::detail::scan_impl pick_scan(bool scalar) {
  if (scalar) return lp::detail::scan_impl::scalar;
  for (auto s : {lp::detail::scan_impl::avx2, lp::detail::scan_impl::sse42}) {
    if (lp::detail::scan_supported(s)) return s;
  }
  return lp::detail::scan_impl::scalar;
}

struct http_fixture {
  std::string input;
  lp::detail::scan_impl scan;
  bool whole;  // parse_request (body decoded) instead of the head only
  std::size_t fields;
  std::string body;  // the decoded body when whole
  std::array<lp::header, 128> storage{};
  std::vector<char> body_storage = std::vector<char>(4096);
};

lp::parse_result parse_once(http_fixture& f, lp::request& r) {
  if (f.whole) return lp::parse_request(f.input, r, f.storage, f.body_storage);
  return lp::parse_request_head(f.input, r, f.storage);
}

lapwise::gate::workload http(const char* file, std::size_t fields, bool whole, bool scalar) {
  auto f = std::make_shared<http_fixture>();
  f->input = lapwise::gate::read_dataset(file);
  f->scan = pick_scan(scalar);
  f->whole = whole;
  f->fields = fields;
  f->body = whole ? "hello world" : "";
  lapwise::gate::workload w;
  w.ops_per_pass = kMessagesPerPass;
  w.pass = [f] {
    lp::detail::force_scan(f->scan);
    std::uint64_t sum = 0;
    lp::request r;
    for (std::size_t i = 0; i < kMessagesPerPass; ++i) {
      lp::parse_result res = parse_once(*f, r);
      sum += res.consumed + r.headers.size() + r.body.size();
    }
    return sum;
  };
  w.verify = [f, file](std::string* why) {
    if (!lp::detail::force_scan(f->scan)) {
      *why = "scanner not supported";
      return false;
    }
    lp::request r;
    lp::parse_result res = parse_once(*f, r);
    if (res.status == lp::parse_status::complete && res.consumed == f->input.size() &&
        r.headers.size() == f->fields && r.body == f->body && !r.host.empty()) {
      return true;
    }
    *why = std::string(file) + ": want a complete parse of " + std::to_string(f->input.size()) +
           " bytes with " + std::to_string(f->fields) + " fields, got " +
           std::to_string(res.consumed) + " bytes, " + std::to_string(r.headers.size()) + " fields";
    return false;
  };
  w.instr_passes = 20;  // 2,000 messages: a few million instructions
  w.time_passes = 50;   // about a millisecond
  return w;
}

lapwise::gate::workload query_shared() {
  std::string qs = lapwise::gate::read_dataset("query/querystrings.txt");
  while (!qs.empty() && (qs.back() == '\n' || qs.back() == '\r')) qs.pop_back();
  auto text = std::make_shared<const std::string>(std::move(qs));
  auto parser = std::make_shared<lp::query_parser>();
  parser->parse(*text);  // grows the parser's storage before anything is counted
  lapwise::gate::workload w;
  w.ops_per_pass = kMessagesPerPass;
  w.pass = [text, parser] {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < kMessagesPerPass; ++i) {
      sum += static_cast<std::uint64_t>(parser->parse(*text)) + parser->pairs().size();
    }
    return sum;
  };
  // The shared string needs no decoding: the pairs joined again must give it back, with the
  // repeated key kept twice.
  w.verify = [text, parser](std::string* why) {
    if (parser->parse(*text) != lp::query_status::ok) {
      *why = "query/querystrings.txt: parse failed";
      return false;
    }
    std::string joined;
    for (const auto& kv : parser->pairs()) {
      if (!joined.empty()) joined += '&';
      joined.append(kv.key).append("=").append(kv.value);
    }
    if (joined == *text && parser->pairs().size() == 5) return true;
    *why = "query/querystrings.txt: pairs joined again give '" + joined + "'";
    return false;
  };
  w.instr_passes = 20;
  w.time_passes = 50;
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* kPico = "http/picohttpparser_bench.http";
  constexpr const char* kChunked = "http/llhttp_bench_http_parser.http";
  return lapwise::gate::run_main(
      argc, argv,
      {
          {"parser.pico_bench/native", [=] { return http(kPico, 9, false, false); }},
          {"parser.pico_bench/native-scalar", [=] { return http(kPico, 9, false, true); }},
          {"parser.llhttp_chunked/native", [=] { return http(kChunked, 10, true, false); }},
          {"query.parse_shared/native", [] { return query_shared(); }},
      });
}

// Gate driver for lapwise::parser: the shared benchmark requests and query string, the same
// inputs and ids as the micro benchmarks (cores/parser/bench), plus a header-heavy request:
//   parser.pico_bench/native           703-byte request head, the scanner production dispatch
//                                      picks on this CPU
//   parser.pico_bench/native-<level>   the same, one scanner forced: scalar, sse42, avx2, avx512
//   parser.headers_heavy/native[-<level>]  a 2.2 KB head of 36 fields (browser, proxy, tracing),
//                                      where the block readers matter most
//   parser.llhttp_chunked/native[-<level>]  520-byte chunked request, head + body decoded
//   query.parse_shared/native          query/querystrings.txt
// Every level is a benchmark of its own because production runs only the best one: a gate that
// forces one level (it used to be AVX2) misses a regression in the level production uses. A
// level the CPU lacks exits 77 (cannot run here), and --requires names the CPU flags each
// benchmark needs, so the gate can say "skipped: no AVX-512 here" instead of failing. valgrind
// cannot run AVX-512, so callgrind counts the other levels and the gate times AVX-512 against
// AVX2 in the same run (see suites/gate/README.md).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataset_file.h"
#include "gate_driver.h"
#include "lapwise/parser/http.h"
#include "lapwise/parser/http_scan.h"
#include "lapwise/parser/query.h"

namespace {

namespace lp = lapwise::parser;

constexpr std::size_t kMessagesPerPass = 100;

using lp::detail::scan_impl;

// The level production dispatch picks in this process, read before anything forces a level
// (every mode calls it first: --requires, or a benchmark's needs() before make()).
scan_impl production_scan() {
  static const scan_impl picked = lp::detail::active_scan();
  return picked;
}

// The CPU flags a level is compiled for (http_dispatch.cc's scan_supported), as /proc/cpuinfo
// spells them.
const char* scan_flags(scan_impl s) {
  switch (s) {
    case scan_impl::scalar:
      return "";
    case scan_impl::sse42:
      return "sse4_2";
    case scan_impl::avx2:
      return "avx2 bmi1";
    case scan_impl::avx512:
      return "avx512f avx512bw avx512vbmi avx2 bmi1";
  }
  return "?";
}

// A benchmark at one level; nullopt is "what production picks": nothing is forced.
using level = std::optional<scan_impl>;

lapwise::gate::cpu_needs needs_of(level l) {
  scan_impl s = l.value_or(production_scan());
  return {scan_flags(s), [s] { return lp::detail::scan_supported(s); }};
}

struct http_fixture {
  std::string input;
  level scan;
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

// Forces the fixture's level (the choice is global, so every pass re-applies it: cheap, outside
// the per-message loop); production's own choice is left alone.
bool apply_scan(const http_fixture& f) { return !f.scan || lp::detail::force_scan(*f.scan); }

// A request head with many fields, as a browser sends it through a proxy and a tracing
// layer: 36 fields, most values 20-200 bytes.
std::string headers_heavy_request() {
  std::string r =
      "GET /api/v2/projects/4711/items?page=3&per_page=50&sort=-updated_at HTTP/1.1\r\n"
      "Host: app.example.com\r\n"
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36\r\n"
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
      "*/*;q=0.8\r\n"
      "Accept-Language: en-US,en;q=0.9,de;q=0.8,fr;q=0.7\r\n"
      "Accept-Encoding: gzip, deflate, br\r\n"
      "Referer: https://app.example.com/projects/4711/items?page=2&per_page=50\r\n"
      "Cookie: session=6f1c2a9e8b7d4c3f2e1a0b9c8d7e6f5a4b3c2d1e; theme=dark; lang=en-US; "
      "_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; consent=all\r\n"
      "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwi"
      "bmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
      "\r\n"
      "Cache-Control: no-cache\r\n"
      "Pragma: no-cache\r\n"
      "Connection: keep-alive\r\n"
      "Upgrade-Insecure-Requests: 1\r\n"
      "Sec-Fetch-Dest: document\r\n"
      "Sec-Fetch-Mode: navigate\r\n"
      "Sec-Fetch-Site: same-origin\r\n"
      "Sec-Fetch-User: ?1\r\n"
      "Sec-Ch-Ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\"\r\n"
      "Sec-Ch-Ua-Mobile: ?0\r\n"
      "Sec-Ch-Ua-Platform: \"Linux\"\r\n"
      "DNT: 1\r\n"
      "If-None-Match: W/\"5e15153d-120f\"\r\n"
      "If-Modified-Since: Tue, 05 Dec 2023 10:00:00 GMT\r\n"
      "X-Forwarded-For: 203.0.113.195, 70.41.3.18, 150.172.238.178\r\n"
      "X-Forwarded-Proto: https\r\n"
      "X-Forwarded-Host: app.example.com\r\n"
      "X-Real-IP: 203.0.113.195\r\n"
      "Forwarded: for=203.0.113.195;proto=https;by=198.51.100.17\r\n"
      "Via: 1.1 proxy-eu-west-1.example.net (squid/5.7)\r\n"
      "X-Request-ID: 7b2c9f0e-3d4a-4e8b-9c1d-2f3e4a5b6c7d\r\n"
      "X-Correlation-ID: 0af7651916cd43dd8448eb211c80319c\r\n"
      "Traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
      "Tracestate: congo=t61rcWkgMzE,rojo=00f067aa0ba902b7\r\n"
      "Baggage: userId=alice,serverNode=DF%2028,isProduction=false\r\n"
      "X-Client-Version: web/2023.12.05-4711-gdeadbeef\r\n"
      "X-CSRF-Token: 4b9e7c1d2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d\r\n"
      "Priority: u=0, i\r\n"
      "\r\n";
  return r;
}

constexpr std::size_t kHeavyFields = 36;

lapwise::gate::workload http(const char* file, std::size_t fields, bool whole, level scan) {
  auto f = std::make_shared<http_fixture>();
  f->input = file == nullptr ? headers_heavy_request() : lapwise::gate::read_dataset(file);
  f->scan = scan;
  f->whole = whole;
  f->fields = fields;
  f->body = whole ? "hello world" : "";
  lapwise::gate::workload w;
  w.ops_per_pass = kMessagesPerPass;
  w.pass = [f] {
    apply_scan(*f);
    std::uint64_t sum = 0;
    lp::request r;
    for (std::size_t i = 0; i < kMessagesPerPass; ++i) {
      lp::parse_result res = parse_once(*f, r);
      sum += res.consumed + r.headers.size() + r.body.size();
    }
    return sum;
  };
  std::string name = file == nullptr ? "headers_heavy" : file;
  w.verify = [f, name](std::string* why) {
    if (!apply_scan(*f)) {  // needs() said it runs here: this is a driver bug
      *why = "scanner not supported";
      return false;
    }
    lp::request r;
    lp::parse_result res = parse_once(*f, r);
    if (res.status == lp::parse_status::complete && res.consumed == f->input.size() &&
        r.headers.size() == f->fields && r.body == f->body && !r.host.empty()) {
      return true;
    }
    *why = name + ": want a complete parse of " + std::to_string(f->input.size()) + " bytes with " +
           std::to_string(f->fields) + " fields, got " + std::to_string(res.consumed) + " bytes, " +
           std::to_string(r.headers.size()) + " fields";
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

// One benchmark per level for `scenario`: /native (production's pick) and /native-<level>.
void add_levels(std::vector<lapwise::gate::benchmark>& out, const std::string& scenario,
                const char* file, std::size_t fields, bool whole) {
  constexpr std::pair<const char*, scan_impl> kLevels[] = {{"scalar", scan_impl::scalar},
                                                           {"sse42", scan_impl::sse42},
                                                           {"avx2", scan_impl::avx2},
                                                           {"avx512", scan_impl::avx512}};
  out.push_back({"parser." + scenario + "/native", [=] { return http(file, fields, whole, {}); },
                 [] { return needs_of({}); }});
  for (auto [name, s] : kLevels) {
    out.push_back({"parser." + scenario + "/native-" + name,
                   [=] { return http(file, fields, whole, s); }, [=] { return needs_of(s); }});
  }
}

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* kPico = "http/picohttpparser_bench.http";
  constexpr const char* kChunked = "http/llhttp_bench_http_parser.http";
  std::vector<lapwise::gate::benchmark> benchmarks;
  add_levels(benchmarks, "pico_bench", kPico, 9, false);
  add_levels(benchmarks, "headers_heavy", nullptr, kHeavyFields, false);
  add_levels(benchmarks, "llhttp_chunked", kChunked, 10, true);
  benchmarks.push_back({"query.parse_shared/native", [] { return query_shared(); }});
  return lapwise::gate::run_main(argc, argv, benchmarks);
}

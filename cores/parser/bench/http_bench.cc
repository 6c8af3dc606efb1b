// HTTP/1.1 parser micro benchmarks. Ids follow `<kind>.<scenario>[<param>]/<impl>`:
//   parser.<dataset>/native           the shared benchmark requests (head only, or head + chunked
//                                     body for llhttp_chunked), best scanner for this CPU
//   parser.<dataset>/native-scalar    the same with the scalar scanner forced
//   parser.<dataset>/native-avx2      the same with the AVX2 scanner forced, when the CPU's best
//                                     is AVX-512 (AVX2 is the level most CPUs have)
//   parser.headers[N]/native          cost growth with the number of header fields
//   parser.chunked_body[N]/native     cost growth with the body size (16 KiB chunks, decoded)
// Every benchmark checks its answer once before timing; a wrong answer is SkipWithError.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "lapwise/parser/http.h"
#include "lapwise/parser/http_scan.h"
#include "lapwise_datasets/datasets.h"

namespace {

using namespace lapwise::parser;

struct expected {
  std::size_t fields;
  std::size_t consumed;
  std::string body;  // the decoded body when whole messages are parsed
};

// The CPU's best scanner.
detail::scan_impl best_scan() {
  for (auto s : {detail::scan_impl::avx512, detail::scan_impl::avx2, detail::scan_impl::sse42}) {
    if (detail::scan_supported(s)) return s;
  }
  return detail::scan_impl::scalar;
}

// Sets the scanner for one benchmark.
bool use_scan(benchmark::State& state, detail::scan_impl impl) {
  if (!detail::force_scan(impl)) {
    state.SkipWithError("scanner not supported");
    return false;
  }
  state.SetLabel(detail::scan_name(impl));
  return true;
}

// Request heads (parse_request_head): the common server path, body framing decided only.
void bench_head(benchmark::State& state, const std::string& input, const expected& want,
                detail::scan_impl scan) {
  if (!use_scan(state, scan)) return;
  std::array<header, 128> storage;
  request r;
  parse_result res = parse_request_head(input, r, storage);
  if (res.status != parse_status::complete || res.consumed != want.consumed ||
      r.headers.size() != want.fields || r.host.empty()) {
    state.SkipWithError("wrong parse before timing");
    return;
  }
  for (auto _ : state) {
    res = parse_request_head(input, r, storage);
    benchmark::DoNotOptimize(res);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}

// Whole requests (parse_request): head + Content-Length view or chunked body decoded.
void bench_message(benchmark::State& state, const std::string& input, const expected& want,
                   detail::scan_impl scan) {
  if (!use_scan(state, scan)) return;
  std::array<header, 128> storage;
  std::vector<char> body(want.body.size() + 64);
  request r;
  parse_result res = parse_request(input, r, storage, body);
  if (res.status != parse_status::complete || res.consumed != want.consumed ||
      r.headers.size() != want.fields || r.body != want.body) {
    state.SkipWithError("wrong parse before timing");
    return;
  }
  for (auto _ : state) {
    res = parse_request(input, r, storage, body);
    benchmark::DoNotOptimize(res);
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}

std::string with_headers(int n) {
  std::string s = "GET /api/v1/items?page=2 HTTP/1.1\r\nHost: bench.example\r\n";
  for (int i = 1; i < n; ++i) {
    s += "X-Field-" + std::to_string(i) + ": value-" + std::to_string(i) +
         " some typical header text\r\n";
  }
  return s + "\r\n";
}

std::string chunked_request(std::size_t size, std::string& body) {
  body.clear();
  for (std::size_t i = 0; i < size; ++i) body += static_cast<char>('a' + i % 26);
  std::string s =
      "POST /upload HTTP/1.1\r\nHost: bench.example\r\nTransfer-Encoding: chunked\r\n\r\n";
  constexpr std::size_t chunk = 16 * 1024;
  for (std::size_t at = 0; at < size; at += chunk) {
    std::size_t n = std::min(chunk, size - at);
    char line[32];
    std::snprintf(line, sizeof line, "%zx\r\n", n);
    s += line;
    s.append(body, at, n);
    s += "\r\n";
  }
  return s + "0\r\n\r\n";
}

struct dataset_row {
  const char* id;
  const char* file;
  std::size_t fields;
  bool whole;  // parse_request (body decoded) instead of the head only
  bool scalar_too;
};

void register_all() {
  static std::vector<std::string> inputs;  // owned for the program's life
  static std::vector<expected> wants;
  inputs.reserve(64);
  wants.reserve(64);
  const dataset_row rows[] = {
      {"pico_bench", "http/picohttpparser_bench.http", 9, false, true},
      {"llhttp_chunked", "http/llhttp_bench_http_parser.http", 10, true, true},
      {"h11_get", "http/h11_bench_get.http", 8, false, false},
      {"httparse_short", "http/httparse_req_short.http", 2, false, false},
  };
  auto add = [](const std::string& name, const std::string& input, expected want, bool whole,
                detail::scan_impl scan) {
    inputs.push_back(input);
    wants.push_back(std::move(want));
    const std::string& in = inputs.back();
    const expected& w = wants.back();
    if (whole) {
      benchmark::RegisterBenchmark(
          name.c_str(), [&in, &w, scan](benchmark::State& s) { bench_message(s, in, w, scan); });
    } else {
      benchmark::RegisterBenchmark(
          name.c_str(), [&in, &w, scan](benchmark::State& s) { bench_head(s, in, w, scan); });
    }
  };
  const detail::scan_impl best = best_scan();
  for (const dataset_row& row : rows) {
    std::string data = lapwise::datasets::read(row.file);
    std::string body = row.whole ? "hello world" : "";
    std::string id = std::string("parser.") + row.id;
    const expected want{row.fields, data.size(), body};
    add(id + "/native", data, want, row.whole, best);
    if (row.scalar_too) {
      add(id + "/native-scalar", data, want, row.whole, detail::scan_impl::scalar);
      if (best == detail::scan_impl::avx512) {
        add(id + "/native-avx2", data, want, row.whole, detail::scan_impl::avx2);
      }
    }
  }
  for (int n : {1, 10, 50, 100}) {
    std::string in = with_headers(n);
    add("parser.headers[" + std::to_string(n) + "]/native", in,
        {static_cast<std::size_t>(n), in.size(), ""}, false, best);
  }
  for (std::size_t n :
       {std::size_t{0}, std::size_t{1024}, std::size_t{64 * 1024}, std::size_t{1024 * 1024}}) {
    std::string body;
    std::string in = chunked_request(n, body);
    add("parser.chunked_body[" + std::to_string(n) + "]/native", in, {2, in.size(), body}, true,
        best);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

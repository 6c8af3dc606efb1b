// Fuzzes chunked_decoder three ways on the same bytes: all at once, streamed in pieces (the first
// byte sets the piece size) into a small output buffer, and in place. All must give the same
// status, error, body and trailers, with every scanner (trailers use the field parser).
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "http_fuzz_util.h"

using namespace lapwise::parser;

namespace {

struct outcome {
  parse_status status = parse_status::need_more;
  error_code error = error_code::none;
  std::string body;
  std::string trailers;
  std::size_t consumed = 0;

  std::string text() const {
    return std::to_string(static_cast<int>(status)) + "/" +
           std::to_string(static_cast<int>(error)) + " consumed=" + std::to_string(consumed) +
           " body=" + body + "\n" + trailers;
  }
};

limits fuzz_limits() {
  limits lim;
  lim.max_header_bytes = 512;
  lim.max_headers = 8;
  lim.max_body = 4096;
  lim.max_chunk_line = 64;
  return lim;
}

std::string trailer_text(const chunked_decoder& d) {
  std::string s;
  fuzz::describe_fields(s, d.trailers());
  return s;
}

outcome whole(std::string_view in) {
  std::array<header, 8> trailers;
  chunked_decoder d(trailers, fuzz_limits());
  std::vector<char> out(in.size());
  auto r = d.feed(in, out);
  fuzz::check(r.consumed <= in.size() && r.produced <= r.consumed, "whole: sizes out of range");
  outcome o{r.status, r.error, std::string(out.data(), r.produced), trailer_text(d), r.consumed};
  return o;
}

outcome streamed(std::string_view in, std::size_t piece, std::size_t out_size) {
  std::array<header, 8> trailers;
  chunked_decoder d(trailers, fuzz_limits());
  std::vector<char> out(out_size);
  std::string pending;
  outcome o;
  std::size_t fed = 0;
  for (;;) {
    auto r = d.feed(pending, out);
    fuzz::check(r.consumed <= pending.size() && r.produced <= out.size(), "stream: sizes");
    o.body.append(out.data(), r.produced);
    o.consumed += r.consumed;
    o.status = r.status;
    o.error = r.error;
    if (r.status == parse_status::complete) o.trailers = trailer_text(d);
    pending.erase(0, r.consumed);
    if (r.status != parse_status::need_more) break;
    if (r.consumed == 0 && r.produced == 0) {  // no progress: more input, or the end
      if (fed == in.size()) break;
      std::size_t n = std::min(piece, in.size() - fed);
      pending.append(in.substr(fed, n));
      fed += n;
    }
  }
  return o;
}

outcome in_place(std::string_view in) {
  std::vector<char> buf(in.begin(), in.end());
  std::array<header, 8> trailers;
  chunked_decoder d(trailers, fuzz_limits());
  auto r = d.feed({buf.data(), buf.size()}, buf);
  return {r.status, r.error, std::string(buf.data(), r.produced), trailer_text(d), r.consumed};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + (data[0] & 15);
  const std::size_t out_size = 1 + (data[0] >> 4);
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  fuzz::differential([&] {
    outcome a = whole(in);
    outcome b = streamed(in, piece, out_size);
    outcome c = in_place(in);
    // Streaming never sees more than the whole input, so it may stop where whole() needs more;
    // otherwise all three agree byte for byte.
    if (a.text() != b.text()) fuzz::fail("whole vs streamed", a.text(), b.text());
    if (a.text() != c.text()) fuzz::fail("whole vs in place", a.text(), c.text());
    return a.text();
  });
  return 0;
}

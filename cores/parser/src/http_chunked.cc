// chunked_decoder: the chunked transfer coding (RFC 9112 §7.1) as a small state machine.
// Chunk lines and the trailer section are parsed only once they are wholly in the input (both
// are bounded by limits), so the only state kept across calls is the position in the body.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "http_chars.h"
#include "http_impl.h"

namespace lapwise::parser {
namespace {

constexpr int hex_digit(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  unsigned char l = c | 0x20;
  if (l >= 'a' && l <= 'f') return l - 'a' + 10;
  return -1;
}

// HEXDIG values, -1 for other bytes: one load per digit of a chunk size.
constexpr std::array<std::int8_t, 256> hex_table = [] {
  std::array<std::int8_t, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = static_cast<std::int8_t>(hex_digit(static_cast<unsigned char>(c)));
  return t;
}();

int hex_value(char c) noexcept { return hex_table[static_cast<unsigned char>(c)]; }

// The usual chunk-size line, 1 to 16 HEXDIG then CRLF, wholly in [p, end) and within max_line
// bytes: its size, and the byte after its LF; nullptr for anything else (extensions, leading
// zeros past 16 digits, a line not yet complete, errors), which the general parser decides.
const char* plain_size_line(const char* p, const char* end, std::size_t max_line,
                            std::uint64_t& size) noexcept {
  std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(end - p), 18);
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (int d; i < n && i < 16 && (d = hex_value(p[i])) >= 0; ++i) {
    v = v << 4 | static_cast<unsigned>(d);
  }
  if (i == 0 || i + 2 > n || i + 2 > max_line || p[i] != '\r' || p[i + 1] != '\n') return nullptr;
  size = v;
  return p + i + 2;
}

bool is_ws(char c) noexcept { return c == ' ' || c == '\t'; }

// qdtext / quoted-pair in chunk-ext-val = token / quoted-string.
const char* skip_quoted(const char* p, const char* end) noexcept {
  ++p;  // the opening DQUOTE
  while (p != end) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') return p + 1;
    if (c == '\\') {
      if (++p == end) return nullptr;
      c = static_cast<unsigned char>(*p);
    }
    if (!(c == '\t' || (c >= 0x20 && c != 0x7f))) return nullptr;
    ++p;
  }
  return nullptr;
}

// chunk-size [ chunk-ext ] CRLF, the line being [p, lf] with lf at its LF.
// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
error_code parse_size_line(const char* p, const char* lf, std::uint64_t& size) noexcept {
  if (lf == p || lf[-1] != '\r') return error_code::bad_line_ending;
  const char* const end = lf - 1;
  std::uint64_t v = 0;
  const char* s = p;
  for (int d; s != end && (d = hex_value(*s)) >= 0; ++s) {
    if (v >> 60) return error_code::bad_chunk_size;  // a 65th bit would be lost
    v = v << 4 | static_cast<unsigned>(d);
  }
  if (s == p) return error_code::bad_chunk_size;
  if (s != end && !is_ws(*s) && *s != ';') return error_code::bad_chunk_size;
  while (s != end) {
    while (s != end && is_ws(*s)) ++s;
    if (s == end || *s != ';') return error_code::bad_chunk_extension;
    ++s;
    while (s != end && is_ws(*s)) ++s;
    const char* name = s;
    while (s != end && detail::in(detail::tchar_table, *s)) ++s;
    if (s == name) return error_code::bad_chunk_extension;
    const char* after_name = s;
    while (s != end && is_ws(*s)) ++s;
    if (s != end && *s == '=') {
      ++s;
      while (s != end && is_ws(*s)) ++s;
      if (s != end && *s == '"') {
        s = skip_quoted(s, end);
        if (!s) return error_code::bad_chunk_extension;
      } else {
        const char* value = s;
        while (s != end && detail::in(detail::tchar_table, *s)) ++s;
        if (s == value) return error_code::bad_chunk_extension;
      }
    } else {
      s = after_name;  // BWS is allowed only before "=" or the next ";"
    }
  }
  size = v;
  return error_code::none;
}

}  // namespace

chunked_decoder::chunked_decoder(std::span<header> trailer_storage, const limits& lim) noexcept
    : trailers_(trailer_storage.data()), capacity_(trailer_storage.size()), limits_(lim) {}

void chunked_decoder::reset() noexcept {
  count_ = 0;
  remaining_ = 0;
  total_ = 0;
  state_ = state::size_line;
  error_ = error_code::none;
}

chunked_decoder::result chunked_decoder::feed(std::string_view in, std::span<char> out) noexcept {
  std::size_t ip = 0;
  std::size_t op = 0;
  auto fail = [&](error_code e) {
    state_ = state::failed;
    error_ = e;
    return result{parse_status::error, ip, op, e};
  };
  for (;;) {
    std::size_t avail = in.size() - ip;
    switch (state_) {
      case state::size_line: {
        std::uint64_t size = 0;
        if (const char* next = plain_size_line(in.data() + ip, in.data() + in.size(),
                                               limits_.max_chunk_line, size)) [[likely]] {
          if (size > limits_.max_body - total_) return fail(error_code::body_too_large);
          ip = static_cast<std::size_t>(next - in.data());
          remaining_ = size;
          state_ = size == 0 ? state::trailers : state::data;
          break;
        }
        std::size_t window = std::min(avail, limits_.max_chunk_line);
        const void* lf = window ? std::memchr(in.data() + ip, '\n', window) : nullptr;
        if (!lf) {
          if (avail >= limits_.max_chunk_line) return fail(error_code::bad_chunk_extension);
          return {parse_status::need_more, ip, op, error_code::none};
        }
        const char* lf_at = static_cast<const char*>(lf);
        if (error_code e = parse_size_line(in.data() + ip, lf_at, size); e != error_code::none) {
          return fail(e);
        }
        if (size > limits_.max_body - total_) return fail(error_code::body_too_large);
        ip = static_cast<std::size_t>(lf_at + 1 - in.data());
        remaining_ = size;
        state_ = size == 0 ? state::trailers : state::data;
        break;
      }
      case state::data: {
        std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, std::min(avail, out.size() - op)));
        if (n == 0) return {parse_status::need_more, ip, op, error_code::none};
        std::memmove(out.data() + op, in.data() + ip, n);  // may alias: op <= ip always
        ip += n;
        op += n;
        total_ += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = state::data_crlf;
          if (in.size() - ip >= 2 && in[ip] == '\r' && in[ip + 1] == '\n') [[likely]] {
            ip += 2;  // the usual CRLF after the data, without a trip through the switch
            state_ = state::size_line;
          }
        }
        break;
      }
      case state::data_crlf:
        if (avail == 0) return {parse_status::need_more, ip, op, error_code::none};
        if (in[ip] != '\r') return fail(error_code::bad_chunk_data);
        if (avail == 1) return {parse_status::need_more, ip, op, error_code::none};
        if (in[ip + 1] != '\n') return fail(error_code::bad_line_ending);
        ip += 2;
        state_ = state::size_line;
        break;
      case state::trailers: {
        if (avail >= 2 && in[ip] == '\r' && in[ip + 1] == '\n') {  // no trailers: the usual end
          count_ = 0;
          ip += 2;
          state_ = state::done;
          return {parse_status::complete, ip, op, error_code::none};
        }
        detail::fields_result r = detail::entry_points().fields(
            in.substr(ip), {trailers_, capacity_}, limits_.max_headers, limits_.max_header_bytes);
        if (r.result.status == parse_status::error) return fail(r.result.error);
        if (r.result.status == parse_status::need_more) {
          return {parse_status::need_more, ip, op, error_code::none};
        }
        count_ = r.count;
        ip += r.result.consumed;
        state_ = state::done;
        return {parse_status::complete, ip, op, error_code::none};
      }
      case state::done:
        return {parse_status::complete, 0, 0, error_code::none};
      case state::failed:
        return {parse_status::error, 0, 0, error_};
    }
  }
}

}  // namespace lapwise::parser

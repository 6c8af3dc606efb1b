// Request heads: tables of valid and invalid inputs, each run with every scanner the CPU has and
// placed against an unreadable page. Every proper prefix of a valid head must say need_more.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "http_test_util.h"
#include "lapwise_datasets/datasets.h"

namespace lapwise::parser {
namespace {

using testing::per_scan;
using error = error_code;
using fields = std::vector<std::pair<std::string, std::string>>;

struct valid_case {
  const char* label;
  std::string input;
  std::string method, target, path, query;
  int minor = 1;
  fields headers;  // checked in full
  body_framing framing = body_framing::none;
  std::uint64_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
  bool upgrade = false;
};

const std::string host = "Host: example.com\r\n";

// Fields of assorted lengths (names and values cross the 64-byte blocks of the vector scanners
// at many offsets), with the OWS, HTAB and obs-text a value may hold, then the empty line.
fields many_fields() {
  fields f;
  for (int i = 0; i < 14; ++i) {
    std::string name =
        "X-" + std::string(static_cast<std::size_t>(i * 7 % 23), 'n') + "-" + std::to_string(i);
    std::string value(static_cast<std::size_t>(i * 29 % 71), static_cast<char>('a' + i));
    if (i % 3 == 1 && value.size() > 2) value[value.size() / 2] = '\t';
    if (i % 4 == 2 && value.size() > 2) value[1] = '\xe9';
    f.emplace_back(name, value);
  }
  return f;
}
std::string many_fields_text() {
  std::string s;
  int i = 0;
  for (const auto& [name, value] : many_fields()) {
    const char* ows = i % 5 == 0 ? "" : i % 5 == 1 ? " " : i % 5 == 2 ? "  \t" : "\t";
    s += name + ":" + ows + value + (i % 2 ? " \t" : "") + "\r\n";
    ++i;
  }
  return s + "\r\n";
}
fields many_fields_list() {
  fields f = many_fields();
  f.insert(f.begin(), {"Host", "example.com"});
  return f;
}

std::vector<valid_case> valid_cases() {
  std::string all_token = "!#$%&'*+-.^_`|~09azAZ";
  std::string obs_text = "\x80\xff caf\xc3\xa9\tx";
  std::string long_value(300, 'v');
  return {
      {"minimal",
       "GET / HTTP/1.1\r\n" + host + "\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", "example.com"}}},
      {"http10 no host", "GET /a HTTP/1.0\r\n\r\n", "GET", "/a", "/a", "", 0, {}, {}, 0, false},
      {"http10 keep-alive",
       "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
       "GET",
       "/",
       "/",
       "",
       0,
       {{"Connection", "Keep-Alive"}},
       {},
       0,
       true},
      {"close",
       "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", "example.com"}, {"Connection", "close"}},
       {},
       0,
       false},
      {"upgrade",
       "GET /ws HTTP/1.1\r\n" + host +
           "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
       "GET",
       "/ws",
       "/ws",
       "",
       1,
       {{"Host", "example.com"}, {"Connection", "keep-alive, Upgrade"}, {"Upgrade", "websocket"}},
       {},
       0,
       true,
       false,
       true},
      {"leading empty lines",
       "\r\n\r\nGET / HTTP/1.1\r\n" + host + "\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", "example.com"}}},
      {"query",
       "GET /search?q=a&b=c HTTP/1.1\r\n" + host + "\r\n",
       "GET",
       "/search?q=a&b=c",
       "/search",
       "q=a&b=c",
       1,
       {{"Host", "example.com"}}},
      {"empty query",
       "GET /p? HTTP/1.1\r\n" + host + "\r\n",
       "GET",
       "/p?",
       "/p",
       "",
       1,
       {{"Host", "example.com"}}},
      {"second question mark",
       "GET /p?a?b HTTP/1.1\r\n" + host + "\r\n",
       "GET",
       "/p?a?b",
       "/p",
       "a?b",
       1,
       {{"Host", "example.com"}}},
      {"absolute form",
       "GET http://example.com/x?y HTTP/1.1\r\n" + host + "\r\n",
       "GET",
       "http://example.com/x?y",
       "/x",
       "y",
       1,
       {{"Host", "example.com"}}},
      {"absolute form empty path",
       "GET http://example.com HTTP/1.1\r\n" + host + "\r\n",
       "GET",
       "http://example.com",
       "/",
       "",
       1,
       {{"Host", "example.com"}}},
      {"asterisk",
       "OPTIONS * HTTP/1.1\r\n" + host + "\r\n",
       "OPTIONS",
       "*",
       "*",
       "",
       1,
       {{"Host", "example.com"}}},
      {"connect",
       "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
       "CONNECT",
       "example.com:443",
       "",
       "",
       1,
       {{"Host", "example.com:443"}}},
      {"lowercase method",
       "get / HTTP/1.1\r\n" + host + "\r\n",
       "get",
       "/",
       "/",
       "",
       1,
       {{"Host", "example.com"}}},
      {"ows trimmed",
       "GET / HTTP/1.1\r\n" + host + "X:   a b  \t\r\nY:\r\nZ:\t \r\n\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", "example.com"}, {"X", "a b"}, {"Y", ""}, {"Z", ""}}},
      {"token chars and obs-text",
       "GET / HTTP/1.1\r\n" + host + all_token + ": " + obs_text + "\r\n\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", "example.com"}, {all_token, obs_text}}},
      {"fields over several blocks", "GET / HTTP/1.1\r\n" + host + many_fields_text(), "GET", "/",
       "/", "", 1, many_fields_list()},
      {"long value",
       "GET / HTTP/1.1\r\n" + host + "Cookie: " + long_value + "\r\n\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", "example.com"}, {"Cookie", long_value}}},
      {"content-length",
       "POST /f HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\n",
       "POST",
       "/f",
       "/f",
       "",
       1,
       {{"Host", "example.com"}, {"Content-Length", "5"}},
       body_framing::content_length,
       5},
      {"content-length zero",
       "POST /f HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n",
       "POST",
       "/f",
       "/f",
       "",
       1,
       {{"Host", "example.com"}, {"Content-Length", "0"}},
       body_framing::content_length,
       0},
      {"identical content-length list",
       "POST /f HTTP/1.1\r\n" + host + "Content-Length: 7, 7\r\n\r\n",
       "POST",
       "/f",
       "/f",
       "",
       1,
       {{"Host", "example.com"}, {"Content-Length", "7, 7"}},
       body_framing::content_length,
       7},
      {"identical content-length lines",
       "POST /f HTTP/1.1\r\n" + host + "Content-Length: 7\r\ncontent-length: 7\r\n\r\n",
       "POST",
       "/f",
       "/f",
       "",
       1,
       {{"Host", "example.com"}, {"Content-Length", "7"}, {"content-length", "7"}},
       body_framing::content_length,
       7},
      {"chunked",
       "POST /f HTTP/1.1\r\n" + host + "Transfer-Encoding: Chunked\r\n\r\n",
       "POST",
       "/f",
       "/f",
       "",
       1,
       {{"Host", "example.com"}, {"Transfer-Encoding", "Chunked"}},
       body_framing::chunked},
      {"chunked with empty list elements",
       "POST /f HTTP/1.1\r\n" + host + "Transfer-Encoding: , chunked ,\r\n\r\n",
       "POST",
       "/f",
       "/f",
       "",
       1,
       {{"Host", "example.com"}, {"Transfer-Encoding", ", chunked ,"}},
       body_framing::chunked},
      {"expect",
       "PUT /u HTTP/1.1\r\n" + host + "Expect: 100-Continue\r\nContent-Length: 1\r\n\r\n",
       "PUT",
       "/u",
       "/u",
       "",
       1,
       {{"Host", "example.com"}, {"Expect", "100-Continue"}, {"Content-Length", "1"}},
       body_framing::content_length,
       1,
       true,
       true},
      {"expect ignored in 1.0",
       "PUT /u HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
       "PUT",
       "/u",
       "/u",
       "",
       0,
       {{"Expect", "100-continue"}},
       {},
       0,
       false,
       false},
      {"empty host in 1.1",
       "GET / HTTP/1.1\r\nHost:\r\n\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", ""}}},
      {"ipv6 host",
       "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
       "GET",
       "/",
       "/",
       "",
       1,
       {{"Host", "[::1]:8080"}}},
  };
}

struct invalid_case {
  const char* label;
  std::string input;
  error expected;
};

std::string head(const std::string& fields) {
  return "GET / HTTP/1.1\r\n" + host + fields + "\r\n";
}

std::vector<invalid_case> invalid_cases() {
  std::string many;
  for (int i = 0; i < 100; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  return {
      // framing and smuggling
      {"cl and te", head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
       error::content_length_with_transfer_encoding},
      {"te and cl", head("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"),
       error::content_length_with_transfer_encoding},
      {"chunked not last", head("Transfer-Encoding: chunked, gzip\r\n"), error::chunked_not_last},
      {"no chunked", head("Transfer-Encoding: gzip\r\n"), error::chunked_not_last},
      {"te identity", head("Transfer-Encoding: identity\r\n"), error::chunked_not_last},
      {"unknown coding", head("Transfer-Encoding: gzip, chunked\r\n"),
       error::unknown_transfer_coding},
      {"unknown coding two lines",
       head("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
       error::unknown_transfer_coding},
      {"chunked twice", head("Transfer-Encoding: chunked, chunked\r\n"),
       error::bad_transfer_encoding},
      {"chunked twice two lines",
       head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
       error::bad_transfer_encoding},
      {"chunked with parameter", head("Transfer-Encoding: chunked;q=1\r\n"),
       error::bad_transfer_encoding},
      {"te empty", head("Transfer-Encoding:\r\n"), error::bad_transfer_encoding},
      {"te junk", head("Transfer-Encoding: \"chunked\"\r\n"), error::bad_transfer_encoding},
      {"te in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
       error::transfer_encoding_http10},
      {"differing cl list", head("Content-Length: 5, 6\r\n"), error::bad_content_length},
      {"differing cl lines", head("Content-Length: 5\r\nContent-Length: 6\r\n"),
       error::bad_content_length},
      {"cl negative", head("Content-Length: -1\r\n"), error::bad_content_length},
      {"cl plus", head("Content-Length: +5\r\n"), error::bad_content_length},
      {"cl hex", head("Content-Length: 0x5\r\n"), error::bad_content_length},
      {"cl inner space", head("Content-Length: 5 5\r\n"), error::bad_content_length},
      {"cl empty", head("Content-Length:\r\n"), error::bad_content_length},
      {"cl empty element", head("Content-Length: 5,,5\r\n"), error::bad_content_length},
      {"cl overflow", head("Content-Length: 18446744073709551616\r\n"), error::bad_content_length},
      {"cl over max body", head("Content-Length: 8388609\r\n"), error::body_too_large},
      // field syntax
      {"space before colon", head("Content-Length : 5\r\n"), error::space_before_colon},
      {"tab before colon", head("Host2\t: 5\r\n"), error::space_before_colon},
      {"obs-fold", head("X: a\r\n b\r\n"), error::obs_fold},
      {"whitespace before first field", "GET / HTTP/1.1\r\n " + host + "\r\n", error::obs_fold},
      {"bare cr in value", head("X: a\rb\r\n"), error::bad_line_ending},
      {"bare lf in value", head("X: a\nb\r\n"), error::bad_line_ending},
      {"bare lf line end", head("X: a\n"), error::bad_line_ending},
      {"bare lf request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", error::bad_line_ending},
      {"bare lf end of head", "GET / HTTP/1.1\r\nHost: a\r\n\n", error::bad_line_ending},
      {"cr cr end of head", "GET / HTTP/1.1\r\nHost: a\r\n\r\r", error::bad_line_ending},
      {"nul in value", head(std::string("X: a\0b\r\n", 8)), error::bad_header_value},
      {"ctl in value",
       head("X: a\x01"
            "b\r\n"),
       error::bad_header_value},
      {"esc in value", head("X: \x1b[0m\r\n"), error::bad_header_value},
      {"del in value", head("X: a\x7f\r\n"), error::bad_header_value},
      {"ctl in name", head("X\x01Y: a\r\n"), error::bad_header_name},
      {"delimiter in name", head("X(Y): a\r\n"), error::bad_header_name},
      {"empty name", head(": a\r\n"), error::bad_header_name},
      {"no colon", head("Xa\r\n"), error::bad_header_name},
      {"high byte in name", head("X\xc3\xa9: a\r\n"), error::bad_header_name},
      // request line
      {"ctl in method", "G\x01T / HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"empty method", " / HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"double space", "GET  / HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"space in target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", error::bad_version},
      {"del in target", "GET /a\x7f HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"high byte in target", "GET /caf\xc3\xa9 HTTP/1.1\r\n" + host + "\r\n",
       error::bad_request_line},
      {"tab in target", "GET /a\tb HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"fragment", "GET /a#b HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"asterisk with get", "GET * HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"connect origin form", "CONNECT / HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"bad scheme", "GET 1http://a/ HTTP/1.1\r\n" + host + "\r\n", error::bad_request_line},
      {"http09", "GET /\r\n\r\n", error::bad_request_line},
      {"no version", "GET / \r\n\r\n", error::bad_version},
      {"lowercase version", "GET / http/1.1\r\n" + host + "\r\n", error::bad_version},
      {"version letters", "GET / HTTP/1.x\r\n" + host + "\r\n", error::bad_version},
      {"version two digits", "GET / HTTP/1.10\r\n" + host + "\r\n", error::bad_version},
      {"version trailing space", "GET / HTTP/1.1 \r\n" + host + "\r\n", error::bad_version},
      {"http2", "GET / HTTP/2.0\r\n" + host + "\r\n", error::unsupported_version},
      {"http12", "GET / HTTP/1.2\r\n" + host + "\r\n", error::unsupported_version},
      {"http09 version", "GET / HTTP/0.9\r\n" + host + "\r\n", error::unsupported_version},
      {"leading bare cr", "\r\rGET / HTTP/1.1\r\n" + host + "\r\n", error::bad_line_ending},
      {"leading bare lf", "\nGET / HTTP/1.1\r\n" + host + "\r\n", error::bad_line_ending},
      // host
      {"missing host", "GET / HTTP/1.1\r\n\r\n", error::missing_host},
      {"duplicate host", head("Host: example.com\r\n"), error::duplicate_host},
      {"duplicate host 1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", error::duplicate_host},
      {"host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", error::bad_host},
      {"host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", error::bad_host},
      {"host with at", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", error::bad_host},
      // limits
      {"request line too long", "GET /" + std::string(8200, 'a') + " HTTP/1.1\r\n" + host + "\r\n",
       error::request_line_too_long},
      {"header section too large", head("X: " + std::string(65536, 'a') + "\r\n"),
       error::headers_too_large},
      {"too many headers", head(many), error::too_many_headers},
  };
}

constexpr std::size_t storage_size = 128;

class http_request : public per_scan {
 protected:
  parse_result parse(std::string_view in, request& out, const limits& lim = {}) {
    return parse_request_head(guarded_.place(in), out, storage_, lim);
  }
  std::array<header, storage_size> storage_{};
};

void expect_fields(const request& r, const fields& want) {
  ASSERT_EQ(r.headers.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(r.headers[i].name, want[i].first) << "field " << i;
    EXPECT_EQ(r.headers[i].value, want[i].second) << "field " << i;
  }
}

TEST_P(http_request, valid_heads_parse_with_every_field) {
  for (const valid_case& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    request r;
    parse_result res = parse(c.input, r);
    ASSERT_EQ(res.status, parse_status::complete) << describe(res.error);
    EXPECT_EQ(res.consumed, c.input.size());
    EXPECT_EQ(r.head_size, c.input.size());
    EXPECT_EQ(r.method, c.method);
    EXPECT_EQ(r.target, c.target);
    EXPECT_EQ(r.path, c.path);
    EXPECT_EQ(r.query, c.query);
    EXPECT_EQ(r.version_minor, c.minor);
    expect_fields(r, c.headers);
    EXPECT_EQ(r.framing, c.framing);
    EXPECT_EQ(r.content_length, c.content_length);
    EXPECT_EQ(r.keep_alive, c.keep_alive);
    EXPECT_EQ(r.expect_continue, c.expect_continue);
    EXPECT_EQ(r.upgrade, c.upgrade);
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(r.trailers.empty());
  }
}

TEST_P(http_request, every_prefix_of_a_valid_head_needs_more) {
  for (const valid_case& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    for (std::size_t n = 0; n < c.input.size(); ++n) {
      request r;
      parse_result res = parse(std::string_view(c.input).substr(0, n), r);
      ASSERT_EQ(res.status, parse_status::need_more)
          << "prefix of " << n << " bytes: " << describe(res.error);
      ASSERT_EQ(res.consumed, 0u);
    }
  }
}

TEST_P(http_request, pipelined_heads_end_where_the_next_begins) {
  std::string all;
  std::vector<std::size_t> sizes;
  for (const valid_case& c : valid_cases()) {
    all += c.input;
    sizes.push_back(c.input.size());
  }
  std::string_view rest = guarded_.place(all);
  for (std::size_t size : sizes) {
    request r;
    parse_result res = parse_request_head(rest, r, storage_);
    ASSERT_EQ(res.status, parse_status::complete);
    ASSERT_EQ(res.consumed, size);
    rest.remove_prefix(res.consumed);
  }
  EXPECT_TRUE(rest.empty());
}

TEST_P(http_request, invalid_heads_give_the_error_and_its_status) {
  for (const invalid_case& c : invalid_cases()) {
    SCOPED_TRACE(c.label);
    request r;
    parse_result res = parse(c.input, r);
    ASSERT_EQ(res.status, parse_status::error);
    EXPECT_EQ(res.error, c.expected) << describe(res.error) << " vs " << describe(c.expected);
    EXPECT_EQ(http_status(res.error), http_status(c.expected));
    EXPECT_EQ(res.consumed, 0u);
    // No prefix reads past its end or claims a complete head.
    for (std::size_t n = 0; n < c.input.size(); n += 1 + n / 64) {
      parse_result p = parse(std::string_view(c.input).substr(0, n), r);
      ASSERT_NE(p.status, parse_status::complete) << n;
    }
  }
}

TEST_P(http_request, status_codes_of_the_error_classes) {
  struct row {
    std::string input;
    int status;
  };
  const row rows[] = {
      {head("Transfer-Encoding: gzip, chunked\r\n"), 501},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {head("Content-Length: 100000000\r\n"), 413},
      {head("X: " + std::string(70000, 'a') + "\r\n"), 431},
      {head("Content-Length: 1\r\nTransfer-Encoding: chunked\r\n"), 400},
  };
  for (const row& r : rows) {
    request out;
    parse_result res = parse(r.input, out);
    ASSERT_EQ(res.status, parse_status::error);
    EXPECT_EQ(http_status(res.error), r.status) << describe(res.error);
  }
}

TEST_P(http_request, limits_are_inclusive_and_caller_storage_bounds_the_count) {
  const std::string line = "GET /abcdef HTTP/1.1";  // 20 bytes
  limits lim;
  lim.max_request_line = line.size();
  request r;
  EXPECT_EQ(parse(line + "\r\n" + host + "\r\n", r, lim).status, parse_status::complete);
  lim.max_request_line = line.size() - 1;
  EXPECT_EQ(parse(line + "\r\n" + host + "\r\n", r, lim).error, error::request_line_too_long);
  EXPECT_EQ(parse(line + "\r\n", r, lim).error, error::request_line_too_long);
  EXPECT_EQ(parse(line + "\r\nHo", r, lim).error, error::request_line_too_long);
  EXPECT_EQ(parse(line.substr(0, 19), r, lim).status, parse_status::need_more);

  limits fields_lim;
  fields_lim.max_header_bytes = host.size() + 2;  // exactly the section
  EXPECT_EQ(parse(line + "\r\n" + host + "\r\n", r, fields_lim).status, parse_status::complete);
  fields_lim.max_header_bytes -= 1;
  EXPECT_EQ(parse(line + "\r\n" + host + "\r\n", r, fields_lim).error, error::headers_too_large);

  limits count_lim;
  count_lim.max_headers = 2;
  std::string two = head("X: 1\r\n");
  std::string three = head("X: 1\r\nY: 2\r\n");
  EXPECT_EQ(parse(two, r, count_lim).status, parse_status::complete);
  EXPECT_EQ(parse(three, r, count_lim).error, error::too_many_headers);
  std::array<header, 2> small;
  EXPECT_EQ(parse_request_head(guarded_.place(two), r, small).status, parse_status::complete);
  EXPECT_EQ(parse_request_head(guarded_.place(three), r, small).error, error::too_many_headers);

  limits body_lim;
  body_lim.max_body = 5;
  EXPECT_EQ(parse(head("Content-Length: 5\r\n"), r, body_lim).status, parse_status::complete);
  EXPECT_EQ(parse(head("Content-Length: 6\r\n"), r, body_lim).error, error::body_too_large);
}

// Each scanner stops at the first bad byte wherever it falls: inside the first vector, on a
// vector boundary, or in the scalar tail right before the guard page.
TEST_P(http_request, a_bad_byte_is_found_at_every_position) {
  const char value_stops[] = {'\0', '\x01', '\x08', '\x0b', '\x1f', '\x7f'};
  const char target_stops[] = {'\0', '\t', '\x1f', '\x7f', '\x80', '\xff'};
  for (std::size_t len = 1; len <= 80; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (char bad : value_stops) {
        std::string value(len, 'a');
        value[at] = bad;
        request r;
        parse_result res = parse(head("X: " + value + "\r\n"), r);
        ASSERT_EQ(res.error, error::bad_header_value) << len << " " << at << " " << int(bad);
      }
      for (char bad : target_stops) {
        std::string target(len + 1, 'a');
        target[0] = '/';
        target[at + 1] = bad;
        request r;
        parse_result res = parse("GET " + target + " HTTP/1.1\r\n" + host + "\r\n", r);
        ASSERT_EQ(res.error, error::bad_request_line) << len << " " << at << " " << int(bad);
      }
    }
    // And a clean value of every length parses, ending right before the guard page.
    std::string value(len, 'b');
    if (len >= 3) value[len / 2] = '\t';  // HTAB is fine inside a value
    request r;
    std::string in = head("X: " + value + "\r\n");
    ASSERT_EQ(parse(in, r).status, parse_status::complete) << len;
    EXPECT_EQ(r.headers[1].value, value);
  }
}

TEST_P(http_request, shared_benchmark_requests_parse) {
  struct row {
    const char* file;
    const char* method;
    std::size_t fields;
    body_framing framing;
  };
  const row rows[] = {
      {"http/picohttpparser_bench.http", "GET", 9, body_framing::none},
      {"http/httparse_req.http", "GET", 9, body_framing::none},
      {"http/httparse_req_short.http", "GET", 2, body_framing::none},
      {"http/h11_bench_get.http", "GET", 8, body_framing::none},
      {"http/llhttp_bench_http_parser.http", "POST", 10, body_framing::chunked},
  };
  for (const row& w : rows) {
    SCOPED_TRACE(w.file);
    std::string data = datasets::read(w.file);
    request r;
    parse_result res = parse(data, r);
    ASSERT_EQ(res.status, parse_status::complete) << describe(res.error);
    EXPECT_EQ(r.method, w.method);
    EXPECT_EQ(r.headers.size(), w.fields);
    EXPECT_EQ(r.framing, w.framing);
    EXPECT_FALSE(r.host.empty());
    if (w.framing == body_framing::none) {
      EXPECT_EQ(res.consumed, data.size());
    }
  }
}

// The vector scanners read the header section 64 bytes at a time and hand any line they doubt
// to the per-line parser: whatever byte sits at whatever offset, every answer must be the
// scalar scanner's (status, error, consumed, and every field).
std::string summary(const parse_result& res, const request& r) {
  std::string s = std::to_string(static_cast<int>(res.status)) + "/" +
                  std::to_string(static_cast<int>(res.error)) + "/" + std::to_string(res.consumed) +
                  "\n";
  if (res.status == parse_status::complete) {
    for (const header& h : r.headers) s += std::string(h.name) + "=" + std::string(h.value) + "\n";
  }
  return s;
}

TEST_P(http_request, any_byte_anywhere_in_the_fields_answers_as_scalar) {
  const std::string base = "GET / HTTP/1.1\r\n" + host + many_fields_text();
  const std::size_t fields_at = base.find("\r\n") + 2;
  const char replacements[] = {'\0', '\x01', '\t', '\n',   '\r',   '\x1f', ' ',   '"',
                               '(',  ':',    'A',  '\x7f', '\x80', '\xff', '\x0b'};
  for (std::size_t at = fields_at; at < base.size(); ++at) {
    for (char c : replacements) {
      std::string in = base;
      in[at] = c;
      request r;
      ASSERT_TRUE(detail::force_scan(detail::scan_impl::scalar));
      parse_result want_res = parse(in, r);
      std::string want = summary(want_res, r);
      ASSERT_TRUE(detail::force_scan(GetParam()));
      parse_result got_res = parse(in, r);
      ASSERT_EQ(summary(got_res, r), want) << "byte " << int(c) << " at " << at;
      // Cut right after the changed byte: need more or the same error, never complete.
      ASSERT_TRUE(detail::force_scan(detail::scan_impl::scalar));
      want = summary(parse(std::string_view(in).substr(0, at + 1), r), r);
      ASSERT_TRUE(detail::force_scan(GetParam()));
      ASSERT_EQ(summary(parse(std::string_view(in).substr(0, at + 1), r), r), want) << at;
    }
  }
}

// Each field-syntax error, shifted through two blocks by a padding field before it and followed
// by more fields, gives the same error as at the start of the section.
TEST_P(http_request, field_errors_at_every_block_offset) {
  const std::pair<std::string, error> bad_lines[] = {
      {"Content-Length : 5\r\n", error::space_before_colon},
      {" folded\r\n", error::obs_fold},
      {"X: a\rb\r\n", error::bad_line_ending},
      {"X: a\nb\r\n", error::bad_line_ending},
      {"X: a\n", error::bad_line_ending},
      {"X: a\r\r\n", error::bad_line_ending},
      {std::string("X: a\0b\r\n", 8), error::bad_header_value},
      {"X: a\x01\r\n", error::bad_header_value},
      {"X: a\x7f\r\n", error::bad_header_value},
      {"X\x01Y: a\r\n", error::bad_header_name},
      {"X(Y): a\r\n", error::bad_header_name},
      {": a\r\n", error::bad_header_name},
      {"Xa\r\n", error::bad_header_name},
      {"X\xc3\xa9: a\r\n", error::bad_header_name},
      {"\n", error::bad_line_ending},
      {"\r\r", error::bad_line_ending},
  };
  const std::string after = "Accept: */*\r\nUser-Agent: test/1.0 (block offsets)\r\n";
  for (const auto& [line, want] : bad_lines) {
    for (std::size_t pad = 0; pad < 140; ++pad) {
      std::string in = "GET / HTTP/1.1\r\n" + host + "X-Pad: " + std::string(pad, 'p') + "\r\n" +
                       line + after + "\r\n";
      request r;
      parse_result res = parse(in, r);
      ASSERT_EQ(res.status, parse_status::error) << pad << " " << line;
      ASSERT_EQ(res.error, want) << pad << " " << line << ": " << describe(res.error);
    }
  }
}

// The count limit and the byte limit fall on lines the block reader would otherwise take.
TEST_P(http_request, limits_inside_a_long_section) {
  const std::string in = "GET / HTTP/1.1\r\n" + host + many_fields_text();
  const std::size_t section = in.size() - (in.find("\r\n") + 2);
  const std::size_t count = many_fields_list().size();
  request r;
  for (std::size_t max = 1; max <= count + 1; ++max) {
    limits lim;
    lim.max_headers = max;
    parse_result res = parse(in, r, lim);
    if (max < count) {
      ASSERT_EQ(res.error, error::too_many_headers) << max;
    } else {
      ASSERT_EQ(res.status, parse_status::complete) << max;
      expect_fields(r, many_fields_list());
    }
  }
  for (std::size_t max = section - 70; max <= section + 1; ++max) {
    limits lim;
    lim.max_header_bytes = max;
    parse_result res = parse(in, r, lim);
    if (max < section) {
      ASSERT_EQ(res.error, error::headers_too_large) << max;
    } else {
      ASSERT_EQ(res.status, parse_status::complete) << max;
    }
  }
}

TEST(http_errors, every_code_has_a_status_and_a_description) {
  for (int i = 0; i <= static_cast<int>(error::incomplete_message); ++i) {
    auto e = static_cast<error>(i);
    int s = http_status(e);
    EXPECT_TRUE(e == error::none ? s == 0 : (s >= 400 && s <= 505)) << i;
    EXPECT_STRNE(describe(e), "unknown error") << i;
  }
}

INSTANTIATE_TEST_SUITE_P(scans, http_request, ::testing::ValuesIn(testing::supported_scans()),
                         testing::scan_param_name);

}  // namespace
}  // namespace lapwise::parser

// parse_query / query_parser: parse_qsl(keep_blank_values=True) semantics as a table, plus
// limits, UTF-8 policies, zero-copy and buffer contracts.
#include "lapwise/parser/query.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lp = lapwise::parser;

namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

pairs parse(std::string_view qs, lp::query_options opts = {}) {
  lp::query_parser p(opts);
  EXPECT_EQ(p.parse(qs), lp::query_status::ok) << qs;
  pairs out;
  for (const auto& kv : p.pairs()) out.emplace_back(kv.key, kv.value);
  return out;
}

struct query_case {
  std::string_view qs;
  pairs want;  // what urllib.parse.parse_qsl(qs, keep_blank_values=True) returns
};

TEST(Query, ParseQslTable) {
  const std::string R = "\xEF\xBF\xBD";
  const std::vector<query_case> cases = {
      {"", {}},
      {"&", {}},
      {"&&a=1&&", {{"a", "1"}}},
      {"a=1&b=2", {{"a", "1"}, {"b", "2"}}},
      {"foo=bar&foo=baz&foo=", {{"foo", "bar"}, {"foo", "baz"}, {"foo", ""}}},
      {"a", {{"a", ""}}},
      {"a=", {{"a", ""}}},
      {"=", {{"", ""}}},
      {"=v", {{"", "v"}}},
      {"a=b=c", {{"a", "b=c"}}},
      {"a=1;b=2", {{"a", "1;b=2"}}},  // ';' is not a separator
      {"a+b=c+d", {{"a b", "c d"}}},
      {"a%2Bb=%2B", {{"a+b", "+"}}},
      {"%zz=%4&%=100%", {{"%zz", "%4"}, {"%", "100%"}}},
      {"k=%C3%A9%E2%82%AC", {{"k", "\xC3\xA9\xE2\x82\xAC"}}},
      {"k=\xC3\xA9", {{"k", "\xC3\xA9"}}},  // raw UTF-8 passes through
      {"k=%C3", {{"k", R}}},
      {"k=%ED%A0%80", {{"k", R + R + R}}},
      {"%FF=%F0%9F%98", {{R, R}}},
      {"k=%C3\xC3\xA9%A9", {{"k", R + "\xC3\xA9" + R}}},
      {"frappucino=muffin&goat=scone&pond=moose&foo=bar&foo=baz",
       {{"frappucino", "muffin"},
        {"goat", "scone"},
        {"pond", "moose"},
        {"foo", "bar"},
        {"foo", "baz"}}},
  };
  for (const auto& c : cases) EXPECT_EQ(parse(c.qs), c.want) << "qs: " << c.qs;
}

TEST(Query, ZeroCopyWhenNothingToDecode) {
  const std::string qs = "a=1&b=x%20y&c=\xC3\xA9";
  lp::query_parser p;
  ASSERT_EQ(p.parse(qs), lp::query_status::ok);
  auto inside = [&](std::string_view v) {
    return v.data() >= qs.data() && v.data() + v.size() <= qs.data() + qs.size();
  };
  ASSERT_EQ(p.pairs().size(), 3u);
  EXPECT_TRUE(inside(p.pairs()[0].key));
  EXPECT_TRUE(inside(p.pairs()[0].value));
  EXPECT_FALSE(inside(p.pairs()[1].value));  // decoded into scratch
  EXPECT_EQ(p.pairs()[1].value, "x y");
  EXPECT_TRUE(inside(p.pairs()[2].value));  // valid raw UTF-8 is not copied
}

struct limit_case {
  std::string_view qs;
  lp::query_options opts;
  lp::query_status want;
};

TEST(Query, LimitsAndPolicies) {
  const std::vector<limit_case> cases = {
      {"a=1&b=2", {.max_length = 7}, lp::query_status::ok},
      {"a=1&b=2", {.max_length = 6}, lp::query_status::too_long},
      {"a=1&b=2", {.max_pairs = 2}, lp::query_status::ok},
      {"a=1&b=2&c", {.max_pairs = 2}, lp::query_status::too_many_pairs},
      {"a=1&&&&b=2", {.max_pairs = 2}, lp::query_status::ok},  // empty segments are free
      {"", {.max_pairs = 0}, lp::query_status::ok},
      {"a", {.max_pairs = 0}, lp::query_status::too_many_pairs},
      {"k=%C3", {.utf8 = lp::utf8_policy::reject}, lp::query_status::invalid_utf8},
      {"k=\xFF", {.utf8 = lp::utf8_policy::reject}, lp::query_status::invalid_utf8},
      {"k=%C3%A9", {.utf8 = lp::utf8_policy::reject}, lp::query_status::ok},
  };
  for (const auto& c : cases) {
    lp::query_parser p(c.opts);
    EXPECT_EQ(p.parse(c.qs), c.want) << "qs: " << c.qs << " (" << lp::describe(c.want) << ")";
    if (c.want != lp::query_status::ok) EXPECT_TRUE(p.pairs().empty());
  }
}

TEST(Query, SpanApiReportsSmallBuffersInsteadOfOverflowing) {
  std::vector<lp::query_pair> pairs(4);
  std::vector<char> scratch(3);  // too small for a 7-byte input that needs decoding
  auto r = lp::parse_query("a=%41&b", pairs, scratch, {});
  EXPECT_EQ(r.status, lp::query_status::buffer_too_small);
  r = lp::parse_query("a=1&b", pairs, scratch, {});  // no decoding: scratch unused
  EXPECT_EQ(r.status, lp::query_status::ok);
  EXPECT_EQ(r.count, 2u);
  std::vector<lp::query_pair> one(1);
  EXPECT_EQ(lp::parse_query("a&b", one, scratch, {}).status, lp::query_status::too_many_pairs);
}

TEST(Query, WorstCaseRepairFitsTheDocumentedScratch) {
  // Every byte invalid: each becomes 3 bytes of U+FFFD.
  const std::string qs = "\xFF\xFF\xFF=%FF%FE\xFF&\xFF";
  std::vector<lp::query_pair> pairs(8);
  std::vector<char> scratch(lp::query_scratch_size(qs.size()));
  const auto r = lp::parse_query(qs, pairs, scratch, {});
  ASSERT_EQ(r.status, lp::query_status::ok);
  ASSERT_EQ(r.count, 2u);
  EXPECT_EQ(pairs[0].key.size(), 9u);
  EXPECT_EQ(pairs[0].value.size(), 9u);
  EXPECT_EQ(pairs[1].key.size(), 3u);
}

TEST(Query, ParserReusesStorageAcrossInputs) {
  lp::query_parser p;
  ASSERT_EQ(p.parse("a=%41"), lp::query_status::ok);
  EXPECT_EQ(p.pairs()[0].value, "A");
  ASSERT_EQ(p.parse("x=1&y=%42%43&z"), lp::query_status::ok);
  ASSERT_EQ(p.pairs().size(), 3u);
  EXPECT_EQ(p.pairs()[1].value, "BC");
  EXPECT_EQ(p.pairs()[2].key, "z");
}

}  // namespace

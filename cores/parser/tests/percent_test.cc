// percent_decode / percent_decode_path / utf8_valid / utf8_replace as tables of cases.
#include "lapwise/parser/percent.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace lp = lapwise::parser;

namespace {

std::string decode(std::string_view in, bool plus) {
  std::string out(in.size(), '\0');
  out.resize(lp::percent_decode(in, out.data(), plus));
  return out;
}

std::string repair(std::string_view in) {
  std::string out(3 * in.size(), '\0');
  out.resize(lp::utf8_replace(in, out.data()));
  return out;
}

struct decode_case {
  std::string_view in;
  bool plus;
  std::string_view want;
};

TEST(PercentDecode, Table) {
  const std::vector<decode_case> cases = {
      {"", true, ""},
      {"plain", true, "plain"},
      {"a%20b", true, "a b"},
      {"a+b", true, "a b"},
      {"a+b", false, "a+b"},        // paths keep '+'
      {"%2B", true, "+"},           // an encoded plus is a plus
      {"%2b%2F%3a", false, "+/:"},  // either hex case
      {"%zz", true, "%zz"},         // invalid escape kept literally
      {"%4", true, "%4"},           // truncated escape
      {"%", true, "%"},             // trailing percent
      {"100%", true, "100%"},
      {"%%41", true, "%A"},  // only the second '%' starts a valid escape
      {"%4g%41", true, "%4gA"},
      {"%00", false, std::string_view("\0", 1)},
      {"%C3%A9", false, "\xC3\xA9"},
      {"%ff", false, "\xFF"},  // bytes, not checked here
      {"%E2%9C%8C%F0%9F%91%80", false, "\xE2\x9C\x8C\xF0\x9F\x91\x80"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(decode(c.in, c.plus), c.want) << "input: " << c.in;
    const bool has_escape = c.in.find('%') != std::string_view::npos ||
                            (c.plus && c.in.find('+') != std::string_view::npos);
    EXPECT_EQ(lp::needs_percent_decode(c.in, c.plus), has_escape) << "input: " << c.in;
  }
}

TEST(PercentDecode, PathFunctionHasNoPlusRule) {
  std::string out(16, '\0');
  out.resize(lp::percent_decode_path("/a+b%2Fc", out.data()));
  EXPECT_EQ(out, "/a+b/c");
}

TEST(PercentDecode, InPlace) {
  std::string s = "a%20b%zz+c";
  s.resize(lp::percent_decode(s, s.data(), true));
  EXPECT_EQ(s, "a b%zz c");
}

struct utf8_case {
  std::string_view in;
  bool valid;
  std::string repaired;  // what Python's bytes.decode("utf-8", "replace") gives
};

TEST(Utf8, ValidityAndReplacementLikePython) {
  const std::string R = "\xEF\xBF\xBD";  // U+FFFD
  const std::vector<utf8_case> cases = {
      {"", true, ""},
      {"ascii only, longer than eight bytes", true, "ascii only, longer than eight bytes"},
      {"\xC3\xA9", true, "\xC3\xA9"},
      {"\xF0\x9F\x98\x80", true, "\xF0\x9F\x98\x80"},
      {"\xF4\x8F\xBF\xBF", true, "\xF4\x8F\xBF\xBF"},  // U+10FFFF
      {"\xC3", false, R},                              // truncated at the end
      {"\xC3x", false, std::string(R) + "x"},
      {"\xFF", false, R},
      {"\x80\x80", false, std::string(R) + std::string(R)},  // stray continuations: one each
      {"\xC0\xAF", false, std::string(R) + std::string(R)},  // overlong '/'
      {"\xE0\x80\xAF", false, std::string(R) + std::string(R) + std::string(R)},
      {"\xED\xA0\x80", false, std::string(R) + std::string(R) + std::string(R)},  // surrogate
      {"\xF0\x9F\x98", false, R},  // maximal subpart: one U+FFFD
      {"\xF0\x9F\x98x", false, std::string(R) + "x"},
      {"\xF4\x90\x80\x80", false,
       std::string(R) + std::string(R) + std::string(R) + std::string(R)},  // > U+10FFFF
      {"\xE2\x82", false, R},
      {"a\xE2\x82\xAC"
       "b\xE2",
       false,
       "a\xE2\x82\xAC"
       "b" +
           std::string(R)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(lp::utf8_valid(c.in), c.valid) << "input bytes: " << c.in.size();
    EXPECT_EQ(repair(c.in), c.repaired) << "input bytes: " << c.in.size();
  }
}

}  // namespace

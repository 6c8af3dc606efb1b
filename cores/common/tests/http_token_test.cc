// The byte classes against the RFC 9110 ABNF spelled out independently, for all 256 bytes, and
// the string predicates on a table of cases.
#include "lapwise/common/http_token.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

namespace lc = lapwise::common;

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
//         "~" / DIGIT / ALPHA
bool rfc_tchar(int c) {
  static const std::string_view specials = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c < 0x80 && specials.find(static_cast<char>(c)) != std::string_view::npos);
}

// field-value bytes: field-vchar = VCHAR / obs-text, plus SP and HTAB.
bool rfc_field_value_byte(int c) {
  bool vchar = c >= 0x21 && c <= 0x7e;
  bool obs_text = c >= 0x80 && c <= 0xff;
  return vchar || obs_text || c == ' ' || c == '\t';
}

TEST(HttpToken, ByteClassesMatchTheRfcForEveryByte) {
  int tchars = 0;
  for (int c = 0; c < 256; ++c) {
    char ch = static_cast<char>(c);
    EXPECT_EQ(lc::is_tchar(ch), rfc_tchar(c)) << "byte " << c;
    EXPECT_EQ(lc::tchar_table[c], rfc_tchar(c)) << "byte " << c;
    EXPECT_EQ(lc::is_field_value_byte(ch), rfc_field_value_byte(c)) << "byte " << c;
    EXPECT_EQ(lc::field_value_table[c], rfc_field_value_byte(c)) << "byte " << c;
    tchars += rfc_tchar(c) ? 1 : 0;
  }
  EXPECT_EQ(tchars, 26 * 2 + 10 + 15);
}

struct token_case {
  std::string_view in;
  bool token;
};

TEST(HttpToken, Tokens) {
  const token_case cases[] = {
      {"GET", true},    {"M-SEARCH", true},     {"x!#$%&'*+-.^_`|~9", true},
      {"", false},      {"GE T", false},        {"GET\t", false},
      {"a:b", false},   {"(x)", false},         {"a/b", false},
      {"\"q\"", false}, {"caf\xc3\xa9", false}, {std::string_view("a\0b", 3), false},
      {"a\x7f", false},
  };
  for (const auto& c : cases) EXPECT_EQ(lc::is_token(c.in), c.token) << '"' << c.in << '"';
}

struct value_case {
  std::string_view in;
  bool field_value;
  bool cr_lf_nul;
};

TEST(HttpToken, FieldValues) {
  const value_case cases[] = {
      {"", true, false},
      {"text/html; q=0.9", true, false},
      {" padded\t", true, false},
      {"obs \x80\xff caf\xc3\xa9", true, false},
      {"a\rb", false, true},
      {"a\nb", false, true},
      {std::string_view("a\0b", 3), false, true},
      {"a\x01"
       "b",
       false, false},
      {"a\x1f", false, false},
      {"del\x7f", false, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(lc::is_field_value(c.in), c.field_value) << '"' << c.in << '"';
    EXPECT_EQ(lc::contains_cr_lf_nul(c.in), c.cr_lf_nul) << '"' << c.in << '"';
  }
}

// Usable in constant expressions: the parser's vector scanners build their tables from these.
static_assert(lc::is_token("GET") && !lc::is_token("G T"));
static_assert(lc::is_field_value("v\t") && !lc::is_field_value("v\r"));

}  // namespace

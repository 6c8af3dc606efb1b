// json::writer: escaping in every string shape, ensure_ascii, NaN policy, growth.
#include "lapwise/parser/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace lj = lapwise::parser::json;

namespace {

struct string_case {
  std::u32string_view text;  // code points
  std::string_view utf8;     // json.dumps(text, ensure_ascii=False).encode()
  std::string_view ascii;    // json.dumps(text)
};

std::string utf8_of(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Writes `s` through every entry point that can hold it and checks they agree with `want`.
void expect_all_shapes(std::u32string_view s, bool ensure_ascii, std::string_view want) {
  char32_t max = 0;
  for (char32_t c : s) max = std::max(max, c);
  lj::writer w;
  std::vector<std::uint32_t> u32(s.begin(), s.end());
  ASSERT_EQ(w.string_ucs4(u32, ensure_ascii), lj::write_status::ok);
  EXPECT_EQ(w.view(), want) << "ucs4";
  if (max < 0x10000) {
    std::vector<std::uint16_t> u16(s.begin(), s.end());
    w.clear();
    ASSERT_EQ(w.string_ucs2(u16, ensure_ascii), lj::write_status::ok);
    EXPECT_EQ(w.view(), want) << "ucs2";
  }
  if (max < 0x100) {
    std::vector<std::uint8_t> u8(s.begin(), s.end());
    w.clear();
    ASSERT_EQ(w.string_latin1(u8, ensure_ascii), lj::write_status::ok);
    EXPECT_EQ(w.view(), want) << "latin1";
  }
  w.clear();
  ASSERT_EQ(w.string_utf8(utf8_of(s), ensure_ascii), lj::write_status::ok);
  EXPECT_EQ(w.view(), want) << "utf8";
}

TEST(JsonWriter, StringsLikeStdlib) {
  const std::vector<string_case> cases = {
      {U"", "\"\"", "\"\""},
      {U"plain", "\"plain\"", "\"plain\""},
      {U"q\"b\\s/", "\"q\\\"b\\\\s/\"", "\"q\\\"b\\\\s/\""},
      {U"\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"", "\"\\n\\r\\t\\b\\f\""},
      {std::u32string_view(U"\0\x01\x1f", 3), "\"\\u0000\\u0001\\u001f\"",
       "\"\\u0000\\u0001\\u001f\""},
      {U"\x7f", "\"\x7f\"", "\"\\u007f\""},
      {U"caf\u00e9", "\"caf\xC3\xA9\"", "\"caf\\u00e9\""},
      {U"\u00ff\u0100", "\"\xC3\xBF\xC4\x80\"", "\"\\u00ff\\u0100\""},
      {U"\u2028\uffff", "\"\xE2\x80\xA8\xEF\xBF\xBF\"", "\"\\u2028\\uffff\""},
      {U"\U0001F600", "\"\xF0\x9F\x98\x80\"", "\"\\ud83d\\ude00\""},
      {U"\U0010FFFF", "\"\xF4\x8F\xBF\xBF\"", "\"\\udbff\\udfff\""},
      // Long enough for the 16-byte scan, with specials at chunk edges.
      {U"0123456789abcde\"0123456789abcdef\\", "\"0123456789abcde\\\"0123456789abcdef\\\\\"",
       "\"0123456789abcde\\\"0123456789abcdef\\\\\""},
      {U"0123456789abcdef0123456789abcdef\u00e9", "\"0123456789abcdef0123456789abcdef\xC3\xA9\"",
       "\"0123456789abcdef0123456789abcdef\\u00e9\""},
  };
  for (const auto& c : cases) {
    expect_all_shapes(c.text, false, c.utf8);
    expect_all_shapes(c.text, true, c.ascii);
  }
}

TEST(JsonWriter, LoneSurrogates) {
  lj::writer w;
  const std::vector<std::uint16_t> s = {'a', 0xD800, 'b'};
  EXPECT_EQ(w.string_ucs2(s, false), lj::write_status::lone_surrogate);
  EXPECT_EQ(w.size(), 0u);  // nothing committed
  EXPECT_EQ(w.string_ucs2(s, true), lj::write_status::ok);
  EXPECT_EQ(w.view(), "\"a\\ud800b\"");
  w.clear();
  const std::vector<std::uint32_t> pair = {0xD83D, 0xDE00};  // two code points, not one
  EXPECT_EQ(w.string_ucs4(pair, false), lj::write_status::lone_surrogate);
  EXPECT_EQ(w.string_ucs4(pair, true), lj::write_status::ok);
  EXPECT_EQ(w.view(), "\"\\ud83d\\ude00\"");
}

TEST(JsonWriter, InvalidUtf8IsRejected) {
  lj::writer w;
  EXPECT_EQ(w.string_utf8("a\xFF", false), lj::write_status::invalid_utf8);
  EXPECT_EQ(w.string_utf8("\xED\xA0\x80", true), lj::write_status::invalid_utf8);
  EXPECT_EQ(w.size(), 0u);
}

TEST(JsonWriter, NonFinitePolicy) {
  lj::writer w;
  const double inf = std::numeric_limits<double>::infinity();
  ASSERT_EQ(w.double_value(std::nan(""), true), lj::write_status::ok);
  ASSERT_TRUE(w.put(','));
  ASSERT_EQ(w.double_value(inf, true), lj::write_status::ok);
  ASSERT_TRUE(w.put(','));
  ASSERT_EQ(w.double_value(-inf, true), lj::write_status::ok);
  EXPECT_EQ(w.view(), "NaN,Infinity,-Infinity");
  w.clear();
  EXPECT_EQ(w.double_value(std::nan(""), false), lj::write_status::non_finite);
  EXPECT_EQ(w.double_value(-inf, false), lj::write_status::non_finite);
  EXPECT_EQ(w.size(), 0u);
}

TEST(JsonWriter, TokensAndGrowth) {
  lj::writer w;
  ASSERT_TRUE(w.put('['));
  for (int i = 0; i < 10000; ++i) {  // many times the initial capacity
    if (i) ASSERT_TRUE(w.put(','));
    ASSERT_TRUE(w.int_value(-i));
  }
  ASSERT_TRUE(w.put(']'));
  EXPECT_EQ(w.view().substr(0, 8), "[0,-1,-2");
  EXPECT_EQ(w.view().back(), ']');
  w.clear();
  ASSERT_TRUE(w.null_value());
  ASSERT_TRUE(w.bool_value(true));
  ASSERT_TRUE(w.bool_value(false));
  ASSERT_TRUE(w.uint_value(18446744073709551615ULL));
  ASSERT_TRUE(w.integer_text("123456789012345678901234567890"));
  ASSERT_EQ(w.double_value(1e16, true), lj::write_status::ok);
  EXPECT_EQ(w.view(), "nulltruefalse184467440737095516151234567890123456789012345678901e16");
  lj::writer moved = std::move(w);
  EXPECT_EQ(moved.view().substr(0, 4), "null");
  EXPECT_EQ(w.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
}

}  // namespace

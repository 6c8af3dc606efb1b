// format_double against a table (with Python's repr(float) beside it) and std::to_chars;
// format_int64/uint64 at the edges.
#include "lapwise/parser/json_number.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace lj = lapwise::parser::json;

namespace {

std::string fmt(double v) {
  char buf[lj::max_number_chars];
  return {buf, lj::format_double(v, buf)};
}

struct double_case {
  double v;
  std::string_view want;  // format_double(v)
  std::string_view repr;  // Python 3.11 repr(v), for comparison
};

// repr's exponent spelled the lapwise/orjson way: "e+16" -> "e16", "e-05" -> "e-5".
std::string respell_exponent(std::string_view repr) {
  std::string out(repr);
  const auto e = out.find('e');
  if (e == std::string::npos) return out;
  std::size_t i = e + 1;
  if (out[i] == '+') {
    out.erase(i, 1);
  } else if (out[i] == '-') {
    ++i;
  }
  while (i + 1 < out.size() && out[i] == '0') out.erase(i, 1);
  return out;
}

const std::vector<double_case>& double_cases() {
  static const std::vector<double_case> cases = {
      {0.0, "0.0", "0.0"},
      {-0.0, "-0.0", "-0.0"},
      {1.0, "1.0", "1.0"},
      {-1.5, "-1.5", "-1.5"},
      {0.1, "0.1", "0.1"},
      {1.2345, "1.2345", "1.2345"},
      {100.0, "100.0", "100.0"},
      {0.0001, "0.0001", "0.0001"},  // e = -4: the last fixed one, as in repr
      {0.00001, "1e-5", "1e-05"},
      {0.00012345, "0.00012345", "0.00012345"},
      {0.000012345, "1.2345e-5", "1.2345e-05"},
      {9.9999e-05, "9.9999e-5", "9.9999e-05"},
      {-1.5e-7, "-1.5e-7", "-1.5e-07"},
      {1.5e-10, "1.5e-10", "1.5e-10"},
      {1e-300, "1e-300", "1e-300"},
      {1e15, "1000000000000000.0", "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0", "9999999999999998.0"},
      {1234567890123456.0, "1234567890123456.0", "1234567890123456.0"},  // e = 15: fixed
      {1e16, "1e16", "1e+16"},
      {-1e16, "-1e16", "-1e+16"},
      {12345678901234567.0, "1.2345678901234568e16", "1.2345678901234568e+16"},
      {1e21, "1e21", "1e+21"},
      {1e22, "1e22", "1e+22"},
      {1e100, "1e100", "1e+100"},
      {1.25e105, "1.25e105", "1.25e+105"},
      {1.7976931348623157e308, "1.7976931348623157e308", "1.7976931348623157e+308"},
      {5e-324, "5e-324", "5e-324"},
      {2.225073858507201e-308, "2.225073858507201e-308", "2.225073858507201e-308"},
      {2.2250738585072014e-308, "2.2250738585072014e-308", "2.2250738585072014e-308"},
      {-65.613616999999977, "-65.61361699999998", "-65.61361699999998"},
      {-65.613617, "-65.613617", "-65.613617"},
      {0.30000000000000004, "0.30000000000000004", "0.30000000000000004"},
      {123456.789, "123456.789", "123456.789"},
      {9007199254740993.0, "9007199254740992.0", "9007199254740992.0"},
  };
  return cases;
}

TEST(JsonNumber, DoubleLayout) {
  for (const auto& c : double_cases()) EXPECT_EQ(fmt(c.v), c.want) << c.repr;
}

// The documented relation to Python: repr's digits and layout, only the exponent respelled.
TEST(JsonNumber, DiffersFromReprOnlyInExponentSpelling) {
  for (const auto& c : double_cases()) EXPECT_EQ(respell_exponent(c.repr), c.want) << c.repr;
  EXPECT_EQ(respell_exponent("1e+16"), "1e16");
  EXPECT_EQ(respell_exponent("1e-05"), "1e-5");
  EXPECT_EQ(respell_exponent("1e+100"), "1e100");
}

TEST(JsonNumber, ShortestDigitsRoundTrip) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    const std::string s = fmt(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
    EXPECT_LE(s.size(), lj::max_number_chars);
    // Exponent form exactly outside [1e-4, 1e16), spelled without '+' or leading zeros.
    const double mag = std::fabs(v);
    const auto e = s.find('e');
    EXPECT_EQ(e != std::string::npos, mag != 0 && (mag < 1e-4 || mag >= 1e16)) << s;
    if (e != std::string::npos) {
      const std::size_t d = e + 1 + (s[e + 1] == '-' ? 1 : 0);
      EXPECT_TRUE(d < s.size() && s[d] >= '1' && s[d] <= '9') << s;
    } else {
      EXPECT_NE(s.find('.'), std::string::npos) << s;
    }
  }
}

// format_double finds its digits itself (Schubfach); std::to_chars is the independent oracle:
// both must give the same shortest (and closest) digits and exponent.
TEST(JsonNumber, SameDigitsAsToChars) {
  auto digits_and_exponent = [](std::string_view s) {
    std::string mant(s), exp = "0";
    if (auto e = mant.find('e'); e != std::string::npos) {
      exp = mant.substr(e + 1);
      mant.resize(e);
    }
    if (!mant.empty() && mant[0] == '-') mant.erase(0, 1);
    long point = static_cast<long>(mant.find('.'));
    if (point < 0) point = static_cast<long>(mant.size());
    std::string d;
    for (char c : mant) {
      if (c != '.') d += c;
    }
    const std::size_t nz = d.find_first_not_of('0');
    if (nz == std::string::npos) return std::string("0");
    const long pos = point - static_cast<long>(nz) + std::stol(exp);
    d.erase(0, nz);
    while (d.size() > 1 && d.back() == '0') d.pop_back();
    return d + "e" + std::to_string(pos);
  };
  std::mt19937_64 rng(7);
  auto check = [&](double v) {
    if (!std::isfinite(v) || v == 0) return;
    char ref[64];
    const auto r = std::to_chars(ref, ref + sizeof ref, v, std::chars_format::scientific);
    ASSERT_EQ(digits_and_exponent(fmt(v)),
              digits_and_exponent(std::string_view(ref, static_cast<std::size_t>(r.ptr - ref))))
        << fmt(v);
  };
  for (int i = 0; i < 300000; ++i) {
    const std::uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    check(v);
  }
  for (std::uint64_t bits = 1; bits < 3000; ++bits) {  // the smallest subnormals
    double v;
    std::memcpy(&v, &bits, sizeof v);
    check(v);
  }
  for (int e = -1074; e <= 1023; ++e) {  // powers of two (uneven gaps) and their neighbours
    const double p = std::ldexp(1.0, e);
    check(p);
    check(std::nextafter(p, 0.0));
    check(std::nextafter(p, 1e308));
  }
  for (int i = 1; i < 100000; ++i) {
    check(i / 1000.0);
    check(i * 1e-7);
  }
}

TEST(JsonNumber, Integers) {
  char buf[lj::max_number_chars];
  auto i64 = [&](std::int64_t v) { return std::string(buf, lj::format_int64(v, buf)); };
  auto u64 = [&](std::uint64_t v) { return std::string(buf, lj::format_uint64(v, buf)); };
  EXPECT_EQ(i64(0), "0");
  EXPECT_EQ(i64(-1), "-1");
  EXPECT_EQ(i64(10), "10");
  EXPECT_EQ(i64(99), "99");
  EXPECT_EQ(i64(100), "100");
  EXPECT_EQ(i64(-2147483648LL), "-2147483648");
  EXPECT_EQ(i64(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(i64(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(u64(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(u64(4294967295u), "4294967295");
}

}  // namespace

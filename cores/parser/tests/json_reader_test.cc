// json::reader: events for every value kind, big numbers through the On Demand fallback,
// errors with offsets, the depth limit, and the shared round-trip files through reader+writer.
#include "lapwise/parser/json_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/json_number.h"
#include "lapwise/parser/json_writer.h"
#include "lapwise_datasets/datasets.h"

namespace lj = lapwise::parser::json;

namespace {

// Renders events as compact JSON with type tags for numbers, so tests can compare text.
struct recorder {
  lj::writer w;
  bool comma = false;
  bool fail_on_string = false;

  bool sep() {
    const bool ok = !comma || w.put(',');
    comma = true;
    return ok;
  }
  bool null_value() { return sep() && w.null_value(); }
  bool bool_value(bool b) { return sep() && w.bool_value(b); }
  bool int_value(std::int64_t v) { return sep() && w.append("i:") && w.int_value(v); }
  bool uint_value(std::uint64_t v) { return sep() && w.append("u:") && w.uint_value(v); }
  bool double_value(double v) {
    return sep() && w.append("d:") && w.double_value(v, true) == lj::write_status::ok;
  }
  bool number_text(std::string_view s, bool integer) {
    return sep() && w.append(integer ? "I:" : "D:") && w.append(s);
  }
  bool string_value(std::string_view s) {
    return !fail_on_string && sep() && w.string_utf8(s, false) == lj::write_status::ok;
  }
  bool key(std::string_view s) {
    const bool ok = sep() && w.string_utf8(s, false) == lj::write_status::ok && w.put(':');
    comma = false;
    return ok;
  }
  std::size_t begin_array() {
    (void)(sep() && w.put('['));
    comma = false;
    return 7;
  }
  bool end_array(std::size_t mark) {
    comma = true;
    return mark == 7 && w.put(']');
  }
  std::size_t begin_object() {
    (void)(sep() && w.put('{'));
    comma = false;
    return 9;
  }
  bool end_object(std::size_t mark) {
    comma = true;
    return mark == 9 && w.put('}');
  }
};

struct ok_case {
  std::string_view json;
  std::string_view events;
};

TEST(JsonReader, Events) {
  const std::vector<ok_case> cases = {
      {"null", "null"},
      {" true ", "true"},
      {"-7", "i:-7"},
      {"9223372036854775807", "i:9223372036854775807"},
      {"9223372036854775808", "u:9223372036854775808"},
      {"18446744073709551615", "u:18446744073709551615"},
      {"18446744073709551616", "I:18446744073709551616"},  // beyond 64 bits: raw text
      {"[-123456789012345678901234567890]", "[I:-123456789012345678901234567890]"},
      {"[1e400, 1.5]", "[D:1e400,d:1.5]"},
      {"1.0", "d:1.0"},
      {"\"a\\u00e9\\n\"", "\"a\xC3\xA9\\n\""},
      {"{\"a\":[1,{\"b\":null}],\"c\":{}}", "{\"a\":[i:1,{\"b\":null}],\"c\":{}}"},
      {"[]", "[]"},
      {"{\"k\":1,\"k\":2}", "{\"k\":i:1,\"k\":i:2}"},  // duplicates reported, caller decides
  };
  lj::reader reader;
  for (const auto& c : cases) {
    recorder rec;
    const lj::read_result r = reader.parse(c.json, rec);
    ASSERT_EQ(r.status, lj::read_status::ok) << c.json << ": " << r.message;
    EXPECT_EQ(rec.w.view(), c.events) << c.json;
  }
}

struct error_case {
  std::string_view json;
  lj::read_status status;
  std::size_t offset;  // SIZE_MAX: unknown (stage-1 errors have none)
};

TEST(JsonReader, Errors) {
  constexpr std::size_t any = static_cast<std::size_t>(-1);
  const std::vector<error_case> cases = {
      {"", lj::read_status::syntax_error, any},
      {"[1,]", lj::read_status::syntax_error, any},
      {"[01]", lj::read_status::syntax_error, 1},
      {"[1.]", lj::read_status::syntax_error, 1},
      {"[-]", lj::read_status::syntax_error, any},
      {"[NaN]", lj::read_status::syntax_error, any},
      {"[\"\xFF\"]", lj::read_status::syntax_error, any},
      {"[\"a\tb\"]", lj::read_status::syntax_error, any},
      {"\"\\ud800\"", lj::read_status::syntax_error, any},
      {"[1] [2]", lj::read_status::syntax_error, any},
      {"[1e400] 2", lj::read_status::syntax_error, any},
      {"[123456789012345678901234567890", lj::read_status::syntax_error, any},
      {"123456789012345678901234567890 1", lj::read_status::syntax_error, any},
      {"{\"a\" 1}", lj::read_status::syntax_error, any},
  };
  lj::reader reader;
  for (const auto& c : cases) {
    recorder rec;
    const lj::read_result r = reader.parse(c.json, rec);
    EXPECT_EQ(r.status, c.status) << c.json;
    EXPECT_FALSE(r.message.empty()) << c.json;
    EXPECT_LE(r.offset, c.json.size()) << c.json;
    if (c.offset != any) EXPECT_EQ(r.offset, c.offset) << c.json;
  }
}

TEST(JsonReader, DepthLimitAndHandlerFailure) {
  lj::reader reader(8);
  recorder rec;
  EXPECT_EQ(reader.parse("[[[[[[[[]]]]]]]]", rec).status, lj::read_status::ok);
  recorder rec2;
  EXPECT_EQ(reader.parse("[[[[[[[[[]]]]]]]]]", rec2).status, lj::read_status::too_deep);
  // The On Demand fallback (taken for big numbers) enforces the same limit.
  recorder rec3;
  EXPECT_EQ(reader.parse("[[[[[[[[[1e999]]]]]]]]]", rec3).status, lj::read_status::too_deep);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  recorder rec4;
  EXPECT_EQ(lj::reader().parse(deep, rec4).status, lj::read_status::too_deep);
  recorder failing;
  failing.fail_on_string = true;
  EXPECT_EQ(reader.parse("[1,\"x\"]", failing).status, lj::read_status::handler_failed);
}

TEST(JsonReader, NumberGrammar) {
  bool integer = false;
  EXPECT_TRUE(lj::is_json_number("0", &integer) && integer);
  EXPECT_TRUE(lj::is_json_number("-12345678901234567890123", &integer) && integer);
  EXPECT_TRUE(lj::is_json_number("1.5e+300", &integer) && !integer);
  EXPECT_TRUE(lj::is_json_number("1E400", &integer) && !integer);
  for (std::string_view bad : {"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1x", "0x10"}) {
    EXPECT_FALSE(lj::is_json_number(bad, &integer)) << bad;
  }
}

// The shared round-trip files: parse, then write: all 27 come back byte for byte (including
// roundtrip27's "1.7976931348623157e308", which Python's repr would spell "e+308").
TEST(JsonReader, SharedRoundTripFiles) {
  std::vector<std::filesystem::path> files;
  try {
    for (const auto& e :
         std::filesystem::directory_iterator(lapwise::datasets::root() / "json" / "roundtrip")) {
      files.push_back(e.path());
    }
  } catch (const std::exception& e) {
    GTEST_SKIP() << e.what();
  }
  ASSERT_EQ(files.size(), 27u);
  lj::reader reader;
  for (const auto& f : files) {
    std::string data =
        lapwise::datasets::read(std::filesystem::relative(f, lapwise::datasets::root()));
    while (!data.empty() && (data.back() == '\n' || data.back() == '\r')) data.pop_back();
    recorder rec;
    ASSERT_EQ(reader.parse(data, rec).status, lj::read_status::ok) << f;
    std::string out(rec.w.view());
    for (std::string_view tag : {"i:", "u:", "d:"}) {
      for (auto p = out.find(tag); p != std::string::npos; p = out.find(tag)) out.erase(p, 2);
    }
    EXPECT_EQ(out, data) << f;
  }
}

}  // namespace

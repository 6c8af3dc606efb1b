// Fuzzes the JSON reader and writer together: no crash or over-read (ASan) on any input; a
// document the reader accepts is rewritten by the writer, and that output must be accepted
// again and rewrite to the same bytes (a fixed point), in both ensure_ascii modes. Every
// finite double's text (format_double: shortest digits, exponents like "1e16", "1e-5") must
// read back (strtod) to the identical bits.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/json_number.h"
#include "lapwise/parser/json_reader.h"
#include "lapwise/parser/json_writer.h"

namespace lj = lapwise::parser::json;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "json_fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

// Streams reader events straight into a writer (commas and colons included).
struct rewriter {
  lj::writer& w;
  bool ensure_ascii;
  bool comma = false;

  bool sep() {
    const bool ok = !comma || w.put(',');
    comma = true;
    return ok;
  }
  bool null_value() { return sep() && w.null_value(); }
  bool bool_value(bool b) { return sep() && w.bool_value(b); }
  bool int_value(std::int64_t v) { return sep() && w.int_value(v); }
  bool uint_value(std::uint64_t v) { return sep() && w.uint_value(v); }
  bool double_value(double v) {
    if (std::isfinite(v)) {
      char text[lj::max_number_chars + 1];
      text[lj::format_double(v, text)] = '\0';
      const double back = std::strtod(text, nullptr);
      check(std::memcmp(&back, &v, sizeof v) == 0, "float text does not read back identical");
    }
    return sep() && w.double_value(v, true) == lj::write_status::ok;
  }
  bool number_text(std::string_view s, bool) { return sep() && w.integer_text(s); }
  bool string_value(std::string_view s) {
    return sep() && w.string_utf8(s, ensure_ascii) == lj::write_status::ok;
  }
  bool key(std::string_view s) {
    const bool ok = sep() && w.string_utf8(s, ensure_ascii) == lj::write_status::ok && w.put(':');
    comma = false;
    return ok;
  }
  std::size_t begin_array() {
    check(sep() && w.put('['), "put failed");
    comma = false;
    return 0;
  }
  bool end_array(std::size_t) {
    comma = true;
    return w.put(']');
  }
  std::size_t begin_object() {
    check(sep() && w.put('{'), "put failed");
    comma = false;
    return 0;
  }
  bool end_object(std::size_t) {
    comma = true;
    return w.put('}');
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static lj::reader reader(64);  // small depth so the fuzzer reaches the limit
  for (bool ascii : {false, true}) {
    lj::writer first;
    rewriter rw1{first, ascii};
    const lj::read_result r = reader.parse(input, rw1);
    check(r.offset <= size, "error offset past the input");
    if (r.status != lj::read_status::ok) return 0;
    check(!first.view().empty(), "accepted input wrote nothing");
    // Integers beyond 64 bits are copied as text; floats beyond double range (1e400) are
    // too, so the rewrite is still valid JSON.
    const std::string once(first.view());
    lj::writer second;
    rewriter rw2{second, ascii};
    check(reader.parse(once, rw2).status == lj::read_status::ok, "writer output rejected");
    check(second.view() == once, "rewrite is not a fixed point");
  }
  return 0;
}

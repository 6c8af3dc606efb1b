// Gate driver for lapwise's JSON core (cores/parser json_reader.h, json_writer.h) over the
// shared JSON documents (datasets/json):
//   json.loads_<doc>/native            reader::parse of the whole document with a handler that
//                                      only tallies the events: simdjson's kernel as production
//                                      picks it on this CPU
//   json.loads_<doc>/native-<kernel>   the same with simdjson's kernel forced: haswell (AVX2),
//                                      icelake (AVX-512)
//   json.dumps_<doc>/native            the writer replaying the document's values, strings in
//                                      the code-unit width CPython would hold them in
//                                      (Latin-1, UCS-2, UCS-4), ensure_ascii as json.dumps' default
// The reader is timed per kernel for the same reason as the HTTP scanner (parser_instr.cc):
// production runs only the best kernel, and valgrind cannot run icelake, so its rows are skipped
// by the instruction gate with that reason. The writer has no run-time dispatch.
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataset_file.h"
#include "gate_driver.h"
#include "lapwise/parser/json_reader.h"
#include "lapwise/parser/json_writer.h"

namespace {

namespace lj = lapwise::parser::json;

// simdjson's kernels and the CPU flags each is compiled for (simdjson's own runtime check is
// what decides; the flags are for the gate's records), in /proc/cpuinfo's spelling.
const char* kernel_flags(std::string_view name) {
  if (name == "icelake") {
    return "avx512f avx512dq avx512cd avx512bw avx512vl avx512_vbmi2 avx2 bmi1 bmi2 pclmulqdq";
  }
  if (name == "haswell") return "avx2 bmi1 bmi2 pclmulqdq";
  if (name == "westmere") return "sse4_2 pclmulqdq";
  return "";
}

// The kernel simdjson picks in this process, read before anything forces one.
std::string production_kernel() {
  static const std::string picked(simdjson::get_active_implementation()->name());
  return picked;
}

const simdjson::implementation* kernel(const std::string& name) {
  return simdjson::get_available_implementations()[name];
}

lapwise::gate::cpu_needs kernel_needs(std::optional<std::string> forced) {
  std::string name = forced.value_or(production_kernel());
  const simdjson::implementation* k = kernel(name);
  return {kernel_flags(name), [k] { return k != nullptr && k->supported_by_runtime_system(); }};
}

// A handler that keeps nothing: the reader's own cost, not a consumer's.
struct tally {
  std::uint64_t events = 0, bytes = 0;
  bool null_value() { return ++events; }
  bool bool_value(bool b) { return ++events + b; }
  bool int_value(std::int64_t v) { return ++events + static_cast<std::uint64_t>(v & 1); }
  bool uint_value(std::uint64_t v) { return ++events + (v & 1); }
  bool double_value(double) { return ++events; }
  bool number_text(std::string_view t, bool) {
    bytes += t.size();
    return ++events;
  }
  bool string_value(std::string_view s) {
    bytes += s.size();
    return ++events;
  }
  bool key(std::string_view s) {
    bytes += s.size();
    return ++events;
  }
  std::size_t begin_array() { return ++events; }
  bool end_array(std::size_t) { return ++events; }
  std::size_t begin_object() { return ++events; }
  bool end_object(std::size_t) { return ++events; }
};

lapwise::gate::workload loads(const char* file, std::optional<std::string> forced) {
  auto text = std::make_shared<const std::string>(lapwise::gate::read_dataset(file));
  if (forced) simdjson::get_active_implementation() = kernel(*forced);  // before the first parse
  auto r = std::make_shared<lj::reader>();
  lapwise::gate::workload w;
  w.verify = [text, r, file](std::string* why) {
    tally t;
    lj::read_result res = r->parse(*text, t);  // also sizes the reader's buffers
    if (res.status == lj::read_status::ok && t.events > 1000) return true;
    *why = std::string(file) + ": parse failed at " + std::to_string(res.offset) + ": " +
           std::string(res.message);
    return false;
  };
  w.pass = [text, r] {
    tally t;
    r->parse(*text, t);
    return t.events + t.bytes;
  };
  w.instr_passes = 1;
  w.time_passes = 1;
  return w;
}

// One value of the document as the writer receives it, with the separator written before it.
struct token {
  enum kind : std::uint8_t { null, boolean, i64, u64, dbl, str, key, arr, arr_end, obj, obj_end };
  kind k;
  char sep = 0;            // ',' or ':' or none
  int width = 1;           // str/key: code-unit width (1 Latin-1, 2 UCS-2, 4 UCS-4)
  std::uint64_t bits = 0;  // bool/int/uint, or the double's value through `d`
  double d = 0;
  std::size_t at = 0, len = 0;  // str/key: code units in the pool of its width
};

// Records the document's values, computing each separator and each string's CPython width
// here, outside the measured writes.
struct recorder {
  std::vector<token> tokens;
  std::vector<std::uint8_t> latin1;
  std::vector<std::uint16_t> ucs2;
  std::vector<std::uint32_t> ucs4;
  std::vector<bool> first{true};  // per open container: no element yet
  bool after_key = false;

  char sep() {
    if (after_key) {
      after_key = false;
      return ':';
    }
    char s = first.back() ? 0 : ',';
    first.back() = false;
    return s;
  }
  bool push(token t) {
    t.sep = sep();
    tokens.push_back(t);
    return true;
  }
  bool text(std::string_view s, token::kind k) {
    std::vector<std::uint32_t> cps;  // decode the (valid) UTF-8 the reader hands over
    std::uint32_t top = 0;
    for (std::size_t i = 0; i < s.size();) {
      auto b = static_cast<unsigned char>(s[i]);
      int n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
      std::uint32_t cp = n == 1 ? b : b & (0x7F >> n);
      for (int j = 1; j < n; ++j) cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3F);
      cps.push_back(cp);
      top = cp > top ? cp : top;
      i += static_cast<std::size_t>(n);
    }
    token t{k};
    t.width = top < 0x100 ? 1 : top < 0x10000 ? 2 : 4;
    t.len = cps.size();
    if (t.width == 1) {
      t.at = latin1.size();
      for (auto c : cps) latin1.push_back(static_cast<std::uint8_t>(c));
    } else if (t.width == 2) {
      t.at = ucs2.size();
      for (auto c : cps) ucs2.push_back(static_cast<std::uint16_t>(c));
    } else {
      t.at = ucs4.size();
      ucs4.insert(ucs4.end(), cps.begin(), cps.end());
    }
    push(t);
    if (k == token::key) after_key = true;
    return true;
  }
  bool null_value() { return push({token::null}); }
  bool bool_value(bool b) { return push({token::boolean, 0, 1, b}); }
  bool int_value(std::int64_t v) { return push({token::i64, 0, 1, static_cast<std::uint64_t>(v)}); }
  bool uint_value(std::uint64_t v) { return push({token::u64, 0, 1, v}); }
  bool double_value(double v) {
    token t{token::dbl};
    t.d = v;
    return push(t);
  }
  bool number_text(std::string_view, bool) { return false; }  // none in these documents
  bool string_value(std::string_view s) { return text(s, token::str); }
  bool key(std::string_view s) { return text(s, token::key); }
  std::size_t open(token::kind k) {
    push({k});
    first.push_back(true);
    return 0;
  }
  bool close(token::kind k) {
    first.pop_back();
    tokens.push_back({k});
    return true;
  }
  std::size_t begin_array() { return open(token::arr); }
  bool end_array(std::size_t) { return close(token::arr_end); }
  std::size_t begin_object() { return open(token::obj); }
  bool end_object(std::size_t) { return close(token::obj_end); }
};

// Writes the recorded document; false on any writer error.
bool replay(const recorder& doc, lj::writer& w) {
  w.clear();
  bool ok = true;
  for (const token& t : doc.tokens) {
    if (t.sep != 0) ok &= w.put(t.sep);
    switch (t.k) {
      case token::null:
        ok &= w.null_value();
        break;
      case token::boolean:
        ok &= w.bool_value(t.bits != 0);
        break;
      case token::i64:
        ok &= w.int_value(static_cast<std::int64_t>(t.bits));
        break;
      case token::u64:
        ok &= w.uint_value(t.bits);
        break;
      case token::dbl:
        ok &= w.double_value(t.d, true) == lj::write_status::ok;
        break;
      case token::str:
      case token::key: {
        lj::write_status s = t.width == 1 ? w.string_latin1({doc.latin1.data() + t.at, t.len}, true)
                             : t.width == 2 ? w.string_ucs2({doc.ucs2.data() + t.at, t.len}, true)
                                            : w.string_ucs4({doc.ucs4.data() + t.at, t.len}, true);
        ok &= s == lj::write_status::ok;
        break;
      }
      default:  // arr, arr_end, obj, obj_end, in that order
        ok &= w.put("[]{}"[t.k - token::arr]);
        break;
    }
  }
  return ok;
}

lapwise::gate::workload dumps(const char* file) {
  auto doc = std::make_shared<recorder>();
  {
    std::string text = lapwise::gate::read_dataset(file);
    lj::reader r;
    lj::read_result res = r.parse(text, *doc);
    if (res.status != lj::read_status::ok) {
      throw lapwise::gate::missing_input{std::string(file) + ": does not parse"};
    }
  }
  auto w = std::make_shared<lj::writer>();
  lapwise::gate::workload wl;
  // The output read back must give the same values: same tokens, same separators.
  wl.verify = [doc, w, file](std::string* why) {
    if (!replay(*doc, *w)) {
      *why = std::string(file) + ": the writer failed";
      return false;
    }
    recorder again;
    lj::reader r;
    std::string out(w->view());
    if (r.parse(out, again).status == lj::read_status::ok &&
        again.tokens.size() == doc->tokens.size() && again.latin1 == doc->latin1 &&
        again.ucs2 == doc->ucs2 && again.ucs4 == doc->ucs4) {
      return true;
    }
    *why = std::string(file) + ": the written document does not read back the same";
    return false;
  };
  wl.pass = [doc, w] { return replay(*doc, *w) ? w->size() : 0; };
  wl.instr_passes = 1;
  wl.time_passes = 1;
  return wl;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* kTwitter = "json/twitter.json";
  constexpr const char* kCitm = "json/citm_catalog.json";
  constexpr const char* kCanada = "json/canada.json";
  using opt = std::optional<std::string>;
  return lapwise::gate::run_main(
      argc, argv,
      {
          {"json.loads_twitter/native", [=] { return loads(kTwitter, {}); },
           [] { return kernel_needs({}); }},
          {"json.loads_twitter/native-haswell", [=] { return loads(kTwitter, opt("haswell")); },
           [] { return kernel_needs(opt("haswell")); }},
          {"json.loads_twitter/native-icelake", [=] { return loads(kTwitter, opt("icelake")); },
           [] { return kernel_needs(opt("icelake")); }},
          {"json.loads_citm_catalog/native-haswell", [=] { return loads(kCitm, opt("haswell")); },
           [] { return kernel_needs(opt("haswell")); }},
          {"json.dumps_twitter/native", [=] { return dumps(kTwitter); }},
          {"json.dumps_canada/native", [=] { return dumps(kCanada); }},
      });
}

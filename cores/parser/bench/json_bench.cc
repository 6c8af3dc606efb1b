// The JSON writer and reader on the shared documents, verified before timing.
//   json.dumps[<doc>]/native-writer   serialize a parsed document (held as a flat token tape,
//                                     so no DOM and no Python is timed: the writer alone)
//   json.loads[<doc>]/native-reader   parse with simdjson and walk every event into a tape
// Verification: the writer's output, parsed again, must give the same tape as the file.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/json_reader.h"
#include "lapwise/parser/json_writer.h"
#include "lapwise_datasets/datasets.h"

namespace lj = lapwise::parser::json;

namespace {

enum class kind : std::uint8_t {
  null,
  boolean,
  i64,
  u64,
  dbl,
  text_number,
  string,
  key,
  arr,
  obj,
  end_arr,
  end_obj
};

struct token {
  kind k;
  union {
    bool b;
    std::int64_t i;
    std::uint64_t u;
    double d;
  };
  std::uint32_t off = 0, len = 0;  // into tape::text for strings, keys, big numbers
  bool operator==(const token& o) const {
    if (k != o.k || len != o.len) return false;
    switch (k) {
      case kind::boolean:
        return b == o.b;
      case kind::i64:
        return i == o.i;
      case kind::u64:
        return u == o.u;
      case kind::dbl:
        return std::memcmp(&d, &o.d, sizeof d) == 0;
      default:
        return true;
    }
  }
};

// A reader handler that records every event (the "DOM-free" document the writer replays).
struct tape {
  std::vector<token> tokens;
  std::string text;

  void clear() {
    tokens.clear();
    text.clear();
  }
  bool add(kind k) {
    tokens.push_back(token{k, {.u = 0}});
    return true;
  }
  bool add_text(kind k, std::string_view s) {
    token t{k, {.u = 0}};
    t.off = static_cast<std::uint32_t>(text.size());
    t.len = static_cast<std::uint32_t>(s.size());
    text.append(s);
    tokens.push_back(t);
    return true;
  }
  std::string_view str(const token& t) const { return {text.data() + t.off, t.len}; }
  bool same_as(const tape& o) const {
    if (tokens.size() != o.tokens.size()) return false;
    for (std::size_t n = 0; n < tokens.size(); ++n) {
      if (!(tokens[n] == o.tokens[n]) || str(tokens[n]) != o.str(o.tokens[n])) return false;
    }
    return true;
  }

  bool null_value() { return add(kind::null); }
  bool bool_value(bool v) {
    token t{kind::boolean, {.u = 0}};
    t.b = v;
    tokens.push_back(t);
    return true;
  }
  bool int_value(std::int64_t v) {
    token t{kind::i64, {.i = v}};
    tokens.push_back(t);
    return true;
  }
  bool uint_value(std::uint64_t v) {
    token t{kind::u64, {.u = v}};
    tokens.push_back(t);
    return true;
  }
  bool double_value(double v) {
    token t{kind::dbl, {.d = v}};
    tokens.push_back(t);
    return true;
  }
  bool number_text(std::string_view s, bool) { return add_text(kind::text_number, s); }
  bool string_value(std::string_view s) { return add_text(kind::string, s); }
  bool key(std::string_view s) { return add_text(kind::key, s); }
  std::size_t begin_array() {
    add(kind::arr);
    return 0;
  }
  bool end_array(std::size_t) { return add(kind::end_arr); }
  std::size_t begin_object() {
    add(kind::obj);
    return 0;
  }
  bool end_object(std::size_t) { return add(kind::end_obj); }
};

// Serializes a tape compactly, the way lapwise's dumps drives the writer.
bool write(const tape& t, lj::writer& w) {
  bool comma = false;
  for (const token& tok : t.tokens) {
    if (tok.k == kind::end_arr || tok.k == kind::end_obj) {
      if (!w.put(tok.k == kind::end_arr ? ']' : '}')) return false;
      comma = true;
      continue;
    }
    if (comma && !w.put(',')) return false;
    comma = true;
    bool ok = true;
    switch (tok.k) {
      case kind::null:
        ok = w.null_value();
        break;
      case kind::boolean:
        ok = w.bool_value(tok.b);
        break;
      case kind::i64:
        ok = w.int_value(tok.i);
        break;
      case kind::u64:
        ok = w.uint_value(tok.u);
        break;
      case kind::dbl:
        ok = w.double_value(tok.d, true) == lj::write_status::ok;
        break;
      case kind::text_number:
        ok = w.integer_text(t.str(tok));
        break;
      case kind::string:
        ok = w.string_utf8(t.str(tok), false) == lj::write_status::ok;
        break;
      case kind::key:
        ok = w.string_utf8(t.str(tok), false) == lj::write_status::ok && w.put(':');
        comma = false;
        break;
      case kind::arr:
        ok = w.put('[');
        comma = false;
        break;
      case kind::obj:
        ok = w.put('{');
        comma = false;
        break;
      default:
        break;
    }
    if (!ok) return false;
  }
  return true;
}

void dumps(benchmark::State& state, const std::string& name) {
  const std::string doc = lapwise::datasets::read("json/" + name + ".json");
  lj::reader reader;
  tape original, again;
  lj::writer w;
  if (reader.parse(doc, original).status != lj::read_status::ok || !write(original, w) ||
      reader.parse(w.view(), again).status != lj::read_status::ok || !original.same_as(again)) {
    return state.SkipWithError("writer output does not parse back to the same document");
  }
  for (auto _ : state) {
    w.clear();
    benchmark::DoNotOptimize(write(original, w));
    benchmark::DoNotOptimize(w.view().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * w.size()));
}

void loads(benchmark::State& state, const std::string& name) {
  const std::string doc = lapwise::datasets::read("json/" + name + ".json");
  lj::reader reader;
  tape first, t;
  lj::writer w;
  // Verify: a second parse of the writer's rendering agrees with the first parse.
  if (reader.parse(doc, first).status != lj::read_status::ok || first.tokens.empty() ||
      !write(first, w) || reader.parse(w.view(), t).status != lj::read_status::ok ||
      !first.same_as(t)) {
    return state.SkipWithError("reader gave an inconsistent document");
  }
  for (auto _ : state) {
    t.clear();
    benchmark::DoNotOptimize(reader.parse(doc, t).status);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}

}  // namespace

int main(int argc, char** argv) {
  for (const char* doc : {"twitter", "citm_catalog", "canada", "github"}) {
    const std::string name = doc;
    benchmark::RegisterBenchmark(("json.dumps[" + name + "]/native-writer").c_str(),
                                 [name](benchmark::State& s) { dumps(s, name); })
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("json.loads[" + name + "]/native-reader").c_str(),
                                 [name](benchmark::State& s) { loads(s, name); })
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

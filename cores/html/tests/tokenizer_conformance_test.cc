// The html5lib tokenizer tests (the WHATWG conformance suite html5lib and html5ever run), read
// from $LAPWISE_DATASETS_DIR/html/html5lib-tokenizer/*.test with simdjson, run at every scan
// level the CPU has. A case passes when its token stream matches (adjacent character tokens
// coalesced, as the format says); error codes are compared too and reported beside it.
//
// The files hold lone surrogates as JSON escapes, which simdjson (rightly) rejects; they are
// turned into literal "\uD800" text before parsing and decoded afterwards as WTF-8 (the bytes
// UTF-8 would use), which the tokenizer passes through like any other non-ASCII byte.
// xmlViolation.test is left out: it expects the XML-infoset coercion, not HTML tokenization.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lapwise/html/text_scan.h"
#include "lapwise/html/tokenizer.h"
#include "lapwise_datasets/datasets.h"

namespace {

using namespace lapwise::html;
namespace fs = std::filesystem;

void put_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
    return;
  }
  // Lead byte, then six bits per continuation byte, most significant first.
  const int tail = c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
  const unsigned lead[] = {0, 0xC0, 0xE0, 0xF0};
  out += static_cast<char>(lead[tail] | (c >> (6 * tail)));
  for (int k = tail - 1; k >= 0; --k) out += static_cast<char>(0x80 | ((c >> (6 * k)) & 0x3F));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes literal \uHHHH sequences (pairs joined); with only_surrogates, just lone surrogates.
std::string unescape(std::string_view s, bool only_surrogates) {
  std::string out;
  auto code_at = [&](std::size_t i) -> int {
    if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
    int v = 0;
    for (std::size_t k = 2; k < 6; ++k) {
      int h = hex_value(s[i + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  };
  for (std::size_t i = 0; i < s.size();) {
    int c = code_at(i);
    if (c < 0 || (only_surrogates && (c < 0xD800 || c > 0xDFFF))) {
      out += s[i++];
      continue;
    }
    if (c >= 0xD800 && c <= 0xDBFF) {
      int lo = code_at(i + 6);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        put_utf8(out, 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00));
        i += 12;
        continue;
      }
    }
    put_utf8(out, static_cast<std::uint32_t>(c));
    i += 6;
  }
  return out;
}

// Lone-surrogate JSON escapes become an escaped backslash, so simdjson reads "\uD800" as text.
std::string protect_lone_surrogates(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  auto surrogate_at = [&](std::size_t i, bool high) {
    if (i + 6 > json.size() || json[i] != '\\' || json[i + 1] != 'u') return false;
    int v = 0;
    for (std::size_t k = 2; k < 6; ++k) {
      int h = hex_value(json[i + k]);
      if (h < 0) return false;
      v = v * 16 + h;
    }
    return high ? (v >= 0xD800 && v <= 0xDBFF) : (v >= 0xDC00 && v <= 0xDFFF);
  };
  for (std::size_t i = 0; i < json.size();) {
    if (json[i] == '\\' && i + 1 < json.size() && json[i + 1] != 'u') {
      out.append(json, i, 2);  // any other escape, including "\\"
      i += 2;
      continue;
    }
    if (surrogate_at(i, true) && surrogate_at(i + 6, false)) {
      out.append(json, i, 12);
      i += 12;
      continue;
    }
    if (surrogate_at(i, true) || surrogate_at(i, false)) {
      out += '\\';
    }
    out += json[i++];
  }
  return out;
}

struct expected_case {
  std::string description;
  std::string input;
  std::vector<std::string> tokens;  // canonical text per token
  std::vector<std::string> states;
  std::string last_start_tag;
  bool has_errors = false;
  std::vector<std::string> errors;  // codes, sorted
};

std::string fix(std::string_view s, bool double_escaped) { return unescape(s, !double_escaped); }

// One token as comparable text; attributes sorted by name.
std::string canonical(std::string_view kind, std::string_view name,
                      std::vector<std::pair<std::string, std::string>> attrs, bool self_closing,
                      std::string_view data, int pub, std::string_view pub_s, int sys,
                      std::string_view sys_s, bool correct, bool has_name) {
  std::string out(kind);
  if (kind == "Character" || kind == "Comment") return out + "|" + std::string(data);
  if (kind == "EndTag") return out + "|" + std::string(name);
  if (kind == "StartTag") {
    out += "|" + std::string(name);
    std::sort(attrs.begin(), attrs.end());
    for (auto& [k, v] : attrs) out += "|" + k + "=" + v;
    if (self_closing) out += "|/";
    return out;
  }
  out += "|" + (has_name ? std::string(name) : std::string("<null>"));
  out += "|" + (pub ? std::string(pub_s) : std::string("<null>"));
  out += "|" + (sys ? std::string(sys_s) : std::string("<null>"));
  out += correct ? "|correct" : "|quirks";
  return out;
}

bool load_case(simdjson::dom::element t, expected_case& c, std::string& why) {
  bool dbl = false;
  if (auto d = t["doubleEscaped"]; !d.error()) dbl = d.get_bool().value();
  c.description = std::string(t["description"].get_string().value());
  c.input = fix(t["input"].get_string().value(), dbl);
  if (auto s = t["initialStates"]; !s.error()) {
    for (auto st : s.get_array()) c.states.emplace_back(st.get_string().value());
  } else {
    c.states.emplace_back("Data state");
  }
  if (auto l = t["lastStartTag"]; !l.error())
    c.last_start_tag = std::string(l.get_string().value());
  if (auto e = t["errors"]; !e.error()) {
    c.has_errors = true;
    for (auto err : e.get_array()) c.errors.emplace_back(err["code"].get_string().value());
    std::sort(c.errors.begin(), c.errors.end());
  }
  std::vector<std::string> toks;
  for (auto tok : t["output"].get_array()) {
    auto a = tok.get_array().value();
    std::string kind(a.at(0).get_string().value());
    if (kind == "Character" || kind == "Comment") {
      toks.push_back(canonical(kind, {}, {}, false, fix(a.at(1).get_string().value(), dbl), 0, {},
                               0, {}, false, false));
    } else if (kind == "EndTag") {
      toks.push_back(canonical(kind, fix(a.at(1).get_string().value(), dbl), {}, false, {}, 0, {},
                               0, {}, false, false));
    } else if (kind == "StartTag") {
      std::vector<std::pair<std::string, std::string>> attrs;
      for (auto field : a.at(2).get_object()) {
        attrs.emplace_back(fix(field.key, dbl), fix(field.value.get_string().value(), dbl));
      }
      bool sc = a.size() > 3 && a.at(3).get_bool().value();
      toks.push_back(canonical(kind, fix(a.at(1).get_string().value(), dbl), attrs, sc, {}, 0, {},
                               0, {}, false, false));
    } else if (kind == "DOCTYPE") {
      auto str = [&](std::size_t i, int& present) {
        auto e = a.at(i);
        present = !e.is_null();
        return present ? fix(e.get_string().value(), dbl) : std::string();
      };
      int has_name = 0, pub = 0, sys = 0;
      std::string name = str(1, has_name);
      std::string p = str(2, pub);
      std::string s = str(3, sys);
      toks.push_back(canonical(kind, name, {}, false, {}, pub, p, sys, s,
                               a.at(4).get_bool().value(), has_name));
    } else {
      why = "unknown token kind " + kind;
      return false;
    }
  }
  // Coalesce adjacent character tokens.
  for (auto& tok : toks) {
    if (!c.tokens.empty() && tok.rfind("Character|", 0) == 0 &&
        c.tokens.back().rfind("Character|", 0) == 0) {
      c.tokens.back() += tok.substr(10);
    } else {
      c.tokens.push_back(std::move(tok));
    }
  }
  return true;
}

struct run_result {
  std::vector<std::string> tokens;
  std::vector<std::string> errors;
};

void collect_error(void* ctx, parse_error code, std::size_t) {
  static_cast<run_result*>(ctx)->errors.emplace_back(error_name(code));
}

bool state_of(std::string_view name, tokenizer_state& out) {
  static const std::map<std::string_view, tokenizer_state> states = {
      {"Data state", tokenizer_state::data},
      {"PLAINTEXT state", tokenizer_state::plaintext},
      {"RCDATA state", tokenizer_state::rcdata},
      {"RAWTEXT state", tokenizer_state::rawtext},
      {"Script data state", tokenizer_state::script_data},
      {"CDATA section state", tokenizer_state::cdata_section}};
  auto it = states.find(name);
  if (it == states.end()) return false;
  out = it->second;
  return true;
}

run_result run_case(const expected_case& c, tokenizer_state state) {
  run_result r;
  tokenizer_options opts;
  opts.on_error = collect_error;
  opts.error_context = &r;
  opts.input_stream_errors = true;
  tokenizer tz(c.input, opts);
  tz.set_state(state);
  if (!c.last_start_tag.empty()) tz.set_last_start_tag(c.last_start_tag);
  token t;
  std::vector<std::string> toks;
  while (tz.next(t)) {
    switch (t.kind) {
      case token_kind::characters:
        toks.push_back(canonical("Character", {}, {}, false, t.data, 0, {}, 0, {}, false, false));
        break;
      case token_kind::comment:
        toks.push_back(canonical("Comment", {}, {}, false, t.data, 0, {}, 0, {}, false, false));
        break;
      case token_kind::end_tag:
        toks.push_back(canonical("EndTag", t.name, {}, false, {}, 0, {}, 0, {}, false, false));
        break;
      case token_kind::start_tag: {
        std::vector<std::pair<std::string, std::string>> attrs;
        for (const attribute& a : t.attributes) attrs.emplace_back(a.name, a.value);
        toks.push_back(
            canonical("StartTag", t.name, attrs, t.self_closing, {}, 0, {}, 0, {}, false, false));
        break;
      }
      case token_kind::doctype:
        toks.push_back(canonical("DOCTYPE", t.name, {}, false, {}, t.has_public_id, t.public_id,
                                 t.has_system_id, t.system_id, !t.force_quirks, t.has_name));
        break;
      case token_kind::eof:
        break;
    }
  }
  for (auto& tok : toks) {
    if (!r.tokens.empty() && tok.rfind("Character|", 0) == 0 &&
        r.tokens.back().rfind("Character|", 0) == 0) {
      r.tokens.back() += tok.substr(10);
    } else {
      r.tokens.push_back(std::move(tok));
    }
  }
  std::sort(r.errors.begin(), r.errors.end());
  return r;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  [" + s + "]\n";
  return out;
}

struct file_cases {
  std::string name;
  std::vector<expected_case> cases;
};

std::vector<file_cases> load_all(std::string& skip_reason) {
  std::vector<file_cases> files;
  fs::path dir;
  try {
    dir = lapwise::datasets::root() / "html" / "html5lib-tokenizer";
  } catch (const std::exception& e) {
    skip_reason = e.what();
    return files;
  }
  if (!fs::is_directory(dir)) {
    skip_reason = "html5lib tokenizer tests not found at " + dir.string();
    return files;
  }
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".test" && entry.path().filename() != "xmlViolation.test") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  simdjson::dom::parser parser;
  for (const auto& p : paths) {
    std::string json = protect_lone_surrogates(
        lapwise::datasets::read(fs::relative(p, lapwise::datasets::root())));
    simdjson::dom::element doc;
    if (auto err = parser.parse(simdjson::padded_string(json)).get(doc); err) {
      ADD_FAILURE() << p << ": " << simdjson::error_message(err);
      continue;
    }
    file_cases f{p.filename().string(), {}};
    for (auto t : doc["tests"].get_array()) {
      expected_case c;
      std::string why;
      if (!load_case(t, c, why)) {
        ADD_FAILURE() << p << ": " << why;
        continue;
      }
      f.cases.push_back(std::move(c));
    }
    files.push_back(std::move(f));
  }
  return files;
}

TEST(HtmlTokenizerConformance, Html5libTokenizerTests) {
  std::string skip;
  std::vector<file_cases> files = load_all(skip);
  if (files.empty() && !skip.empty()) GTEST_SKIP() << skip;
  ASSERT_FALSE(files.empty());
  const detail::text_scan_level before = detail::active_text_scan();
  for (auto level : {detail::text_scan_level::scalar, detail::text_scan_level::sse42,
                     detail::text_scan_level::avx2}) {
    if (!detail::force_text_scan(level)) continue;
    std::size_t all_runs = 0, all_pass = 0, all_err_runs = 0, all_err_pass = 0;
    std::printf("scan level %s\n%-30s %7s %7s %8s %13s\n", detail::text_scan_name(level), "file",
                "runs", "tokens", "rate", "error codes");
    for (const file_cases& f : files) {
      std::size_t runs = 0, pass = 0, err_runs = 0, err_pass = 0;
      for (const expected_case& c : f.cases) {
        for (const std::string& s : c.states) {
          tokenizer_state state;
          ASSERT_TRUE(state_of(s, state)) << s;
          run_result r = run_case(c, state);
          ++runs;
          bool ok = r.tokens == c.tokens;
          pass += ok;
          if (!ok) {
            ADD_FAILURE() << f.name << ": " << c.description << " (" << s << ")\nexpected:\n"
                          << join(c.tokens) << "got:\n"
                          << join(r.tokens);
          }
          if (c.has_errors) {
            ++err_runs;
            bool eok = r.errors == c.errors;
            err_pass += eok;
            if (!eok && level == detail::text_scan_level::scalar && std::getenv("SHOW_ERRORS")) {
              std::printf("errors differ: %s: %s (%s)\n expected:\n%s got:\n%s", f.name.c_str(),
                          c.description.c_str(), s.c_str(), join(c.errors).c_str(),
                          join(r.errors).c_str());
            }
          }
        }
      }
      std::printf("%-30s %7zu %7zu %7.2f%% %6zu/%-6zu\n", f.name.c_str(), runs, pass,
                  runs ? 100.0 * pass / runs : 0.0, err_pass, err_runs);
      all_runs += runs;
      all_pass += pass;
      all_err_runs += err_runs;
      all_err_pass += err_pass;
    }
    std::printf("%-30s %7zu %7zu %7.2f%% %6zu/%-6zu\n", "overall", all_runs, all_pass,
                100.0 * all_pass / all_runs, all_err_pass, all_err_runs);
    EXPECT_GE(100.0 * all_pass / all_runs, 99.0);
  }
  detail::force_text_scan(before);
}

}  // namespace

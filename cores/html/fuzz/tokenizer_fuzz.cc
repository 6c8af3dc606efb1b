// Fuzzes the HTML tokenizer: no crash, no over-read (ASan), no undefined behaviour (UBSan), and
// on every input: tag and attribute names lower-case and free of the bytes that end them, no
// duplicate attribute names, no empty text token, position never moving back nor past the end,
// at most one token per input byte (+ EOF), the same tokens from every scan level, and the same
// tokens again from a reset tokenizer. The first byte picks the initial state, whether CDATA is
// allowed and whether start tags switch the state the way a tree builder does. (Text may hold
// CR: "&#13;" stands for it.)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lapwise/html/text_scan.h"
#include "lapwise/html/tokenizer.h"

using namespace lapwise::html;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "tokenizer_fuzz: %s\n", what);
    std::abort();
  }
}

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// Tag and attribute names end at '/', DOCTYPE names do not.
void check_name(std::string_view name, bool doctype = false) {
  for (char c : name) {
    check(!is_upper(c), "upper case in a name");
    check(c != '\t' && c != '\n' && c != '\f' && c != ' ' && c != '\r' && c != '>' && c != '\0' &&
              (doctype || c != '/'),
          "name holds a byte that ends it");
  }
}

void mix(std::uint64_t& h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  h = (h ^ 0xff) * 0x100000001b3ULL;
}

// Tokenizes with the options from `mode` and returns a hash of every token.
std::uint64_t run(tokenizer& tz, std::string_view input, std::uint8_t mode) {
  static constexpr tokenizer_state states[] = {
      tokenizer_state::data,        tokenizer_state::rcdata,    tokenizer_state::rawtext,
      tokenizer_state::script_data, tokenizer_state::plaintext, tokenizer_state::cdata_section};
  tz.set_state(states[mode % 6]);
  tz.set_cdata_allowed(mode & 0x10);
  if (mode & 0x20) tz.set_last_start_tag("script");
  const bool tree_like = mode & 0x40;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  std::size_t tokens = 0, last_pos = 0;
  bool saw_eof = false;
  token t;
  while (tz.next(t)) {
    check(!saw_eof, "token after EOF");
    check(++tokens <= input.size() + 1, "more tokens than input bytes");
    check(tz.position() >= last_pos && tz.position() <= input.size(), "position out of order");
    last_pos = tz.position();
    mix(h, std::string_view(reinterpret_cast<const char*>(&t.kind), 1));
    switch (t.kind) {
      case token_kind::start_tag:
      case token_kind::end_tag:
        check(!t.name.empty(), "empty tag name");
        check_name(t.name);
        mix(h, t.name);
        for (std::size_t i = 0; i < t.attributes.size(); ++i) {
          check_name(t.attributes[i].name);
          for (std::size_t j = 0; j < i; ++j) {
            check(t.attributes[i].name != t.attributes[j].name, "duplicate attribute");
          }
          mix(h, t.attributes[i].name);
          mix(h, t.attributes[i].value);
        }
        if (tree_like && t.kind == token_kind::start_tag) {
          if (t.name == "title" || t.name == "textarea") tz.set_state(tokenizer_state::rcdata);
          if (t.name == "style" || t.name == "xmp") tz.set_state(tokenizer_state::rawtext);
          if (t.name == "script") tz.set_state(tokenizer_state::script_data);
          if (t.name == "plaintext") tz.set_state(tokenizer_state::plaintext);
        }
        break;
      case token_kind::characters:
        check(!t.data.empty(), "empty text token");
        mix(h, t.data);
        break;
      case token_kind::comment:
        mix(h, t.data);
        break;
      case token_kind::doctype:
        check_name(t.name, true);
        mix(h, t.name);
        mix(h, t.public_id);
        mix(h, t.system_id);
        break;
      case token_kind::eof:
        saw_eof = true;
        break;
    }
  }
  check(saw_eof, "no EOF token");
  mix(h, std::to_string(tz.error_count()));
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  using detail::text_scan_level;
  const text_scan_level saved = detail::active_text_scan();
  std::uint64_t want = 0;
  bool first = true;
  for (auto level : {text_scan_level::scalar, text_scan_level::sse42, text_scan_level::avx2}) {
    if (!detail::force_text_scan(level)) continue;
    tokenizer tz(input);
    std::uint64_t h = run(tz, input, mode);
    if (first) {
      want = h;
      first = false;
    }
    check(h == want, "scan levels disagree");
    tz.reset(input);
    check(run(tz, input, mode) == want, "reset tokenizer disagrees");
  }
  detail::force_text_scan(saved);
  return 0;
}

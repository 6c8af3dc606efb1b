// The tokenizer's own cases (the html5lib suite is tokenizer_conformance_test.cc): a table of
// inputs with their tokens and error counts, run at every scan level the CPU has; the API
// guarantees (views into the input, state switching, error offsets, reset); and every vector
// level checked against the scalar one on generated inputs placed right before an unreadable
// page, so that an over-read crashes instead of passing.
#include "lapwise/html/tokenizer.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "lapwise/html/text_scan.h"

namespace {

using namespace lapwise::html;
using detail::text_scan_level;

// Memory whose last readable byte is followed by a PROT_NONE page.
class guarded_page {
 public:
  explicit guarded_page(std::size_t capacity) {
    std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    usable_ = (capacity + page - 1) / page * page;
    size_ = usable_ + page;
    void* m = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<char*>(m);
    if (mprotect(base_ + usable_, page, PROT_NONE) != 0) throw std::runtime_error("mprotect");
  }
  guarded_page(const guarded_page&) = delete;
  guarded_page& operator=(const guarded_page&) = delete;
  ~guarded_page() { munmap(base_, size_); }
  std::string_view place(std::string_view s) {
    if (s.size() > usable_) throw std::runtime_error("too big");
    char* start = base_ + usable_ - s.size();
    if (!s.empty()) std::memcpy(start, s.data(), s.size());
    return {start, s.size()};
  }

 private:
  char* base_ = nullptr;
  std::size_t usable_ = 0, size_ = 0;
};

std::vector<text_scan_level> levels() {
  std::vector<text_scan_level> out;
  for (auto l : {text_scan_level::scalar, text_scan_level::sse42, text_scan_level::avx2}) {
    if (detail::text_scan_supported(l)) out.push_back(l);
  }
  return out;
}

// Restores the scan level a test changed.
struct level_guard {
  text_scan_level saved = detail::active_text_scan();
  ~level_guard() { detail::force_text_scan(saved); }
};

// Tokens as short text: S:name a=v / | E:name | T:text | C:comment | D:name|pub|sys|quirks
std::string show(const token& t) {
  auto opt = [](bool has, std::string_view s) { return has ? std::string(s) : std::string("-"); };
  switch (t.kind) {
    case token_kind::start_tag: {
      std::string s = "S:" + std::string(t.name);
      for (const attribute& a : t.attributes) {
        s += " " + std::string(a.name) + "=" + std::string(a.value);
      }
      if (t.self_closing) s += " /";
      return s;
    }
    case token_kind::end_tag:
      return "E:" + std::string(t.name);
    case token_kind::characters:
      return "T:" + std::string(t.data);
    case token_kind::comment:
      return "C:" + std::string(t.data);
    case token_kind::doctype:
      return "D:" + opt(t.has_name, t.name) + "|" + opt(t.has_public_id, t.public_id) + "|" +
             opt(t.has_system_id, t.system_id) + (t.force_quirks ? "|quirks" : "");
    case token_kind::eof:
      return "EOF";
  }
  return "?";
}

struct result {
  std::vector<std::string> tokens;  // adjacent text joined
  std::size_t errors = 0;
};

result tokenize(std::string_view input, tokenizer_state state = tokenizer_state::data,
                std::string_view last_start_tag = {}) {
  result r;
  tokenizer tz(input);
  tz.set_state(state);
  if (!last_start_tag.empty()) tz.set_last_start_tag(last_start_tag);
  token t;
  while (tz.next(t)) {
    std::string s = show(t);
    if (s.rfind("T:", 0) == 0 && !r.tokens.empty() && r.tokens.back().rfind("T:", 0) == 0) {
      r.tokens.back() += s.substr(2);
    } else {
      r.tokens.push_back(std::move(s));
    }
  }
  r.errors = tz.error_count();
  return r;
}

struct tokenizer_case {
  const char* name;
  std::string input;
  std::vector<std::string> tokens;
  std::size_t errors;
  tokenizer_state state = tokenizer_state::data;
  const char* last_start_tag = "";
};

const std::vector<tokenizer_case>& cases() {
  static const std::vector<tokenizer_case> table = {
      {"empty", "", {"EOF"}, 0},
      {"text", "hello", {"T:hello", "EOF"}, 0},
      {"tag_and_text", "<p class=x>Hi</p>", {"S:p class=x", "T:Hi", "E:p", "EOF"}, 0},
      {"upper_case_names", "<DIV ID='a'></DiV>", {"S:div id=a", "E:div", "EOF"}, 0},
      {"quoted_values", "<a b=\"1\" c='2' d=3 e>", {"S:a b=1 c=2 d=3 e=", "EOF"}, 0},
      {"self_closing", "<br/><img src=x />", {"S:br /", "S:img src=x /", "EOF"}, 0},
      {"duplicate_attribute_dropped", "<a x=1 X=2 y>", {"S:a x=1 y=", "EOF"}, 1},
      {"crlf_to_lf", "a\r\nb\rc", {"T:a\nb\nc", "EOF"}, 0},
      {"crlf_in_value", "<a t='1\r\n2\r3'>", {"S:a t=1\n2\n3", "EOF"}, 0},
      {"crlf_between_attributes", "<a\r\nb=1\rc>", {"S:a b=1 c=", "EOF"}, 0},
      {"named_reference", "&amp;&lt;&copy;x", {"T:&<\xC2\xA9x", "EOF"}, 0},
      {"legacy_reference_no_semicolon", "&notit; &copy", {"T:\xC2\xACit; \xC2\xA9", "EOF"}, 2},
      {"longest_match", "&notin;", {"T:\xE2\x88\x89", "EOF"}, 0},
      {"two_code_points", "&NotEqualTilde;", {"T:\xE2\x89\x82\xCC\xB8", "EOF"}, 0},
      {"unknown_reference", "&zzz; &zzz", {"T:&zzz; &zzz", "EOF"}, 1},
      {"attribute_legacy_rule",
       "<a href='?a=1&copy=2&amp;b'>",
       {"S:a href=?a=1&copy=2&b", "EOF"},
       0},
      {"attribute_legacy_rule_alnum", "<a x='&copyx'>", {"S:a x=&copyx", "EOF"}, 0},
      {"numeric_references",
       "&#65;&#x42;&#X43;&#0;&#x110000;&#xD800;",
       {"T:ABC\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "EOF"},
       3},
      {"c1_replacement", "&#x80;&#150;&#x81;", {"T:\xE2\x82\xAC\xE2\x80\x93\xC2\x81", "EOF"}, 3},
      {"numeric_no_digits", "&#;&#x;", {"T:&#;&#x;", "EOF"}, 2},
      {"huge_numeric", "&#99999999999999999999;", {"T:\xEF\xBF\xBD", "EOF"}, 1},
      {"comment", "<!-- a -- b -->", {"C: a -- b ", "EOF"}, 0},
      {"comment_dashes", "<!---x--->", {"C:-x-", "EOF"}, 0},
      {"empty_comments", "<!--><!--->", {"C:", "C:", "EOF"}, 2},
      {"comment_bang_end", "<!--x--!>", {"C:x", "EOF"}, 1},
      {"nested_comment", "<!--<!--x-->", {"C:<!--x", "EOF"}, 1},
      {"bogus_comment", "<?xml v?>", {"C:?xml v?", "EOF"}, 1},
      {"cdata_in_html", "<![CDATA[x]]>", {"C:[CDATA[x]]", "EOF"}, 1},
      {"doctype", "<!DOCTYPE html>", {"D:html|-|-", "EOF"}, 0},
      {"doctype_ids",
       "<!doctype HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" 'http://x'>",
       {"D:html|-//W3C//DTD HTML 4.01//EN|http://x", "EOF"},
       0},
      {"doctype_missing_name", "<!DOCTYPE>", {"D:-|-|-|quirks", "EOF"}, 1},
      {"doctype_eof", "<!DOCTYPE html PUBLIC \"x", {"D:html|x|-|quirks", "EOF"}, 1},
      {"nul_in_data", std::string("a\0b", 3), {std::string("T:a\0b", 5), "EOF"}, 1},
      {"nul_in_tag_name", std::string("<a\0>", 4), {"S:a\xEF\xBF\xBD", "EOF"}, 1},
      {"lt_not_a_tag", "a < b <3 </>", {"T:a < b <3 ", "EOF"}, 3},
      {"eof_in_tag", "x<a b='", {"T:x", "EOF"}, 1},
      {"end_tag_attributes", "</a b=1 />", {"E:a", "EOF"}, 2},
      {"rcdata",
       "a&amp;<b></titlex></tItle >",
       {"T:a&<b></titlex>", "E:title", "EOF"},
       0,
       tokenizer_state::rcdata,
       "title"},
      {"rawtext_no_references",
       "&amp;</style>",
       {"T:&amp;", "E:style", "EOF"},
       0,
       tokenizer_state::rawtext,
       "style"},
      {"rawtext_nul",
       std::string("\0</xmp>", 7),
       {"T:\xEF\xBF\xBD", "E:xmp", "EOF"},
       1,
       tokenizer_state::rawtext,
       "xmp"},
      {"script_escaped",
       "<!--<script></script>--></script>",
       {"T:<!--<script></script>-->", "E:script", "EOF"},
       0,
       tokenizer_state::script_data,
       "script"},
      {"script_escaped_end",
       "<!-- </script> -->",
       {"T:<!-- ", "E:script", "T: -->", "EOF"},
       0,
       tokenizer_state::script_data,
       "script"},
      {"script_eof_in_escape",
       "<!--x",
       {"T:<!--x", "EOF"},
       1,
       tokenizer_state::script_data,
       "script"},
      {"plaintext",
       "</plaintext><a>&amp;",
       {"T:</plaintext><a>&amp;", "EOF"},
       0,
       tokenizer_state::plaintext},
      {"cdata_section", "a]]b]]]>c", {"T:a]]b]", "T:c", "EOF"}, 0, tokenizer_state::cdata_section},
      {"utf8_passthrough",
       "<p title='h\xC3\xA9'>\xE2\x82\xAC</p>",
       {"S:p title=h\xC3\xA9", "T:\xE2\x82\xAC", "E:p", "EOF"},
       0},
      {"malformed_utf8_passthrough", "\xFF\xC3<a\xFE>", {"T:\xFF\xC3", "S:a\xFE", "EOF"}, 0},
  };
  return table;
}

class TokenizerTable : public ::testing::TestWithParam<text_scan_level> {};

TEST_P(TokenizerTable, Cases) {
  level_guard g;
  ASSERT_TRUE(detail::force_text_scan(GetParam()));
  for (const tokenizer_case& c : cases()) {
    result r = tokenize(c.input, c.state, c.last_start_tag);
    // "T:a]]b]" "T:c" in the table stands for text then more text: joined here too.
    std::vector<std::string> want;
    for (const std::string& s : c.tokens) {
      if (s.rfind("T:", 0) == 0 && !want.empty() && want.back().rfind("T:", 0) == 0) {
        want.back() += s.substr(2);
      } else {
        want.push_back(s);
      }
    }
    EXPECT_EQ(r.tokens, want) << c.name;
    EXPECT_EQ(r.errors, c.errors) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, TokenizerTable, ::testing::ValuesIn(levels()),
                         [](const auto& info) {
                           return std::string(info.param == text_scan_level::scalar  ? "scalar"
                                              : info.param == text_scan_level::sse42 ? "sse42"
                                                                                     : "avx2");
                         });

TEST(Tokenizer, UnchangedBytesAreViewsIntoTheInput) {
  std::string input = "<p class=\"intro\">Hello world</p><B>x&amp;y</B>";
  tokenizer tz(input);
  token t;
  auto inside = [&](std::string_view v) {
    return v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size();
  };
  ASSERT_TRUE(tz.next(t));
  EXPECT_TRUE(inside(t.name));
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_TRUE(inside(t.attributes[0].name));
  EXPECT_TRUE(inside(t.attributes[0].value));
  EXPECT_EQ(t.offset, 0u);
  ASSERT_TRUE(tz.next(t));
  EXPECT_EQ(t.kind, token_kind::characters);
  EXPECT_TRUE(inside(t.data));
  EXPECT_EQ(t.offset, 17u);
  ASSERT_TRUE(tz.next(t));  // </p>
  ASSERT_TRUE(tz.next(t));  // <B>: lower-cased, so a copy
  EXPECT_EQ(t.name, "b");
  EXPECT_FALSE(inside(t.name));
  ASSERT_TRUE(tz.next(t));  // x&y: decoded, so a copy
  EXPECT_EQ(t.data, "x&y");
  EXPECT_FALSE(inside(t.data));
}

TEST(Tokenizer, OffsetsAreWhereTokensStart) {
  std::string input = "&amp;x<p>\r\ny<!--c--><!DOCTYPE html></p>";
  tokenizer tz(input);
  token t;
  std::vector<std::size_t> offsets;
  while (tz.next(t)) offsets.push_back(t.offset);
  EXPECT_EQ(offsets, (std::vector<std::size_t>{0, 6, 9, 12, 20, 35, input.size()}));
}

TEST(Tokenizer, HasNulMarksTextTheTreeBuilderMustFilter) {
  std::string input("a\0b<p>c", 7);
  tokenizer tz(input);
  token t;
  ASSERT_TRUE(tz.next(t));
  EXPECT_EQ(t.data, std::string_view("a\0b", 3));
  EXPECT_TRUE(t.has_nul);
  ASSERT_TRUE(tz.next(t));  // <p>
  ASSERT_TRUE(tz.next(t));
  EXPECT_EQ(t.data, "c");
  EXPECT_FALSE(t.has_nul);
}

TEST(Tokenizer, EofOnceThenFalse) {
  tokenizer tz("x");
  token t;
  ASSERT_TRUE(tz.next(t));
  ASSERT_TRUE(tz.next(t));
  EXPECT_EQ(t.kind, token_kind::eof);
  EXPECT_FALSE(tz.next(t));
  EXPECT_FALSE(tz.next(t));
  EXPECT_EQ(tz.position(), 1u);
}

TEST(Tokenizer, TreeBuilderSwitchesStateAfterStartTag) {
  // What a tree builder does for <title>, <script> and <plaintext>.
  tokenizer tz("<title>a<b>&lt;</title><script>if (a<b) x='</p>'</script><plaintext></x>");
  std::vector<std::string> got;
  token t;
  while (tz.next(t)) {
    got.push_back(show(t));
    if (t.kind == token_kind::start_tag) {
      if (t.name == "title") tz.set_state(tokenizer_state::rcdata);
      if (t.name == "script") tz.set_state(tokenizer_state::script_data);
      if (t.name == "plaintext") tz.set_state(tokenizer_state::plaintext);
    }
  }
  std::vector<std::string> want = {
      "S:title",  "T:a<b><",     "E:title", "S:script", "T:if (a<b) x='</p>'",
      "E:script", "S:plaintext", "T:</x>",  "EOF"};
  EXPECT_EQ(got, want);
}

TEST(Tokenizer, CdataOnlyWhenAllowed) {
  tokenizer tz("<![CDATA[x<y]]>");
  tz.set_cdata_allowed(true);
  token t;
  ASSERT_TRUE(tz.next(t));
  EXPECT_EQ(show(t), "T:x<y");
  EXPECT_EQ(tz.error_count(), 0u);
}

TEST(Tokenizer, ErrorsReportCodeAndOffset) {
  std::vector<std::pair<parse_error, std::size_t>> seen;
  tokenizer_options opts;
  opts.error_context = &seen;
  opts.on_error = [](void* ctx, parse_error code, std::size_t offset) {
    static_cast<std::vector<std::pair<parse_error, std::size_t>>*>(ctx)->emplace_back(code, offset);
  };
  tokenizer tz("<a x=1 x=2>&copy", opts);
  token t;
  while (tz.next(t)) {
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, parse_error::duplicate_attribute);
  EXPECT_EQ(seen[0].second, 8u);
  EXPECT_EQ(seen[1].first, parse_error::missing_semicolon_after_character_reference);
  EXPECT_EQ(error_name(seen[1].first), "missing-semicolon-after-character-reference");
  EXPECT_EQ(tz.error_count(), 2u);
}

TEST(Tokenizer, InputStreamErrorsOnlyWhenAsked) {
  std::string input =
      "a\x01"
      "b\xEF\xB7\x90";  // a control and U+FDD0
  EXPECT_EQ(tokenize(input).errors, 0u);
  tokenizer_options opts;
  opts.input_stream_errors = true;
  tokenizer tz(input, opts);
  token t;
  while (tz.next(t)) {
  }
  EXPECT_EQ(tz.error_count(), 2u);
}

TEST(Tokenizer, ResetReusesTheTokenizer) {
  tokenizer tz("<a>");
  token t;
  while (tz.next(t)) {
  }
  tz.reset("<b x=1>y");
  std::vector<std::string> got;
  while (tz.next(t)) got.push_back(show(t));
  EXPECT_EQ(got, (std::vector<std::string>{"S:b x=1", "T:y", "EOF"}));
}

TEST(Tokenizer, ManyAttributesStillDropDuplicates) {
  // Past the linear-search limit the duplicate check uses a hash table: same answers.
  std::string input = "<a";
  for (int i = 0; i < 300; ++i) input += " n" + std::to_string(i % 120) + "=" + std::to_string(i);
  input += " N5=x>";
  tokenizer tz(input);
  token t;
  ASSERT_TRUE(tz.next(t));
  ASSERT_EQ(t.attributes.size(), 120u);
  for (int i = 0; i < 120; ++i) {
    EXPECT_EQ(t.attributes[i].name, "n" + std::to_string(i));
    EXPECT_EQ(t.attributes[i].value, std::to_string(i));
  }
  EXPECT_EQ(tz.error_count(), 181u);
}

TEST(Tokenizer, ErrorNamesAreTheStandardsSpelling) {
  EXPECT_EQ(error_name(parse_error::abrupt_closing_of_empty_comment),
            "abrupt-closing-of-empty-comment");
  EXPECT_EQ(error_name(parse_error::unknown_named_character_reference),
            "unknown-named-character-reference");
  EXPECT_EQ(error_name(static_cast<parse_error>(200)), "unknown");
}

// Every token of `input` at `level`, as text, with the error count last.
std::vector<std::string> all_tokens(std::string_view input, text_scan_level level,
                                    tokenizer_state state) {
  detail::force_text_scan(level);
  std::vector<std::string> out;
  tokenizer tz(input);
  tz.set_state(state);
  tz.set_last_start_tag("script");
  token t;
  while (tz.next(t)) out.push_back(show(t));
  out.push_back(std::to_string(tz.error_count()));
  return out;
}

TEST(Tokenizer, VectorLevelsAgreeWithScalarAtTheEndOfMemory) {
  level_guard g;
  // Runs long enough for whole vector blocks, with the bytes every scanner stops at.
  const std::string alphabet = "aaaaaaaaaaB <>&/=\"'-!\r\n\0;#x1]?[`";
  std::mt19937 rng(12345);
  guarded_page page(1 << 16);
  const tokenizer_state states[] = {tokenizer_state::data,      tokenizer_state::rcdata,
                                    tokenizer_state::rawtext,   tokenizer_state::script_data,
                                    tokenizer_state::plaintext, tokenizer_state::cdata_section};
  const std::string_view prefixes[] = {"", "<a href='", "<a b=\"", "<!--", "<a b=", "&am"};
  for (int i = 0; i < 3000; ++i) {
    std::string s(prefixes[i % 6]);
    std::size_t len = rng() % 200;
    for (std::size_t k = 0; k < len; ++k) {
      // Mostly plain letters, so that runs are long.
      s += (rng() % 4) ? 'a' : alphabet[rng() % alphabet.size()];
    }
    std::string_view placed = page.place(s);
    tokenizer_state state = states[i % 6];
    auto want = all_tokens(placed, text_scan_level::scalar, state);
    for (text_scan_level level : levels()) {
      ASSERT_EQ(all_tokens(placed, level, state), want) << "input #" << i;
    }
  }
}

TEST(Tokenizer, SpecialByteAtEveryBlockOffset) {
  level_guard g;
  guarded_page page(4096);
  for (std::size_t len = 1; len < 100; ++len) {
    for (char special : {'<', '&', '\r', '\0', '"'}) {
      std::string s(len, 'x');
      s[len - 1] = special;
      for (std::string prefix : {"", "<a b=\""}) {
        std::string_view placed = page.place(prefix + s);
        auto want = all_tokens(placed, text_scan_level::scalar, tokenizer_state::data);
        for (text_scan_level level : levels()) {
          ASSERT_EQ(all_tokens(placed, level, tokenizer_state::data), want)
              << "len " << len << " special " << int(special);
        }
      }
    }
  }
}

}  // namespace

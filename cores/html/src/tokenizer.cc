// The tokenizer's state machine. The whole input is in memory, so lookahead is free and the
// standard's "temporary buffer" states (end tags in RCDATA/RAWTEXT/script data, character
// references) are handled by looking ahead instead of by one state per character.
//
// Strings are built as `piece`s: a range of the input while every byte is used unchanged, moved
// to the end of a scratch buffer at the first byte that is not (a lower-cased letter, U+FFFD for
// NUL, LF for CR, a decoded reference). Pieces are built one after another, so the one being
// built is always the last thing in the buffer and can grow there; views are made only when the
// token is handed out, after the buffer has stopped growing (and moving).
#include "lapwise/html/tokenizer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "named_refs.h"
#include "text_scanners.h"

namespace lapwise::html {
namespace detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr int eof = -1;

enum class st : std::uint8_t {
  data,
  rcdata,
  rawtext,
  script_data,
  plaintext,
  tag_open,
  end_tag_open,
  tag_name,
  rcdata_lt,
  rawtext_lt,
  script_data_lt,
  script_data_escape_start,
  script_data_escape_start_dash,
  script_data_escaped,
  script_data_escaped_dash,
  script_data_escaped_dash_dash,
  script_data_escaped_lt,
  script_data_double_escape_start,
  script_data_double_escaped,
  script_data_double_escaped_dash,
  script_data_double_escaped_dash_dash,
  script_data_double_escaped_lt,
  script_data_double_escape_end,
  before_attribute_name,
  attribute_name,
  after_attribute_name,
  before_attribute_value,
  attribute_value_double,
  attribute_value_single,
  attribute_value_unquoted,
  after_attribute_value_quoted,
  self_closing_start_tag,
  bogus_comment,
  markup_declaration_open,
  comment_start,
  comment_start_dash,
  comment,
  comment_lt,
  comment_lt_bang,
  comment_lt_bang_dash,
  comment_lt_bang_dash_dash,
  comment_end_dash,
  comment_end,
  comment_end_bang,
  doctype,
  before_doctype_name,
  doctype_name,
  after_doctype_name,
  after_doctype_public_keyword,
  before_doctype_public_id,
  doctype_public_id_double,
  doctype_public_id_single,
  after_doctype_public_id,
  between_doctype_ids,
  after_doctype_system_keyword,
  before_doctype_system_id,
  doctype_system_id_double,
  doctype_system_id_single,
  after_doctype_system_id,
  bogus_doctype,
  cdata_section,
  cdata_section_bracket,
  cdata_section_end,
};

// Character classes for the per-byte states.
enum : std::uint8_t {
  c_space = 1,  // \t \n \f space (and \r, which preprocessing turns into \n)
  c_upper = 2,  // A-Z
  c_lower = 4,  // a-z
  c_digit = 8,  // 0-9
  c_name = 16,  // ends nothing in a tag or attribute name and is kept unchanged
  c_unq = 32,   // kept unchanged in an unquoted attribute value
  c_hex = 64,   // 0-9 a-f A-F
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0;
    if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '\r') v |= c_space;
    if (c >= 'A' && c <= 'Z') v |= c_upper;
    if (c >= 'a' && c <= 'z') v |= c_lower;
    if (c >= '0' && c <= '9') v |= c_digit;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= c_hex;
    bool special = (v & (c_space | c_upper)) || c == 0 || c == '/' || c == '>' || c == '=' ||
                   c == '"' || c == '\'' || c == '<';
    if (!special) v |= c_name;
    bool unq_special = (v & c_space) || c == 0 || c == '&' || c == '>' || c == '"' || c == '\'' ||
                       c == '<' || c == '=' || c == '`';
    if (!unq_special) v |= c_unq;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> classes = make_classes();

inline std::uint8_t cls(int c) noexcept { return c < 0 ? 0 : classes[static_cast<std::size_t>(c)]; }
inline bool is_alpha(int c) noexcept { return cls(c) & (c_upper | c_lower); }
inline char lower(int c) noexcept {
  return static_cast<char>((cls(c) & c_upper) ? c + ('a' - 'A') : c);
}

// Replacements for numeric references to the C1 range (the standard's table).
constexpr std::array<std::uint16_t, 32> c1_table = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

inline bool is_noncharacter(std::uint32_t c) noexcept {
  return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}
inline bool is_control(std::uint32_t c) noexcept { return c <= 0x1F || (c >= 0x7F && c <= 0x9F); }
inline bool is_ascii_space(std::uint32_t c) noexcept {
  return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20;
}

std::size_t encode_utf8(std::uint32_t c, char* out) noexcept {
  if (c < 0x80) {
    out[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<char>(0xC0 | (c >> 6));
    out[1] = static_cast<char>(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (c >> 12));
    out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (c >> 18));
  out[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (c & 0x3F));
  return 4;
}

constexpr std::string_view error_names[parse_error_count] = {
    "abrupt-closing-of-empty-comment",
    "abrupt-doctype-public-identifier",
    "abrupt-doctype-system-identifier",
    "absence-of-digits-in-numeric-character-reference",
    "cdata-in-html-content",
    "character-reference-outside-unicode-range",
    "control-character-in-input-stream",
    "control-character-reference",
    "duplicate-attribute",
    "end-tag-with-attributes",
    "end-tag-with-trailing-solidus",
    "eof-before-tag-name",
    "eof-in-cdata",
    "eof-in-comment",
    "eof-in-doctype",
    "eof-in-script-html-comment-like-text",
    "eof-in-tag",
    "incorrectly-closed-comment",
    "incorrectly-opened-comment",
    "invalid-character-sequence-after-doctype-name",
    "invalid-first-character-of-tag-name",
    "missing-attribute-value",
    "missing-doctype-name",
    "missing-doctype-public-identifier",
    "missing-doctype-system-identifier",
    "missing-end-tag-name",
    "missing-quote-before-doctype-public-identifier",
    "missing-quote-before-doctype-system-identifier",
    "missing-semicolon-after-character-reference",
    "missing-whitespace-after-doctype-public-keyword",
    "missing-whitespace-after-doctype-system-keyword",
    "missing-whitespace-before-doctype-name",
    "missing-whitespace-between-attributes",
    "missing-whitespace-between-doctype-public-and-system-identifiers",
    "nested-comment",
    "noncharacter-character-reference",
    "noncharacter-in-input-stream",
    "null-character-reference",
    "surrogate-character-reference",
    "surrogate-in-input-stream",
    "unexpected-character-after-doctype-system-identifier",
    "unexpected-character-in-attribute-name",
    "unexpected-character-in-unquoted-attribute-value",
    "unexpected-equals-sign-before-attribute-name",
    "unexpected-null-character",
    "unexpected-question-mark-instead-of-tag-name",
    "unexpected-solidus-in-tag",
    "unknown-named-character-reference",
};

// A string under construction: input[begin, end) or scratch[begin, end).
struct piece {
  std::size_t begin = 0, end = 0;
  bool scratch = false;
};

struct raw_attribute {
  piece name, value;
};

}  // namespace

class tokenizer_impl {
 public:
  tokenizer_impl(std::string_view input, tokenizer_options options)
      : options_(options), scan_(&active_text_scanners()) {
    reset(input);
  }

  void reset(std::string_view input) {
    in_ = input.data();
    n_ = input.size();
    pos_ = 0;
    state_ = st::data;
    errors_ = 0;
    last_start_tag_ = {};
    held_ = false;
    done_ = false;
    scan_ = &active_text_scanners();
    if (options_.input_stream_errors) report_input_stream_errors();
  }

  bool next(token& out);

  void set_state(tokenizer_state s) noexcept {
    switch (s) {
      case tokenizer_state::data:
        state_ = st::data;
        break;
      case tokenizer_state::rcdata:
        state_ = st::rcdata;
        break;
      case tokenizer_state::rawtext:
        state_ = st::rawtext;
        break;
      case tokenizer_state::script_data:
        state_ = st::script_data;
        break;
      case tokenizer_state::plaintext:
        state_ = st::plaintext;
        break;
      case tokenizer_state::cdata_section:
        state_ = st::cdata_section;
        break;
    }
  }
  void set_last_start_tag(std::string_view name) {
    last_start_copy_.assign(name);
    last_start_tag_ = last_start_copy_;
  }
  void set_cdata_allowed(bool allowed) noexcept { cdata_allowed_ = allowed; }
  std::size_t error_count() const noexcept { return errors_; }
  std::size_t position() const noexcept { return pos_; }

 private:
  enum class made : std::uint8_t { none, tag, comment, doctype, eof };

  // ---- input ----
  // The character at pos_ after preprocessing (CR -> LF), or eof.
  int peek() const noexcept {
    if (pos_ >= n_) return eof;
    unsigned char c = static_cast<unsigned char>(in_[pos_]);
    return c == '\r' ? '\n' : c;
  }
  void advance() noexcept {
    if (in_[pos_] == '\r' && pos_ + 1 < n_ && in_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
  }

  void error(parse_error code) noexcept { error_at(code, pos_); }
  void error_at(parse_error code, std::size_t at) noexcept {
    ++errors_;
    if (options_.on_error) options_.on_error(options_.error_context, code, at);
  }

  // ---- text (character tokens) ----
  void text_input(std::size_t a, std::size_t b) {
    if (a == b) return;
    if (!text_open_) {
      text_open_ = true;
      text_scratch_ = false;
      text_begin_ = a;
      text_end_ = b;
      text_offset_ = a;
      return;
    }
    if (!text_scratch_ && text_end_ == a) {
      text_end_ = b;
      return;
    }
    text_to_scratch();
    text_buf_.append(in_ + a, b - a);
  }
  // Bytes that are not the input's; `from` is where the input has what they stand for.
  void text_bytes(std::string_view s, std::size_t from) {
    if (!text_open_) {
      text_open_ = true;
      text_scratch_ = true;
      text_buf_.clear();
      text_offset_ = from;
    } else {
      text_to_scratch();
    }
    text_buf_.append(s);
  }
  void text_bytes(std::string_view s) { text_bytes(s, pos_); }
  void text_char(char c) { text_bytes({&c, 1}); }
  // A character that is the input byte at `at` unchanged.
  void text_at(std::size_t at) { text_input(at, at + 1); }
  // The character at pos_ (CR or CRLF as LF), consumed.
  void text_current() {
    if (in_[pos_] == '\r') {
      text_char('\n');
    } else {
      text_at(pos_);
    }
    advance();
  }
  void text_to_scratch() {
    if (text_scratch_) return;
    text_buf_.assign(in_ + text_begin_, text_end_ - text_begin_);
    text_scratch_ = true;
  }

  // ---- pieces of tags, comments and DOCTYPEs (in buf_) ----
  void piece_start(piece& p) noexcept {
    p.begin = p.end = pos_;
    p.scratch = false;
  }
  void piece_to_scratch(piece& p) {
    if (p.scratch) return;
    std::size_t len = p.end - p.begin;
    std::size_t at = buf_.size();
    buf_.append(in_ + p.begin, len);
    p.begin = at;
    p.end = at + len;
    p.scratch = true;
  }
  void piece_input(piece& p, std::size_t a, std::size_t b) {
    if (a == b) return;
    if (!p.scratch && (p.end == a || p.begin == p.end)) {
      if (p.begin == p.end) p.begin = a;
      p.end = b;
      return;
    }
    piece_to_scratch(p);
    buf_.append(in_ + a, b - a);
    p.end = buf_.size();
  }
  void piece_bytes(piece& p, std::string_view s) {
    piece_to_scratch(p);
    buf_.append(s);
    p.end = buf_.size();
  }
  void piece_char(piece& p, char c) { piece_bytes(p, {&c, 1}); }
  // Appends character c, known to be the byte at `at` when that byte is unchanged.
  void piece_char_at(piece& p, char c, std::size_t at) {
    if (at < n_ && in_[at] == c) {
      piece_input(p, at, at + 1);
    } else {
      piece_char(p, c);
    }
  }
  std::string_view view(const piece& p) const noexcept {
    const char* base = p.scratch ? buf_.data() : in_;
    return {base + p.begin, p.end - p.begin};
  }

  // ---- names ----
  enum class name_kind : std::uint8_t { tag, attribute, doctype };
  // Appends a tag, attribute or DOCTYPE name's characters to p (ASCII lower-cased, NUL as
  // U+FFFD) and returns the character that ends it, not consumed: white space, '>' or EOF, and
  // '/' (tags, attributes) or '=' (attributes). A lower-case name stays a view of the input.
  int take_name(piece& p, name_kind kind) {
    for (;;) {
      std::size_t q = pos_;
      while (q < n_ && (classes[static_cast<unsigned char>(in_[q])] & c_name)) ++q;
      piece_input(p, pos_, q);
      pos_ = q;
      int c = peek();
      if (cls(c) & c_upper) {
        piece_char(p, lower(c));
        ++pos_;
      } else if (c == 0) {
        error(parse_error::unexpected_null_character);
        piece_bytes(p, replacement);
        ++pos_;
      } else if (c == '"' || c == '\'' || c == '<' || (c == '=' && kind != name_kind::attribute) ||
                 (c == '/' && kind == name_kind::doctype)) {
        if (kind == name_kind::attribute)
          error(parse_error::unexpected_character_in_attribute_name);
        piece_input(p, pos_, pos_ + 1);
        ++pos_;
      } else {
        return c;
      }
    }
  }

  // ---- token starts ----
  void start_tag(bool end_tag, std::size_t offset) {
    buf_.clear();
    attrs_.clear();
    tag_end_ = end_tag;
    self_closing_ = false;
    attr_open_ = false;
    attr_table_on_ = false;
    token_offset_ = offset;
    piece_start(tag_name_);
  }
  void start_comment(std::size_t offset) {
    buf_.clear();
    token_offset_ = offset;
    piece_start(comment_);
  }
  void start_doctype(std::size_t offset) {
    buf_.clear();
    token_offset_ = offset;
    piece_start(dt_name_);
    dt_has_name_ = dt_has_public_ = dt_has_system_ = false;
    force_quirks_ = false;
  }
  void start_attribute() {
    close_attribute();
    attrs_.emplace_back();
    piece_start(attrs_.back().name);
    attrs_.back().value = {};
    attr_open_ = true;
    attr_dup_ = false;
    attr_name_done_ = false;
  }
  // Leaving the attribute name state: a name seen before drops the whole attribute. Real tags
  // have a few attributes and a linear search wins; past that a hash table keeps hostile tags
  // with thousands of attributes linear.
  void finish_attribute_name() {
    if (!attr_open_ || attr_name_done_) return;
    attr_name_done_ = true;
    std::string_view name = view(attrs_.back().name);
    bool dup = false;
    if (attrs_.size() <= linear_attribute_limit) {
      for (std::size_t i = 0; i + 1 < attrs_.size() && !dup; ++i)
        dup = view(attrs_[i].name) == name;
    } else {
      dup = seen_attribute(name);
    }
    if (dup) {
      error(parse_error::duplicate_attribute);
      attr_dup_ = true;
    }
  }
  static std::uint64_t hash_name(std::string_view s) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h;
  }
  // Open addressing over indexes into attrs_ (+1; 0 is empty). Inserts the last attribute's
  // name when it is new.
  bool seen_attribute(std::string_view name) {
    std::size_t count = attrs_.size();  // the earlier attributes, all distinct, and this one
    if (!attr_table_on_ || count * 2 > attr_slots_.size()) {
      std::size_t size = 64;
      while (size < count * 4) size *= 2;
      attr_slots_.assign(size, 0);
      attr_table_on_ = true;
      for (std::size_t i = 0; i + 1 < count; ++i) place_attribute(i);
    }
    std::size_t mask = attr_slots_.size() - 1;
    for (std::size_t k = hash_name(name) & mask;; k = (k + 1) & mask) {
      std::uint32_t slot = attr_slots_[k];
      if (slot == 0) {
        attr_slots_[k] = static_cast<std::uint32_t>(count);
        return false;
      }
      if (view(attrs_[slot - 1].name) == name) return true;
    }
  }
  void place_attribute(std::size_t i) {
    std::size_t mask = attr_slots_.size() - 1;
    std::size_t k = hash_name(view(attrs_[i].name)) & mask;
    while (attr_slots_[k] != 0) k = (k + 1) & mask;
    attr_slots_[k] = static_cast<std::uint32_t>(i + 1);
  }
  void start_value() { piece_start(attrs_.back().value); }
  void close_attribute() {
    if (!attr_open_) return;
    finish_attribute_name();
    if (attr_dup_) attrs_.pop_back();
    attr_open_ = false;
  }

  // ---- emitting ----
  void emit_tag() {
    close_attribute();
    made_ = made::tag;
    state_ = st::data;
    if (tag_end_) {
      if (!attrs_.empty()) error(parse_error::end_tag_with_attributes);
      if (self_closing_) error(parse_error::end_tag_with_trailing_solidus);
    } else if (tag_name_.scratch) {
      last_start_copy_.assign(view(tag_name_));
      last_start_tag_ = last_start_copy_;
    } else {
      last_start_tag_ = view(tag_name_);
    }
  }
  // The comment states' shared endings: '>' closes the comment, EOF emits it as it is.
  void comment_close() {
    ++pos_;
    state_ = st::data;
    emit_comment();
  }
  void comment_eof() {
    error(parse_error::eof_in_comment);
    emit_comment();
    state_ = st::data;
  }
  // The DOCTYPE states' shared endings. '>' closes the token; EOF emits it in quirks mode.
  void doctype_close() {
    ++pos_;
    state_ = st::data;
    emit_doctype();
  }
  void doctype_eof() {
    error(parse_error::eof_in_doctype);
    force_quirks_ = true;
    emit_doctype();
    state_ = st::data;
  }
  // White space (skipped), '>' or EOF, as the states after the name and after the system
  // identifier treat them; false for any other character, which is the caller's.
  bool doctype_space_or_end(int c) {
    if (cls(c) & c_space) {
      advance();
    } else if (c == '>') {
      doctype_close();
    } else if (c == eof) {
      doctype_eof();
    } else {
      return false;
    }
    return true;
  }
  enum class doctype_id : std::uint8_t { public_id, system_id };
  // The opening quote of an identifier has been seen (not consumed): the identifier starts.
  void begin_doctype_id(doctype_id id, int quote) {
    ++pos_;
    const bool dq = quote == '"';
    if (id == doctype_id::public_id) {
      dt_has_public_ = true;
      piece_start(dt_public_);
      state_ = dq ? st::doctype_public_id_double : st::doctype_public_id_single;
    } else {
      dt_has_system_ = true;
      piece_start(dt_system_);
      state_ = dq ? st::doctype_system_id_double : st::doctype_system_id_single;
    }
  }
  void emit_comment() { made_ = made::comment; }
  void emit_doctype() { made_ = made::doctype; }
  void emit_eof() { made_ = made::eof; }

  void fill(token& out);

  // ---- pieces of the state machine ----
  void run();
  void char_ref(bool in_attr);
  void numeric_ref(bool in_attr, std::size_t amp);
  bool end_tag_in_text(st text_state);
  bool lookahead_ci(std::string_view word) const noexcept;
  void report_input_stream_errors();

  // The current attribute value, or text: where char_ref puts what it decodes.
  void ref_input(bool in_attr, std::size_t a, std::size_t b) {
    if (in_attr) {
      piece_input(attrs_.back().value, a, b);
    } else {
      text_input(a, b);
    }
  }
  void ref_bytes(bool in_attr, std::string_view s, std::size_t amp) {
    if (in_attr) {
      piece_bytes(attrs_.back().value, s);
    } else {
      text_bytes(s, amp);
    }
  }

  tokenizer_options options_;
  const text_scanners* scan_;
  const char* in_ = nullptr;
  std::size_t n_ = 0;
  std::size_t pos_ = 0;
  st state_ = st::data;
  std::size_t errors_ = 0;
  bool cdata_allowed_ = false;
  bool held_ = false;  // a finished non-text token waits behind the text returned first
  bool done_ = false;
  made made_ = made::none;
  // A view of the input when the name is written there unchanged (the common case: no copy per
  // start tag), else of last_start_copy_.
  std::string_view last_start_tag_;
  std::string last_start_copy_;

  bool text_open_ = false, text_scratch_ = false, text_has_nul_ = false;
  std::size_t text_begin_ = 0, text_end_ = 0, text_offset_ = 0;
  std::string text_buf_;

  std::string buf_;
  std::size_t token_offset_ = 0;
  piece tag_name_;
  bool tag_end_ = false, self_closing_ = false;
  bool attr_open_ = false, attr_dup_ = false, attr_name_done_ = false;
  std::vector<raw_attribute> attrs_;
  static constexpr std::size_t linear_attribute_limit = 16;
  bool attr_table_on_ = false;
  std::vector<std::uint32_t> attr_slots_;
  std::vector<attribute> out_attrs_;
  piece comment_;
  piece dt_name_, dt_public_, dt_system_;
  bool dt_has_name_ = false, dt_has_public_ = false, dt_has_system_ = false;
  bool force_quirks_ = false;
  // The script double-escape states' temporary buffer: only whether it spells "script" matters.
  char temp_[8] = {};
  std::size_t temp_len_ = 0;
};

// One store per field: chained assignments (a = b = {}) read back what they just stored, and
// `out = token{}` goes through a temporary; both cost more than the token's worth of work.
inline void clear(token& out) noexcept {
  out.name = {};
  out.data = {};
  out.attributes = {};
  out.public_id = {};
  out.system_id = {};
  out.has_name = false;
  out.has_public_id = false;
  out.has_system_id = false;
  out.force_quirks = false;
  out.self_closing = false;
  out.has_nul = false;
}

bool tokenizer_impl::next(token& out) {
  if (held_) {
    held_ = false;
    fill(out);
    if (made_ == made::eof) done_ = true;
    return true;
  }
  if (done_) {
    out = token{};
    out.offset = n_;
    return false;
  }
  text_open_ = false;
  text_has_nul_ = false;
  made_ = made::none;
  run();
  if (text_open_) {
    clear(out);
    out.kind = token_kind::characters;
    out.data = text_scratch_ ? std::string_view(text_buf_)
                             : std::string_view(in_ + text_begin_, text_end_ - text_begin_);
    out.has_nul = text_has_nul_;
    out.offset = text_offset_;
    held_ = made_ != made::none;
    return true;
  }
  fill(out);
  if (made_ == made::eof) done_ = true;
  return true;
}

void tokenizer_impl::fill(token& out) {
  clear(out);
  out.offset = token_offset_;
  switch (made_) {
    case made::tag:
      out.kind = tag_end_ ? token_kind::end_tag : token_kind::start_tag;
      out.name = view(tag_name_);
      out.self_closing = self_closing_;
      out_attrs_.clear();
      if (!tag_end_) {
        for (const raw_attribute& a : attrs_) out_attrs_.push_back({view(a.name), view(a.value)});
        out.attributes = out_attrs_;
      }
      break;
    case made::comment:
      out.kind = token_kind::comment;
      out.data = view(comment_);
      break;
    case made::doctype:
      out.kind = token_kind::doctype;
      out.has_name = dt_has_name_;
      if (dt_has_name_) out.name = view(dt_name_);
      out.has_public_id = dt_has_public_;
      if (dt_has_public_) out.public_id = view(dt_public_);
      out.has_system_id = dt_has_system_;
      if (dt_has_system_) out.system_id = view(dt_system_);
      out.force_quirks = force_quirks_;
      break;
    case made::eof:
    case made::none:
      out.kind = token_kind::eof;
      out.offset = n_;
      break;
  }
}

bool tokenizer_impl::lookahead_ci(std::string_view word) const noexcept {
  if (n_ - pos_ < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower(static_cast<unsigned char>(in_[pos_ + i])) != word[i]) return false;
  }
  return true;
}

// At pos_ just past "</" in RCDATA, RAWTEXT, script data or escaped script data: an
// appropriate end tag becomes a tag (true); anything else is text and the state continues.
bool tokenizer_impl::end_tag_in_text(st text_state) {
  std::size_t lt = pos_ - 2;
  std::size_t q = pos_;
  while (q < n_ && is_alpha(static_cast<unsigned char>(in_[q]))) ++q;
  std::size_t len = q - pos_;
  if (len > 0 && len == last_start_tag_.size()) {
    bool same = true;
    for (std::size_t i = 0; i < len && same; ++i) {
      same = lower(static_cast<unsigned char>(in_[pos_ + i])) == last_start_tag_[i];
    }
    int after = q < n_ ? (in_[q] == '\r' ? '\n' : static_cast<unsigned char>(in_[q])) : eof;
    if (same && (after == '/' || after == '>' || (cls(after) & c_space))) {
      start_tag(true, lt);
      for (std::size_t i = pos_; i < q; ++i) {
        piece_char_at(tag_name_, lower(static_cast<unsigned char>(in_[i])), i);
      }
      pos_ = q;
      if (after == '>') {
        advance();
        emit_tag();
      } else if (after == '/') {
        advance();
        state_ = st::self_closing_start_tag;
      } else {
        advance();
        state_ = st::before_attribute_name;
      }
      return true;
    }
  }
  text_input(lt, q);
  pos_ = q;
  state_ = text_state;
  return false;
}

// At pos_ just past '&'. Appends what the reference stands for (or the raw characters) to the
// text or the current attribute value and leaves pos_ past what it consumed.
void tokenizer_impl::char_ref(bool in_attr) {
  std::size_t amp = pos_ - 1;
  int c = peek();
  if (c == '#') {
    numeric_ref(in_attr, amp);
    return;
  }
  if (!(cls(c) & (c_upper | c_lower | c_digit))) {
    ref_input(in_attr, amp, pos_);  // not a reference: the '&' itself
    return;
  }
  named_ref_match m = match_named_ref(in_ + pos_, in_ + n_);
  if (m.length == 0) {
    // Ambiguous ampersand: the '&' and the alphanumerics stay as they are.
    std::size_t q = pos_;
    while (q < n_ && (cls(static_cast<unsigned char>(in_[q])) & (c_upper | c_lower | c_digit))) {
      ++q;
    }
    ref_input(in_attr, amp, q);
    pos_ = q;
    if (q < n_ && in_[q] == ';') error(parse_error::unknown_named_character_reference);
    return;
  }
  std::size_t after = pos_ + m.length;
  if (!m.ends_with_semicolon && in_attr && after < n_ &&
      (in_[after] == '=' ||
       (cls(static_cast<unsigned char>(in_[after])) & (c_upper | c_lower | c_digit)))) {
    ref_input(in_attr, amp, after);  // legacy rule: "&amp=" in a value stays as written
    pos_ = after;
    return;
  }
  pos_ = after;
  if (!m.ends_with_semicolon) error(parse_error::missing_semicolon_after_character_reference);
  ref_bytes(in_attr, m.value, amp);
}

void tokenizer_impl::numeric_ref(bool in_attr, std::size_t amp) {
  advance();  // '#'
  bool hex = false;
  int c = peek();
  if (c == 'x' || c == 'X') {
    hex = true;
    advance();
  }
  std::size_t digits_at = pos_;
  std::uint32_t value = 0;
  constexpr std::uint32_t too_big = 0x110000;
  while (pos_ < n_) {
    unsigned char d = static_cast<unsigned char>(in_[pos_]);
    std::uint32_t v;
    if (cls(d) & c_digit) {
      v = d - '0';
    } else if (hex && (cls(d) & c_hex)) {
      v = (d | 0x20) - 'a' + 10;
    } else {
      break;
    }
    value = value * (hex ? 16 : 10) + v;
    if (value > too_big) value = too_big;  // saturate: only "out of range" matters beyond
    ++pos_;
  }
  if (pos_ == digits_at) {
    error(parse_error::absence_of_digits_in_numeric_character_reference);
    ref_input(in_attr, amp, pos_);  // "&#" or "&#x" as written
    return;
  }
  if (pos_ < n_ && in_[pos_] == ';') {
    ++pos_;
  } else {
    error(parse_error::missing_semicolon_after_character_reference);
  }
  std::uint32_t cp = value;
  if (cp == 0) {
    error(parse_error::null_character_reference);
    cp = 0xFFFD;
  } else if (cp > 0x10FFFF) {
    error(parse_error::character_reference_outside_unicode_range);
    cp = 0xFFFD;
  } else if (cp >= 0xD800 && cp <= 0xDFFF) {
    error(parse_error::surrogate_character_reference);
    cp = 0xFFFD;
  } else if (is_noncharacter(cp)) {
    error(parse_error::noncharacter_character_reference);
  } else if (cp == 0x0D || (is_control(cp) && !is_ascii_space(cp))) {
    error(parse_error::control_character_reference);
    if (cp >= 0x80 && cp <= 0x9F) cp = c1_table[cp - 0x80];
  }
  char bytes[4];
  ref_bytes(in_attr, {bytes, encode_utf8(cp, bytes)}, amp);
}

// Controls, noncharacters and encoded surrogates anywhere in the input, in input order.
void tokenizer_impl::report_input_stream_errors() {
  const auto* s = reinterpret_cast<const unsigned char*>(in_);
  std::size_t i = 0;
  while (i < n_) {
    unsigned char b = s[i];
    if (b < 0x80) {
      if ((b >= 0x01 && b <= 0x1F && !is_ascii_space(b)) || b == 0x7F) {
        error_at(parse_error::control_character_in_input_stream, i);
      }
      ++i;
      continue;
    }
    std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    if (len == 1 || i + len > n_) {
      ++i;  // malformed: passed through, nothing to classify
      continue;
    }
    std::uint32_t cp = len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (!ok) {
      ++i;
      continue;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      error_at(parse_error::surrogate_in_input_stream, i);
    } else if (is_noncharacter(cp)) {
      error_at(parse_error::noncharacter_in_input_stream, i);
    } else if (cp >= 0x7F && cp <= 0x9F) {
      error_at(parse_error::control_character_in_input_stream, i);
    }
    i += len;
  }
}

// The common path through a tag (open, name, attributes, values) goes from state to state
// directly instead of through the dispatch loop; the effect is the same, as no token has been
// made on these transitions.
#define LAPWISE_HTML_GO(s) \
  do {                     \
    state_ = st::s;        \
    goto s##_;             \
  } while (0)

void tokenizer_impl::run() {
  while (made_ == made::none) {
    switch (state_) {
      // ---------------- text states ----------------
      case st::data:
      case st::rcdata: {
        bool rc = state_ == st::rcdata;
        const char* q = scan_->data(in_ + pos_, in_ + n_);
        std::size_t at = static_cast<std::size_t>(q - in_);
        text_input(pos_, at);
        pos_ = at;
        if (pos_ >= n_) {
          emit_eof();
          break;
        }
        char c = in_[pos_];
        if (c == '<') {
          ++pos_;
          if (!rc) LAPWISE_HTML_GO(tag_open);
          state_ = st::rcdata_lt;
        } else if (c == '&') {
          ++pos_;
          char_ref(false);
        } else if (c == '\r') {
          text_char('\n');
          advance();
        } else {  // NUL
          error(parse_error::unexpected_null_character);
          if (rc) {
            text_bytes(replacement);
          } else {
            text_at(pos_);
            text_has_nul_ = true;
          }
          ++pos_;
        }
        break;
      }
      case st::rawtext:
      case st::script_data:
      case st::plaintext: {
        const char* q = state_ == st::plaintext ? scan_->plaintext(in_ + pos_, in_ + n_)
                                                : scan_->rawtext(in_ + pos_, in_ + n_);
        std::size_t at = static_cast<std::size_t>(q - in_);
        text_input(pos_, at);
        pos_ = at;
        if (pos_ >= n_) {
          emit_eof();
          break;
        }
        char c = in_[pos_];
        if (c == '<') {
          ++pos_;
          state_ = state_ == st::rawtext ? st::rawtext_lt : st::script_data_lt;
        } else if (c == '\r') {
          text_char('\n');
          advance();
        } else {
          error(parse_error::unexpected_null_character);
          text_bytes(replacement);
          ++pos_;
        }
        break;
      }

      // ---------------- tags ----------------
      case st::tag_open:
      tag_open_ : {
        int c = peek();
        if (c == '!') {
          ++pos_;
          state_ = st::markup_declaration_open;
        } else if (c == '/') {
          ++pos_;
          LAPWISE_HTML_GO(end_tag_open);
        } else if (is_alpha(c)) {
          start_tag(false, pos_ - 1);
          LAPWISE_HTML_GO(tag_name);
        } else if (c == '?') {
          error(parse_error::unexpected_question_mark_instead_of_tag_name);
          start_comment(pos_ - 1);
          state_ = st::bogus_comment;
        } else if (c == eof) {
          error(parse_error::eof_before_tag_name);
          text_at(pos_ - 1);
          emit_eof();
        } else {
          error(parse_error::invalid_first_character_of_tag_name);
          text_at(pos_ - 1);
          state_ = st::data;
        }
        break;
      }
      case st::end_tag_open:
      end_tag_open_ : {
        int c = peek();
        if (is_alpha(c)) {
          start_tag(true, pos_ - 2);
          LAPWISE_HTML_GO(tag_name);
        } else if (c == '>') {
          error(parse_error::missing_end_tag_name);
          ++pos_;
          state_ = st::data;
        } else if (c == eof) {
          error(parse_error::eof_before_tag_name);
          text_input(pos_ - 2, pos_);
          emit_eof();
        } else {
          error(parse_error::invalid_first_character_of_tag_name);
          start_comment(pos_ - 2);
          state_ = st::bogus_comment;
        }
        break;
      }
      case st::tag_name:
      tag_name_ : {
        int c = take_name(tag_name_, name_kind::tag);
        if (cls(c) & c_space) {
          advance();
          LAPWISE_HTML_GO(before_attribute_name);
        } else if (c == '/') {
          ++pos_;
          state_ = st::self_closing_start_tag;
        } else if (c == '>') {
          ++pos_;
          emit_tag();
        } else {
          error(parse_error::eof_in_tag);
          emit_eof();
        }
        break;
      }
      case st::rcdata_lt:
      case st::rawtext_lt: {
        st back = state_ == st::rcdata_lt ? st::rcdata : st::rawtext;
        if (peek() == '/') {
          ++pos_;
          end_tag_in_text(back);
        } else {
          text_at(pos_ - 1);
          state_ = back;
        }
        break;
      }
      case st::script_data_lt: {
        int c = peek();
        if (c == '/') {
          ++pos_;
          end_tag_in_text(st::script_data);
        } else if (c == '!') {
          text_input(pos_ - 1, pos_ + 1);
          ++pos_;
          state_ = st::script_data_escape_start;
        } else {
          text_at(pos_ - 1);
          state_ = st::script_data;
        }
        break;
      }
      case st::script_data_escape_start:
      case st::script_data_escape_start_dash: {
        if (peek() == '-') {
          text_at(pos_);
          ++pos_;
          state_ = state_ == st::script_data_escape_start ? st::script_data_escape_start_dash
                                                          : st::script_data_escaped_dash_dash;
        } else {
          state_ = st::script_data;
        }
        break;
      }
      case st::script_data_escaped:
      case st::script_data_escaped_dash:
      case st::script_data_escaped_dash_dash:
      case st::script_data_double_escaped:
      case st::script_data_double_escaped_dash:
      case st::script_data_double_escaped_dash_dash: {
        // The escaped and double-escaped families differ only in their states and in whether
        // '<' is text at once.
        const bool dbl = state_ >= st::script_data_double_escaped;
        const st base = dbl ? st::script_data_double_escaped : st::script_data_escaped;
        const st dash = dbl ? st::script_data_double_escaped_dash : st::script_data_escaped_dash;
        const st dash_dash =
            dbl ? st::script_data_double_escaped_dash_dash : st::script_data_escaped_dash_dash;
        int c = peek();
        if (c == '-') {
          text_at(pos_);
          ++pos_;
          state_ = state_ == base ? dash : dash_dash;
        } else if (c == '<') {
          if (dbl) text_at(pos_);
          ++pos_;
          state_ = dbl ? st::script_data_double_escaped_lt : st::script_data_escaped_lt;
        } else if (c == '>' && state_ == dash_dash) {
          text_at(pos_);
          ++pos_;
          state_ = st::script_data;
        } else if (c == 0) {
          error(parse_error::unexpected_null_character);
          text_bytes(replacement);
          ++pos_;
          state_ = base;
        } else if (c == eof) {
          error(parse_error::eof_in_script_html_comment_like_text);
          emit_eof();
        } else {
          // A run of ordinary characters at once.
          text_current();
          std::size_t q = pos_;
          while (q < n_ && in_[q] != '-' && in_[q] != '<' && in_[q] != 0 && in_[q] != '\r') ++q;
          text_input(pos_, q);
          pos_ = q;
          state_ = base;
        }
        break;
      }
      case st::script_data_escaped_lt: {
        int c = peek();
        if (c == '/') {
          ++pos_;
          end_tag_in_text(st::script_data_escaped);
        } else if (is_alpha(c)) {
          temp_len_ = 0;
          text_at(pos_ - 1);
          state_ = st::script_data_double_escape_start;
        } else {
          text_at(pos_ - 1);
          state_ = st::script_data_escaped;
        }
        break;
      }
      case st::script_data_double_escape_start:
      case st::script_data_double_escape_end: {
        int c = peek();
        bool start = state_ == st::script_data_double_escape_start;
        if ((cls(c) & c_space) || c == '/' || c == '>') {
          bool script = temp_len_ == 6 && std::memcmp(temp_, "script", 6) == 0;
          if (start) {
            state_ = script ? st::script_data_double_escaped : st::script_data_escaped;
          } else {
            state_ = script ? st::script_data_escaped : st::script_data_double_escaped;
          }
          text_current();
        } else if (is_alpha(c)) {
          if (temp_len_ < sizeof temp_) temp_[temp_len_] = lower(c);
          ++temp_len_;
          text_at(pos_);
          ++pos_;
        } else {
          state_ = start ? st::script_data_escaped : st::script_data_double_escaped;
        }
        break;
      }
      case st::script_data_double_escaped_lt: {
        if (peek() == '/') {
          temp_len_ = 0;
          text_at(pos_);
          ++pos_;
          state_ = st::script_data_double_escape_end;
        } else {
          state_ = st::script_data_double_escaped;
        }
        break;
      }

      // ---------------- attributes ----------------
      case st::before_attribute_name:
      before_attribute_name_ : {
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          goto before_attribute_name_;
        } else if (c == '/' || c == '>' || c == eof) {
          state_ = st::after_attribute_name;
        } else if (c == '=') {
          error(parse_error::unexpected_equals_sign_before_attribute_name);
          start_attribute();
          piece_input(attrs_.back().name, pos_, pos_ + 1);
          ++pos_;
          state_ = st::attribute_name;
        } else {
          start_attribute();
          LAPWISE_HTML_GO(attribute_name);
        }
        break;
      }
      case st::attribute_name:
      attribute_name_ : {
        int c = take_name(attrs_.back().name, name_kind::attribute);
        finish_attribute_name();
        if (c == '=') {
          ++pos_;
          LAPWISE_HTML_GO(before_attribute_value);
        } else {  // space / > EOF
          state_ = st::after_attribute_name;
        }
        break;
      }
      case st::after_attribute_name: {
        int c = peek();
        if (cls(c) & c_space) {
          advance();
        } else if (c == '/') {
          ++pos_;
          state_ = st::self_closing_start_tag;
        } else if (c == '=') {
          ++pos_;
          state_ = st::before_attribute_value;
        } else if (c == '>') {
          ++pos_;
          emit_tag();
        } else if (c == eof) {
          error(parse_error::eof_in_tag);
          emit_eof();
        } else {
          start_attribute();
          state_ = st::attribute_name;
        }
        break;
      }
      case st::before_attribute_value:
      before_attribute_value_ : {
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          goto before_attribute_value_;
        } else if (c == '"') {
          ++pos_;
          start_value();
          state_ = st::attribute_value_double;
          goto attribute_value_quoted_;
        } else if (c == '\'') {
          ++pos_;
          start_value();
          state_ = st::attribute_value_single;
          goto attribute_value_quoted_;
        } else if (c == '>') {
          error(parse_error::missing_attribute_value);
          ++pos_;
          emit_tag();
        } else {
          start_value();
          LAPWISE_HTML_GO(attribute_value_unquoted);
        }
        break;
      }
      case st::attribute_value_double:
      case st::attribute_value_single:
      attribute_value_quoted_ : {
        bool dq = state_ == st::attribute_value_double;
        const char* q = dq ? scan_->attr_double(in_ + pos_, in_ + n_)
                           : scan_->attr_single(in_ + pos_, in_ + n_);
        std::size_t at = static_cast<std::size_t>(q - in_);
        piece& value = attrs_.back().value;
        piece_input(value, pos_, at);
        pos_ = at;
        if (pos_ >= n_) {
          error(parse_error::eof_in_tag);
          emit_eof();
          break;
        }
        char c = in_[pos_];
        if (c == '&') {
          ++pos_;
          char_ref(true);
          goto attribute_value_quoted_;
        } else if (c == '\r') {
          piece_char(value, '\n');
          advance();
        } else if (c == 0) {
          error(parse_error::unexpected_null_character);
          piece_bytes(value, replacement);
          ++pos_;
        } else {  // the closing quote
          ++pos_;
          LAPWISE_HTML_GO(after_attribute_value_quoted);
        }
        break;
      }
      case st::attribute_value_unquoted:
      attribute_value_unquoted_ : {
        piece& value = attrs_.back().value;
        std::size_t q = pos_;
        while (q < n_ && (classes[static_cast<unsigned char>(in_[q])] & c_unq)) ++q;
        piece_input(value, pos_, q);
        pos_ = q;
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          LAPWISE_HTML_GO(before_attribute_name);
        } else if (c == '&') {
          ++pos_;
          char_ref(true);
        } else if (c == '>') {
          ++pos_;
          emit_tag();
        } else if (c == 0) {
          error(parse_error::unexpected_null_character);
          piece_bytes(value, replacement);
          ++pos_;
        } else if (c == eof) {
          error(parse_error::eof_in_tag);
          emit_eof();
        } else {  // " ' < = `
          error(parse_error::unexpected_character_in_unquoted_attribute_value);
          piece_input(value, pos_, pos_ + 1);
          ++pos_;
        }
        break;
      }
      case st::after_attribute_value_quoted:
      after_attribute_value_quoted_ : {
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          LAPWISE_HTML_GO(before_attribute_name);
        } else if (c == '/') {
          ++pos_;
          state_ = st::self_closing_start_tag;
        } else if (c == '>') {
          ++pos_;
          emit_tag();
        } else if (c == eof) {
          error(parse_error::eof_in_tag);
          emit_eof();
        } else {
          error(parse_error::missing_whitespace_between_attributes);
          state_ = st::before_attribute_name;
        }
        break;
      }
      case st::self_closing_start_tag: {
        int c = peek();
        if (c == '>') {
          ++pos_;
          self_closing_ = true;
          emit_tag();
        } else if (c == eof) {
          error(parse_error::eof_in_tag);
          emit_eof();
        } else {
          error(parse_error::unexpected_solidus_in_tag);
          state_ = st::before_attribute_name;
        }
        break;
      }

      // ---------------- comments ----------------
      case st::bogus_comment: {
        std::size_t q = pos_;
        while (q < n_ && in_[q] != '>' && in_[q] != 0 && in_[q] != '\r') ++q;
        piece_input(comment_, pos_, q);
        pos_ = q;
        int c = peek();
        if (c == '>') {
          comment_close();
        } else if (c == eof) {
          emit_comment();
          state_ = st::data;  // EOF follows on the next call
        } else if (c == 0) {
          error(parse_error::unexpected_null_character);
          piece_bytes(comment_, replacement);
          ++pos_;
        } else {
          piece_char(comment_, '\n');
          advance();
        }
        break;
      }
      case st::markup_declaration_open: {
        std::size_t lt = pos_ - 2;
        if (n_ - pos_ >= 2 && in_[pos_] == '-' && in_[pos_ + 1] == '-') {
          pos_ += 2;
          start_comment(lt);
          state_ = st::comment_start;
        } else if (lookahead_ci("doctype")) {
          pos_ += 7;
          token_offset_ = lt;
          state_ = st::doctype;
        } else if (n_ - pos_ >= 7 && std::memcmp(in_ + pos_, "[CDATA[", 7) == 0) {
          if (cdata_allowed_) {
            pos_ += 7;
            state_ = st::cdata_section;
          } else {
            error(parse_error::cdata_in_html_content);
            start_comment(lt);
            state_ = st::bogus_comment;
          }
        } else {
          error(parse_error::incorrectly_opened_comment);
          start_comment(lt);
          state_ = st::bogus_comment;
        }
        break;
      }
      case st::comment_start: {
        int c = peek();
        if (c == '-') {
          ++pos_;
          state_ = st::comment_start_dash;
        } else if (c == '>') {
          error(parse_error::abrupt_closing_of_empty_comment);
          comment_close();
        } else {
          state_ = st::comment;
        }
        break;
      }
      case st::comment_start_dash: {
        int c = peek();
        if (c == '-') {
          ++pos_;
          state_ = st::comment_end;
        } else if (c == '>') {
          error(parse_error::abrupt_closing_of_empty_comment);
          comment_close();
        } else if (c == eof) {
          comment_eof();
        } else {
          piece_char_at(comment_, '-', pos_ - 1);
          state_ = st::comment;
        }
        break;
      }
      case st::comment: {
        std::size_t q = static_cast<std::size_t>(scan_->comment(in_ + pos_, in_ + n_) - in_);
        piece_input(comment_, pos_, q);
        pos_ = q;
        int c = peek();
        if (c == '<') {
          piece_input(comment_, pos_, pos_ + 1);
          ++pos_;
          state_ = st::comment_lt;
        } else if (c == '-') {
          ++pos_;
          state_ = st::comment_end_dash;
        } else if (c == 0) {
          error(parse_error::unexpected_null_character);
          piece_bytes(comment_, replacement);
          ++pos_;
        } else if (c == eof) {
          comment_eof();
        } else {  // CR
          piece_char(comment_, '\n');
          advance();
        }
        break;
      }
      case st::comment_lt: {
        int c = peek();
        if (c == '!') {
          piece_input(comment_, pos_, pos_ + 1);
          ++pos_;
          state_ = st::comment_lt_bang;
        } else if (c == '<') {
          piece_input(comment_, pos_, pos_ + 1);
          ++pos_;
        } else {
          state_ = st::comment;
        }
        break;
      }
      case st::comment_lt_bang:
        if (peek() == '-') {
          ++pos_;
          state_ = st::comment_lt_bang_dash;
        } else {
          state_ = st::comment;
        }
        break;
      case st::comment_lt_bang_dash:
        if (peek() == '-') {
          ++pos_;
          state_ = st::comment_lt_bang_dash_dash;
        } else {
          state_ = st::comment_end_dash;
        }
        break;
      case st::comment_lt_bang_dash_dash: {
        int c = peek();
        if (c != '>' && c != eof) error(parse_error::nested_comment);
        state_ = st::comment_end;
        break;
      }
      case st::comment_end_dash: {
        int c = peek();
        if (c == '-') {
          ++pos_;
          state_ = st::comment_end;
        } else if (c == eof) {
          comment_eof();
        } else {
          piece_char_at(comment_, '-', pos_ - 1);
          state_ = st::comment;
        }
        break;
      }
      case st::comment_end: {
        int c = peek();
        if (c == '>') {
          comment_close();
        } else if (c == '!') {
          ++pos_;
          state_ = st::comment_end_bang;
        } else if (c == '-') {
          piece_char_at(comment_, '-', pos_ - 2);
          ++pos_;
        } else if (c == eof) {
          comment_eof();
        } else {
          piece_char_at(comment_, '-', pos_ - 2);
          piece_char_at(comment_, '-', pos_ - 1);
          state_ = st::comment;
        }
        break;
      }
      case st::comment_end_bang: {
        int c = peek();
        if (c == '-') {
          piece_char_at(comment_, '-', pos_ - 3);
          piece_char_at(comment_, '-', pos_ - 2);
          piece_char_at(comment_, '!', pos_ - 1);
          ++pos_;
          state_ = st::comment_end_dash;
        } else if (c == '>') {
          error(parse_error::incorrectly_closed_comment);
          comment_close();
        } else if (c == eof) {
          comment_eof();
        } else {
          piece_char_at(comment_, '-', pos_ - 3);
          piece_char_at(comment_, '-', pos_ - 2);
          piece_char_at(comment_, '!', pos_ - 1);
          state_ = st::comment;
        }
        break;
      }

      // ---------------- DOCTYPE ----------------
      case st::doctype: {
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          state_ = st::before_doctype_name;
        } else if (c == '>') {
          state_ = st::before_doctype_name;
        } else if (c == eof) {
          start_doctype(token_offset_);
          doctype_eof();
        } else {
          error(parse_error::missing_whitespace_before_doctype_name);
          state_ = st::before_doctype_name;
        }
        break;
      }
      case st::before_doctype_name: {
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          break;
        }
        start_doctype(token_offset_);
        if (c == '>') {
          error(parse_error::missing_doctype_name);
          force_quirks_ = true;
          doctype_close();
        } else if (c == eof) {
          doctype_eof();
        } else {
          dt_has_name_ = true;
          state_ = st::doctype_name;
        }
        break;
      }
      case st::doctype_name: {
        int c = take_name(dt_name_, name_kind::doctype);
        if (cls(c) & c_space) {
          advance();
          state_ = st::after_doctype_name;
        } else if (c == '>') {
          doctype_close();
        } else {
          doctype_eof();
        }
        break;
      }
      case st::after_doctype_name: {
        int c = peek();
        if (doctype_space_or_end(c)) break;
        if (lookahead_ci("public")) {
          pos_ += 6;
          state_ = st::after_doctype_public_keyword;
        } else if (lookahead_ci("system")) {
          pos_ += 6;
          state_ = st::after_doctype_system_keyword;
        } else {
          error(parse_error::invalid_character_sequence_after_doctype_name);
          force_quirks_ = true;
          state_ = st::bogus_doctype;
        }
        break;
      }
      case st::after_doctype_public_keyword:
      case st::before_doctype_public_id:
      case st::after_doctype_system_keyword:
      case st::before_doctype_system_id: {
        const doctype_id id =
            state_ == st::after_doctype_public_keyword || state_ == st::before_doctype_public_id
                ? doctype_id::public_id
                : doctype_id::system_id;
        const bool pub = id == doctype_id::public_id;
        const bool keyword = state_ == st::after_doctype_public_keyword ||
                             state_ == st::after_doctype_system_keyword;
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          if (keyword) state_ = pub ? st::before_doctype_public_id : st::before_doctype_system_id;
        } else if (c == '"' || c == '\'') {
          if (keyword) {
            error(pub ? parse_error::missing_whitespace_after_doctype_public_keyword
                      : parse_error::missing_whitespace_after_doctype_system_keyword);
          }
          begin_doctype_id(id, c);
        } else if (c == '>') {
          error(pub ? parse_error::missing_doctype_public_identifier
                    : parse_error::missing_doctype_system_identifier);
          force_quirks_ = true;
          doctype_close();
        } else if (c == eof) {
          doctype_eof();
        } else {
          error(pub ? parse_error::missing_quote_before_doctype_public_identifier
                    : parse_error::missing_quote_before_doctype_system_identifier);
          force_quirks_ = true;
          state_ = st::bogus_doctype;
        }
        break;
      }
      case st::doctype_public_id_double:
      case st::doctype_public_id_single:
      case st::doctype_system_id_double:
      case st::doctype_system_id_single: {
        const bool pub =
            state_ == st::doctype_public_id_double || state_ == st::doctype_public_id_single;
        const char quote =
            (state_ == st::doctype_public_id_double || state_ == st::doctype_system_id_double)
                ? '"'
                : '\'';
        piece& id = pub ? dt_public_ : dt_system_;
        std::size_t q = pos_;
        while (q < n_ && in_[q] != quote && in_[q] != '>' && in_[q] != 0 && in_[q] != '\r') ++q;
        piece_input(id, pos_, q);
        pos_ = q;
        int c = peek();
        if (c == quote) {
          ++pos_;
          state_ = pub ? st::after_doctype_public_id : st::after_doctype_system_id;
        } else if (c == 0) {
          error(parse_error::unexpected_null_character);
          piece_bytes(id, replacement);
          ++pos_;
        } else if (c == '>') {
          error(pub ? parse_error::abrupt_doctype_public_identifier
                    : parse_error::abrupt_doctype_system_identifier);
          force_quirks_ = true;
          doctype_close();
        } else if (c == eof) {
          doctype_eof();
        } else {  // CR
          piece_char(id, '\n');
          advance();
        }
        break;
      }
      case st::after_doctype_public_id:
      case st::between_doctype_ids: {
        const bool after = state_ == st::after_doctype_public_id;
        int c = peek();
        if (cls(c) & c_space) {
          advance();
          state_ = st::between_doctype_ids;
        } else if (c == '"' || c == '\'') {
          if (after) {
            error(parse_error::missing_whitespace_between_doctype_public_and_system_identifiers);
          }
          begin_doctype_id(doctype_id::system_id, c);
        } else if (!doctype_space_or_end(c)) {
          error(parse_error::missing_quote_before_doctype_system_identifier);
          force_quirks_ = true;
          state_ = st::bogus_doctype;
        }
        break;
      }
      case st::after_doctype_system_id: {
        int c = peek();
        if (!doctype_space_or_end(c)) {
          error(parse_error::unexpected_character_after_doctype_system_identifier);
          state_ = st::bogus_doctype;  // not quirks: the identifiers were complete
        }
        break;
      }
      case st::bogus_doctype: {
        int c = peek();
        if (c == '>') {
          doctype_close();
        } else if (c == eof) {
          emit_doctype();
          state_ = st::data;
        } else {
          if (c == 0) error(parse_error::unexpected_null_character);
          advance();
        }
        break;
      }

      // ---------------- CDATA ----------------
      case st::cdata_section: {
        std::size_t q = pos_;
        while (q < n_ && in_[q] != ']' && in_[q] != '\r' && in_[q] != 0) ++q;
        text_input(pos_, q);
        pos_ = q;
        int c = peek();
        if (c == ']') {
          ++pos_;
          state_ = st::cdata_section_bracket;
        } else if (c == eof) {
          error(parse_error::eof_in_cdata);
          emit_eof();
        } else if (c == 0) {
          text_at(pos_);
          text_has_nul_ = true;
          ++pos_;
        } else {
          text_char('\n');
          advance();
        }
        break;
      }
      case st::cdata_section_bracket:
        if (peek() == ']') {
          ++pos_;
          state_ = st::cdata_section_end;
        } else {
          text_at(pos_ - 1);
          state_ = st::cdata_section;
        }
        break;
      case st::cdata_section_end: {
        int c = peek();
        if (c == ']') {
          text_at(pos_);
          ++pos_;
        } else if (c == '>') {
          ++pos_;
          state_ = st::data;
        } else {
          text_input(pos_ - 2, pos_);
          state_ = st::cdata_section;
        }
        break;
      }
    }
  }
}

#undef LAPWISE_HTML_GO

}  // namespace detail

std::string_view error_name(parse_error code) noexcept {
  auto i = static_cast<std::size_t>(code);
  return i < parse_error_count ? detail::error_names[i] : std::string_view("unknown");
}

tokenizer::tokenizer(std::string_view input, tokenizer_options options)
    : impl_(std::make_unique<detail::tokenizer_impl>(input, options)) {}
tokenizer::~tokenizer() = default;
tokenizer::tokenizer(tokenizer&&) noexcept = default;
tokenizer& tokenizer::operator=(tokenizer&&) noexcept = default;

void tokenizer::reset(std::string_view input) { impl_->reset(input); }
bool tokenizer::next(token& out) { return impl_->next(out); }
void tokenizer::set_state(tokenizer_state state) noexcept { impl_->set_state(state); }
void tokenizer::set_last_start_tag(std::string_view name) noexcept {
  impl_->set_last_start_tag(name);
}
void tokenizer::set_cdata_allowed(bool allowed) noexcept { impl_->set_cdata_allowed(allowed); }
std::size_t tokenizer::error_count() const noexcept { return impl_->error_count(); }
std::size_t tokenizer::position() const noexcept { return impl_->position(); }

}  // namespace lapwise::html

// lapwise::html — a WHATWG HTML tokenizer (HTML Living Standard, "Tokenization") as a pull
// parser over UTF-8 text held by the caller.
//
// Contract:
// - `next(t)` produces the next token and returns true; the last token is `token_kind::eof`,
//   after which `next` returns false. Every view in `t` (names, values, data, attributes) stays
//   valid until the next call to `next`, `reset` or the tokenizer's destruction; views point
//   into the input when the bytes are used unchanged, else into the tokenizer's scratch buffer.
// - Input preprocessing as the standard says: CR and CRLF become LF; NUL is handled per state
//   (kept in the data and CDATA states, U+FFFD elsewhere). Bytes are not UTF-8 validated:
//   malformed sequences pass through unchanged (every byte the tokenizer acts on is ASCII).
// - Tag, attribute and DOCTYPE names are ASCII lower-cased. Duplicate attributes are dropped
//   (first wins, with a parse error). Character references are decoded (the 2,231 named ones
//   with the attribute-value legacy rule, numeric ones with the standard's replacements).
// - Adjacent text is returned as one `characters` token where it is convenient, but a caller
//   must accept a text run split over several tokens.
// - The tree builder drives the content model: after a start tag it may `set_state` (RCDATA
//   for title/textarea, RAWTEXT, script data, PLAINTEXT) and must keep `set_cdata_allowed`
//   true while the adjusted current node is not in the HTML namespace.
// - No allocation per token once the buffers have grown to the largest token; memory is
//   bounded by the size of the largest token. No exceptions; any input is safe.
// - Parse errors are counted; an optional handler receives each (code, byte offset).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "lapwise/html/tokenizer_errors.h"

namespace lapwise::html {

enum class token_kind : std::uint8_t { doctype, start_tag, end_tag, comment, characters, eof };

struct attribute {
  std::string_view name;  // lower-cased
  std::string_view value;
};

struct token {
  token_kind kind = token_kind::eof;
  std::string_view name;                  // tag name, or DOCTYPE name
  std::string_view data;                  // comment text or character run
  std::span<const attribute> attributes;  // start tags (end tags: always empty)
  std::string_view public_id, system_id;  // DOCTYPE
  bool has_name = false;                  // DOCTYPE: false when the name is missing
  bool has_public_id = false, has_system_id = false;
  bool force_quirks = false;  // DOCTYPE
  bool self_closing = false;  // start and end tags
  bool has_nul = false;       // characters: `data` holds U+0000 (data and CDATA states only)
  std::size_t offset = 0;     // byte offset in the input where the token starts
};

// States a tree builder (or a test) may put the tokenizer in.
enum class tokenizer_state : std::uint8_t {
  data,
  rcdata,
  rawtext,
  script_data,
  plaintext,
  cdata_section
};

// Called once per parse error with the byte offset in the input where it was detected.
using error_handler = void (*)(void* context, parse_error code, std::size_t offset);

struct tokenizer_options {
  error_handler on_error = nullptr;
  void* error_context = nullptr;
  // Also report the input-stream errors (controls, noncharacters, encoded surrogates), which
  // need every non-ASCII character decoded: one extra pass over the input when set.
  bool input_stream_errors = false;
};

namespace detail {
class tokenizer_impl;
}

class tokenizer {
 public:
  explicit tokenizer(std::string_view input, tokenizer_options options = {});
  ~tokenizer();
  tokenizer(tokenizer&&) noexcept;
  tokenizer& operator=(tokenizer&&) noexcept;

  // Starts over on new input, keeping the grown buffers (and the options).
  void reset(std::string_view input);

  bool next(token& out);

  void set_state(tokenizer_state state) noexcept;
  // "The tag name of the last start tag emitted", for appropriate end tags in RCDATA, RAWTEXT
  // and script data; set automatically on every start tag. Copied.
  void set_last_start_tag(std::string_view name) noexcept;
  void set_cdata_allowed(bool allowed) noexcept;

  std::size_t error_count() const noexcept;
  std::size_t position() const noexcept;  // bytes of input consumed so far

 private:
  std::unique_ptr<detail::tokenizer_impl> impl_;
};

}  // namespace lapwise::html

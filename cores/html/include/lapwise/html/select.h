// lapwise::html::selector — CSS selectors, compiled once and matched against a document.
//
// Contract:
// - Grammar (CSS Selectors level 3, plus :not() taking a selector list as in level 4):
//   a comma-separated list of complex selectors; combinators descendant (whitespace), child
//   `>`, next sibling `+`, subsequent sibling `~`; compound selectors of an optional type
//   (`div`) or universal `*`, then any of `#id`, `.class`, `[a]`, `[a=v]`, `[a~=v]`, `[a|=v]`,
//   `[a^=v]`, `[a$=v]`, `[a*=v]` (value an identifier or a quoted string, optional ` i` / ` s`
//   flag for ASCII case-insensitive / sensitive value matching), and the pseudo-classes
//   `:first-child`, `:last-child`, `:only-child`, `:nth-child(an+b|odd|even)`,
//   `:nth-last-child(...)`, `:first-of-type`, `:last-of-type`, `:empty`, `:root`,
//   `:not(list)`. Identifiers accept CSS escapes (`\31 0`, `\.`).
// - Anything else (namespaces `ns|E`, pseudo-elements, unknown pseudo-classes, `:has`,
//   `of S`) is rejected: the selector is not ok() and error() gives the byte position in the
//   selector text and what was expected. Compiling never throws for any text and never
//   recurses deeper than 32 nested :not().
// - Matching follows HTML documents: type selectors and attribute names compare ASCII
//   case-insensitively; attribute values, ids and classes compare exactly (the `i` flag aside;
//   quirks mode's case-insensitive ids and classes are not applied). `.c` matches a class
//   attribute holding c among its ASCII-whitespace-separated tokens. Empty values make
//   `^=`, `$=`, `*=` and `~=` match nothing, as the standard says.
// - Matching runs right to left from each candidate element, remembering per element what the
//   parts left of each combinator gave: select() is O(elements x compounds) for any selector
//   and any depth (plus one byte per element and compound while it runs). select() returns the
//   elements of the scope's subtree (the scope itself excluded) that match, in document order, each
//   once; combinators may look at ancestors and siblings outside the scope (as
//   querySelectorAll does). A selector that is not ok() matches nothing.
// - A compiled selector is immutable and independent of any document: it may be shared across
//   threads and used on many documents concurrently.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/html/dom.h"

namespace lapwise::html {

struct selector_error {
  std::size_t position = 0;  // byte offset in the selector text
  std::string message;       // "expected an identifier after '#'", ...
};

namespace detail {
struct selector_list;
struct match_state;
}  // namespace detail

// What matching has learnt about one document's elements (which left-hand parts of which
// selectors match at which element), kept across selector::matches() calls on that document.
// Testing every element of a document against a selector one call at a time then costs what
// one select() costs, O(elements x compounds), instead of a fresh table of one byte per element
// for each call. One memo serves any number of selectors on its document (their parts are
// told apart); it must not outlive the document or the selectors used with it, and is not
// shared across threads.
class match_memo {
 public:
  explicit match_memo(const document& doc);
  ~match_memo();
  match_memo(match_memo&&) noexcept;
  match_memo& operator=(match_memo&&) noexcept;
  match_memo(const match_memo&) = delete;
  match_memo& operator=(const match_memo&) = delete;

 private:
  friend class selector;
  std::unique_ptr<detail::match_state> state_;
};

class selector {
 public:
  explicit selector(std::string_view text);
  ~selector();
  selector(selector&&) noexcept;
  selector& operator=(selector&&) noexcept;
  selector(const selector&) = delete;
  selector& operator=(const selector&) = delete;

  bool ok() const noexcept { return list_ != nullptr; }
  const selector_error& error() const noexcept { return error_; }

  bool matches(const document& doc, node_id element) const;
  // The same answer, remembering what it learns in `memo` (made for `doc`; a memo made for
  // another document is not used).
  bool matches(const document& doc, node_id element, match_memo& memo) const;
  // False when no element of this tag can match (every alternative's rightmost compound names
  // another known tag); true otherwise, and for every tag when the selector is not ok().
  bool may_match(tag t) const noexcept;
  std::vector<node_id> select(const document& doc, node_id scope = document::root()) const;
  // The first match in document order, or no_node.
  node_id select_one(const document& doc, node_id scope = document::root()) const;

 private:
  std::unique_ptr<detail::selector_list> list_;
  selector_error error_;
};

}  // namespace lapwise::html

// Placeholder until the state machine lands: every input is one EOF token.
#include "lapwise/html/tokenizer.h"

#include <string>

namespace lapwise::html {
namespace detail {
class tokenizer_impl {
 public:
  std::string_view input;
  tokenizer_options options;
  bool done = false;
};
}  // namespace detail

std::string_view error_name(parse_error) noexcept { return "unknown"; }
tokenizer::tokenizer(std::string_view input, tokenizer_options options)
    : impl_(new detail::tokenizer_impl{input, options}) {}
tokenizer::~tokenizer() = default;
tokenizer::tokenizer(tokenizer&&) noexcept = default;
tokenizer& tokenizer::operator=(tokenizer&&) noexcept = default;
void tokenizer::reset(std::string_view input) {
  impl_->input = input;
  impl_->done = false;
}
bool tokenizer::next(token& out) {
  if (impl_->done) return false;
  out = token{};
  out.offset = impl_->input.size();
  impl_->done = true;
  return true;
}
void tokenizer::set_state(tokenizer_state) noexcept {}
void tokenizer::set_last_start_tag(std::string_view) noexcept {}
void tokenizer::set_cdata_allowed(bool) noexcept {}
std::size_t tokenizer::error_count() const noexcept { return 0; }
std::size_t tokenizer::position() const noexcept { return impl_->input.size(); }
}  // namespace lapwise::html

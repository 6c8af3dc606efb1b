// lapwise::router::radix_router — the router on a compressed radix tree. Its contract is the one
// in router.h; lookup cost follows the path (tree depth), not the number of routes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "lapwise/router/router.h"

namespace lapwise::router {

namespace detail {
struct tree;
}

class radix_router {
 public:
  radix_router();
  ~radix_router();
  radix_router(radix_router&&) noexcept;
  radix_router& operator=(radix_router&&) noexcept;
  radix_router(const radix_router&) = delete;
  radix_router& operator=(const radix_router&) = delete;

  // Adds `method pattern -> value`. On error nothing is changed.
  [[nodiscard]] std::optional<insert_error> add(std::string_view method, std::string_view pattern,
                                                std::uint32_t value);
  // Looks up `method path`. Never allocates, never throws. Parameters are set only when found.
  [[nodiscard]] match_result match(std::string_view method, std::string_view path) const noexcept;
  // The same lookup into a caller-owned result (the loop form, e.g. match_many): it overwrites
  // kind, value, allowed and param_count and only the first param_count params, so it skips
  // clearing the whole params array that constructing a match_result costs.
  void match_into(std::string_view method, std::string_view path, match_result& out) const noexcept;
  // The number of routes (method + pattern pairs) added.
  [[nodiscard]] std::size_t size() const noexcept;

 private:
  std::unique_ptr<detail::tree> tree_;
};

}  // namespace lapwise::router

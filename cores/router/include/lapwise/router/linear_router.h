// lapwise::router::linear_router — the Sufast design, kept as the comparison point: a hash map
// for fully static patterns plus a linear scan over the patterned ones, kept sorted in the
// tree's priority order (compared byte by byte from the left: end of pattern < literal byte <
// {name}/{name:int} < {name:path}). Same contract, same errors (same messages) and same
// match_result as radix_router (radix_router.h; the contract is router.h's); only the cost model
// differs: a patterned lookup is O(number of patterned routes), and add() is O(routes) too, which
// is why the tree wins as tables grow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "lapwise/router/router.h"

namespace lapwise::router {

namespace detail {
struct linear_table;
}

class linear_router {
 public:
  linear_router();
  ~linear_router();
  linear_router(linear_router&&) noexcept;
  linear_router& operator=(linear_router&&) noexcept;
  linear_router(const linear_router&) = delete;
  linear_router& operator=(const linear_router&) = delete;

  [[nodiscard]] std::optional<insert_error> add(std::string_view method, std::string_view pattern,
                                                std::uint32_t value);
  [[nodiscard]] match_result match(std::string_view method, std::string_view path) const noexcept;
  void match_into(std::string_view method, std::string_view path, match_result& out) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept;

 private:
  std::unique_ptr<detail::linear_table> table_;
};

}  // namespace lapwise::router

// Internal: the methods registered on one pattern, shared by both routers. A handful of entries
// at most, so a linear scan beats any map; the 405 "Allow" list is built once, at insert.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.h"

namespace lapwise::router::detail {

// Methods of up to 8 bytes (all the common ones) are compared as one integer: the bytes
// zero-padded into a uint64_t plus the length (a request method may contain NUL bytes).
inline std::uint64_t method_key(std::string_view method) noexcept {
  std::uint64_t key = 0;
  if (method.size() <= 8) std::memcpy(&key, method.data(), method.size());
  return key;
}

struct method_value {
  std::uint64_t key = 0;  // method_key(method)
  std::uint32_t size = 0;
  std::uint32_t value = 0;
  std::string method;
};

class method_table {
 public:
  // The entry for `method` (whose method_key() is `key`), or nullptr.
  [[nodiscard]] const method_value* find(std::string_view method,
                                         std::uint64_t key) const noexcept {
    for (const method_value& e : entries_) {
      if (e.key == key && e.size == method.size() &&
          (method.size() <= 8 || equal_bytes(e.method.data(), method.data(), method.size()))) {
        return &e;
      }
    }
    return nullptr;
  }
  [[nodiscard]] const method_value* find(std::string_view method) const noexcept {
    return find(method, method_key(method));
  }

  // Registers `method` (the caller has checked it is not there yet) and refreshes allowed().
  void add(std::string_view method, std::uint32_t value) {
    entries_.push_back({method_key(method), static_cast<std::uint32_t>(method.size()), value,
                        std::string(method)});
    if (!allowed_.empty()) allowed_ += ", ";
    allowed_ += method;
  }

  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  // "GET, POST": the registered methods in insertion order.
  [[nodiscard]] std::string_view allowed() const noexcept { return allowed_; }
  // The canonical pattern whose routes these are, for error messages.
  [[nodiscard]] const std::string& pattern() const noexcept { return pattern_; }
  void set_pattern(std::string_view pattern) { pattern_ = pattern; }
  // `GET /u/{id}`: the route that was registered here first.
  [[nodiscard]] std::string first_label() const {
    return entries_.empty() ? pattern_ : entries_.front().method + " " + pattern_;
  }
  // `<method> <pattern>`: how messages name this pattern's route for `method`.
  [[nodiscard]] std::string label(std::string_view method) const {
    return std::string(method) + " " + pattern_;
  }

 private:
  std::vector<method_value> entries_;
  std::string allowed_;
  std::string pattern_;
};

}  // namespace lapwise::router::detail

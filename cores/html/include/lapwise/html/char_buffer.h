// lapwise::html::detail::char_buffer — the document's character data: a growable byte buffer
// whose append is inline (one capacity check and a copy). Every text node, comment and
// attribute name and value of a parse goes through it, and std::string's out-of-line append
// cost more than the copy itself for these short strings. The bytes are on the heap, so views
// into them stay valid when the buffer (or the document) is moved; growing invalidates them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace lapwise::html::detail {

class char_buffer {
 public:
  char_buffer() = default;
  char_buffer(char_buffer&&) noexcept = default;
  char_buffer& operator=(char_buffer&&) noexcept = default;
  char_buffer(const char_buffer& o) : size_(0), cap_(0) {
    reserve(o.size_);
    append(o.view());
  }
  char_buffer& operator=(const char_buffer& o) {
    if (this != &o) {
      char_buffer copy(o);
      *this = std::move(copy);
    }
    return *this;
  }

  const char* data() const noexcept { return p_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::string_view view() const noexcept { return {p_.get(), size_}; }

  void reserve(std::size_t n) {
    if (n > cap_) grow_to(n);
  }
  void append(std::string_view s) {
    if (s.empty()) return;
    if (s.size() > cap_ - size_) return grow_append(s);
    copy(p_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  // Appends bytes [off, off + len) of this buffer (growing would invalidate a view of them).
  void append_own(std::size_t off, std::size_t len) {
    if (len == 0) return;
    if (len > cap_ - size_) grow_to(size_ + len);
    std::memcpy(p_.get() + size_, p_.get() + off, len);
    size_ += len;
  }
  void append_zeros(std::size_t n) {
    if (n == 0) return;
    if (n > cap_ - size_) grow_to(size_ + n);
    std::memset(p_.get() + size_, 0, n);
    size_ += n;
  }
  // Overwrites bytes from pos; [pos, pos + s.size()) must be inside the buffer.
  void write_at(std::size_t pos, std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(p_.get() + pos, s.data(), s.size());
  }

 private:
  // Most strings here are names and short values: up to 16 bytes are copied with overlapping
  // fixed-size moves (inline, no library call); longer ones by memcpy. n > 0.
  static void copy(char* d, const char* s, std::size_t n) noexcept {
    if (n > 16) {
      std::memcpy(d, s, n);
    } else if (n >= 8) {
      copy_ends<std::uint64_t>(d, s, n);
    } else if (n >= 4) {
      copy_ends<std::uint32_t>(d, s, n);
    } else {
      d[0] = s[0];
      d[n / 2] = s[n / 2];
      d[n - 1] = s[n - 1];
    }
  }
  // n in [sizeof(W), 2 * sizeof(W)]: the first and the last sizeof(W) bytes cover all n.
  template <typename W>
  static void copy_ends(char* d, const char* s, std::size_t n) noexcept {
    W head, tail;
    std::memcpy(&head, s, sizeof head);
    std::memcpy(&tail, s + n - sizeof tail, sizeof tail);
    std::memcpy(d, &head, sizeof head);
    std::memcpy(d + n - sizeof tail, &tail, sizeof tail);
  }
  void grow_to(std::size_t need) { grow_append(need - size_, {}); }
  // s may be a view of this buffer: it is copied before the old bytes are freed.
  void grow_append(std::string_view s) { grow_append(s.size(), s); }
  void grow_append(std::size_t extra, std::string_view s) {
    std::size_t cap = cap_ < 64 ? 64 : cap_;
    while (cap - size_ < extra) cap *= 2;
    std::unique_ptr<char[]> p(new char[cap]);
    if (size_ > 0) std::memcpy(p.get(), p_.get(), size_);
    if (!s.empty()) std::memcpy(p.get() + size_, s.data(), s.size());
    p_ = std::move(p);
    cap_ = cap;
    size_ += s.size();
  }

  std::unique_ptr<char[]> p_;
  std::size_t size_ = 0, cap_ = 0;
};

}  // namespace lapwise::html::detail

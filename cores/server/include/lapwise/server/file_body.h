// lapwise::server::file_body — a response body (or a streamed part's body) taken from an open
// file: `length` bytes from `offset`, sent by the transport without passing through user
// memory (epoll: sendfile(2); asio: pread + write through one small buffer per io thread).
//
// Contract:
// - The file_body owns its descriptor: it is closed exactly once, when the body is sent, when
//   its response is dropped (HEAD, a 304, a client that left mid-file, a server that stops),
//   or when the file_body itself is destroyed unused. Callers that keep their own file hand
//   over a dup() (from_dup() does it). A copy owns a dup() of its own (responses stay
//   copyable); a copy whose dup failed has no descriptor and fails check().
// - Memory stays bounded whatever the length: the file is never read whole.
// - check() runs before the head is rendered (session::complete): a descriptor that is not
//   open, not a regular file, or shorter than offset + length makes the response a 500 (for
//   a streamed part, whose head is out already, the connection closes). A file that shrinks
//   while it is sent closes the connection (the client sees a short body, never other bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lapwise::server {

class file_body {
 public:
  file_body() noexcept = default;
  // Takes ownership of `fd` (closed by this object even when the arguments are refused later).
  file_body(int fd, std::uint64_t offset, std::uint64_t length) noexcept
      : fd_(fd), offset_(offset), length_(length) {}
  // A body over a duplicate of `fd` (close-on-exec); the caller keeps `fd`. nullopt with
  // errno set when dup fails.
  static std::optional<file_body> from_dup(int fd, std::uint64_t offset, std::uint64_t length);
  ~file_body() {
    if (fd_ >= 0) close_fd();  // inline: every response destroys one, nearly always empty
  }
  file_body(file_body&& o) noexcept : fd_(o.fd_), offset_(o.offset_), length_(o.length_) {
    o.fd_ = -1;
  }
  file_body& operator=(file_body&& o) noexcept;
  file_body(const file_body& o);
  file_body& operator=(const file_body& o);

  // A file part is present (even one that will fail check()): any descriptor but -1, the
  // default (one compare: every response asks).
  [[nodiscard]] explicit operator bool() const noexcept { return fd_ != -1; }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  [[nodiscard]] std::uint64_t length() const noexcept { return length_; }  // left to send
  // `n` more bytes were sent; at the end the descriptor is closed.
  void advance(std::uint64_t n) noexcept;
  // Why this body cannot be sent (not open, not a regular file, shorter than announced), or
  // nullopt. Reads only metadata (fstat).
  [[nodiscard]] std::optional<std::string> check() const;
  void reset() noexcept {  // closes the descriptor now (once)
    if (fd_ >= 0) close_fd();
    fd_ = -1;
    length_ = 0;
  }

 private:
  void close_fd() noexcept;
  int fd_ = -1;  // -1: none; below -1: a copy whose dup() failed (check() refuses it)
  std::uint64_t offset_ = 0, length_ = 0;
};

}  // namespace lapwise::server

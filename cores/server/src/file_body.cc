// file_body: ownership of the descriptor and the checks made before a head goes out.
#include "lapwise/server/file_body.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lapwise::server {

std::optional<file_body> file_body::from_dup(int fd, std::uint64_t offset, std::uint64_t length) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return std::nullopt;
  return file_body(copy, offset, length);
}

file_body::file_body(const file_body& o) : offset_(o.offset_), length_(o.length_) {
  if (o.fd_ == -1) return;
  const int copy = o.fd_ >= 0 ? ::fcntl(o.fd_, F_DUPFD_CLOEXEC, 0) : -1;
  fd_ = copy >= 0 ? copy : -2;  // a failed copy still says a file was meant
}

file_body& file_body::operator=(const file_body& o) {
  if (this != &o) *this = file_body(o);
  return *this;
}

file_body& file_body::operator=(file_body&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = o.fd_;
    offset_ = o.offset_;
    length_ = o.length_;
    o.fd_ = -1;
  }
  return *this;
}

void file_body::advance(std::uint64_t n) noexcept {
  if (n > length_) n = length_;
  offset_ += n;
  length_ -= n;
  if (length_ == 0) reset();
}

std::optional<std::string> file_body::check() const {
  if (fd_ < 0) return "file body: no descriptor";
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return std::string("file body: fstat: ") + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "file body: not a regular file";
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (offset_ > size || length_ > size - offset_) {
    return "file body: " + std::to_string(offset_) + " + " + std::to_string(length_) +
           " bytes past the end of a " + std::to_string(size) + "-byte file";
  }
  return std::nullopt;
}

void file_body::close_fd() noexcept {
  ::close(fd_);
  fd_ = -1;
  length_ = 0;
}

}  // namespace lapwise::server

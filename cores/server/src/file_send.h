// Private: moving a file_body's bytes to a socket, for the transports (connection.h). Both
// return what send(2) would: bytes moved (0: the file ended before its length), or -1 with
// errno set.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "lapwise/server/file_body.h"

namespace lapwise::server::detail {

// sendfile(2) of at most `most` bytes from the file's offset to the non-blocking socket `sock`.
// A client gone mid-file gives EPIPE, never a SIGPIPE that would end the process.
ssize_t sendfile_some(int sock, const file_body& f, std::size_t most) noexcept;
// pread(2) of at most `cap` bytes from the file's offset (a transport without sendfile
// writes them itself).
ssize_t pread_some(const file_body& f, char* into, std::size_t cap) noexcept;

// Bytes of file one connection sends per turn of its loop before it lets the others run.
inline constexpr std::size_t file_turn = std::size_t{4} << 20;

}  // namespace lapwise::server::detail

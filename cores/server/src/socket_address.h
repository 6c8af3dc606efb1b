// Private: a connected socket's peer and local addresses as numeric text and port, for
// request::client() / server() (both transports ask through connection.h).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>

#include "lapwise/server/server.h"

namespace lapwise::server::detail {

// An IPv4 or IPv6 sockaddr to text and port; anything else (or a failure) leaves `out` empty.
inline void address_text(const sockaddr_storage& ss, net_address& out) {
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
    if (::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text) == nullptr) return;
    out.port = ntohs(a.sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
    if (::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text) == nullptr) return;
    out.port = ntohs(a.sin6_port);
  } else {
    return;
  }
  out.host = text;
}

inline void socket_addresses(int fd, net_address& peer, net_address& local) noexcept {
  try {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_text(ss, peer);
    ss = {};
    len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_text(ss, local);
  } catch (...) {  // an allocation for the text failed: the addresses stay unknown
  }
}

}  // namespace lapwise::server::detail

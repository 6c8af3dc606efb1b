// lapwise::server — which transport moves the bytes between sockets and sessions.
//
// Contract: both transports give the same HTTP behaviour (server.h). epoll is a level-triggered
// loop of its own: one recv and one send per keep-alive request, no speculative read and no
// re-arming. asio is standalone Asio's reactor, the portable fallback. automatic resolves at
// server::start(): $LAPWISE_SERVER_IO (asio, epoll or auto) when set, else epoll on Linux.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lapwise::server {

enum class io_mode : std::uint8_t { automatic, asio, epoll };

// "auto", "asio" or "epoll".
[[nodiscard]] std::string_view io_mode_name(io_mode m) noexcept;
// Parses the names io_mode_name() gives; nullopt for anything else.
[[nodiscard]] std::optional<io_mode> parse_io_mode(std::string_view name) noexcept;
// The mode automatic stands for here and now: $LAPWISE_SERVER_IO, else the platform's best.
// An unknown $LAPWISE_SERVER_IO value is an error message naming the accepted ones.
[[nodiscard]] std::optional<io_mode> resolve_io_mode(io_mode requested, std::string* error);

}  // namespace lapwise::server

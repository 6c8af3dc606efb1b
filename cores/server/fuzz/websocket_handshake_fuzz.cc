// Fuzzes the opening handshake: the input is header lines ("Name: value", split at LF; the
// first line is the method). Checks: no crash (ASan/UBSan); an accepted handshake has a
// 101 head that ends the head once, an Accept value of 28 base64 bytes, and a negotiated
// permessage-deflate within the RFC 7692 ranges, no bare CR or LF anywhere; a refusal is 400 or 426
// with a reason.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/server/websocket_handshake.h"

using namespace lapwise::server::ws;

namespace {
void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "websocket_handshake_fuzz: %s\n", what);
    std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty() && lines.size() < 64) {
    const auto nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  if (lines.empty()) return 0;
  std::vector<lapwise::parser::header> headers;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto colon = lines[i].find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = lines[i].substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.push_back({lines[i].substr(0, colon), value});
  }
  handshake_options opts;
  opts.select_subprotocol = [](std::span<const std::string_view> offered) {
    return offered.empty() ? std::string_view{} : offered.back();
  };
  const auto h = accept_handshake({lines[0], 1, headers}, opts);
  // Whatever the input, the head is lines of visible text: no header can be injected.
  const std::string_view head =
      std::string_view(h.response).substr(0, h.response.find("\r\n\r\n") + 4);
  for (std::size_t i = 0; i < head.size(); ++i) {
    const char c = head[i];
    if (c == '\r') check(i + 1 < head.size() && head[i + 1] == '\n', "bare CR");
    if (c == '\n') check(i > 0 && head[i - 1] == '\r', "bare LF");
    if (h.accepted) check(c != '\0', "NUL in the head");
  }
  if (h.accepted) {
    check(h.status == 101, "accepted without 101");
    check(h.response.find("\r\n\r\n") == h.response.size() - 4, "head not ended once");
    const auto at = h.response.find("Sec-WebSocket-Accept: ");
    check(at != std::string::npos && h.response.compare(at + 22 + 28, 2, "\r\n") == 0,
          "bad Accept value");
    if (h.deflate) {
      check(h.deflate->server_max_window_bits >= 9 && h.deflate->server_max_window_bits <= 15,
            "server window out of range");
      check(h.deflate->client_max_window_bits >= 8 && h.deflate->client_max_window_bits <= 15,
            "client window out of range");
    }
  } else {
    check((h.status == 400 || h.status == 426) && !h.error.empty(), "refusal without reason");
  }
  return 0;
}

// Fuzzes the WebSocket frame receiver (and its permessage-deflate path) as a server reads a
// client. Input: byte 0 picks the set-up (deflate on or off, context takeover, small or
// default limits), byte 1 seeds the sizes of the pieces the rest is fed in. Checks: no crash
// (ASan/UBSan); the receiver takes no more than it is given; every event keeps the contract
// (messages within max_message, text is UTF-8, control payloads at most 125 bytes, close codes
// valid, error codes 1002/1007/1009, nothing after a close or an error); the same events come
// whatever the piece sizes; and every message sent back through a sender reads back equal.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "lapwise/server/websocket.h"
#include "lapwise/server/websocket_sender.h"

using namespace lapwise::server::ws;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "websocket_fuzz: %s\n", what);
    std::abort();
  }
}

struct seen {
  event_kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const seen&) const = default;
};

std::vector<seen> feed(std::string_view in, const limits& lim,
                       const std::optional<deflate_params>& pmd, std::uint32_t seed) {
  receiver rx(lim, pmd);
  std::vector<seen> out;
  bool ended = false;
  while (!in.empty()) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t step = seed == 0 ? in.size() : 1 + (seed >> 16) % 97;
    std::string_view piece = in.substr(0, step);
    in.remove_prefix(piece.size());
    while (true) {
      const auto r = rx.receive(piece);
      check(r.consumed <= piece.size(), "consumed more than given");
      piece.remove_prefix(r.consumed);
      const event& ev = r.ev;
      if (ev.kind == event_kind::none) {
        check(piece.empty() || r.consumed > 0 || rx.finished(), "stalled with input left");
        if (piece.empty() || r.consumed == 0) break;
        continue;
      }
      check(!ended, "event after close or error");
      switch (ev.kind) {
        case event_kind::text:
          check(is_utf8(ev.payload), "text message not UTF-8");
          [[fallthrough]];
        case event_kind::binary:
          check(ev.payload.size() <= lim.max_message, "message over max_message");
          break;
        case event_kind::ping:
        case event_kind::pong:
          check(ev.payload.size() <= 125, "control payload over 125 bytes");
          break;
        case event_kind::close:
          check(ev.code == close_code::no_status || valid_close_code(ev.code), "bad close code");
          check(is_utf8(ev.payload) && ev.payload.size() <= 123, "bad close reason");
          ended = true;
          break;
        case event_kind::error:
          check(ev.code == 1002 || ev.code == 1007 || ev.code == 1009, "unexpected error code");
          ended = true;
          break;
        case event_kind::none:
          break;
      }
      out.push_back({ev.kind, std::string(ev.payload), ev.code});
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t setup = data[0];
  const std::uint32_t seed = data[1];
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  limits lim;
  if (setup & 1) lim = {.max_frame = 300, .max_message = 1000};
  std::optional<deflate_params> pmd;
  if (setup & 2) {
    pmd = deflate_params{};
    pmd->client_no_context_takeover = (setup & 4) != 0;
    pmd->server_no_context_takeover = (setup & 8) != 0;
    pmd->server_max_window_bits = 9 + (setup >> 4) % 7;
  }
  const auto whole = feed(in, lim, pmd, 0);
  const auto pieces = feed(in, lim, pmd, seed | 1);
  check(whole == pieces, "events depend on how the input was split");

  // What was received, sent back by a server and read by a client, is the same message.
  sender tx(pmd);
  tx.min_compress = setup & 0x40 ? 0 : 32;
  receiver client({}, pmd, role::client);
  for (const auto& s : whole) {
    if (s.kind != event_kind::text && s.kind != event_kind::binary) continue;
    std::string wire;
    tx.message(wire, s.kind == event_kind::text, s.payload);
    std::string_view w = wire;
    const auto r = client.receive(w);
    check(r.consumed == wire.size(), "echo not consumed whole");
    check(r.ev.kind == s.kind && r.ev.payload == s.payload, "echo read back differently");
  }
  return 0;
}

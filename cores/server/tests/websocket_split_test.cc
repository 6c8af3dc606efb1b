// A masked frame cut in two at every position reassembles to the same payload: the unmasking
// resumes mid-mask and mid-word (the whole-frame and byte-by-byte tables miss those splits).
#include <gtest/gtest.h>

#include <string>

#include "lapwise/server/websocket.h"
#include "lapwise/server/websocket_sender.h"

using namespace lapwise::server::ws;

TEST(WebSocketUnmask, EverySplitOfAMaskedFrame) {
  constexpr unsigned char mask[4] = {0x9C, 0x01, 0xFE, 0x42};
  for (std::size_t len : {1u, 7u, 8u, 9u, 31u, 130u}) {
    std::string payload;
    for (std::size_t i = 0; i < len; ++i) payload.push_back(static_cast<char>('a' + i % 26));
    std::string wire;
    write_frame(wire, opcode::binary, payload, true, false, mask);
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
      SCOPED_TRACE("len " + std::to_string(len) + " cut " + std::to_string(cut));
      receiver rx;
      std::string_view first(wire.data(), cut), second(wire.data() + cut, wire.size() - cut);
      receive_result r = rx.receive(first);
      std::string got;
      if (r.ev.kind == event_kind::binary) got = r.ev.payload;
      EXPECT_EQ(r.consumed, first.size());
      r = rx.receive(second);
      if (r.ev.kind == event_kind::binary) got = r.ev.payload;
      EXPECT_EQ(got, payload);
    }
  }
}

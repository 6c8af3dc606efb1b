// WebSocket codec cases in the spirit of the Autobahn suite, one table per area: framing,
// pings, reserved bits, opcodes, fragmentation, UTF-8, close, limits, compression. Each case
// is fed whole and again one byte at a time; both must give the same events.
#include "lapwise/server/websocket.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "lapwise/server/websocket_endpoint.h"
#include "lapwise/server/websocket_handshake.h"
#include "lapwise/server/websocket_sender.h"

using namespace lapwise::server::ws;
using lapwise::parser::header;

namespace {

constexpr unsigned char kMask[4] = {0x37, 0xFA, 0x21, 0x3D};

// A client frame: masked, FIN and RSV bits as given.
std::string frame(opcode op, std::string_view payload, bool fin = true, bool rsv1 = false) {
  std::string out;
  write_frame(out, op, payload, fin, rsv1, kMask);
  return out;
}

// A frame with a hand-made first byte (reserved bits and opcodes).
std::string raw(unsigned char b0, std::string_view payload) {
  std::string out = frame(opcode::text, payload);
  out[0] = static_cast<char>(b0);
  return out;
}

std::string close_frame(std::uint16_t code, std::string_view reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return frame(opcode::close, p);
}

// Raw deflate with a sync flush and the trailing 00 00 FF FF removed (RFC 7692 7.2.1).
std::string deflate_raw(std::string_view in, z_stream* zs = nullptr, bool final_block = false) {
  z_stream local{};
  if (!zs) {
    deflateInit2(&local, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    zs = &local;
  }
  std::string out(deflateBound(zs, in.size()) + 64, '\0');
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  zs->next_out = reinterpret_cast<Bytef*>(out.data());
  zs->avail_out = static_cast<uInt>(out.size());
  deflate(zs, final_block ? Z_FINISH : Z_SYNC_FLUSH);
  out.resize(out.size() - zs->avail_out);
  if (!final_block && out.size() >= 4 && out.compare(out.size() - 4, 4, "\0\0\xff\xff", 4) == 0) {
    out.resize(out.size() - 4);
  }
  if (zs == &local) deflateEnd(&local);
  return out;
}

struct expect {
  event_kind kind;
  std::string payload = {};
  std::uint16_t code = 0;
};

struct ws_case {
  const char* name;
  std::string input;
  std::vector<expect> events;
  bool deflate = false;
  limits lim = {};
};

std::vector<expect> run(const ws_case& c, bool byte_by_byte) {
  std::optional<deflate_params> pmd;
  if (c.deflate) pmd = deflate_params{};
  receiver rx(c.lim, pmd);
  std::vector<expect> got;
  std::string_view in = c.input;
  const std::size_t step = byte_by_byte ? 1 : in.size();
  while (!in.empty()) {
    std::string_view piece = in.substr(0, step);
    while (true) {
      auto r = rx.receive(piece);
      piece.remove_prefix(r.consumed);
      if (r.ev.kind != event_kind::none) {
        got.push_back({r.ev.kind, std::string(r.ev.payload), r.ev.code});
      } else if (piece.empty() || r.consumed == 0) {
        break;
      }
    }
    in.remove_prefix(std::min(step, in.size()));
  }
  return got;
}

std::string kind_name(event_kind k) {
  static const char* names[] = {"none", "text", "binary", "ping", "pong", "close", "error"};
  return names[static_cast<int>(k)];
}

void check(const std::vector<ws_case>& table) {
  for (const auto& c : table) {
    for (bool bytewise : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + (bytewise ? " (byte by byte)" : " (whole)"));
      const auto got = run(c, bytewise);
      ASSERT_EQ(got.size(), c.events.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(kind_name(got[i].kind), kind_name(c.events[i].kind)) << "event " << i;
        if (c.events[i].kind != event_kind::error) {
          EXPECT_EQ(got[i].payload, c.events[i].payload) << "event " << i;
        }
        EXPECT_EQ(got[i].code, c.events[i].code) << "event " << i;
      }
    }
  }
}

const expect text(std::string s) { return {event_kind::text, std::move(s)}; }
const expect binary(std::string s) { return {event_kind::binary, std::move(s)}; }
const expect error(std::uint16_t code) { return {event_kind::error, {}, code}; }
const expect closed(std::uint16_t code, std::string reason = {}) {
  return {event_kind::close, std::move(reason), code};
}

std::string big(std::size_t n, char c = 'x') { return std::string(n, c); }

}  // namespace

TEST(WebSocketFraming, Cases) {
  std::string msb = frame(opcode::binary, "");
  msb[1] = static_cast<char>(0x80 | 127);
  msb.insert(2, "\x80\0\0\0\0\0\0\0", 8);
  std::string nonminimal = frame(opcode::binary, "");
  nonminimal[1] = static_cast<char>(0x80 | 126);
  nonminimal.insert(2, "\0\0", 2);
  std::string unmasked;
  write_frame(unmasked, opcode::text, "hi");
  check({
      {"framing_1_1_text_empty", frame(opcode::text, ""), {text("")}},
      {"framing_1_1_text_125", frame(opcode::text, big(125)), {text(big(125))}},
      {"framing_1_1_text_126_16bit_length", frame(opcode::text, big(126)), {text(big(126))}},
      {"framing_1_1_text_65535", frame(opcode::text, big(65535)), {text(big(65535))}},
      {"framing_1_1_text_65536_64bit_length", frame(opcode::text, big(65536)), {text(big(65536))}},
      {"framing_1_2_binary",
       frame(opcode::binary, std::string("\0\xff\x01", 3)),
       {binary(std::string("\0\xff\x01", 3))}},
      {"framing_1_x_two_messages",
       frame(opcode::text, "a") + frame(opcode::binary, "b"),
       {text("a"), binary("b")}},
      {"framing_unmasked_client_frame", unmasked, {error(1002)}},
      {"framing_64bit_length_msb", msb, {error(1002)}},
      {"framing_nonminimal_length_accepted", nonminimal, {binary("")}},
  });
}

TEST(WebSocketPings, Cases) {
  std::string long_ping = frame(opcode::ping, big(126));
  check({
      {"pings_2_1_empty", frame(opcode::ping, ""), {{event_kind::ping, ""}}},
      {"pings_2_2_text_payload", frame(opcode::ping, "hello"), {{event_kind::ping, "hello"}}},
      {"pings_2_3_binary_payload",
       frame(opcode::ping, std::string("\0\xff", 2)),
       {{event_kind::ping, std::string("\0\xff", 2)}}},
      {"pings_2_4_125_bytes", frame(opcode::ping, big(125)), {{event_kind::ping, big(125)}}},
      {"pings_2_5_126_bytes", long_ping, {error(1002)}},
      {"pings_2_6_unsolicited_pong", frame(opcode::pong, "p"), {{event_kind::pong, "p"}}},
      {"pings_2_10_many",
       frame(opcode::ping, "1") + frame(opcode::ping, "2"),
       {{event_kind::ping, "1"}, {event_kind::ping, "2"}}},
  });
}

TEST(WebSocketReservedBits, Cases) {
  check({
      {"reserved_3_1_rsv1_without_extension", frame(opcode::text, "a", true, true), {error(1002)}},
      {"reserved_3_2_rsv2_after_message",
       frame(opcode::text, "a") + raw(0x80 | 0x20 | 1, "b"),
       {text("a"), error(1002)}},
      {"reserved_3_3_rsv3", raw(0x80 | 0x10 | 1, "b"), {error(1002)}},
      {"reserved_3_4_rsv_on_ping", raw(0x80 | 0x40 | 9, ""), {error(1002)}},
      {"reserved_3_7_all_bits_on_close", raw(0xF0 | 8, ""), {error(1002)}},
  });
}

TEST(WebSocketOpcodes, Cases) {
  std::vector<ws_case> table;
  static const char* names[] = {
      "opcodes_4_1_3",  "opcodes_4_1_4",  "opcodes_4_1_5",  "opcodes_4_1_6",  "opcodes_4_1_7",
      "opcodes_4_2_11", "opcodes_4_2_12", "opcodes_4_2_13", "opcodes_4_2_14", "opcodes_4_2_15"};
  const unsigned char ops[] = {3, 4, 5, 6, 7, 11, 12, 13, 14, 15};
  for (int i = 0; i < 10; ++i) {
    table.push_back({names[i],
                     frame(opcode::text, "ok") +
                         raw(static_cast<unsigned char>(0x80 | ops[i]), "x") +
                         frame(opcode::ping, ""),
                     {text("ok"), error(1002)}});
  }
  check(table);
}

TEST(WebSocketFragmentation, Cases) {
  check({
      {"fragmentation_5_1_ping_fragmented",
       frame(opcode::ping, "a", false) + frame(opcode::continuation, "b"),
       {error(1002)}},
      {"fragmentation_5_3_text_two_parts",
       frame(opcode::text, "frag", false) + frame(opcode::continuation, "ment"),
       {text("fragment")}},
      {"fragmentation_5_6_ping_between_parts",
       frame(opcode::text, "a", false) + frame(opcode::ping, "p") +
           frame(opcode::continuation, "b"),
       {{event_kind::ping, "p"}, text("ab")}},
      {"fragmentation_5_9_continuation_without_message",
       frame(opcode::continuation, "x"),
       {error(1002)}},
      {"fragmentation_5_15_new_message_inside_one",
       frame(opcode::text, "a", false) + frame(opcode::text, "b"),
       {error(1002)}},
      {"fragmentation_5_19_empty_parts",
       frame(opcode::binary, "", false) + frame(opcode::continuation, "", false) +
           frame(opcode::continuation, "z"),
       {binary("z")}},
      {"fragmentation_5_20_close_between_parts",
       frame(opcode::text, "a", false) + close_frame(1000) + frame(opcode::continuation, "b"),
       {closed(1000)}},
  });
}

TEST(WebSocketUtf8, Cases) {
  const std::string kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
  check({
      {"utf8_6_2_valid_greek", frame(opcode::text, kosme), {text(kosme)}},
      {"utf8_6_2_split_inside_a_character",
       frame(opcode::text, kosme.substr(0, 3), false) +
           frame(opcode::continuation, kosme.substr(3)),
       {text(kosme)}},
      {"utf8_6_3_overlong_c0", frame(opcode::text, "\xc0\x80"), {error(1007)}},
      {"utf8_6_3_overlong_e0", frame(opcode::text, "\xe0\x80\xaf"), {error(1007)}},
      {"utf8_6_3_surrogate", frame(opcode::text, "\xed\xa0\x80"), {error(1007)}},
      {"utf8_6_3_past_10ffff", frame(opcode::text, "\xf4\x90\x80\x80"), {error(1007)}},
      {"utf8_6_3_fe_ff", frame(opcode::text, "a\xfe\xff"), {error(1007)}},
      {"utf8_6_3_lone_continuation", frame(opcode::text, "\x80"), {error(1007)}},
      {"utf8_6_3_max_codepoint",
       frame(opcode::text, "\xf4\x8f\xbf\xbf"),
       {text("\xf4\x8f\xbf\xbf")}},
      {"utf8_6_4_fail_fast_in_first_fragment", frame(opcode::text, "ok\xff", false), {error(1007)}},
      {"utf8_6_4_truncated_at_message_end", frame(opcode::text, "\xe2\x82"), {error(1007)}},
      {"utf8_6_x_binary_not_checked", frame(opcode::binary, "\xff"), {binary("\xff")}},
  });
}

TEST(WebSocketClose, Cases) {
  std::vector<ws_case> table = {
      {"close_7_1_empty", frame(opcode::close, ""), {closed(1005)}},
      {"close_7_1_data_after_close_ignored",
       close_frame(1000) + frame(opcode::text, "x"),
       {closed(1000)}},
      {"close_7_3_one_byte", frame(opcode::close, "\x03"), {error(1002)}},
      {"close_7_3_reason", close_frame(1000, "bye"), {closed(1000, "bye")}},
      {"close_7_3_reason_123_bytes", close_frame(1000, big(123)), {closed(1000, big(123))}},
      {"close_7_3_payload_126_bytes", close_frame(1000, big(124)), {error(1002)}},
      {"close_7_5_reason_not_utf8", close_frame(1000, "\xff"), {error(1007)}},
  };
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    table.push_back({"close_7_7_valid_code", close_frame(code), {closed(code)}});
  }
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    table.push_back({"close_7_9_invalid_code", close_frame(code), {error(1002)}});
  }
  check(table);
}

TEST(WebSocketLimits, Cases) {
  limits small{.max_frame = 64, .max_message = 100};
  std::string header_only = frame(opcode::binary, big(65));
  header_only.resize(6);  // the header alone announces too much
  check({
      {"limits_9_frame_at_bound", frame(opcode::binary, big(64)), {binary(big(64))}, false, small},
      {"limits_9_frame_over_bound_from_header", header_only, {error(1009)}, false, small},
      {"limits_9_message_at_bound",
       frame(opcode::text, big(50), false) + frame(opcode::continuation, big(50)),
       {text(big(100))},
       false,
       small},
      {"limits_9_message_over_bound",
       frame(opcode::text, big(60), false) + frame(opcode::continuation, big(41)),
       {error(1009)},
       false,
       small},
      {"limits_9_control_frames_do_not_count",
       frame(opcode::text, big(60), false) + frame(opcode::ping, big(100)) +
           frame(opcode::continuation, big(40)),
       {{event_kind::ping, big(100)}, text(big(100))},
       false,
       small},
  });
}

TEST(WebSocketCompression, Cases) {
  const std::string hello = "Hello, hello, hello, hello!";
  z_stream ctx{};
  deflateInit2(&ctx, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  const std::string first = deflate_raw(hello, &ctx);
  const std::string second = deflate_raw(hello, &ctx);  // refers back into the first
  deflateEnd(&ctx);
  const std::string z = deflate_raw(hello);
  const std::string bomb_src(1 << 20, '\0');
  limits small{.max_frame = 1 << 16, .max_message = 1 << 16};
  check({
      {"compression_12_text", frame(opcode::text, z, true, true), {text(hello)}, true},
      {"compression_12_binary", frame(opcode::binary, z, true, true), {binary(hello)}, true},
      {"compression_12_empty",
       frame(opcode::text, std::string("\0", 1), true, true),
       {text("")},
       true},
      {"compression_12_uncompressed_message_too",
       frame(opcode::text, "plain"),
       {text("plain")},
       true},
      {"compression_13_context_takeover",
       frame(opcode::text, first, true, true) + frame(opcode::text, second, true, true),
       {text(hello), text(hello)},
       true},
      {"compression_13_fragmented",
       frame(opcode::text, z.substr(0, 5), false, true) + frame(opcode::continuation, z.substr(5)),
       {text(hello)},
       true},
      {"compression_13_rsv1_on_continuation",
       frame(opcode::text, z.substr(0, 5), false, true) +
           frame(opcode::continuation, z.substr(5), true, true),
       {error(1002)},
       true},
      {"compression_13_final_block",
       frame(opcode::text, deflate_raw(hello, nullptr, true), true, true),
       {text(hello)},
       true},
      {"compression_13_not_deflate_data",
       frame(opcode::binary, "\xff\xff\xff", true, true),
       {error(1007)},
       true},
      {"compression_13_inflated_not_utf8",
       frame(opcode::text, deflate_raw("\xc0\x80"), true, true),
       {error(1007)},
       true},
      {"compression_13_zip_bomb",
       frame(opcode::binary, deflate_raw(bomb_src), true, true),
       {error(1009)},
       true,
       small},
  });
}

TEST(WebSocketSender, RoundTripsThroughAClientReceiver) {
  for (std::size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u, 200000u}) {
    for (bool compressed : {false, true}) {
      std::optional<deflate_params> pmd;
      if (compressed) pmd = deflate_params{};
      sender tx(pmd);
      receiver rx({}, pmd, role::client);
      std::string wire;
      const std::string msg(n, 'q');
      tx.message(wire, true, msg);
      tx.message(wire, false, msg);
      tx.ping(wire, big(200));
      tx.close(wire, 1000, "done");
      std::vector<expect> got;
      std::string_view in = wire;
      while (true) {
        auto r = rx.receive(in);
        in.remove_prefix(r.consumed);
        if (r.ev.kind == event_kind::none) break;
        got.push_back({r.ev.kind, std::string(r.ev.payload), r.ev.code});
      }
      SCOPED_TRACE("size " + std::to_string(n) + (compressed ? " deflate" : ""));
      ASSERT_EQ(got.size(), 4u);
      EXPECT_EQ(got[0].kind, event_kind::text);
      EXPECT_EQ(got[0].payload, msg);
      EXPECT_EQ(got[1].kind, event_kind::binary);
      EXPECT_EQ(got[1].payload, msg);
      EXPECT_EQ(got[2].payload, big(125));
      EXPECT_EQ(got[3].kind, event_kind::close);
      EXPECT_EQ(got[3].code, 1000);
      EXPECT_EQ(got[3].payload, "done");
      if (compressed && n >= 1000) EXPECT_LT(wire.size(), n);
    }
  }
}

// zlib's state (about 64 KiB to inflate, 256 KiB to deflate at 15 bits) is made when a message
// first needs it, not when permessage-deflate is negotiated: an idle connection holds none.
TEST(WebSocketCompression, ZlibStateMadeForTheFirstCompressedMessage) {
  struct row {
    const char* name;
    std::vector<std::string> messages;  // sent by the server, and received from the client
    bool deflater, inflater;            // zlib's state afterwards
  };
  const std::string small(8, 'a'), large(200, 'b');
  for (const row& r : std::vector<row>{{"negotiated_idle", {}, false, false},
                                       {"short_messages_only", {small, small}, false, false},
                                       {"one_long_message", {small, large}, true, true}}) {
    SCOPED_TRACE(r.name);
    sender tx(deflate_params{});
    receiver rx({}, deflate_params{});
    const std::size_t idle = rx.footprint();
    EXPECT_EQ(tx.footprint(), 0u);
    for (const std::string& m : r.messages) {
      std::string out;
      tx.message(out, true, m);
      const bool compressed = m.size() >= tx.min_compress;
      const std::string in =
          compressed ? frame(opcode::text, deflate_raw(m), true, true) : frame(opcode::text, m);
      auto got = rx.receive(in);
      ASSERT_EQ(got.ev.kind, event_kind::text);
      EXPECT_EQ(got.ev.payload, m);
    }
    EXPECT_EQ(tx.footprint() > 0, r.deflater);
    EXPECT_EQ(rx.footprint() >= idle + (64 << 10), r.inflater);
  }
}

TEST(WebSocketSender, ServerFramesAreUnmaskedAndCloseReasonStaysUtf8) {
  sender tx;
  std::string out;
  tx.message(out, false, "ab");
  EXPECT_EQ(out, std::string("\x82\x02"
                             "ab",
                             4));
  out.clear();
  tx.close(out, 1005);
  EXPECT_EQ(out, std::string("\x88\x00", 2));
  out.clear();
  std::string reason;
  for (int i = 0; i < 62; ++i) reason += "\xc3\xa9";  // 124 bytes of 2-byte characters
  tx.close(out, 1001, reason);
  ASSERT_EQ(static_cast<unsigned char>(out[1]), 2 + 122);  // cut to 122, not mid-character
  EXPECT_TRUE(is_utf8(std::string_view(out).substr(4)));
}

// ---- handshake

TEST(WebSocketHandshake, PrimitivesMatchPublishedVectors) {
  auto hex = [](std::string_view s) {
    std::string h;
    for (unsigned char c : s) {
      static const char* d = "0123456789abcdef";
      h += d[c >> 4];
      h += d[c & 15];
    }
    return h;
  };
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1(std::string(1000, 'a'))).size(), 40u);
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  // RFC 6455 section 1.3's example.
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

namespace {
struct hs_case {
  const char* name;
  std::string method;
  std::vector<header> headers;
  int status;
  std::string extensions_answer = {};  // expected Sec-WebSocket-Extensions, empty: none
};

std::vector<header> base_headers(std::vector<header> extra = {}) {
  std::vector<header> h = {{"Host", "x"},
                           {"Upgrade", "websocket"},
                           {"Connection", "Upgrade"},
                           {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                           {"Sec-WebSocket-Version", "13"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return h;
}

std::vector<header> without(std::string_view name) {
  auto h = base_headers();
  std::erase_if(h, [&](const header& x) { return x.name == name; });
  return h;
}

std::string answer_line(const std::string& response, std::string_view name) {
  const auto at = response.find(std::string(name) + ": ");
  if (at == std::string::npos) return {};
  const auto b = at + name.size() + 2;
  return response.substr(b, response.find("\r\n", b) - b);
}
}  // namespace

TEST(WebSocketHandshake, Cases) {
  auto with = [](std::string_view name, std::string_view value) {
    auto h = without(name);
    h.push_back({name, value});
    return h;
  };
  const std::vector<hs_case> table = {
      {"handshake_ok", "GET", base_headers(), 101},
      {"handshake_token_lists_any_case", "GET", with("Connection", "keep-alive, UPGRADE"), 101},
      {"handshake_upgrade_list", "GET", with("Upgrade", "foo, WebSocket"), 101},
      {"handshake_post", "POST", base_headers(), 400},
      {"handshake_no_host", "GET", without("Host"), 400},
      {"handshake_no_upgrade", "GET", without("Upgrade"), 400},
      {"handshake_connection_keep_alive", "GET", with("Connection", "keep-alive"), 400},
      {"handshake_version_8", "GET", with("Sec-WebSocket-Version", "8"), 426},
      {"handshake_no_version", "GET", without("Sec-WebSocket-Version"), 426},
      {"handshake_no_key", "GET", without("Sec-WebSocket-Key"), 400},
      {"handshake_key_too_short", "GET", with("Sec-WebSocket-Key", "abc="), 400},
      {"handshake_key_not_base64", "GET", with("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZ*=="),
       400},
      {"handshake_two_keys", "GET",
       base_headers({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}}), 400},
      {"handshake_deflate_plain", "GET",
       base_headers({{"Sec-WebSocket-Extensions", "permessage-deflate"}}), 101,
       "permessage-deflate"},
      {"handshake_deflate_client_bits_no_value", "GET",
       base_headers({{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"}}),
       101, "permessage-deflate"},
      {"handshake_deflate_all_params", "GET",
       base_headers({{"Sec-WebSocket-Extensions",
                      "permessage-deflate; server_no_context_takeover; "
                      "client_no_context_takeover; server_max_window_bits=10; "
                      "client_max_window_bits=\"12\""}}),
       101,
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=10; client_max_window_bits=12"},
      {"handshake_deflate_first_acceptable_offer", "GET",
       base_headers({{"Sec-WebSocket-Extensions",
                      "permessage-deflate; server_max_window_bits=8, permessage-deflate; "
                      "bogus, permessage-deflate; server_max_window_bits=9"}}),
       101, "permessage-deflate; server_max_window_bits=9"},
      {"handshake_deflate_duplicate_param_declined", "GET",
       base_headers({{"Sec-WebSocket-Extensions",
                      "permessage-deflate; server_no_context_takeover; "
                      "server_no_context_takeover"}}),
       101},
      {"handshake_deflate_bits_out_of_range_declined", "GET",
       base_headers(
           {{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=16"}}),
       101},
      {"handshake_unknown_extension_declined", "GET",
       base_headers({{"Sec-WebSocket-Extensions", "x-webkit-deflate-frame"}}), 101},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(c.name);
    const auto h = accept_handshake({c.method, 1, c.headers});
    EXPECT_EQ(h.status, c.status) << h.error;
    EXPECT_EQ(h.accepted, c.status == 101);
    if (c.status == 101) {
      EXPECT_EQ(answer_line(h.response, "Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      EXPECT_EQ(answer_line(h.response, "Sec-WebSocket-Extensions"), c.extensions_answer);
      EXPECT_EQ(h.deflate.has_value(), !c.extensions_answer.empty());
      EXPECT_TRUE(h.response.ends_with("\r\n\r\n"));
    } else {
      EXPECT_TRUE(h.response.find("Connection: close") != std::string::npos);
      EXPECT_EQ(c.status == 426, answer_line(h.response, "Sec-WebSocket-Version") == "13");
    }
  }
  EXPECT_EQ(accept_handshake({"GET", 0, base_headers()}).status, 400);  // HTTP/1.0
}

TEST(WebSocketHandshake, SubprotocolHookPicksOnlyAnOffer) {
  auto headers = base_headers({{"Sec-WebSocket-Protocol", "chat, superchat"}});
  handshake_options o;
  o.select_subprotocol = [](std::span<const std::string_view> offered) {
    return offered.size() > 1 ? offered[1] : std::string_view{};
  };
  auto h = accept_handshake({"GET", 1, headers}, o);
  EXPECT_EQ(h.subprotocol, "superchat");
  EXPECT_EQ(answer_line(h.response, "Sec-WebSocket-Protocol"), "superchat");
  o.select_subprotocol = [](std::span<const std::string_view>) { return std::string_view("x"); };
  h = accept_handshake({"GET", 1, headers}, o);
  EXPECT_EQ(h.subprotocol, "");
  EXPECT_EQ(answer_line(h.response, "Sec-WebSocket-Protocol"), "");
  EXPECT_TRUE(wants_websocket(headers));
  EXPECT_FALSE(wants_websocket(without("Upgrade")));
}

// ---- endpoint: the protocol's own answers

TEST(WebSocketEndpoint, Cases) {
  struct ep_case {
    const char* name;
    std::string input;
    event_kind app_event;  // the last event the application sees
    std::string owed;      // what the endpoint wrote by itself
    bool done;
  };
  std::string pong, echo_close, err_close, empty_close;
  write_frame(pong, opcode::pong, "hi");
  write_frame(echo_close, opcode::close, std::string("\x03\xe9", 2));
  write_frame(empty_close, opcode::close, "");
  const std::vector<ep_case> table = {
      {"endpoint_ping_answered", frame(opcode::ping, "hi"), event_kind::none, pong, false},
      {"endpoint_pong_dropped", frame(opcode::pong, "x"), event_kind::none, "", false},
      {"endpoint_close_echoed", close_frame(1001, "bye"), event_kind::close, echo_close, true},
      {"endpoint_empty_close_echoed_empty", frame(opcode::close, ""), event_kind::close,
       empty_close, true},
      {"endpoint_message_passed_on", frame(opcode::ping, "hi") + frame(opcode::text, "m"),
       event_kind::text, pong, false},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(c.name);
    endpoint ep;
    std::string out;
    std::string_view in = c.input;
    event_kind last = event_kind::none;
    while (!in.empty()) {
      auto r = ep.receive(in, out);
      in.remove_prefix(r.consumed);
      if (r.ev.kind != event_kind::none) last = r.ev.kind;
      if (r.consumed == 0) break;
    }
    EXPECT_EQ(kind_name(last), kind_name(c.app_event));
    EXPECT_EQ(out, c.owed);
    EXPECT_EQ(ep.done(), c.done);
  }
  // A protocol error is answered with a Close carrying its code; nothing is sent after it.
  endpoint ep;
  std::string out;
  auto r = ep.receive(raw(0x80 | 3, ""), out);
  EXPECT_EQ(r.ev.kind, event_kind::error);
  ASSERT_GE(out.size(), 4u);
  EXPECT_EQ(out.substr(0, 4), std::string("\x88", 1) + static_cast<char>(out.size() - 2) +
                                  std::string("\x03\xea", 2));
  EXPECT_TRUE(ep.done());
  EXPECT_FALSE(ep.send(out, true, "late"));
  // Our Close first: done once the peer's arrives.
  endpoint ours;
  std::string o2;
  ours.close(o2, 1000);
  EXPECT_FALSE(ours.done());
  ours.receive(close_frame(1000), o2);
  EXPECT_TRUE(ours.done());
}

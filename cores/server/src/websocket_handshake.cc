#include "lapwise/server/websocket_handshake.h"

#include <array>
#include <cstdint>
#include <vector>

#include "lapwise/common/http_token.h"

namespace lapwise::server::ws {

namespace {

constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view b64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// Cursor over one header value: the list grammar of RFC 9110 5.6 with parameters.
struct cursor {
  std::string_view s;
  std::size_t i = 0;
  void skip_ows() {
    while (i < s.size() && is_ows(s[i])) ++i;
  }
  bool at_end() const { return i >= s.size(); }
  bool eat(char c) {
    skip_ows();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string_view token() {
    skip_ows();
    const std::size_t b = i;
    while (i < s.size() && common::is_tchar(s[i])) ++i;
    return s.substr(b, i - b);
  }
  // A token or a quoted-string (unescaped into `out`); false if malformed.
  bool value(std::string& out) {
    skip_ows();
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out.push_back(s[i++]);
      }
      if (i >= s.size()) return false;
      ++i;
      return true;
    }
    out = token();
    return !out.empty();
  }
};

// Calls `fn(item)` for each non-empty element of a comma list (tokens only).
template <class Fn>
void each_token(std::string_view v, Fn fn) {
  std::size_t b = 0;
  while (b <= v.size()) {
    std::size_t e = v.find(',', b);
    if (e == std::string_view::npos) e = v.size();
    std::string_view item = v.substr(b, e - b);
    while (!item.empty() && is_ows(item.front())) item.remove_prefix(1);
    while (!item.empty() && is_ows(item.back())) item.remove_suffix(1);
    if (!item.empty()) fn(item);
    b = e + 1;
  }
}

struct extension_offer {
  std::string name;
  std::vector<std::pair<std::string, std::optional<std::string>>> params;
};

// Parses every Sec-WebSocket-Extensions value; false if one is malformed.
bool parse_extensions(std::span<const parser::header> headers, std::vector<extension_offer>& out) {
  for (const auto& h : headers) {
    if (!iequals(h.name, "Sec-WebSocket-Extensions")) continue;
    cursor c{h.value};
    while (true) {
      c.skip_ows();
      if (c.at_end()) break;
      if (c.eat(',')) continue;
      extension_offer off;
      off.name = c.token();
      if (off.name.empty()) return false;
      while (c.eat(';')) {
        std::string name(c.token());
        if (name.empty()) return false;
        std::optional<std::string> val;
        if (c.eat('=')) {
          val.emplace();
          if (!c.value(*val)) return false;
        }
        off.params.emplace_back(std::move(name), std::move(val));
      }
      out.push_back(std::move(off));
      c.skip_ows();
      if (!c.at_end() && !c.eat(',')) return false;
    }
  }
  return true;
}

std::optional<int> window_bits(const std::string& v) {
  if (v.size() == 1 && v[0] == '8') return 8;
  if (v.size() == 1 && v[0] == '9') return 9;
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + (v[1] - '0');
  return std::nullopt;
}

// The answer to one permessage-deflate offer, or none when this offer cannot be honoured.
std::optional<deflate_params> negotiate_deflate(const extension_offer& off,
                                                const deflate_params& mine) {
  deflate_params p;
  bool seen[4] = {false, false, false, false};
  bool client_bits_offered = false;
  int client_bits = 15;
  int server_bits = 15;
  for (const auto& [name, val] : off.params) {
    int k;
    if (name == "server_no_context_takeover") {
      k = 0;
      if (val) return std::nullopt;
      p.server_no_context_takeover = true;
    } else if (name == "client_no_context_takeover") {
      k = 1;
      if (val) return std::nullopt;
      p.client_no_context_takeover = true;
    } else if (name == "server_max_window_bits") {
      k = 2;
      if (!val) return std::nullopt;
      auto b = window_bits(*val);
      if (!b) return std::nullopt;
      server_bits = *b;
    } else if (name == "client_max_window_bits") {
      k = 3;
      client_bits_offered = true;
      if (val) {
        auto b = window_bits(*val);
        if (!b) return std::nullopt;
        client_bits = *b;
      }
    } else {
      return std::nullopt;
    }
    if (seen[k]) return std::nullopt;
    seen[k] = true;
  }
  if (server_bits < 9) return std::nullopt;
  p.server_no_context_takeover = p.server_no_context_takeover || mine.server_no_context_takeover;
  p.client_no_context_takeover = p.client_no_context_takeover || mine.client_no_context_takeover;
  p.server_max_window_bits = std::max(9, std::min(server_bits, mine.server_max_window_bits));
  // A client that did not offer client_max_window_bits must not be given one.
  p.client_max_window_bits =
      client_bits_offered ? std::min(client_bits, std::max(8, mine.client_max_window_bits)) : 15;
  return p;
}

std::string deflate_answer(const deflate_params& p) {
  std::string s = "permessage-deflate";
  if (p.server_no_context_takeover) s += "; server_no_context_takeover";
  if (p.client_no_context_takeover) s += "; client_no_context_takeover";
  if (p.server_max_window_bits < 15) {
    s += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
  }
  if (p.client_max_window_bits < 15) {
    s += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
  }
  return s;
}

bool valid_key(std::string_view k) {
  // base64 of 16 bytes: 22 symbols, the last carrying 2 bits, then "==".
  if (k.size() != 24 || k[22] != '=' || k[23] != '=') return false;
  for (std::size_t i = 0; i < 22; ++i) {
    if (b64_alphabet.find(k[i]) == std::string_view::npos) return false;
  }
  return (b64_alphabet.find(k[21]) & 0x0F) == 0;
}

handshake refuse(int status, std::string why) {
  handshake h;
  h.status = status;
  h.error = std::move(why);
  const std::string body = "WebSocket handshake refused: " + h.error + "\n";
  h.response = status == 426 ? "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                             : "HTTP/1.1 400 Bad Request\r\n";
  h.response +=
      "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  return h;
}

}  // namespace

std::string sha1(std::string_view data) {
  std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  std::string m(data);
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56) m.push_back('\0');
  for (int k = 7; k >= 0; --k) m.push_back(static_cast<char>(bits >> (8 * k)));
  for (std::size_t off = 0; off < m.size(); off += 64) {
    std::uint32_t w[80];
    for (int t = 0; t < 16; ++t) {
      const auto* b = reinterpret_cast<const unsigned char*>(m.data() + off + 4 * t);
      w[t] = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
             (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    }
    for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; ++t) {
      std::uint32_t f, k;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999u;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1u;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDCu;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6u;
      }
      const std::uint32_t tmp = rotl(a, 5) + f + e + k + w[t];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::string out(20, '\0');
  for (int i = 0; i < 20; ++i) out[i] = static_cast<char>(h[i / 4] >> (24 - 8 * (i % 4)));
  return out;
}

std::string base64(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    out.push_back(b64_alphabet[v >> 18]);
    out.push_back(b64_alphabet[(v >> 12) & 63]);
    out.push_back(b64_alphabet[(v >> 6) & 63]);
    out.push_back(b64_alphabet[v & 63]);
  }
  const std::size_t rest = data.size() - i;
  if (rest != 0) {
    std::uint32_t v = std::uint32_t{p[i]} << 16;
    if (rest == 2) v |= std::uint32_t{p[i + 1]} << 8;
    out.push_back(b64_alphabet[v >> 18]);
    out.push_back(b64_alphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? b64_alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string accept_key(std::string_view key) {
  std::string s(key);
  s += guid;
  return base64(sha1(s));
}

bool wants_websocket(std::span<const parser::header> headers) noexcept {
  bool found = false;
  for (const auto& h : headers) {
    if (!iequals(h.name, "Upgrade")) continue;
    each_token(h.value, [&](std::string_view t) { found = found || iequals(t, "websocket"); });
  }
  return found;
}

handshake accept_handshake(const upgrade_request& req, const handshake_options& opts) {
  if (req.method != "GET") return refuse(400, "the method must be GET");
  if (req.version_minor < 1) return refuse(400, "HTTP/1.1 is required");
  bool host = false, upgrade = false, connection = false;
  int keys = 0, versions = 0;
  std::string_view key, version;
  std::vector<std::string_view> protocols;
  for (const auto& h : req.headers) {
    if (iequals(h.name, "Host")) {
      host = true;
    } else if (iequals(h.name, "Upgrade")) {
      each_token(h.value,
                 [&](std::string_view t) { upgrade = upgrade || iequals(t, "websocket"); });
    } else if (iequals(h.name, "Connection")) {
      each_token(h.value,
                 [&](std::string_view t) { connection = connection || iequals(t, "upgrade"); });
    } else if (iequals(h.name, "Sec-WebSocket-Key")) {
      ++keys;
      key = h.value;
    } else if (iequals(h.name, "Sec-WebSocket-Version")) {
      ++versions;
      version = h.value;
    } else if (iequals(h.name, "Sec-WebSocket-Protocol")) {
      // Only tokens can be echoed back (RFC 6455 4.1): anything else is not an offer.
      each_token(h.value, [&](std::string_view t) {
        if (common::is_token(t)) protocols.push_back(t);
      });
    }
  }
  if (!host) return refuse(400, "no Host header");
  if (!upgrade) return refuse(400, "Upgrade does not name websocket");
  if (!connection) return refuse(400, "Connection does not name upgrade");
  if (versions != 1) return refuse(426, "exactly one Sec-WebSocket-Version is required");
  if (version != "13") return refuse(426, "Sec-WebSocket-Version must be 13");
  if (keys != 1) return refuse(400, "exactly one Sec-WebSocket-Key is required");
  if (!valid_key(key)) return refuse(400, "Sec-WebSocket-Key is not base64 of 16 bytes");

  handshake h;
  h.accepted = true;
  h.status = 101;
  h.response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      accept_key(key) + "\r\n";
  if (opts.select_subprotocol && !protocols.empty()) {
    const std::string_view pick = opts.select_subprotocol(protocols);
    for (auto p : protocols) {
      if (!pick.empty() && p == pick) {
        h.subprotocol = std::string(pick);
        h.response += "Sec-WebSocket-Protocol: " + h.subprotocol + "\r\n";
        break;
      }
    }
  }
  if (opts.permessage_deflate) {
    std::vector<extension_offer> offers;
    if (parse_extensions(req.headers, offers)) {
      for (const auto& off : offers) {
        if (off.name != "permessage-deflate") continue;
        if (auto p = negotiate_deflate(off, opts.deflate)) {
          h.deflate = p;
          h.response += "Sec-WebSocket-Extensions: " + deflate_answer(*p) + "\r\n";
          break;
        }
      }
    }
  }
  h.response += "\r\n";
  return h;
}

bool offered_subprotocol(std::span<const parser::header> headers,
                         std::string_view protocol) noexcept {
  if (protocol.empty() || !common::is_token(protocol)) return false;
  bool found = false;
  for (const auto& h : headers) {
    if (!iequals(h.name, "Sec-WebSocket-Protocol")) continue;
    each_token(h.value, [&](std::string_view t) { found = found || t == protocol; });
  }
  return found;
}

}  // namespace lapwise::server::ws

#include "websocket_deflate.h"

#include <algorithm>

namespace lapwise::server::ws::detail {

namespace {
constexpr unsigned char flush_tail[4] = {0x00, 0x00, 0xFF, 0xFF};
constexpr std::size_t chunk = 16 * 1024;
}  // namespace

inflater::inflater(bool no_context_takeover) : no_context_takeover_(no_context_takeover) {
  // The largest window reads anything a peer compressed with a smaller one.
  ok_ = inflateInit2(&zs_, -15) == Z_OK;
}

inflater::~inflater() {
  if (ok_) inflateEnd(&zs_);
}

inflater::result inflater::inflate_message(std::string_view in, std::string& out,
                                           std::size_t limit) {
  if (!ok_) return result::bad_data;
  const std::size_t start = out.size();
  result r = result::ok;
  // Two passes: the message, then the tail the sender stripped.
  for (int pass = 0; pass < 2 && r == result::ok; ++pass) {
    const std::string_view src =
        pass == 0 ? in : std::string_view(reinterpret_cast<const char*>(flush_tail), 4);
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(src.data()));
    zs_.avail_in = static_cast<uInt>(src.size());
    bool ended = false;
    while (!ended) {
      const std::size_t produced = out.size() - start;
      if (produced > limit) {
        r = result::too_big;
        break;
      }
      const std::size_t room = std::min(chunk, limit - produced + 1);
      const std::size_t at = out.size();
      out.resize(at + room);
      zs_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
      zs_.avail_out = static_cast<uInt>(room);
      const int rc = inflate(&zs_, Z_SYNC_FLUSH);
      out.resize(at + (room - zs_.avail_out));
      if (rc == Z_STREAM_END) {
        // A final block ends this stream; the next message starts a new one.
        inflateReset(&zs_);
        ended = true;
        pass = 2;
      } else if (rc == Z_BUF_ERROR) {
        ended = true;  // no progress possible: input used up, output flushed
      } else if (rc != Z_OK) {
        r = result::bad_data;
        break;
      } else if (zs_.avail_in == 0 && zs_.avail_out != 0) {
        ended = true;
      }
    }
    if (r == result::ok && out.size() - start > limit) r = result::too_big;
  }
  zs_.next_in = nullptr;
  zs_.avail_in = 0;
  if (r != result::ok) {
    out.resize(start);
    inflateReset(&zs_);
  } else if (no_context_takeover_) {
    inflateReset(&zs_);
  }
  return r;
}

deflater::deflater(int window_bits, bool no_context_takeover)
    : no_context_takeover_(no_context_takeover) {
  window_bits = std::clamp(window_bits, 9, 15);
  ok_ = deflateInit2(&zs_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, 8,
                     Z_DEFAULT_STRATEGY) == Z_OK;
}

deflater::~deflater() {
  if (ok_) deflateEnd(&zs_);
}

bool deflater::deflate_message(std::string_view in, std::string& out) {
  if (!ok_) return false;
  const std::size_t start = out.size();
  zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs_.avail_in = static_cast<uInt>(in.size());
  bool good = true;
  for (;;) {
    const std::size_t room = deflateBound(&zs_, zs_.avail_in) + 16;
    const std::size_t at = out.size();
    out.resize(at + room);
    zs_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    zs_.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&zs_, Z_SYNC_FLUSH);
    out.resize(at + (room - zs_.avail_out));
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      good = false;
      break;
    }
    if (zs_.avail_in == 0 && zs_.avail_out != 0) break;
  }
  zs_.next_in = nullptr;
  if (!good) {
    out.resize(start);
    deflateReset(&zs_);
    return false;
  }
  if (out.size() - start >= 4 &&
      std::equal(flush_tail, flush_tail + 4,
                 reinterpret_cast<const unsigned char*>(out.data() + out.size() - 4))) {
    out.resize(out.size() - 4);
  }
  if (out.size() == start) out.push_back('\0');  // an empty message is one empty block
  if (no_context_takeover_) deflateReset(&zs_);
  return true;
}

}  // namespace lapwise::server::ws::detail

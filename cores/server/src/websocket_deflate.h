// permessage-deflate's two halves over zlib (raw deflate streams). Internal to the server core.
//
// A message is compressed with a sync flush and sent without the 00 00 FF FF that the flush
// ends with; the receiver appends those four bytes back before inflating (RFC 7692 7.2).
// Without context takeover each message starts from an empty window.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace lapwise::server::ws::detail {

class inflater {
 public:
  explicit inflater(bool no_context_takeover);
  ~inflater();
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;

  enum class result { ok, too_big, bad_data };
  // Appends the inflated message to `out`; stops as soon as `out` would pass `limit`.
  result inflate_message(std::string_view in, std::string& out, std::size_t limit);
  [[nodiscard]] bool ready() const noexcept { return ok_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
  bool no_context_takeover_;
};

class deflater {
 public:
  deflater(int window_bits, bool no_context_takeover);
  ~deflater();
  deflater(const deflater&) = delete;
  deflater& operator=(const deflater&) = delete;

  // Appends the compressed message (without the flush tail) to `out`; false if zlib failed.
  bool deflate_message(std::string_view in, std::string& out);
  [[nodiscard]] bool ready() const noexcept { return ok_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
  bool no_context_takeover_;
};

}  // namespace lapwise::server::ws::detail
